"""The compiler: valid workspaces give the expected IR; malformed and hostile ones give errors that
name the block (or the workspace), and limits stop the compile."""

from __future__ import annotations

import json

import pytest

from strategies.compiler import Limits, compile_workspace, CompileFailed

from .workspaces import (
    arith, block, candle, choose, close, cmp, cross, get_var, if_, ind, log, num, open_, set_var, workspace,
)


def errors_of(ws, **kw) -> list[tuple]:
    with pytest.raises(CompileFailed) as info:
        compile_workspace(ws, **kw)
    return [(e.block_id, e.message) for e in info.value.errors]


def test_ema_cross_compiles_to_typed_ir():
    fast, slow = ind("ema", period=9), ind("ema", period=21)
    go = open_("LONG", num(10), "percent_balance", sl=("atr", 1.5), tp=("percent", 3))
    program = compile_workspace(workspace(if_(cross(fast, "above", slow), [go])))
    (statement,) = program["on_candle_close"]
    assert statement["op"] == "if" and statement["cond"]["op"] == "cross"
    assert statement["cond"]["args"][0] == {"op": "indicator", "block": fast["id"], "name": "ema",
                                            "params": {"period": 9}, "source": "close", "output": "value",
                                            "back": 0, "tf": None, "symbol": None}
    (opened,) = statement["then"]
    assert opened["stop_loss"] == {"mode": "atr", "value": 1.5}
    assert opened["take_profit"] == {"mode": "percent", "value": 3.0}
    assert opened["size"] == {"op": "const", "block": opened["size"]["block"], "value": 10.0}
    assert program["symbols"] == [] and program["timeframes"] == [] and program["max_back"] == 15


def test_raw_json_text_compiles_like_parsed_data():
    ws = workspace(log("close", candle("close", back=2, tf="1h", symbol="ETHUSDT")))
    program = compile_workspace(json.dumps(ws))
    assert program == compile_workspace(ws)
    assert program["symbols"] == ["ETHUSDT"] and program["timeframes"] == ["1h"] and program["max_back"] == 2


def test_statements_run_in_order_through_next():
    ws = workspace(log("a"), log("b"), log("c"))
    assert [s["message"] for s in compile_workspace(ws)["on_candle_close"]] == ["a", "b", "c"]


def test_unknown_block_type_is_named():
    bad = block("python_exec", {"CODE": "import os"})
    assert errors_of(workspace(if_(cmp(num(1), "gt", num(0)), [bad]))) == [(bad["id"], "unknown block type 'python_exec'")]


def test_wrong_types_are_named_on_the_plugged_block():
    number_as_condition = num(3)
    boolean_as_number = cmp(num(1), "gt", num(0))
    errors = errors_of(workspace(if_(number_as_condition, []), log("x", boolean_as_number)))
    assert (number_as_condition["id"], "'number' gives a number; the 'COND' input of 'if_then' needs a boolean") in errors
    assert (boolean_as_number["id"], "'compare' gives a boolean; the 'VALUE' input of 'log' needs a number") in errors


def test_an_action_in_a_value_socket_and_a_value_in_a_stack_are_refused():
    action, value = close(), num(1)
    errors = errors_of(workspace(log("x", action), value))
    assert errors[0][0] == action["id"] and "is an action" in errors[0][1]
    assert errors[1] == (value["id"], "'number' is a value block; it cannot stand in a stack of actions")


def test_missing_inputs_are_named():
    empty = block("compare", {"OP": "gt"}, A=num(1))
    limit = open_("LONG", num(1), order_type="LIMIT")
    risk = open_("SHORT", num(1), size_mode="risk_percent")
    errors = errors_of(workspace(if_(empty, [limit, risk])))
    assert (empty["id"], "the 'B' input is empty") in errors
    assert (limit["id"], "a limit order needs a price in its 'PRICE' input") in errors
    assert (risk["id"], "risk sizing needs a stop-loss: the quantity comes from the stop distance") in errors


@pytest.mark.parametrize("value, message", [
    (1e300, "between"), (float("nan"), "finite"), (float("inf"), "finite"), ("12", "finite"), (True, "finite"),
])  # fmt: skip
def test_huge_and_non_numbers_are_refused(value, message):
    bad = num(value)
    ((block_id, text),) = errors_of(workspace(log("x", bad)))
    assert block_id == bad["id"] and message in text


