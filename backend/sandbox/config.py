"""Sandbox settings: one dataclass, filled from defaults, then ``SANDBOX_*`` env vars, then flags.

Env helpers fail loudly: ``SANDBOX_SPEED=fast`` stops the server at start-up instead of running
with a silently ignored value.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_DATA = PACKAGE_DIR / "data" / "klines_usdm_5m.npz"
DEFAULT_KEYS_FILE = PACKAGE_DIR.parents[1] / ".data" / "sandbox" / "keys.json"


def parse_time_ms(text: str | int) -> int:
    """Milliseconds since the epoch from an int, a digit string or an ISO-8601 time (UTC if naive)."""
    if isinstance(text, bool) or not isinstance(text, (int, str)):
        raise TypeError("a time is epoch milliseconds or an ISO-8601 string")
    if isinstance(text, int):
        return text
    text = text.strip()
    if text.isdigit():
        return int(text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


@dataclass
class SandboxConfig:
    """Everything the sandbox (and the trading part) reads; field docs are in sandbox/README.md."""

    host: str = "127.0.0.1"
    port: int = 8600
    speed: float = 1.0  # virtual ms per wall ms; 0 = paused (the clock moves only when stepped)
    start: int | None = None  # virtual start time (ms); None = data start + 200 candles
    data_path: Path = DEFAULT_DATA
    extra_symbols: int = 0  # synthetic X001USDT... symbols for load tests
    tick_interval: float = 0.25  # wall seconds between stream/tick-listener updates
    # WebSocket rules; USD-M streams live at /ws and /stream, spot streams at /spot/ws, /spot/stream.
    ws_cut_seconds: float = 86_400.0
    ping_interval: float = 180.0
    pong_timeout: float = 600.0
    spot_ping_interval: float = 20.0
    spot_pong_timeout: float = 60.0
    ws_max_messages: int = 10  # incoming messages per second, USD-M
    spot_ws_max_messages: int = 5
    ws_max_streams: int = 1024
    # REST weight budgets per IP (exchangeInfo rateLimits REQUEST_WEIGHT) and the ban rule.
    weight_budget_usdm: int = 2400
    weight_budget_spot: int = 6000
    weight_window_seconds: float = 60.0
    ban_after: int = 10  # requests allowed during a 429's Retry-After window before a 418
    ban_seconds: float = 120.0  # first ban; doubles for each repeat, capped at 3 days
    # Trading (read by sandbox.trading).
    slippage_bps: float = 2.0
    maker_fee_rate: float = 0.0002
    taker_fee_rate: float = 0.0005
    starting_balance_usdt: float = 10_000.0
    keys_file: Path = DEFAULT_KEYS_FILE
    # Faults active from start-up: a list of fault specs as accepted by POST /sandbox/faults.
    faults: list[dict] = field(default_factory=list)
    fault_seed: int = 0
    access_log: bool = False

    def replace(self, **changes) -> "SandboxConfig":
        return dataclasses.replace(self, **changes)


def _env_bool(name: str, raw: str) -> bool:
    if raw in ("1", "true", "True"):
        return True
    if raw in ("0", "false", "False"):
        return False
    raise ValueError(f"{name}={raw!r}: expected true/false")


def _convert(name: str, kind: type, raw: str):
    try:
        if kind is bool:
            return _env_bool(name, raw)
        if kind is Path:
            return Path(raw)
        if name == "start":
            return parse_time_ms(raw)
        if name == "faults":
            specs = json.loads(raw)
            return specs if isinstance(specs, list) else [specs]
        return kind(raw)
    except ValueError as exc:
        raise ValueError(f"sandbox setting {name}={raw!r}: {exc}") from exc


_KINDS = {"start": int, "faults": list}


def _field_kind(f: dataclasses.Field) -> type:
    if f.name in _KINDS:
        return _KINDS[f.name]
    return {"str": str, "int": int, "float": float, "bool": bool, "Path": Path}[str(f.type)]


def from_env(environ: dict[str, str] | None = None) -> SandboxConfig:
    """Defaults overridden by ``SANDBOX_<FIELD>`` (upper case), e.g. ``SANDBOX_SPEED=60``."""
    environ = os.environ if environ is None else environ
    values = {}
    for f in dataclasses.fields(SandboxConfig):
        raw = environ.get(f"SANDBOX_{f.name.upper()}")
        if raw is not None and raw != "":
            values[f.name] = _convert(f.name, _field_kind(f), raw)
    return SandboxConfig(**values)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="Binance-compatible sandbox exchange (spot + USD-M market data, streams, faults).",
        epilog="Every flag also has an env var SANDBOX_<NAME>; flags win. `python -m sandbox keys ...` "
               "manages API keys.")
    for f in dataclasses.fields(SandboxConfig):
        flag = "--" + f.name.replace("_", "-")
        if f.name == "data_path":
            flag = "--data"
        kind = _field_kind(f)
        if kind is bool:
            parser.add_argument(flag, dest=f.name, action=argparse.BooleanOptionalAction, default=None)
        else:
            parser.add_argument(flag, dest=f.name, default=None, metavar=f.name.upper(),
                                type=lambda raw, f=f, kind=kind: _convert(f.name, kind, raw))
    return parser


def from_args(argv: list[str], environ: dict[str, str] | None = None) -> SandboxConfig:
    config = from_env(environ)
    args = build_parser().parse_args(argv)
    changes = {k: v for k, v in vars(args).items() if v is not None}
    return config.replace(**changes)
