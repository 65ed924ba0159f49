"""The compiled path's shortcuts where they could go wrong, each against a direct computation or the
per-candle path: indicators over all symbols in one call, the margin check decided in float64
(ties included), the bracket search (both levels in one candle, gaps, the entry candle, long
waits), and evaluations skipped by what a symbol holds (hedged LONG and SHORT at once)."""
from __future__ import annotations

import random
from decimal import Decimal, localcontext

import numpy as np
import pytest

from backtest.compiled import compiled_backtest
from backtest.compiled_arrays import COLUMNS, Arrays
from backtest.compiled_ledger import Ledger, ProgramState, first_reach
from backtest.fills import LEDGER_CONTEXT, FillModel, to_decimal
from backtest.portfolio import Direction, Portfolio, Position
from backtest.scanner import stack_series
from backtest.strategy import strategy_backtest
from backtest.tests.test_compiled import assert_same
from indicators.registry import REGISTRY
from sandbox.data.recorded import recorded_candles
from strategies.compiler import compile_workspace
from strategies.tests.workspaces import (
    arith, block, candle, choose, close, cmp, if_, ind, log, logic, num, open_, workspace,
)

T0 = 1_700_006_400_000  # a 00:00 UTC open: funding times fall inside the crafted series
STEP = 300_000


def rows_of(ohlc) -> np.ndarray:
    """(n, 6) candle rows from (open, high, low, close) tuples, one 5m candle apart."""
    return np.array([(T0 + i * STEP, o, h, l, c, 1.0) for i, (o, h, l, c) in enumerate(ohlc)])  # noqa: E741


def random_walk(rng: random.Random, n: int, start: float, swing: float) -> np.ndarray:
    out, price = [], start
    for _ in range(n):
        o = round(price * (1 + rng.uniform(-swing, swing) / 4), 4)  # sometimes a gap from the last close
        c = round(o * (1 + rng.uniform(-swing, swing)), 4)
        h = round(max(o, c) * (1 + rng.uniform(0, swing)), 4)
        l = round(min(o, c) * (1 - rng.uniform(0, swing)), 4)  # noqa: E741
        out.append((o, h, l, c))
        price = c
    return rows_of(out)


def run_both(program, series, model, **options):
    assert compiled_backtest(program, series, timeframe="5m", timeframe_ms=STEP, model=model,
                             initial_equity=options.get("initial_equity", 10_000), first=0, window=500,
                             chunk_done=lambda f: None, chunks=5) is not None  # the fast path takes it
    run = lambda fast: strategy_backtest(program, series, timeframe="5m", timeframe_ms=STEP,  # noqa: E731
                                         model=model, fast=fast, **options)
    slow, fast = run(False), run(True)
    assert_same(slow, fast)
    return slow, fast


@pytest.fixture(scope="module")
def recorded():
    tables = recorded_candles()
    return {s: tables[s][:900] for s in sorted(tables)[:5]}


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_an_indicator_over_all_symbols_is_each_symbols_own_to_the_bit(recorded, name):
    names, table = stack_series(recorded, STEP)
    arrays = Arrays(list(names), table, "5m", 500)
    indicator = REGISTRY[name]
    for output in indicator.outputs:
        node = {"op": "indicator", "name": name, "params": {}, "source": None, "output": output, "back": 0,
                "tf": None, "symbol": None}
        values, lead, _ = arrays._indicator(node)
        for i in range(len(names)):
            own = {c: np.ascontiguousarray(table[i, :, k + 1]) for k, c in enumerate(COLUMNS)}
            whole = indicator.compute(own, {}, "close")[output]
            head = indicator.compute({c: v[:500] for c, v in own.items()}, {}, "close")[output]
            assert np.array_equal(values[i], np.where(np.isfinite(whole), whole, np.nan), equal_nan=True), output
            assert lead[i] == np.flatnonzero(~np.isnan(head))[0]


def test_candles_an_indicator_refuses_give_that_symbol_no_value_and_the_others_theirs(recorded):
    names, table = stack_series(recorded, STEP)
    table = table.copy()
    table[2, 300, 4] = np.nan  # the indicator kernels refuse a NaN: the 2-D call fails as a whole
    arrays = Arrays(list(names), table, "5m", 500)
    node = {"op": "indicator", "name": "ema", "params": {"period": 9}, "source": None, "output": "value",
            "back": 0, "tf": None, "symbol": None}
    values = arrays.number(node, 0)
    assert np.isnan(values[2]).all()
    own = REGISTRY["ema"].compute({"close": np.ascontiguousarray(table[0, :, 4])}, {"period": 9}, "close")["value"]
    assert np.array_equal(values[0, 499:], own[499:])  # past the first window: the whole-history value


