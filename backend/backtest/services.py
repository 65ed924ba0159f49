"""Backtest runs: create (request validated by parameters.py), execute (the worker), cancel.

`run_execute` is the one call of the `backtest.run` task. A scanner run goes in chunks, and
between chunks it publishes `backtest_progress` to the owner's private channel and honours a
cancel request: candles loaded (20 %), signals scanned (60 %), signals traded (85 %), reports
(100 %, `backtest_finished`). A window with a missing candle is refused (FAILED, every gap named):
the scanner's parity with live needs one gap-free grid, so no stretch is filled or run apart.
"""
from __future__ import annotations

import json
import logging
import math
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

from market.history import interval_step
from realtime.dispatcher import publish
from realtime.events import Event, user_group
from signals.config import SignalConfig
from strategies.runtime import BudgetExceeded

from .fills import FillModel
from .models import TRANSITIONS, BacktestRun, Kind, Status
from .parameters import COSTS, BacktestInputError, parameters_validate  # noqa: F401 (the API's)
from .reports import breakdown, equity_frame, metrics, trades_frame
from .scanner import scan_signals
from .selectors import history_series
from .signal_trades import signal_trades
from .strategy import strategy_backtest
from .walk_forward import walk_forward

logger = logging.getLogger(__name__)

EQUITY_POINTS = 500  # the stored equity curve is downsampled to at most this many points
TRADES_KEPT = 500  # trades stored in results (the CSV has them all)
UNSENT_AFTER = timedelta(seconds=30)  # a QUEUED run never handed to the broker is sent by the sweep after this
RESEND_AFTER = timedelta(minutes=15)  # a QUEUED run handed over but never taken is sent again after this
STALE_AFTER = timedelta(minutes=10)  # a RUNNING run without progress for this long lost its worker


class Canceled(Exception):
    pass


def run_create(*, owner, data: dict) -> BacktestRun:
    """Validate `data`, store the QUEUED run and queue its task after commit."""
    kind, parameters = parameters_validate(data, owner)
    run = BacktestRun.objects.create(owner=owner, kind=kind, parameters=parameters)
    transaction.on_commit(lambda: _send(run.id), robust=True)  # a broker away: logged, run QUEUED, swept later
    return run


def _send(run_id: int) -> None:
    from .tasks import run_backtest  # tasks import this module

    run_backtest.delay(run_id)
    BacktestRun.objects.filter(id=run_id).update(sent_at=timezone.now())


