"""Fixtures of the proofs; the test modules import them by name."""
from __future__ import annotations

import uuid

import pytest

from trading.tests.harness.processes import celery_worker, proof_queue, trading_process
from trading.tests.harness.stack import ProofStack, paper_account_create

__all__ = ["proof_owner", "proof_account", "sandbox_latency", "proof_routes", "trading_proc", "trading_worker",
           "proof_stack"]

@pytest.fixture
def proof_owner(transactional_db):
    from django.contrib.auth.models import User

    return User.objects.create_user(username=f"proof-{uuid.uuid4().hex[:6]}@example.com", email="proof@example.com")


@pytest.fixture
def proof_account(proof_owner, sandbox_process):
    return paper_account_create(proof_owner, sandbox_process)


@pytest.fixture
def sandbox_latency(sandbox_process):
    """A few milliseconds of injected latency (with jitter) on every /fapi request, from a fresh IP
    weight budget (the sandbox's count and the platform's governor); the faults are switched off
    and the IP weights forgotten afterwards."""
    from trading.tests.stream_helpers import weight_budget_fresh

    sandbox_process.control("DELETE", "faults")
    weight_budget_fresh(sandbox_process)
    sandbox_process.control("POST", "faults", {"kind": "latency", "path_prefix": "/fapi", "ms": 4, "jitter_ms": 3})
    yield sandbox_process
    sandbox_process.control("DELETE", "faults")
    sandbox_process.control("POST", "limits/reset")


@pytest.fixture
def proof_routes():
    """`trading.*` tasks sent from this process go to the proofs' queue (emptied first), as they
    do from the processes the proofs start (harness/settings.py)."""
    import redis
    from django.conf import settings

    from config.celery import app

    routes = app.conf.task_routes
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(proof_queue())
    app.conf.update(task_routes={**routes, "trading.*": {"queue": proof_queue()}})
    yield proof_queue()
    app.conf.update(task_routes=routes)


# Both depend on the database fixture so that they stop before its tables are emptied.
@pytest.fixture
def trading_proc(transactional_db, proof_routes, sandbox_process, tmp_path):
    proc = trading_process(sandbox_process.url, tmp_path)
    yield proc
    proc.stop()


@pytest.fixture
def trading_worker(transactional_db, proof_routes, sandbox_process, tmp_path):
    proc = celery_worker(sandbox_process.url, tmp_path)
    yield proc
    proc.stop()


@pytest.fixture
def proof_stack(proof_account, sandbox_latency, trading_proc, trading_worker):
    """The account, the sandbox with latency, and both victims (not started: tests may set
    `.env` first, then call `proof_stack_start`)."""
    return ProofStack(proof_account, sandbox_latency, trading_proc, trading_worker)
