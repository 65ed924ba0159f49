"""Pooled exchange sessions (`trading.exchange.session_pooled`) against the real sandbox: one open
session per thread and account, reused between calls; reopened when the account's key changes;
closed when idle, and when its thread has ended."""
from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import User

from accounts import crypto

from trading import exchange
from trading.exchange import exchange_call, session_pooled
from trading.tests.harness import paper_account_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def account(sandbox_process):
    owner = User.objects.create_user(username="pool@example.com", email="pool@example.com")
    return paper_account_create(owner, sandbox_process)


def server_time(account) -> int:
    return exchange_call(account, lambda client, _creds: client.market_data.server_time())


def test_a_thread_reuses_its_session_and_others_get_their_own(account):
    with session_pooled(account) as first:
        assert first._loop is not None
    with session_pooled(account) as again:
        assert again is first
    seen = []
    thread = threading.Thread(target=lambda: seen.append(exchange.session_pooled(account).__enter__()))
    thread.start()
    thread.join()
    assert seen and seen[0] is not first


def test_the_sessions_of_an_ended_thread_are_closed_by_the_next_opening(account, sandbox_process):
    other = paper_account_create(User.objects.create_user(username="pool2@example.com"), sandbox_process)
    opened = []

    def work():
        assert server_time(account) > 0
        with session_pooled(account) as session:
            opened.append(session)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert opened[0]._loop is not None  # the ended thread's session is still open ...
    assert thread in exchange._all_pools
    assert server_time(other) > 0  # ... until another thread opens a session
    assert opened[0]._loop is None and thread not in exchange._all_pools


def test_a_changed_key_reopens_and_an_idle_session_closes(account, monkeypatch):
    with session_pooled(account) as first:
        pass
    account.api_key_encrypted = crypto.rotate(account.api_key_encrypted)  # a new ciphertext, as a key rotation
    with session_pooled(account) as second:
        assert second is not first
    assert first._loop is None
    monkeypatch.setattr(exchange, "POOL_IDLE_S", 0.0)
    with session_pooled(type(account).objects.get(id=account.id)) as third:
        assert third is not second  # a call after the idle delay: the idle one closed, a new one opened
    assert second._loop is None