def test_first_reach_is_the_first_candle_reaching_either_level():
    rng = random.Random(7)
    rows = random_walk(rng, 400, 100.0, 0.01)
    lows, highs = memoryview(np.ascontiguousarray(rows[:, 3])), memoryview(np.ascontiguousarray(rows[:, 2]))
    for _ in range(300):
        start = rng.randrange(0, 399)
        direction = rng.choice([Direction.LONG, Direction.SHORT])
        price = rows[start, 4]
        far = rng.choice([0.002, 0.01, 0.05, 0.2, 5.0])  # reached in a candle or two, after 16, or never
        stop = price * (1 - far * direction.sign) if rng.random() < 0.8 else None
        target = price * (1 + far * direction.sign * 1.5) if rng.random() < 0.8 else None
        if rng.random() < 0.2:  # a level exactly at a later candle's extreme
            later = rng.randrange(start, 400)
            stop = rows[later, 3 if direction is Direction.LONG else 2]
        position = Position("X", direction, Decimal(1), to_decimal(price), 0, Decimal(0),
                            None if stop is None else to_decimal(float(stop)),
                            None if target is None else to_decimal(float(target)))
        brute = len(rows)
        for t in range(start, len(rows)):
            low, high = rows[t, 3], rows[t, 2]
            long = direction is Direction.LONG
            if (stop is not None and (low <= stop if long else high >= stop)) or \
               (target is not None and (high >= target if long else low <= target)):
                brute = t
                break
        assert first_reach(rows, start, position, lows, highs) == brute


def test_the_margin_check_in_float_decides_as_the_decimal_one():
    """Random open positions, marks and cash; margins far from, near and exactly at the available
    equity (the float estimate cannot tell those: the Decimal check must run, with the marks the
    per-candle path's check sees)."""
    rng = random.Random(11)
    model = FillModel(leverage=3)
    for case in range(400):
        n_sym, n = 5, 6
        series = {f"S{k}": random_walk(rng, n, rng.choice([0.0123, 1.5, 250.0, 31000.0]), 0.02) for k in range(n_sym)}
        names, table = stack_series(series, STEP)
        arrays = Arrays(list(names), table, "5m", 500)
        t, current = rng.randrange(0, n), rng.choice(names)
        book = Ledger(model, Decimal(rng.choice(["1000", "250.5", "10000"])))
        ProgramState(book, {s: table[i] for i, s in enumerate(names)}, list(names), arrays.columns,
                     table[0, :, 0].astype(np.int64).tolist())  # becomes the book's view of the marks
        for s in rng.sample(names, rng.randint(0, n_sym)):
            for direction in rng.sample([Direction.LONG, Direction.SHORT], rng.randint(1, 2)):
                entry = to_decimal(float(table[names.index(s), rng.randrange(n), 4]))
                qty = Decimal(rng.randint(1, 10**9)) / Decimal(10**8) / max(entry, Decimal(1))
                book.positions[(s, direction)] = Position(s, direction, qty.quantize(Decimal("1e-8")), entry, 0,
                                                          Decimal(0), None, None)
        book.cash -= Decimal(rng.randint(0, 100))
        for s in names:  # stale marks, as left by earlier candles
            book.marks[s] = to_decimal(float(table[names.index(s), rng.randrange(n), 4]))
        # What the per-candle path's check sees: the symbol's own open, the others' closes of t
        # (before it in order) or of t - 1 (after it).
        reference = Portfolio(model, book.initial_equity)
        reference.cash, reference.positions = book.cash, dict(book.positions)
        here = names.index(current)
        for i, s in enumerate(names):
            row = t if i < here or t == 0 else t - 1
            reference.marks[s] = to_decimal(float(table[i, row, 4]))
        reference.marks[current] = to_decimal(float(table[here, t, 1]))
        book.marks[current] = reference.marks[current]  # set by the candle's own step before its entries
        with localcontext(LEDGER_CONTEXT):
            available = reference.available()
        for margin in (available, available + Decimal("1e-30"), available - Decimal("1e-30"),
                       available * Decimal(rng.uniform(0.5, 1.5)), Decimal(0)):
            with localcontext(LEDGER_CONTEXT):
                expected = reference._margin_refusal(margin)
                book._at = (t, current)
                got = book._margin_refusal(margin)
            assert got == expected, (case, margin, available)
            book.marks[current] = reference.marks[current]


def test_an_entry_whose_margin_is_exactly_the_available_equity_fills_and_a_hair_more_is_refused():
    """BBB (constant 50) is bought first (4 x 50 = 200 of margin, 0.1 of fee); AAA's entry then
    needs 79.99 x 10 = 799.9 = 999.9 - 200 of margin: it fits. 79.99000001 does not."""
    flat = rows_of([(50.0, 50.0, 50.0, 50.0)] * 40)
    ten = rows_of([(10.0, 10.5, 9.5, 10.0)] * 40)
    model = FillModel(slippage_bps=0, leverage=1)
    for qty, refused in ((79.99, False), (79.99000001, True)):
        program = compile_workspace(workspace(if_(
            block("logic_not", X=block("position_has", {"DIRECTION": "ANY"})),
            [open_("LONG", choose(cmp(candle(), "gt", num(20)), num(4), num(qty)))])))
        slow, fast = run_both(program, {"BBB": flat, "AAA": ten}, model, initial_equity=1000)
        assert [t.symbol for t in slow.book.trades] == ["BBB"] + ([] if refused else ["AAA"])
        assert bool(slow.book.refusals) == refused


