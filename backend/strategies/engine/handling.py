"""One closed candle of one run: the engine's Django side (`EngineGlue.handle`, in a worker thread).

1. The run is read; a run not RUNNING, or a candle not newer than the last it handled for that
   (symbol, timeframe), is skipped.
2. Context: the windows of the candles the program reads (cut at this candle), the account's
   positions and available USDT as last seen by the trading process, the active scanner signals,
   the variables kept for the symbol.  `runtime.evaluate` with the engine's step budget.
3. One transaction: the run row locked and re-checked, the handled candle moved, the variables
   stored, every decision recorded (open/close/cancel as `StrategyDecision`, log/notify as
   `StrategyLog`), each open or close created as a PENDING order (`order_create(send=False)`,
   tag ``s<run>``).  A refusal (risk, filters, paused account, exchange answer) is the decision's
   outcome and a warning line, not a failure.
4. After commit the orders are sent (`order_send`); a crash between 3 and 4 leaves them PENDING,
   and the trading process's `orders_recover` sends or resolves them (never a blind resend).

An exception of the evaluation (`BudgetExceeded`, `StaleProgram`, anything else) or of step 3
other than the database being away marks the run ERROR with its trace: "failed".
"""
from __future__ import annotations

import logging
import traceback
from decimal import Decimal

import numpy as np
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from market.binance.errors import BinanceError
from realtime.dispatcher import batched, publish_on_commit
from redis.exceptions import RedisError
from realtime.events import Event, user_group
from strategies.decisions import CancelOrders, ClosePosition, Log, Notify, OpenPosition
from strategies.engine.crashpoints import crash_point
from strategies.engine.loop import RunSpec
from strategies.engine.windows import CandleWindows
from strategies.lifecycle import RunStatus, RunTrigger, run_transition
from strategies.models import StrategyDecision, StrategyLog, StrategyRun, StrategyRunCandle
from strategies.runtime import DEFAULT_BUDGET, Context, Position, ScannerSignal, evaluate

logger = logging.getLogger(__name__)
INFRASTRUCTURE = (OperationalError, InterfaceError)


def store_loader(symbol: str, timeframe: str, n: int) -> np.ndarray:
    from market.selectors import candles_last

    k = candles_last([symbol], timeframe, n).get(symbol)
    if k is None:
        return np.empty((0, 6))
    return np.column_stack([k.open_time.astype(np.float64), k.open, k.high, k.low, k.close, k.volume])


def run_event(run: StrategyRun, kind: str, data: dict) -> None:
    """A private event of the run's owner, sent after commit."""
    publish_on_commit(Event(kind, {"run_id": run.id, **data}, group=user_group(run.owner_id)))


def run_payload(run: StrategyRun) -> dict:
    return {"id": run.id, "status": run.status, "error": run.error, "symbols": run.symbols,
            "timeframe": run.timeframe, "version": run.version_id, "exchange_account": run.exchange_account_id}


def _dec(x: float | None) -> Decimal | None:
    return None if x is None else Decimal(repr(float(x)))