def test_nan_and_huge_literals_in_raw_json_are_refused():
    text = json.dumps(workspace(log("x", num(1)))).replace('"NUM": 1', '"NUM": NaN')
    assert errors_of(text) == [(None, "NaN is not a number this language accepts")]
    huge = json.dumps(workspace(log("x", num(1)))).replace('"NUM": 1', '"NUM": 1e999')
    assert "finite" in errors_of(huge)[0][1]
    digits = json.dumps(workspace(log("x", num(1)))).replace('"NUM": 1', '"NUM": ' + "9" * 5000)
    assert "not valid JSON" in errors_of(digits)[0][1]


def test_field_values_outside_the_catalogue_are_refused():
    errors = errors_of(workspace(
        log("x", ind("ema", period=1)), log("y", ind("macd", output="macd", fast=26, slow=12)),
        log("z", candle("close", back=501)), log("w", candle("close", symbol="btc/usdt")),
        log("v", block("candle", {"FIELD": "vwap"})), log("u", ind("ema", tf="3m", period=9)),
        log("\x00bad"), log("\x07bell"),
    ))
    messages = [m for _, m in errors]
    assert "PERIOD must be between 2 and 500" in messages
    assert "fast (26) must be shorter than slow (12)" in messages
    assert "BACK must be between 0 and 500" in messages
    assert "SYMBOL 'btc/usdt' is not a valid symbol (like BTCUSDT)" in messages
    assert any(m.startswith("FIELD must be one of") for m in messages)
    assert any(m.startswith("TIMEFRAME must be one of") for m in messages)
    assert "a text holds a NUL or an invalid character" in messages  # the "\\x00bad" message
    assert "MESSAGE must be printable text of at most 200 characters" in messages


def test_self_referencing_variable_is_named():
    bad = set_var("n", arith(get_var("n"), "add", num(1)))
    ok = set_var("m", arith(get_var("n"), "add", num(1)))
    assert errors_of(workspace(ok, bad, variables=("n", "m"))) == [
        (bad["id"], "variable 'n' is set from itself; use a second variable")]


def test_undeclared_variable_is_named():
    bad = get_var("ghost")
    assert errors_of(workspace(log("x", bad))) == [
        (bad["id"], "this block uses a variable the workspace does not declare")]


@pytest.mark.parametrize("key", ["__proto__", "constructor", "prototype"])
def test_prototype_keys_are_refused_in_raw_json_and_in_data(key):
    text = json.dumps(workspace(log("x", num(1)))).replace('"NUM": 1', f'"NUM": 1, "{key}": {{"polluted": true}}')
    assert errors_of(text) == [(None, f"the key {key!r} is not allowed")]
    bad = num(1)
    bad["fields"][key] = 1
    assert errors_of(workspace(log("x", bad))) == [(bad["id"], f"number has no field {key!r}")]
    bad_block = num(1)
    bad_block[key] = {}
    assert errors_of(workspace(log("x", bad_block))) == [(bad_block["id"], f"unknown key {key!r} on a block")]
    bad_id = num(1)
    bad_id["id"] = key
    assert errors_of(workspace(log("x", bad_id)))[0] == (None, "every block needs a string id of 1-64 characters")


def test_a_long_stack_as_parsed_data_is_held_to_the_json_nesting_limit():
    """Stored as JSON by a recursive encoder: a stack nested deeper than the raw-text limit is refused
    even when it arrives as Python data."""
    statements = [log(str(i)) for i in range(1000)]
    ((block_id, message),) = errors_of(workspace(*statements))
    assert block_id in {s["id"] for s in statements} and "nested too deeply" in message
    assert compile_workspace(workspace(*[log(str(i)) for i in range(250)]))


def test_ten_thousand_blocks_stop_at_the_limit_naming_the_block():
    # 100 'if' blocks of 100 log lines each: wide, not deep (10,100 blocks with the hat).
    groups = [[log(f"{g}.{i}") for i in range(100)] for g in range(100)]
    ws = workspace(*[if_(block("boolean", {"BOOL": "true"}), lines) for lines in groups])
    ((block_id, message),) = errors_of(ws)
    # Counted in reading order: the hat, then per group the 'if', its condition and its 100 lines.
    assert block_id in {line["id"] for line in groups[19]} and message == "more than 2000 blocks"


