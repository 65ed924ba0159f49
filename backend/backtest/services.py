"""Backtest runs: validate a request, create the run, execute it (the worker), cancel it.

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
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

from market.history import HistoryError, interval_step, parse_moment
from realtime.dispatcher import publish
from realtime.events import Event, user_group
from signals.config import SignalConfig
from strategies.runtime import BudgetExceeded

from .fills import FillModel
from .models import TRANSITIONS, BacktestRun, Kind, Status
from .reports import equity_frame, metrics, trades_frame
from .scanner import scan_signals
from .selectors import history_series
from .signal_trades import signal_trades
from .strategy import strategy_backtest
from .walk_forward import walk_forward

logger = logging.getLogger(__name__)

MAX_SYMBOLS = 20
MAX_CANDLES = 60_000  # per symbol: ~7 months of 5m candles
EQUITY_POINTS = 500  # the stored equity curve is downsampled to at most this many points
TRADES_KEPT = 500  # trades stored in results (the CSV has them all)
COSTS = {"maker_fee": "0.0002", "taker_fee": "0.0005", "slippage_bps": "0", "funding_rate_8h": "0.0001",
         "leverage": "1"}


class BacktestInputError(ValueError):
    """A request the API answers with 400; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Canceled(Exception):
    pass


def _decimal(value, name: str, errors: dict) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[name] = f"{value!r} is not a number"
        return None
    if not number.is_finite():
        errors[name] = "must be finite"
        return None
    return number


def parameters_validate(data: dict, owner=None) -> tuple[str, dict]:
    """(kind, normalized parameters) of a request body, or `BacktestInputError` naming every bad field.
    A strategy run names one of `owner`'s strategy versions (`strategy_version_id`)."""
    if not isinstance(data, dict):
        raise BacktestInputError({"non_field_errors": "a JSON object is expected"})
    errors: dict[str, str] = {}
    kind = data.get("kind", Kind.SCANNER)
    version_id = data.get("strategy_version_id")
    if kind == Kind.STRATEGY:
        from strategies.models import StrategyVersion

        if isinstance(version_id, bool) or not isinstance(version_id, int) or not StrategyVersion.objects.filter(
                id=version_id, strategy__owner=owner).exists():
            errors["strategy_version_id"] = "the id of one of your strategy versions"
    elif kind != Kind.SCANNER:
        errors["kind"] = f"must be 'scanner' or 'strategy', not {kind!r}"
    symbols = data.get("symbols")
    if not isinstance(symbols, list) or not symbols or not all(isinstance(s, str) and s.isalnum() for s in symbols):
        errors["symbols"] = "a non-empty list of symbols such as [\"BTCUSDT\"]"
    elif len(symbols) > MAX_SYMBOLS:
        errors["symbols"] = f"at most {MAX_SYMBOLS} symbols"
    else:
        symbols = sorted({s.upper() for s in symbols})
    timeframe = data.get("timeframe", "5m")
    overrides = data.get("config") or {}
    config = None
    if not isinstance(overrides, dict):
        errors["config"] = "an object of SignalConfig fields"
    else:
        try:
            config = SignalConfig(**overrides)
            config.timeframe_ms(timeframe)
        except (TypeError, ValueError) as exc:
            errors["config" if not isinstance(timeframe, str) or "timeframe" not in str(exc) else "timeframe"] = str(exc)
    window = {}
    for name in ("start", "end"):
        value = data.get(name)
        try:
            window[name] = parse_moment(value) if isinstance(value, str) else None
        except HistoryError as exc:
            errors[name] = str(exc)
        if window.get(name) is None and name not in errors:
            errors[name] = "a date (YYYY-MM-DD) or UTC time (YYYY-MM-DDTHH:MM)"
    if "start" not in errors and "end" not in errors and "timeframe" not in errors and config is not None:
        candles = (window["end"] - window["start"]) // interval_step(timeframe)
        if window["end"] <= window["start"]:
            errors["end"] = "must be after start"
        elif candles > MAX_CANDLES:
            errors["end"] = f"the window holds {candles} candles per symbol; at most {MAX_CANDLES}"
    costs = {name: _decimal(data.get(name, default), name, errors) for name, default in COSTS.items()}
    balance = _decimal(data.get("starting_balance", "10000"), "starting_balance", errors)
    notional = _decimal(data.get("notional", "1000"), "notional", errors)
    if balance is not None and balance <= 0:
        errors["starting_balance"] = "must be positive"
    if notional is not None and notional <= 0:
        errors["notional"] = "must be positive"
    if not any(k in errors for k in COSTS):
        try:
            FillModel(**costs)
        except ValueError as exc:
            errors["costs"] = str(exc)
    wf = data.get("walk_forward")
    if wf is not None:
        wf = _walk_forward_validate(wf, kind, errors)
    if errors:
        raise BacktestInputError(errors)
    extra = {"walk_forward": wf} if wf else {}
    return kind, {"symbols": symbols, "timeframe": timeframe, "start_ms": window["start"], "end_ms": window["end"],
                  "config": overrides, **{k: str(v) for k, v in costs.items()},
                  "starting_balance": str(balance), "notional": str(notional),
                  **({"strategy_version_id": version_id} if kind == Kind.STRATEGY else {}), **extra}


def _walk_forward_validate(wf, kind: str, errors: dict) -> dict | None:
    ok = (kind == Kind.SCANNER and isinstance(wf, dict) and set(wf) <= {"thresholds", "train", "test"}
          and isinstance(wf.get("thresholds"), list) and 1 <= len(wf["thresholds"]) <= 10
          and all(isinstance(t, int | float) and not isinstance(t, bool) and 0 <= t <= 100 for t in wf["thresholds"])
          and all(isinstance(wf.get(k), int) and not isinstance(wf.get(k), bool) and 1 <= wf[k] <= MAX_CANDLES
                  for k in ("train", "test")))
    if not ok:
        errors["walk_forward"] = ("scanner runs only: {\"thresholds\": 1 to 10 numbers in [0, 100], "
                                  "\"train\": candles, \"test\": candles}")
        return None
    return {"thresholds": [float(t) for t in wf["thresholds"]], "train": wf["train"], "test": wf["test"]}


def run_create(*, owner, data: dict) -> BacktestRun:
    """Validate `data`, store the QUEUED run and queue its task after commit."""
    from .tasks import run_backtest

    kind, parameters = parameters_validate(data, owner)
    run = BacktestRun.objects.create(owner=owner, kind=kind, parameters=parameters)
    transaction.on_commit(lambda: run_backtest.delay(run.id))
    return run


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
            run.progress = progress
            run.save(update_fields=["progress"])
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
        _move(run, Status.RUNNING, started_at=timezone.now())
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
    rows = json.loads(kept.assign(entry_time=kept["entry_time"].astype("int64") // 10**6,
                                  exit_time=kept["exit_time"].astype("int64") // 10**6)
                      .to_json(orient="records", default_handler=str))
    return {
        "metrics": figures, "events": events, "trades_total": len(trades), "refusals": len(book.refusals),
        "equity_curve": [[p.time_ms, str(p.equity)] for p in curve], "trades": rows,
    }, trades.to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")