def runs_sweep(*, now=None) -> dict[str, list[int]]:
    """The catch-up of Beat's `backtest.sweep`: no run stays QUEUED or RUNNING for ever.

    - QUEUED and never handed to the broker (it was away when the run was created) for
      `UNSENT_AFTER`, or handed over more than `RESEND_AFTER` ago and still not taken (Redis
      restarted and lost the queue): its task is sent again. Sending twice is harmless: only the
      first worker to find the run QUEUED runs it (`run_execute` claims it under a row lock).
    - RUNNING without a sign of life (start, progress) for `STALE_AFTER`: its worker died (killed,
      out of memory); the run is FAILED with that reason, and the owner can start it again.
    """
    now = now or timezone.now()
    queued = BacktestRun.objects.filter(status=Status.QUEUED)
    resend = list(queued.filter(sent_at__isnull=True, created_at__lt=now - UNSENT_AFTER).values_list("id", flat=True))
    resend += queued.filter(sent_at__lt=now - RESEND_AFTER).values_list("id", flat=True)
    sent = []
    for run_id in resend:
        try:
            _send(run_id)
            sent.append(run_id)
        except Exception as exc:  # the broker still away: the next sweep tries again
            logger.warning("backtest %s not sent again: %s", run_id, exc)
    failed = []
    for run_id in BacktestRun.objects.filter(status=Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER) \
            .values_list("id", flat=True):
        with transaction.atomic():
            run = BacktestRun.objects.select_for_update().get(id=run_id)
            if run.status == Status.RUNNING and run.heartbeat_at < now - STALE_AFTER:
                minutes = int(STALE_AFTER.total_seconds() // 60)
                _move(run, Status.FAILED, error=f"the worker running this backtest stopped (no progress for "
                                                f"{minutes} min); start it again")
                failed.append(run_id)
    if sent or failed:
        logger.info("backtest sweep: sent again %s, failed as stale %s", sent, failed)
    return {"sent": sent, "failed": failed}


def run_cancel(*, run: BacktestRun) -> BacktestRun:
    """A QUEUED run is CANCELED at once; a RUNNING one when the worker reaches its next chunk."""
    with transaction.atomic():
        run = BacktestRun.objects.select_for_update().get(id=run.id)
        if run.status == Status.QUEUED:
            _move(run, Status.CANCELED)
        elif run.status == Status.RUNNING:
            run.cancel_requested = True
            run.save(update_fields=["cancel_requested"])
    return run


def _move(run: BacktestRun, status: str, **fields) -> None:
    if status not in TRANSITIONS[run.status]:
        raise ValueError(f"backtest {run.id}: {run.status} cannot become {status}")
    run.status = status
    if status in (Status.DONE, Status.FAILED, Status.CANCELED):
        run.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(run, name, value)
    run.save()
    if status != Status.RUNNING:  # after commit: a page that reloads the run on this event sees it
        transaction.on_commit(lambda: _push(run, "backtest_finished", status=run.status, error=run.error))


def _push(run: BacktestRun, type_: str, **data) -> None:
    try:
        publish(Event(type_, {"backtest_id": run.id, "progress": run.progress, **data}, group=user_group(run.owner_id)))
    except RedisError as exc:  # the run stands; the page reads it over REST
        logger.warning("%s of backtest %s not pushed (Redis: %s)", type_, run.id, exc)


def _chunk_done(run_id: int, progress: int) -> BacktestRun:
    """Record progress, push it, and stop here if the owner asked to cancel."""
    with transaction.atomic():
        run = BacktestRun.objects.select_for_update().get(id=run_id)
        canceled = run.cancel_requested
        if canceled:
            _move(run, Status.CANCELED)
        else:
            run.progress, run.heartbeat_at = progress, timezone.now()
            run.save(update_fields=["progress", "heartbeat_at"])
    if canceled:  # raised outside the block, which would otherwise roll the CANCELED back
        raise Canceled
    _push(run, "backtest_progress", status=run.status)
    return run


def run_execute(run_id: int) -> None:
    """The worker's side: QUEUED -> RUNNING -> DONE / FAILED / CANCELED. A run not QUEUED is left alone."""
    with transaction.atomic():
        run = BacktestRun.objects.select_for_update().get(id=run_id)
        if run.status != Status.QUEUED:
            return
        _move(run, Status.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now())
    try:
        chunk_done = lambda p: _chunk_done(run_id, p)  # noqa: E731
        if run.kind == Kind.STRATEGY:
            results, csv = strategy_run(run.parameters, chunk_done)
        else:
            results, csv = scanner_backtest(run.parameters, chunk_done)
    except Canceled:
        return
    except (ValueError, BudgetExceeded) as exc:  # gaps, too little history, a stale or too costly program
        _finish_failed(run_id, str(exc))
        return
    except Exception:
        logger.exception("backtest %s failed", run_id)
        _finish_failed(run_id, "internal error while running the backtest")
        raise
    with transaction.atomic():
        run = BacktestRun.objects.select_for_update().get(id=run_id)
        if run.status == Status.RUNNING:
            _move(run, Status.DONE, progress=100, results=results, trades_csv=csv)


def _finish_failed(run_id: int, message: str) -> None:
    with transaction.atomic():
        run = BacktestRun.objects.select_for_update().get(id=run_id)
        if run.status == Status.RUNNING:
            _move(run, Status.FAILED, error=message)


def scanner_backtest(p: dict, chunk_done=lambda progress: None) -> tuple[dict, str]:
    """(results, trades CSV) of a scanner run on the store's history; `chunk_done(progress)`
    between chunks (it may raise to stop)."""
    series = history_series(p["symbols"], p["timeframe"], p["start_ms"], p["end_ms"])
    chunk_done(20)
    config = SignalConfig(**p["config"])
    scan = scan_signals(series, config, timeframe=p["timeframe"])
    chunk_done(60)
    tf_ms = config.timeframe_ms(p["timeframe"])
    model = FillModel(**{k: Decimal(p[k]) for k in COSTS})
    book = signal_trades(series, scan, model=model, initial_equity=Decimal(p["starting_balance"]),
                         notional=Decimal(p["notional"]), timeframe_ms=tf_ms)
    chunk_done(85)
    results, csv = report(book, tf_ms, len(scan.events))
    if p.get("walk_forward"):
        results["walk_forward"] = walk_forward_report(series, p, config, model)
    return results, csv


def walk_forward_report(series, p: dict, config: SignalConfig, model: FillModel) -> dict:
    """`walk_forward.walk_forward` over the run's candles, as JSON (non-finite figures as null)."""
    wf = p["walk_forward"]
    result = walk_forward(series, wf["thresholds"], train=wf["train"], test=wf["test"], config=config,
                          timeframe=p["timeframe"], model=model, notional=Decimal(p["notional"]),
                          initial_equity=Decimal(p["starting_balance"]))
    clean = lambda figures: None if figures is None else {k: _finite(v) for k, v in figures.items()}  # noqa: E731
    return {"summary": result["summary"], "folds": [
        {"train": list(f.train), "test": list(f.test), "chosen": f.chosen, "out_of_sample": clean(f.out_of_sample),
         "in_sample": {str(t): clean(m) for t, m in f.in_sample.items()}} for f in result["folds"]]}


def strategy_run(p: dict, chunk_done=lambda progress: None) -> tuple[dict, str]:
    """(results, trades CSV) of a strategy version on the store's history, evaluated from the
    window's first candle (indicators without enough candles are NaN there, as live after a start)."""
    from strategies.models import StrategyVersion

    program = StrategyVersion.objects.get(id=p["strategy_version_id"]).ir
    series = history_series(p["symbols"], p["timeframe"], p["start_ms"], p["end_ms"])
    chunk_done(20)
    tf_ms = interval_step(p["timeframe"])
    model = FillModel(**{k: Decimal(p[k]) for k in COSTS})
    run = strategy_backtest(program, series, timeframe=p["timeframe"], timeframe_ms=tf_ms, model=model,
                            initial_equity=Decimal(p["starting_balance"]),
                            chunk_done=lambda f: chunk_done(20 + int(f * 65)), chunks=5)
    return report(run.book, tf_ms, len(run.decisions))


def _finite(value):
    return value if not isinstance(value, float) or math.isfinite(value) else None


def report(book, timeframe_ms: int, events: int) -> tuple[dict, str]:
    """JSON-safe results (non-finite metrics as null, money as strings) and the full trades CSV.
    `events`: the scanner's events, or for a strategy the evaluations that decided anything."""
    trades = trades_frame(book.trades)
    equity = equity_frame(book.equity_curve, book.initial_equity)
    figures = {k: _finite(float(v) if not isinstance(v, int) else v)
               for k, v in metrics(trades, equity, book.initial_equity, timeframe_ms).items()}
    every = max(1, math.ceil(len(book.equity_curve) / EQUITY_POINTS))
    curve = book.equity_curve[::every]
    if book.equity_curve and curve[-1] is not book.equity_curve[-1]:
        curve.append(book.equity_curve[-1])
    kept = trades.head(TRADES_KEPT)
    shown = book.trades[:TRADES_KEPT]  # times as the ledger has them: epoch ms (the frame's are datetimes)
    rows = json.loads(kept.assign(entry_time=[t.entry_time for t in shown], exit_time=[t.exit_time for t in shown])
                      .to_json(orient="records", default_handler=str))
    return {
        "metrics": figures, "events": events, "trades_total": len(trades), "refusals": len(book.refusals),
        "equity_curve": [[p.time_ms, str(p.equity)] for p in curve], "trades": rows,
        "breakdown": {by: _breakdown_rows(trades, by) for by in ("symbol", "direction", "month")},
    }, trades.to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")


def _breakdown_rows(trades, by: str) -> list[dict]:
    """`reports.breakdown` as JSON rows: {"key": ..., trades, win rate, expectancy, ...} (non-finite as null)."""
    if trades.empty:
        return []
    frame = breakdown(trades, by)
    return [{"key": str(key), **{k: int(v) if k == "trades" else _finite(float(v)) for k, v in row.items()}}
            for key, row in frame.to_dict(orient="index").items()]
