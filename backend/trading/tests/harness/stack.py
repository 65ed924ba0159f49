"""A proof's stack: a paper account on the test sandbox, the two victims, the orders the test
placed with the status each must end in, and the checks every proof ends with."""
from __future__ import annotations

import time
from decimal import Decimal

from common import leakwatch
from trading.tests.harness.books import NEVER_ON_EXCHANGE, account_http, books_diff, sandbox_books
from trading.tests.harness.processes import PlatformProcess, wait_until


def paper_account_create(owner, sandbox, *, label: str = "Paper"):
    """A verified paper account on the test sandbox with a fresh key (its own 10,000 USDT wallet);
    the key and secret are registered with the leak watch."""
    from django.utils import timezone

    from accounts import crypto
    from accounts.models import AccountStatus, ExchangeAccount, Venue

    key = sandbox.control("POST", "keys", {"label": "proof"})
    api_key = leakwatch.secret(key["apiKey"], "exchange API key")
    secret = leakwatch.secret(key["secretKey"], "exchange secret")
    return ExchangeAccount.objects.create(
        owner=owner, label=label, venue=Venue.SANDBOX, is_paper=True, api_key_encrypted=crypto.encrypt(api_key),
        api_key_last4=api_key[-4:], fingerprint=crypto.fingerprint(api_key),
        api_secret_encrypted=crypto.encrypt(secret),
        status=AccountStatus.VERIFIED, verified_at=timezone.now(),
    )


class ProofStack:
    """One test's account, sandbox and victims (the trading process and a `trading` worker), the
    orders the test placed, and the checks every proof ends with."""

    symbol = "BTCUSDT"
    quantity = Decimal("0.002")

    def __init__(self, account, sandbox, trading: PlatformProcess, worker: PlatformProcess) -> None:
        self.account, self.sandbox, self.trading, self.worker = account, sandbox, trading, worker
        self.http = account_http(account, sandbox.url)
        self.intended: list[int] = []  # platform Order ids the test placed
        self.fates: dict[int, str] = {}  # Order id -> the status it must end in
        self._side = "SELL"

    def place(self, fate: str | None = None, **fields):
        """A manual MARKET order through the service (filters, risk, persistence, then
        `trading.order_send` on commit). Sides alternate, so the position goes 0, +q, 0, ... and
        every other fill realises PnL."""
        from trading.services.orders import order_create

        self._side = "BUY" if self._side == "SELL" else "SELL"
        fields = {"symbol": self.symbol, "side": self._side, "type": "MARKET", "quantity": self.quantity, **fields}
        order = order_create(account=self.account, **fields)
        self.intended.append(order.id)
        if fate:
            self.fates[order.id] = fate
        return order

    def on_exchange(self, client_order_id: str) -> list[dict]:
        rows = self.http.get("/fapi/v1/allOrders", {"symbol": self.symbol, "orderId": 0, "limit": 1000})
        return [row for row in rows if row["clientOrderId"] == client_order_id]

    def filled_on_exchange(self, order) -> bool:
        return any(row["status"] == "FILLED" for row in self.on_exchange(order.client_order_id))

    def beat(self) -> None:
        """What Celery Beat sends every 60 s (Beat does not run in tests): reconcile every account."""
        from trading.tasks import reconcile_all

        reconcile_all.delay()

    def recovered(self, *, beat: bool = True, timeout: float = 90) -> None:
        """Wait until the platform's books equal the sandbox's; with `beat`, the periodic
        reconciliation is sent every 3 s while they differ and the worker runs."""
        last_beat, diffs = 0.0, []

        def equal() -> bool:
            nonlocal last_beat, diffs
            diffs = books_diff(self.account, sandbox_books(self.account, self.sandbox.url, [self.symbol],
                                                           account_state=False))
            if diffs and beat and self.worker.alive and time.monotonic() - last_beat > 3:
                last_beat = time.monotonic()
                self.beat()
            return not diffs

        try:
            wait_until(equal, timeout=timeout, what="equal books", interval=1.0)
        except AssertionError:
            raise AssertionError("the books still differ:\n  " + "\n  ".join(diffs)
                                 + f"\n  worker log:\n{self.worker.log_tail()}"
                                 + f"\n  trading process log:\n{self.trading.log_tail()}") from None

    def check_fates(self) -> None:
        """Each order the test placed: one platform row, in the status expected of it, and on the
        exchange exactly once (never when it was not sent): nothing lost, nothing doubled."""
        from trading.models import Order

        for order_id, status in self.fates.items():
            order = Order.objects.get(id=order_id)
            assert order.status == status, (f"order {order.client_order_id}: {order.status} ({order.error_message}), "
                                            f"expected {status}\n  worker log:\n{self.worker.log_tail()}"
                                            f"\n  trading process log:\n{self.trading.log_tail()}")
            rows = self.on_exchange(order.client_order_id)
            expected = 0 if status in NEVER_ON_EXCHANGE else 1
            assert len(rows) == expected, \
                f"order {order.client_order_id}: {len(rows)} exchange orders, expected {expected}"
        platform = Order.objects.filter(account=self.account).exclude(source="external").count()
        assert platform == len(self.intended), f"{platform} platform orders for {len(self.intended)} placed"


def proof_stack_start(stack: ProofStack) -> ProofStack:
    """Start the worker and the trading process; return once the trading process has finished its
    start-up reconciliation (so that its lookups do not meet a fault a test is about to inject)."""
    stack.worker.start()
    trading_start(stack)
    return stack


def trading_start(stack: ProofStack, *, crash_at: str = "", ready: bool = True) -> None:
    """Start the trading process (armed at `crash_at` if given); with `ready`, wait until its
    start-up reconciliation has finished (its stream is connected by then)."""
    from django.utils import timezone

    from trading.models import ReconciliationRun

    since = timezone.now()
    stack.trading.start(crash_at=crash_at)
    if not ready:
        return
    # A start-up pass is a full fetch (about 130 of the IP's weight). Restarted every few seconds, as
    # in the 20-run proofs, the processes reach the governor's share of the minute's budget, and it
    # holds the pass until the window frees (up to 60 s): the wait allows for that hold.
    try:
        wait_until(lambda: ReconciliationRun.objects.filter(
            account=stack.account, trigger="startup", started_at__gte=since, status__in=("clean", "corrected")).exists(),
                   timeout=150, what="the trading process's start-up reconciliation")
    except AssertionError as exc:
        runs = [(r.trigger, r.status, r.started_at.isoformat(), r.error[:300])
                for r in ReconciliationRun.objects.filter(account=stack.account).order_by("-started_at")[:4]]
        exited = stack.trading.process.poll()
        raise AssertionError(f"{exc}\nlatest runs: {runs}\ntrading process exit code: {exited}\n"
                             f"its log:\n{stack.trading.log_tail(40)}") from None