def test_brackets_on_crafted_candles_fill_as_the_per_candle_path():
    """Random walks wide enough to reach the levels in all the ways a candle can: the entry
    candle itself, both levels in one candle (the stop counts), a gap through the stop, a level
    equal to an extreme, long waits; LONG and SHORT, percent and ATR levels, market and limit."""
    rng = random.Random(3)
    series = {f"P{k}": random_walk(rng, 700, 100.0 * (k + 1), 0.012) for k in range(4)}
    # A candle that reaches exactly the stop of an entry decided at the previous close.
    rows = series["P0"]
    for t in range(100, 600, 37):
        stop = rows[t - 1, 4] + -1.0 * (1.0 * (rows[t - 1, 4] / 100.0))  # open_decision's LONG stop at 1 %
        rows[t + 1, 3] = min(rows[t + 1, 3], stop) if t % 2 else stop
        rows[t + 1, 3] = min(rows[t + 1, 3], rows[t + 1, 1], rows[t + 1, 4])
    program = compile_workspace(workspace(
        if_(logic(block("logic_not", X=block("position_has", {"DIRECTION": "LONG"})), "and",
                  cmp(candle(), "gt", candle("open"))),
            [open_("LONG", num(20), size_mode="percent_balance", sl=("percent", 1.0), tp=("percent", 2.0))]),
        if_(logic(block("logic_not", X=block("position_has", {"DIRECTION": "SHORT"})), "and",
                  cmp(candle(), "lt", arith(candle("open"), "mul", num(0.998)))),
            [open_("SHORT", num(1), size_mode="risk_percent", order_type="LIMIT",
                   price=arith(candle(), "mul", num(1.002)), sl=("atr", 1.5), tp=("atr", 4.0))]),
        if_(cmp(ind("rsi", period=7), "gt", num(80)), [block("cancel_orders")])))
    slow, _ = run_both(program, series, FillModel(slippage_bps=2, leverage=2))
    reasons = {t.reason for t in slow.book.trades}
    assert {"stop", "target"} <= reasons and len(slow.book.trades) > 100


def test_a_symbol_holding_long_and_short_at_once_is_evaluated_as_the_per_candle_path():
    rng = random.Random(5)
    series = {f"H{k}": random_walk(rng, 600, 20.0 * (k + 1), 0.01) for k in range(3)}
    program = compile_workspace(workspace(
        if_(logic(block("logic_not", X=block("position_has", {"DIRECTION": "LONG"})), "and",
                  cmp(candle(), "gt", candle("close", back=1))),
            [open_("LONG", num(0.5)), log("long", candle())]),
        if_(logic(block("logic_not", X=block("position_has", {"DIRECTION": "SHORT"})), "and",
                  cmp(candle(), "lt", candle("close", back=2))),
            [open_("SHORT", num(0.5))]),
        if_(logic(block("position_has", {"DIRECTION": "ANY"}), "and", cmp(ind("rsi", period=5), "gt", num(70))),
            [close("LONG")]),
        if_(logic(block("position_has", {"DIRECTION": "SHORT"}), "and", cmp(ind("rsi", period=5), "lt", num(30))),
            [close("SHORT")])))
    slow, _ = run_both(program, series, FillModel(slippage_bps=1, leverage=5))
    trades = slow.book.trades
    hedged = [(a, b) for a in trades for b in trades if a.symbol == b.symbol and a.direction is Direction.LONG
              and b.direction is Direction.SHORT and a.entry_time < b.exit_time and b.entry_time < a.exit_time]
    assert len(trades) > 50 and hedged  # the case is there: both directions open on one symbol


def test_more_top_level_statements_than_mask_bits_run_as_the_per_candle_path():
    """70 statements: past the 62 per-statement bits, a candle where any may act runs them all."""
    rng = random.Random(2)
    series = {f"M{k}": random_walk(rng, 300, 10.0 * (k + 1), 0.01) for k in range(3)}
    statements = []
    for j in range(70):
        long = block("position_has", {"DIRECTION": "LONG"})
        if j % 10 == 0:
            rising = cmp(candle(), "gt", candle("close", back=j % 7 + 1))
            statements.append(if_(logic(block("logic_not", X=long), "and", rising), [open_("LONG", num(0.1))]))
        elif j % 10 == 5:
            falling = cmp(candle(), "lt", candle("close", back=j % 5 + 1))
            statements.append(if_(logic(long, "and", falling), [close("LONG")]))
        else:
            statements.append(if_(cmp(candle(), "gt", candle("open", back=j % 9)), [log(f"s{j}", candle())]))
    slow, _ = run_both(compile_workspace(workspace(*statements)), series, FillModel())
    assert len(slow.book.trades) > 20