def test_nesting_a_thousand_deep_is_refused_naming_a_block():
    deep = num(1)
    ids = [deep["id"]]
    for _ in range(1000):
        deep = block("math_unary", {"OP": "neg"}, X=deep)
        ids.append(deep["id"])
    ws = workspace(log("x", deep))
    ((block_id, message),) = errors_of(ws)
    assert block_id in ids and message == "blocks are nested too deeply (more than 600 JSON levels)"
    shallower = num(1)
    for _ in range(100):  # 100 deep is within the JSON limit but over the 64 blocks limit
        shallower = block("math_unary", {"OP": "neg"}, X=shallower)
    ((block_id, message),) = errors_of(workspace(log("x", shallower)))
    assert message == "blocks are nested more than 64 deep"
    # As raw text (json.dumps itself cannot go that deep): refused before the recursive parser runs.
    text = '{"type": "number", "id": "n-0", "fields": {"NUM": 1}}'
    for i in range(1, 1001):
        text = f'{{"type": "math_unary", "id": "n-{i}", "fields": {{"OP": "neg"}}, "inputs": {{"X": {{"block": {text}}}}}}}'
    raw = ('{"blocks": {"languageVersion": 0, "blocks": [{"type": "on_candle_close", "id": "hat", "inputs": '
           f'{{"DO": {{"block": {{"type": "log", "id": "log", "inputs": {{"VALUE": {{"block": {text}}}}}}}}}}}}}]}}}}')
    ((block_id, message),) = errors_of(raw)
    assert block_id.startswith("n-") and "nested too deeply" in message
    shallow = raw.replace(text, '{"type": "number", "id": "n-0", "fields": {"NUM": 1}}')
    assert compile_workspace(shallow)["on_candle_close"][0]["value"]["value"] == 1.0


def test_oversized_json_is_refused_before_parsing():
    text = json.dumps(workspace(log("x" * 100, num(1)))) + " " * (512 * 1024)
    assert errors_of(text) == [(None, f"the workspace is {len(text.encode()):,} bytes; at most 524,288 are accepted")]


def test_symbol_and_timeframe_limits():
    reads = [log("x", candle("close", symbol=f"SYM{i}USDT")) for i in range(6)]
    ((block_id, message),) = errors_of(workspace(*reads))
    assert block_id == reads[5]["inputs"]["VALUE"]["block"]["id"] and message == "a strategy reads at most 5 other symbols"
    tfs = [log("x", candle("close", tf=tf)) for tf in ("5m", "15m", "1h")]
    ((_, message),) = errors_of(workspace(*tfs), limits=Limits(max_timeframes=2))
    assert message == "a strategy reads at most 2 timeframes"


def test_workspace_shape_errors():
    assert errors_of({"blocks": {"languageVersion": 0, "blocks": []}}) == [
        (None, "a strategy has exactly one 'on candle close' block; add one")]
    assert errors_of([1, 2]) == [
        (None, 'expected a Blockly workspace: {"blocks": {"languageVersion": 0, "blocks": [...]}}')]
    loose = num(5)
    assert errors_of(workspace(log("x"), loose=(loose,))) == [
        (loose["id"], "this block is not inside the 'on candle close' block")]
    second = block("on_candle_close")
    assert errors_of(workspace(loose=(second,)))[0][0] == second["id"]
    assert errors_of("{not json")[0][1].startswith("the workspace is not valid JSON")


def test_errors_are_collected_not_just_the_first():
    a, b = block("nope"), num(float("nan"))
    errors = errors_of(workspace(log("x", b), if_(cmp(num(1), "gt", num(0)), [a])))
    assert {e[0] for e in errors} == {a["id"], b["id"]}


def test_choose_of_series_is_a_series_and_of_numbers_a_number():
    from strategies.compile_blocks import _numeric

    program = compile_workspace(workspace(log("x", choose(cmp(candle(), "gt", num(1)), num(1), num(0)))))
    assert _numeric(program["on_candle_close"][0]["value"]) == "series"
    assert _numeric({"op": "const", "value": 1}) == "number"


def test_blocks_switched_off_in_the_editor_do_not_run():
    off, old_style = log("off", num(1)), log("old")
    off["disabledReasons"] = ["MANUALLY_DISABLED"]
    old_style["enabled"] = False
    program = compile_workspace(workspace(log("a"), off, old_style, log("b")))
    assert [s["message"] for s in program["on_candle_close"]] == ["a", "b"]
    value = num(2)
    value["disabledReasons"] = ["MANUALLY_DISABLED"]
    assert errors_of(workspace(log("x", arith(value, "add", num(1)))))[0][1] == "the 'A' input is empty"
