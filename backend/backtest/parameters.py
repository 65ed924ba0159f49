"""Validation of a backtest request: every bad field named, for a 400 that says why."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from market.history import HistoryError, interval_step, parse_moment
from signals.config import SignalConfig

from .fills import FillModel
from .models import Kind

MAX_SYMBOLS = 20
MAX_CANDLES = 60_000  # per symbol: ~7 months of 5m candles
COSTS = {"maker_fee": "0.0002", "taker_fee": "0.0005", "slippage_bps": "0", "funding_rate_8h": "0.0001",
         "leverage": "1"}


class BacktestInputError(ValueError):
    """A request the API answers with 400; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


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


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63


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

        if "strategy_id" in data:  # the strategy and its version number, as the strategies API names them
            strategy_id, number = data.get("strategy_id"), data.get("version")
            found = None
            if _is_int(strategy_id) and _is_int(number):
                found = StrategyVersion.objects.filter(strategy_id=strategy_id, number=number,
                                                       strategy__owner=owner).values_list("id", flat=True).first()
            if found is None:
                errors["version"] = "strategy_id and version: one of your strategies and one of its version numbers"
            version_id = found
        elif not _is_int(version_id) or not StrategyVersion.objects.filter(id=version_id,
                                                                            strategy__owner=owner).exists():
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
