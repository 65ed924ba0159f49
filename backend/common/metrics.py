"""Prometheus metrics of every process of the platform, merged and served by Django at `/metrics`.

Why one endpoint in multiprocess mode rather than an exporter port per process: a host runs
Daphne, Celery's prefork children (forked and replaced by Celery, their number set by
`-c`), Beat, the stream process, the live signal process and `run_trading`. A port per process
needs a port plan, one scrape target per child and a Prometheus reconfiguration whenever the
worker count changes, and a child's counters would vanish with it. With
`PROMETHEUS_MULTIPROC_DIR` set (scripts/run.sh creates and empties one directory per host at
start) every process writes its samples into mmap'd files there, and the web process merges
them on each scrape: one target per host, counts of exited processes kept.

Without the variable, metrics live in the memory of each process (prometheus-client's default):
nothing is written, nothing crashes, and `/metrics` shows the serving process alone, which is
what the in-process tests scrape.

Gauges in multiprocess mode say how the processes' values combine: `livesum`/`livemax` count
live processes only (a process that exits normally removes its files, `atexit` below; one
killed with SIGKILL leaves its last value until the next start empties the directory), and
`mostrecent` takes the latest value written by any process.

Every helper swallows its own errors: a metric never breaks the code path it watches. Labels
are low-cardinality only (timeframe, interval, market, status, endpoint); never a symbol or user.
This module imports neither Django nor the network: callers hand it plain values.
"""
from __future__ import annotations

import atexit
import functools
import logging
import os
import time
from collections import Counter as _Tally

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_dir = os.environ.get(MULTIPROC_ENV, "")
if _dir:
    # prometheus-client opens its files there at the first sample: a missing directory must not
    # crash the process that happens to start first.
    os.makedirs(_dir, exist_ok=True)

from prometheus_client import (  # noqa: E402 (the directory must exist first)
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

logger = logging.getLogger(__name__)

SCAN_DURATION = Histogram(
    "scanner_scan_duration_seconds", "Wall time of a full scan pass", ["timeframe", "status"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300))
SCAN_SYMBOLS = Gauge("scanner_scan_symbols", "Symbols evaluated by the latest scan", ["timeframe"],
                     multiprocess_mode="mostrecent")
CANDLES_INGESTED = Counter("market_candles_ingested_total", "Closed candles stored by the stream process",
                           ["market", "interval"])
STREAM_LAG = Gauge("market_stream_lag_seconds", "Now minus the close time of the newest closed candle streamed",
                   ["interval"], multiprocess_mode="livemax")
STREAM_DELIVERY = Histogram(
    "market_stream_delivery_seconds", "From a candle's close to its storing by the stream process", ["interval"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300))
STREAM_RECONNECTS = Counter("market_stream_reconnects_total", "Kline stream reconnections", ["reason"])
STREAM_CONNECTIONS = Gauge("market_stream_connections", "Open kline stream connections",
                           multiprocess_mode="livesum")
WEIGHT_USED = Counter("binance_request_weight_total", "Request weight spent on Binance REST calls", ["venue"])
WEIGHT_OBSERVED = Gauge("binance_used_weight_1m", "Last X-MBX-USED-WEIGHT-1M answered by Binance", ["venue"],
                        multiprocess_mode="mostrecent")
RATE_LIMITED = Counter("binance_rate_limited_total", "Binance answers 429 (slow down) and 418 (IP banned)",
                       ["venue", "status"])
SOCKETS = Gauge("realtime_connected_sockets", "Open WebSockets", ["endpoint"], multiprocess_mode="livesum")
EVENTS = Counter("realtime_events_published_total", "Events published to WebSocket groups", ["group"])
ORDERS_FINISHED = Counter("trading_orders_finished_total", "Orders that reached a final status", ["status"])
RECON_DRIFT = Histogram("trading_reconciliation_drift", "Differences corrected per reconciliation run",
                        ["trigger"], buckets=(0, 1, 2, 5, 10, 20, 50, 100))
RECON_DIFFS = Counter("trading_reconciliation_diffs_total", "Differences corrected by reconciliations", ["kind"])


def multiprocess_dir() -> str:
    """The shared directory, or "" when each process keeps its metrics to itself."""
    return _dir


def exposition() -> tuple[bytes, str]:
    """(body, content type) of a scrape: every process of the host in multiprocess mode."""
    if _dir:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=_dir)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST


def _quiet(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            function(*args, **kwargs)
        except Exception:  # a metric must never break what it measures
            logger.debug("metric %s not recorded", function.__name__, exc_info=True)
    return wrapper


@_quiet
def scan_observe(*, timeframe: str, status: str, duration_ms: float, symbols: int) -> None:
    SCAN_DURATION.labels(timeframe, status).observe(duration_ms / 1000)
    if status == "ok":
        SCAN_SYMBOLS.labels(timeframe).set(symbols)


@_quiet
def candles_ingested(items, *, market: str) -> None:
    """`items`: (Candle, ...) pairs as `market.services.candles_ingest` takes them."""
    for interval, n in _Tally(item[0].interval for item in items).items():
        CANDLES_INGESTED.labels(market, interval).inc(n)


_newest_close_ms: dict[str, int] = {}


@_quiet
def stream_delivered(items, *, now_s: float | None = None) -> None:
    """Closed candles just stored by the stream process: their delay since close, and the lag."""
    now_s = time.time() if now_s is None else now_s
    for item in items:
        candle = item[0]
        close_s = (candle.close_time + 1) / 1000  # close_time is the candle's last millisecond
        STREAM_DELIVERY.labels(candle.interval).observe(max(0.0, now_s - close_s))
        if candle.close_time > _newest_close_ms.get(candle.interval, -1):
            _newest_close_ms[candle.interval] = candle.close_time
    _lag_refresh(now_s)


def _lag_refresh(now_s: float) -> None:
    for interval, close_ms in _newest_close_ms.items():
        STREAM_LAG.labels(interval).set(max(0.0, now_s - (close_ms + 1) / 1000))


_reconnects_seen: dict[str, int] = {}


@_quiet
def stream_status_observe(status: dict, *, now_s: float | None = None) -> None:
    """The stream process's periodic status (market/streaming.py `ShardedStreams.status`):
    connections, the reconnections since the last call (a released shard's count leaves the sum:
    only growth is counted), and the lag, which grows while no candle arrives. A process holding
    no shard streams nothing: its lag is 0, so the max over processes is the streaming ones'."""
    STREAM_CONNECTIONS.set(status.get("connections") or 0)
    for reason, total in (status.get("reconnects") or {}).items():
        new = total - _reconnects_seen.get(reason, 0)
        if new > 0:
            STREAM_RECONNECTS.labels(reason).inc(new)
        _reconnects_seen[reason] = total
    if "held" in status and not status["held"]:
        for interval in _newest_close_ms:
            STREAM_LAG.labels(interval).set(0)
        _newest_close_ms.clear()
        return
    _lag_refresh(time.time() if now_s is None else now_s)


@_quiet
def binance_response(*, venue, status: int, weight: int, used_weight: str | None) -> None:
    """One REST answer (market/binance/client.py `_send`): weight spent, the exchange's count, 429/418."""
    name = f"{venue.environment}-{venue.market}"
    WEIGHT_USED.labels(name).inc(weight)
    if used_weight is not None and used_weight.isdigit():
        WEIGHT_OBSERVED.labels(name).set(int(used_weight))
    if status in (429, 418):
        RATE_LIMITED.labels(name, str(status)).inc()


_ENDPOINTS = {"SignalsConsumer": "signals", "AccountConsumer": "account", "MarketConsumer": "market"}


@_quiet
def socket_opened(consumer) -> None:
    """Call right after `accept()`; `socket_closed` in `disconnect` undoes it once."""
    if getattr(consumer, "_metrics_endpoint", None) is None:
        endpoint = _ENDPOINTS.get(type(consumer).__name__, "other")
        consumer._metrics_endpoint = endpoint
        SOCKETS.labels(endpoint).inc()


@_quiet
def socket_closed(consumer) -> None:
    endpoint = getattr(consumer, "_metrics_endpoint", None)
    if endpoint is not None:
        consumer._metrics_endpoint = None
        SOCKETS.labels(endpoint).dec()


def group_kind(group: str) -> str:
    """A group name reduced to a label: never a user id or a symbol."""
    for prefix, kind in (("signals", "signals"), ("user.", "user"), ("chart.", "chart")):
        if group.startswith(prefix):
            return kind
    return "other"


@_quiet
def events_published(group: str, n: int = 1) -> None:
    EVENTS.labels(group_kind(group)).inc(n)


@_quiet
def order_finished(status: str, *, on_commit=None) -> None:
    """An order reached a final status; `on_commit` (django.db.transaction.on_commit) delays the
    count until the write is committed, so a rolled-back transition is never counted."""
    count = functools.partial(_order_count, str(status))
    on_commit(count) if on_commit is not None else count()


def _order_count(status: str) -> None:
    try:
        ORDERS_FINISHED.labels(status).inc()
    except Exception:
        logger.debug("metric order_finished not recorded", exc_info=True)


@_quiet
def reconciliation_observe(*, trigger: str, diffs: list[dict]) -> None:
    RECON_DRIFT.labels(trigger).observe(len(diffs))
    for kind, n in _Tally(d.get("kind", "other") for d in diffs).items():
        RECON_DIFFS.labels(kind).inc(n)


@atexit.register
def _process_exit() -> None:
    # live* gauges of this process stop counting once it is gone.
    if _dir:
        try:
            multiprocess.mark_process_dead(os.getpid(), path=_dir)
        except Exception:
            pass
