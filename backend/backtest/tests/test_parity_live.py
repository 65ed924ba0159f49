"""Parity: a strategy run live against the sandbox's replay, and the backtest of the same candles,
make the same decisions and the same trades.

Live, with real processes: the sandbox (its clock paused, moved one 5m candle at a time), the
stream process (`stream_market`: the replay's klines -> candle store + `market:candles`), the
strategy engine (`run_strategies`) and the trading process (`run_trading`: the user data stream ->
fills and positions), a paper account and an EMA 3/8 cross run on two symbols. After each step the
test waits until the engine has handled the closed candle and its orders are filled and applied,
so each market order fills at the next candle's open, where the clock stands.

Then `strategy_backtest` runs the same version over the candles the store holds (the stream
process's, the same the engine's windows were cut from), from the first candle the run handled,
with the sandbox's costs (taker fee 0.05 %, 2 bps slippage, no funding: the sandbox charges none).

Documented difference of the fill models: the sandbox moves a market price by the slippage and
rounds it to the symbol's tick away from the taker; the backtest does not round. So prices may
differ by less than one tick, and a trade's PnL by less than qty x 2 ticks plus its fees' share.
"""
from __future__ import annotations

import json
import sys
import time
from decimal import Decimal

import numpy as np
import pytest
import redis
from django.conf import settings

from backtest.fills import FillModel
from backtest.strategy import strategy_backtest
from market.candle_events import STREAM_KEY
from market.models import Candle, Symbol
from strategies.compiler import compile_workspace
from strategies.engine.process import GROUP, HEARTBEAT_KEY
from strategies.models import StrategyDecision, StrategyRunCandle
from strategies.tests.test_engine_support import run_make, version_make
from strategies.tests.workspaces import close, cross, if_, ind, logic, num, open_, workspace
from strategies.tests.workspaces import block as raw_block
from trading.tests.harness import PlatformProcess, account_http, wait_until
from trading.tests.harness.fixtures import *  # noqa: F401,F403 (the proofs' fixtures)
from trading.tests.harness.processes import platform_env
from trading.tests.harness.stack import ProofStack, trading_start

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.timeout(600)]
SYMBOLS = ["BTCUSDT", "ETHUSDT"]
QTY = Decimal("0.05")  # a multiple of both symbols' lot step
STEPS = 72  # 6 hours of 5m candles
CANDLE = 300_000
FINAL = ("FILLED", "CANCELED", "REJECTED", "EXPIRED", "NOT_SENT")


def program() -> dict:
    fast, slow = ind("ema", period=3), ind("ema", period=8)
    no_long = raw_block("logic_not", X=raw_block("position_has", {"DIRECTION": "LONG"}))
    return compile_workspace(workspace(
        if_(logic(cross(fast, "above", slow), "and", no_long), [open_("LONG", num(float(QTY)))]),
        if_(cross(ind("ema", period=3), "below", ind("ema", period=8)), [close("LONG")])))


def process(name: str, argv: list[str], sandbox_url: str, workdir, settle: float, ready=None,
            **env) -> PlatformProcess:
    started = {}

    def settled(proc: PlatformProcess) -> bool:
        started.setdefault(proc.starts, time.monotonic())
        return time.monotonic() - started[proc.starts] > settle

    return PlatformProcess(name, [sys.executable, "manage.py", *argv], platform_env(sandbox_url, **env), workdir,
                           ready or settled)


