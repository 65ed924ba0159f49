"""Property: the evaluator never raises (other than `BudgetExceeded`) on any program the compiler
accepts.  Workspaces are drawn from the block catalogue itself (every block type, random field
values within the catalogue's bounds including the bounds, random nesting), the context from any
floats including NaN and infinities."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from strategies.blocks import BLOCKS, BOOLEAN
from strategies.compiler import CompileFailed, compile_workspace
from strategies.runtime import BudgetExceeded, Candles, Context, Evaluation, Position, ScannerSignal, evaluate

VARIABLES = ("a", "b")
VALUE_TYPES = [t for t, b in BLOCKS.items() if b.output is not None]
STATEMENT_TYPES = [t for t, b in BLOCKS.items() if b.statement]
LEAVES = {"number": ["number", "candle", "balance_available", "variables_get"], "boolean": ["boolean", "position_has"]}


@st.composite
def field_value(draw, spec):
    if spec.kind == "dropdown":
        return draw(st.sampled_from([v for _, v in spec.options]))
    if spec.kind == "number":
        choices = [spec.default, spec.minimum, spec.maximum]
        value = draw(st.one_of(st.sampled_from(choices), st.floats(spec.minimum, spec.maximum)))
        return int(value) if spec.integer else value
    if spec.kind == "text":
        if spec.name == "SYMBOL":
            return draw(st.sampled_from(["", "ETHUSDT"]))
        return draw(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=20))
    return {"id": f"var-{draw(st.sampled_from(VARIABLES))}"}


@st.composite
def a_block(draw, type_, depth, ids):
    spec = BLOCKS[type_]
    node = {"type": type_, "id": f"b{next(ids)}",
            "fields": {name: draw(field_value(f)) for name, f in spec.fields.items()}}
    inputs = {}
    for name, socket in spec.inputs.items():
        if socket.kind == "statement":
            stack = draw(statements(depth + 1, ids))
            if stack:
                inputs[name] = {"block": stack}
        elif socket.required or draw(st.booleans()):
            inputs[name] = {"block": draw(value(socket.kind, depth + 1, ids))}
    if inputs:
        node["inputs"] = inputs
    return node


@st.composite
def value(draw, kind, depth, ids):
    wanted = BOOLEAN if kind == BOOLEAN else "number"
    if depth >= 4:
        options = LEAVES[wanted]
    else:
        options = [t for t in VALUE_TYPES if (BLOCKS[t].output == BOOLEAN) == (wanted == BOOLEAN)]
    return draw(a_block(draw(st.sampled_from(options)), depth, ids))


@st.composite
def statements(draw, depth, ids):
    if depth >= 4:
        return None
    chosen = draw(st.lists(st.sampled_from(STATEMENT_TYPES), max_size=4))
    blocks = [draw(a_block(t, depth, ids)) for t in chosen]
    for earlier, later in zip(blocks, blocks[1:]):
        earlier["next"] = {"block": later}
    return blocks[0] if blocks else None


@st.composite
def workspaces(draw):
    ids = iter(range(1, 10**9))
    body = draw(statements(1, ids))
    hat = {"type": "on_candle_close", "id": "hat", **({"inputs": {"DO": {"block": body}}} if body else {})}
    return {"blocks": {"languageVersion": 0, "blocks": [hat]},
            "variables": [{"name": v, "id": f"var-{v}"} for v in VARIABLES]}


any_float = st.floats(allow_nan=True, allow_infinity=True)


@st.composite
def contexts(draw):
    n = draw(st.integers(0, 60))
    base = draw(st.one_of(st.just(100.0), st.floats(1e-9, 1e9)))
    steps = draw(st.lists(st.floats(-0.05, 0.05), min_size=n, max_size=n))
    close = base * np.cumprod(1 + np.array(steps, dtype=float)) if n else np.empty(0)
    if n and draw(st.booleans()):
        close[draw(st.integers(0, n - 1))] = draw(any_float)
    open_ = np.roll(close, 1)
    spread = abs(draw(st.floats(0, 1e3)))
    high, low = np.fmax(open_, close) + spread, np.fmin(open_, close) - spread
    candles = Candles(open_, high, low, close, np.abs(close))
    keyed = {("BTCUSDT", "5m"): candles}
    if draw(st.booleans()):
        keyed[("ETHUSDT", "1h")] = candles
    positions = draw(st.lists(st.builds(Position, st.sampled_from(["BTCUSDT", "ETHUSDT"]),
                                        st.sampled_from(["LONG", "SHORT"]), any_float, any_float, any_float),
                              max_size=2))
    signals = draw(st.lists(st.builds(ScannerSignal, st.just("BTCUSDT"), st.sampled_from(["5m", "1h"]),
                                      st.sampled_from(["LONG", "SHORT"]), any_float,
                                      st.one_of(st.none(), any_float)), max_size=2))
    variables = draw(st.dictionaries(st.sampled_from([f"var-{v}" for v in VARIABLES]), any_float))
    return Context("BTCUSDT", "5m", keyed, positions, draw(any_float), signals, variables)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(workspace=workspaces(), context=contexts(), budget=st.sampled_from([20_000, 50]))
def test_the_evaluator_never_raises_on_a_compiled_program(workspace, context, budget):
    try:
        program = compile_workspace(workspace)
    except CompileFailed:
        assume(False)
    program = json.loads(json.dumps(program, allow_nan=False))  # as stored with the version
    try:
        result = evaluate(program, context, budget=budget)
    except BudgetExceeded:
        return
    again = evaluate(program, context, budget=budget)  # no hidden state: same inputs, same answer
    assert repr(again) == repr(result)
    assert isinstance(result, Evaluation)
    assert all(math.isfinite(v) for v in result.variables.values())
    for decision in result.decisions:
        for name in ("quantity", "price", "stop_loss", "take_profit", "value"):
            number = getattr(decision, name, None)
            assert number is None or math.isfinite(number)
