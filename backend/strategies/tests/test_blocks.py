"""The block catalogue: Blockly definitions the client can register as they are, a toolbox with every
block once, one block per registry indicator, and a compiler rule for every block."""

from __future__ import annotations

import json
import re

from indicators.registry import REGISTRY
from signals.config import SIGNAL_TIMEFRAMES
from strategies.blocks import BLOCKS, CATEGORIES, catalogue
from strategies.compiler import compile_workspace

from .workspaces import block, log, workspace


def test_each_blockly_definition_has_one_arg_per_placeholder_and_a_connection_shape():
    for b in catalogue()["blocks"]:
        definition = b["blockly"]
        placeholders = sorted(int(i) for i in re.findall(r"%(\d+)", definition["message0"]))
        assert placeholders == list(range(1, len(definition["args0"]) + 1)), b["type"]
        shape = ("output" in definition, "previousStatement" in definition)
        assert shape in {(True, False), (False, True)} or b["type"] == "on_candle_close", b["type"]
        assert definition["colour"] == CATEGORIES[b["category"]]
        for arg in definition["args0"]:
            assert arg["type"] in {"field_dropdown", "field_number", "field_input", "field_variable",
                                   "input_value", "input_statement"}
            if arg["type"] == "input_value":
                assert set(arg["check"]) <= {"Number", "Series", "Boolean"}


def test_toolbox_lists_every_block_once_under_its_category():
    toolbox = catalogue()["toolbox"]
    listed = [entry["type"] for category in toolbox["contents"] for entry in category.get("contents", [])]
    variables = {"variables_get", "variables_set"}  # Blockly's dynamic VARIABLE category shows these
    assert sorted(listed) == sorted(set(BLOCKS) - variables)
    assert [c["name"] for c in toolbox["contents"]] == list(CATEGORIES)
    assert next(c for c in toolbox["contents"] if c["name"] == "Variables")["custom"] == "VARIABLE"


def test_indicator_blocks_are_the_registry_with_its_params_and_bounds():
    indicator_blocks = [t for t in BLOCKS if t.startswith("indicator_")]
    assert indicator_blocks == [f"indicator_{name}" for name in REGISTRY]
    macd = BLOCKS["indicator_macd"]
    assert [o for _, o in macd.fields["OUTPUT"].options] == ["macd", "signal", "hist"]
    assert (macd.fields["SLOW"].minimum, macd.fields["SLOW"].maximum, macd.fields["SLOW"].default) == (2, 400, 26)
    assert [v for _, v in macd.fields["TIMEFRAME"].options] == ["run", *SIGNAL_TIMEFRAMES]


def test_catalogue_is_json():
    data = json.loads(json.dumps(catalogue()))
    assert data["timeframes"] == list(SIGNAL_TIMEFRAMES)
    assert [i["name"] for i in data["indicators"]] == list(REGISTRY)


def default_block(type_: str) -> dict:
    """A block of ``type_`` with its catalogue defaults and every required input filled."""
    spec = BLOCKS[type_]
    inputs = {}
    for name, socket in spec.inputs.items():
        if socket.kind == "statement" or not socket.required:
            continue
        inputs[name] = block("boolean", {"BOOL": "true"}) if socket.kind == "boolean" else block("number", {"NUM": 1})
    fields = {name: ({"id": "var-v"} if f.kind == "variable" else f.default) for name, f in spec.fields.items()}
    return block(type_, fields, **inputs)


def test_every_block_compiles_with_its_defaults():
    """Catches a catalogue block the compiler has no rule for."""
    for type_, spec in BLOCKS.items():
        if type_ == "on_candle_close":
            continue
        b = default_block(type_)
        ws = workspace(b if spec.statement else log("x", b), variables=("v",))
        if spec.output == "boolean":
            ws = workspace(block("if_then", COND=b), variables=("v",))
        program = compile_workspace(ws)
        assert program["on_candle_close"], type_