class EngineGlue:
    def __init__(self, *, windows: CandleWindows | None = None, budget: int = DEFAULT_BUDGET):
        self.windows = windows or CandleWindows(store_loader)
        self.budget = budget

    def runs_active(self) -> dict[int, RunSpec]:
        rows = StrategyRun.objects.filter(status=RunStatus.RUNNING).values_list("id", "symbols", "timeframe")
        return {i: RunSpec(i, frozenset(symbols), tf) for i, symbols, tf in rows}

    # -- one candle -------------------------------------------------------------------------

    def handle(self, run_id: int, event) -> str:
        """One candle of one run; its owner's events go out in one frame once its orders are sent."""
        try:
            with batched():
                return self._handle(run_id, event)
        except RedisError as exc:  # raised by the batch's send, after everything was stored and sent
            logger.warning("run %s: events of candle %s not pushed (Redis: %s)", run_id, event.id, exc)
            return "handled"

    def _handle(self, run_id: int, event) -> str:
        c = event.candle
        run = StrategyRun.objects.select_related("version").annotate(last=Subquery(
            StrategyRunCandle.objects.filter(run=OuterRef("pk"), symbol=c.symbol, timeframe=c.interval)
            .values("open_time")[:1])).get(pk=run_id)
        if run.status != RunStatus.RUNNING or (run.last is not None and c.open_time <= run.last):
            return "skipped"
        try:
            evaluation = evaluate(run.version.ir, self.context(run, c), budget=self.budget)
            orders = self.record(run, c, evaluation)
        except INFRASTRUCTURE:
            raise
        except Exception as exc:  # noqa: BLE001 — this run's failure, not the engine's
            run_fail(run_id, exc, traceback.format_exc())
            return "failed"
        if orders is None:
            return "skipped"
        crash_point("strategy_after_commit")
        from trading.services.orders import order_send

        for order_id in orders:
            try:
                order_send(order_id=order_id)
            except Exception as exc:  # noqa: BLE001 — stays PENDING/UNKNOWN; the trading process resolves it
                logger.warning("run %s: order %s not sent now (%s)", run_id, order_id, exc)
        return "handled"

    def context(self, run: StrategyRun, c) -> Context:
        from signals.models import Signal, Status
        from trading.models import BalanceSnapshot, PositionSnapshot

        ir, until = run.version.ir, c.close_time + 1
        symbols = {c.symbol, *ir.get("symbols", ())}
        timeframes = {c.interval, *ir.get("timeframes", ())}
        candles = {(s, tf): self.windows.view(s, tf, until) for s in symbols for tf in timeframes}
        positions = []
        for p in PositionSnapshot.objects.filter(account_id=run.exchange_account_id).exclude(amount=0):
            direction = p.position_side if p.position_side != "BOTH" else ("LONG" if p.amount > 0 else "SHORT")
            margin = abs(p.amount) * p.entry_price / max(p.leverage, 1)
            pct = float(p.unrealized_pnl / margin * 100) if margin else float("nan")
            positions.append(Position(p.symbol, direction, float(abs(p.amount)), float(p.entry_price), pct))
        balance = BalanceSnapshot.objects.filter(account_id=run.exchange_account_id, asset="USDT").values_list(
            "available_balance", flat=True).first()
        signals = [ScannerSignal(s.symbol, s.timeframe, s.direction, s.confidence)
                   for s in Signal.objects.filter(symbol=c.symbol, status=Status.ACTIVE)]
        return Context(symbol=c.symbol, timeframe=c.interval, candles=candles, positions=positions,
                       available_balance=float(balance or 0), signals=signals,
                       variables=(run.state or {}).get(c.symbol, {}))

    def record(self, run: StrategyRun, c, evaluation) -> list[int] | None:
        """The transaction of one candle; the ids of the orders to send, or None: skipped."""
        from trading.models import TradingState

        with transaction.atomic():
            locked = StrategyRun.objects.select_for_update().select_related("exchange_account").get(pk=run.pk)
            handled, _ = StrategyRunCandle.objects.select_for_update().get_or_create(
                run=locked, symbol=c.symbol, timeframe=c.interval, defaults={"open_time": -1})
            if locked.status != RunStatus.RUNNING or handled.open_time >= c.open_time:
                return None
            handled.open_time = c.open_time
            handled.save(update_fields=["open_time"])
            locked.state = {**(locked.state or {}), c.symbol: evaluation.variables}
            locked.save(update_fields=["state", "updated_at"])
            hedge = TradingState.objects.filter(account=locked.exchange_account, hedge_mode=True).exists()
            orders, seq = [], 0
            for d in evaluation.decisions:
                if isinstance(d, (Log, Notify)):
                    text = d.message if d.value is None else f"{d.message} {d.value:.8g}"
                    _log(locked, "notify" if isinstance(d, Notify) else "info", text, c)
                    continue
                row = StrategyDecision(run=locked, symbol=c.symbol, candle_time=c.open_time, seq=seq,
                                       kind=_KIND[type(d)], payload=_payload(d))
                seq += 1
                placed = _place(locked, d, hedge, row)
                row.save()
                orders.extend(o.pk for o in placed)
                run_event(locked, "strategy_decision", {"symbol": c.symbol, "candle_time": c.open_time,
                                                        "kind": row.kind, "payload": row.payload,
                                                        "order_id": row.order_id, "outcome": row.outcome})
            crash_point("strategy_before_commit")
        return orders


