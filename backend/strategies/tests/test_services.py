"""Services: version numbers come from the database (concurrent saves get 1..n, no gap, no
duplicate), a workspace that does not compile saves nothing, a number cannot be taken twice."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction

from strategies.compiler import CompileFailed
from strategies.models import Strategy, StrategyVersion
from strategies.services import StrategyInvalid, strategy_create, strategy_version_save

from .workspaces import block, log, workspace


def owner() -> User:
    email = f"s-{uuid.uuid4().hex[:6]}@example.com"
    return User.objects.create_user(username=email, email=email)


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_get_consecutive_numbers():
    strategy = strategy_create(owner=owner(), name="busy")
    barrier, failures = threading.Barrier(8), []

    def save(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            strategy_version_save(strategy=Strategy.objects.get(pk=strategy.pk), workspace=workspace(log(str(i))))
        except Exception as exc:  # reported below with the numbers
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures
    numbers = sorted(StrategyVersion.objects.filter(strategy=strategy).values_list("number", flat=True))
    assert numbers == list(range(1, 9))
    strategy.refresh_from_db()
    assert strategy.last_version == 8


@pytest.mark.django_db
def test_a_workspace_that_does_not_compile_saves_nothing():
    user = owner()
    with pytest.raises(CompileFailed):
        strategy_create(owner=user, name="bad", workspace=workspace(block("nope")))
    assert not Strategy.objects.filter(owner=user).exists()
    strategy = strategy_create(owner=user, name="good", workspace=workspace(log("a")))
    with pytest.raises(CompileFailed):
        strategy_version_save(strategy=strategy, workspace={"blocks": 5})
    assert list(strategy.versions.values_list("number", flat=True)) == [1]
    with pytest.raises(StrategyInvalid):
        strategy_create(owner=user, name="   ")


@pytest.mark.django_db
def test_the_database_refuses_a_second_version_with_the_same_number():
    strategy = strategy_create(owner=owner(), name="s", workspace=workspace(log("a")))
    version = strategy.versions.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        StrategyVersion.objects.create(strategy=strategy, number=1, workspace=version.workspace, ir=version.ir)
    with pytest.raises(IntegrityError), transaction.atomic():
        StrategyVersion.objects.create(strategy=strategy, number=0, workspace=version.workspace, ir=version.ir)
