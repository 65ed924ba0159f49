"""The shipped templates compile from their raw files, and the eight-conditions template decides
exactly as the signal scanner's conditions (signals/conditions.py) on recorded Binance candles."""

from __future__ import annotations

import json

import numpy as np
import pytest

from indicators import compute_all
from signals.conditions import score_indicators
from signals.config import SignalConfig
from signals.tests.klines import all_symbols, load_klines
from strategies.compiler import compile_workspace
from strategies.runtime import Candles, Context, Log, OpenPosition, Position, evaluate
from strategies.template_library import ORDER, TEMPLATE_DIR, templates


@pytest.mark.parametrize("key", ORDER)
def test_each_template_compiles_from_its_file(key):
    raw = json.dumps(json.loads((TEMPLATE_DIR / f"{key}.json").read_text())["workspace"])
    program = compile_workspace(raw)  # the raw-text path: size and nesting checks included
    assert program["on_candle_close"]
    assert [t["key"] for t in templates()] == list(ORDER)


def candles_of(rows: np.ndarray) -> Candles:
    return Candles(*(np.ascontiguousarray(rows[:, i]) for i in range(1, 6)))


def scanner_program():
    return compile_workspace(next(t for t in templates() if t["key"] == "scanner_conditions")["workspace"])


def test_eight_conditions_template_equals_the_scanner_on_recorded_candles():
    program, config = scanner_program(), SignalConfig()
    compared = {"LONG": 0, "SHORT": 0, "none": 0}
    for symbol in all_symbols()[:12]:
        rows = load_klines(symbol)
        for end in range(300, len(rows) + 1, 97):
            window = rows[end - 300:end]
            scored = score_indicators(compute_all(*(window[:, i] for i in range(1, 6))), window[:, 4],
                                      window[:, 5], config)
            ctx = Context(symbol, "5m", {(symbol, "5m"): candles_of(window)}, available_balance=1000.0)
            result = evaluate(program, ctx)
            long_conf, short_conf = float(scored.long_confidence[0]), float(scored.short_confidence[0])
            assert result.variables["var-long_score"] == pytest.approx(long_conf, abs=1e-9), (symbol, end)
            assert result.variables["var-short_score"] == pytest.approx(short_conf, abs=1e-9), (symbol, end)
            opened = {d.direction for d in result.decisions if isinstance(d, OpenPosition)}
            expected = {d for d, conf in (("LONG", long_conf), ("SHORT", short_conf)) if conf >= config.min_confidence}
            assert opened == expected, (symbol, end)
            compared[next(iter(opened), "none")] += 1
    assert compared["LONG"] >= 5 and compared["SHORT"] >= 5 and compared["none"] >= 50, compared


def test_eight_conditions_template_is_zero_while_warming_up_like_the_scanner():
    rows = load_klines(all_symbols()[0])[:150]  # EMA200 has no value yet
    ctx = Context("X", "5m", {("X", "5m"): candles_of(rows)})
    assert evaluate(scanner_program(), ctx).variables == {"var-long_score": 0.0, "var-short_score": 0.0}


def test_eight_conditions_template_opens_with_the_scanner_brackets_and_not_twice():
    program, config = scanner_program(), SignalConfig()
    symbol = all_symbols()[0]
    rows = load_klines(symbol)
    for end in range(300, len(rows), 7):
        window = rows[end - 300:end]
        ctx = Context(symbol, "5m", {(symbol, "5m"): candles_of(window)}, available_balance=1000.0)
        opened = [d for d in evaluate(program, ctx).decisions if isinstance(d, OpenPosition)]
        if opened:
            break
    (order,) = opened
    atr = compute_all(*(window[:, i] for i in range(1, 6)))["atr"][-1]
    sign = 1 if order.direction == "LONG" else -1
    assert order.price == window[-1, 4]
    assert order.stop_loss == pytest.approx(order.price - sign * config.sl_atr * atr, rel=1e-12)
    assert order.take_profit == pytest.approx(order.price + sign * config.tp_atr * atr, rel=1e-12)
    assert order.quantity == pytest.approx(1000.0 * 0.01 / (config.sl_atr * atr), rel=1e-9)
    held = Context(symbol, "5m", ctx.candles, positions=(Position(symbol, order.direction, 1.0, order.price, 0.0),))
    assert not [d for d in evaluate(program, held).decisions if isinstance(d, (OpenPosition, Log))]