_KIND = {OpenPosition: "open", ClosePosition: "close", CancelOrders: "cancel"}


def _payload(d) -> dict:
    data = {k: v for k, v in vars(d).items() if k != "block"}
    return {**data, "block": d.block}


def _log(run: StrategyRun, level: str, message: str, c=None) -> None:
    row = StrategyLog.objects.create(run=run, level=level, message=message[:1000],
                                     symbol=c.symbol if c else "", candle_time=c.open_time if c else None)
    run_event(run, "strategy_log", {"id": row.pk, "level": level, "message": row.message, "symbol": row.symbol,
                                    "candle_time": row.candle_time, "at": row.created_at.isoformat()})


def _place(run: StrategyRun, d, hedge: bool, row: StrategyDecision) -> list:
    """Create the decision's orders PENDING (in a savepoint); a refusal is the row's outcome."""
    from trading.services.orders import OrderInvalid, RiskRefused

    try:
        with transaction.atomic():
            placed = _orders_of(run, d, hedge)
    except (RiskRefused, OrderInvalid, BinanceError, OSError) as exc:
        row.outcome = f"not placed: {exc}"[:300]
        _log(run, "warning", f"{row.kind} {d.symbol}: {row.outcome}")
        return []
    row.order = placed[0] if placed else None
    if not placed:
        row.outcome = "nothing to do"
    return placed


def _orders_of(run: StrategyRun, d, hedge: bool) -> list:
    from trading.models import Order, OrderStatus, PositionSnapshot
    from trading.services.orders import order_cancel, order_create, position_close

    account, common = run.exchange_account, {"tag": run.tag, "source": "strategy"}
    if isinstance(d, OpenPosition):
        limit = d.order_type == "LIMIT"
        return [order_create(account=account, symbol=d.symbol, side="BUY" if d.direction == "LONG" else "SELL",
                             type=d.order_type, quantity=_dec(d.quantity), price=_dec(d.price) if limit else None,
                             position_side=d.direction if hedge else None, leverage=d.leverage,
                             stop_loss_price=_dec(d.stop_loss), take_profit_price=_dec(d.take_profit),
                             strategy_run_id=run.id, send=False, **common)]
    if isinstance(d, ClosePosition):
        placed = []
        for p in PositionSnapshot.objects.filter(account=account, symbol=d.symbol).exclude(amount=0):
            direction = p.position_side if hedge else ("LONG" if p.amount > 0 else "SHORT")
            if d.direction in ("ANY", direction):
                order = position_close(account=account, symbol=d.symbol, position_side=p.position_side, send=False,
                                       **common)
                Order.objects.filter(pk=order.pk).update(strategy_run_id=run.id)
                placed.append(order)
        return placed
    working = Order.objects.filter(account=account, tag=run.tag, symbol=d.symbol, is_algo=False,
                                   status__in=[OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED])
    for order in working:
        order_cancel(order=order)
    return []


def run_fail(run_id: int, exc: BaseException, trace: str) -> None:
    """The run is ERROR with its exception and trace (if it was still RUNNING)."""
    with transaction.atomic():
        run = StrategyRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.RUNNING:
            return
        run.status = run_transition(run.status, RunTrigger.FAIL)
        run.error = f"{type(exc).__name__}: {exc}"[:500]
        run.trace, run.stopped_at = trace[-20_000:], timezone.now()
        run.save(update_fields=["status", "error", "trace", "stopped_at", "updated_at"])
        _log(run, "error", run.error)
        run_event(run, "strategy_run_updated", run_payload(run))
    logger.warning("run %s failed: %s", run_id, run.error)