def engine_ready(proc: PlatformProcess) -> bool:
    """The engine follows the run and its consumer group is on the stream (made when it took its
    shard), so the next candle published is its to read; a fixed settle time raced a slow start."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        groups = {g["name"].decode() if isinstance(g["name"], bytes) else g["name"] for g in client.xinfo_groups(STREAM_KEY)}
    except redis.exceptions.ResponseError:
        return False
    return GROUP in groups and json.loads(client.get(HEARTBEAT_KEY) or b"{}").get("runs") == 1


def tick_sizes(account, sandbox_url) -> dict[str, Decimal]:
    info = account_http(account, sandbox_url).get("/fapi/v1/exchangeInfo", {})
    return {s["symbol"]: Decimal(next(f["tickSize"] for f in s["filters"] if f["filterType"] == "PRICE_FILTER"))
            for s in info["symbols"] if s["symbol"] in SYMBOLS}


def test_live_on_the_replay_and_the_backtest_make_the_same_decisions_and_trades(
        proof_account, sandbox_process, trading_proc, tmp_path):
    from trading.models import Fill, Order, PositionSnapshot

    account = proof_account
    # The stream's state as a fresh platform has it: no events, resume points, shard leases or members
    # left by an earlier test on this Redis (the replay's clock may now be behind their resume points).
    client = redis.Redis.from_url(settings.REDIS_URL)
    stale = list(client.scan_iter(match="market:*", count=1000))
    if stale:
        client.delete(*stale)
    assert not client.exists(STREAM_KEY)
    for rank, symbol in enumerate(SYMBOLS, start=1):
        Symbol.objects.update_or_create(symbol=symbol, defaults=dict(
            base=symbol.removesuffix("USDT"), quote="USDT", status="TRADING", contract_type="PERPETUAL",
            tick_size="0.01", step_size="0.001", min_notional="5", in_universe=True, rank=rank))
    now = sandbox_process.control("GET", "clock")["now"]
    sandbox_process.control("POST", "clock", {"time": (now // CANDLE + 1) * CANDLE})  # on a candle's open
    ir = program()
    run = run_make(version_make(account.owner, ir), account, SYMBOLS)
    stream = process("stream_market", ["stream_market", "--universe-poll", "0.3"], sandbox_process.url, tmp_path, 2,
                     MARKET_STREAM_INTERVALS="5m", MARKET_STREAM_SEED_CANDLES="60", MARKET_STREAM_STALL_S="30")
    engine = process("run_strategies", ["run_strategies"], sandbox_process.url, tmp_path, 0, ready=engine_ready)
    stored = lambda s: Candle.objects.filter(symbol=s, interval="5m").count()  # noqa: E731
    handled = lambda s: StrategyRunCandle.objects.filter(run=run, symbol=s).values_list(  # noqa: E731
        "open_time", flat=True).first()

    def settled() -> bool:
        orders = Order.objects.filter(account=account, strategy_run_id=run.id)
        if orders.exclude(status__in=FINAL).exists():
            return False
        for symbol in SYMBOLS:
            fills = Fill.objects.filter(account=account, symbol=symbol)
            net = sum((f.quantity if f.side == "BUY" else -f.quantity for f in fills), Decimal(0))
            held = PositionSnapshot.objects.filter(account=account, symbol=symbol).values_list("amount", flat=True)
            if net != sum(held, Decimal(0)) or fills.count() != orders.filter(symbol=symbol, status="FILLED").count():
                return False
        return True

    try:
        trading_start(ProofStack(account, sandbox_process, trading_proc, None))
        stream.start()
        try:
            wait_until(lambda: all(stored(s) >= 55 for s in SYMBOLS), timeout=90, what="the stream process's seed")
        except AssertionError as exc:
            tail = stream.logs[-1].read_text(errors="replace")[-3000:] if stream.logs else ""
            raise AssertionError(f"{exc}; stored {[stored(s) for s in SYMBOLS]}; stream log:\n{tail}") from None
        engine.start()
        for _ in range(STEPS):
            closing = sandbox_process.control("GET", "clock")["now"]  # the forming candle's open
            sandbox_process.control("POST", "clock/step", {"candles": 1})
            wait_until(lambda: all(handled(s) == closing for s in SYMBOLS), timeout=90,
                       what=f"the engine handled the candle opening at {closing}")
            wait_until(settled, timeout=90, what="the candle's orders filled and applied")
    finally:
        engine.stop()
        stream.stop()

    # The live run, as the platform recorded it.
    live = [(d.candle_time, d.symbol, d.kind, d.payload.get("direction"), d.payload.get("quantity"))
            for d in StrategyDecision.objects.filter(run=run).order_by("candle_time", "symbol", "seq")]
    fills = list(Fill.objects.filter(account=account).order_by("time_ms", "symbol"))
    assert len(fills) >= 6, f"too few trades to compare: {len(fills)}"

    # The backtest of the same candles: the store's, from the first candle the run handled.
    rows = {s: [(c.open_time, float(c.open), float(c.high), float(c.low), float(c.close), float(c.volume))
                for c in Candle.objects.filter(symbol=s, interval="5m").order_by("open_time")] for s in SYMBOLS}
    start = max(r[0][0] for r in rows.values())
    series = {s: [r for r in rows[s] if r[0] >= start] for s in SYMBOLS}
    series = {s: np.array(v) for s, v in series.items()}
    first_live = min(t for t, *_ in live)
    first = int(np.searchsorted(series[SYMBOLS[0]][:, 0], first_live))
    model = FillModel(taker_fee="0.0005", maker_fee="0.0002", slippage_bps="2", funding_rate_8h="0", leverage="1")
    backtest = strategy_backtest(ir, series, timeframe="5m", timeframe_ms=CANDLE, model=model, first=first,
                                 initial_equity=Decimal(10_000))
    kind = {"OpenPosition": "open", "ClosePosition": "close"}
    replayed = [(t, s, kind[type(d).__name__], d.direction, getattr(d, "quantity", None))
                for t, s, ds in backtest.decisions for d in ds if type(d).__name__ in kind]
    assert [(t, s, k, d) for t, s, k, d, _ in replayed] == [(t, s, k, d) for t, s, k, d, _ in live]
    assert all(q is None or Decimal(str(q)) == QTY for *_, q in replayed + live)

    # The same trades: entries and exits at the same candles, symbols and quantities; prices within a tick.
    ticks = tick_sizes(account, sandbox_process.url)
    trades = [t for t in backtest.book.trades if t.reason != "end"]
    by_time = {(f.symbol, f.time_ms, f.side): f for f in fills}
    assert len(trades) >= 3
    for trade in trades:
        entry = by_time[(trade.symbol, trade.entry_time, "BUY")]
        exit_ = by_time[(trade.symbol, trade.exit_time, "SELL")]
        tick = ticks[trade.symbol]
        assert entry.quantity == exit_.quantity == trade.qty == QTY
        assert abs(entry.price - trade.entry_price) < tick and abs(exit_.price - trade.exit_price) < tick
        live_pnl = exit_.realized_pnl - entry.commission - exit_.commission
        allowance = 2 * tick * trade.qty + Decimal("0.0005") * 2 * tick * trade.qty + Decimal("2e-8")
        assert abs(live_pnl - trade.pnl) <= allowance, (trade, live_pnl)
    # Every live fill inside the data is one of those trades' (a decision on the last candle fills at
    # the next open, which the data does not hold; a position still open is closed by the backtest at the end).
    last_open = int(series[SYMBOLS[0]][-1, 0])
    open_at_end = [t for t in backtest.book.trades if t.reason == "end"]
    assert len([f for f in fills if f.time_ms <= last_open]) == 2 * len(trades) + len(open_at_end)
