"""The proofs' harness (test_crash, test_faults, test_hedge, test_risk_limits).

* `books`: the sandbox's own record of an account through plain signed HTTP, and `books_diff`.
* `processes`: `run_trading` and a `trading` Celery worker as processes to kill -9 and restart.
* `stack`: a paper account, both processes, the orders placed and the checks proofs end with.
* `fixtures`: pytest fixtures, imported by name by the test modules.
"""
from trading.tests.harness.books import (  # noqa: F401
    NEVER_ON_EXCHANGE, UNRESOLVED, SandboxBooks, SandboxHttp, account_http, assert_books_equal, books_diff,
    books_equal, dec, sandbox_books,
)
from trading.tests.harness.fixtures import (  # noqa: F401
    proof_account, proof_owner, proof_routes, proof_stack, sandbox_latency, trading_proc, trading_worker,
)
from trading.tests.harness.processes import PlatformProcess, celery_worker, trading_process, wait_until  # noqa: F401
from trading.tests.harness.stack import ProofStack, paper_account_create, proof_stack_start, trading_start  # noqa: F401
