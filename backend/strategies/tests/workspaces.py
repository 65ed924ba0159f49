"""Build Blockly workspace JSON (Blockly's serialization format) in tests, as the editor saves it."""

from __future__ import annotations

import itertools

_ids = itertools.count(1)


def block(type_: str, fields: dict | None = None, **inputs) -> dict:
    """A block; keyword inputs take a block (value input) or a list of blocks (statement input)."""
    node: dict = {"type": type_, "id": f"{type_}-{next(_ids)}"}
    if fields:
        node["fields"] = fields
    slots = {}
    for name, value in inputs.items():
        if isinstance(value, list):
            value = chain(value)
        if value is not None:
            slots[name] = {"block": value}
    if slots:
        node["inputs"] = slots
    return node


def chain(statements: list[dict]) -> dict | None:
    """Link statements through Blockly's ``next``; the first one carries the rest."""
    for earlier, later in zip(reversed(statements[:-1]), reversed(statements[1:])):
        earlier["next"] = {"block": later}
    return statements[0] if statements else None


def workspace(*statements: dict, variables: tuple[str, ...] = (), loose: tuple[dict, ...] = ()) -> dict:
    hat = block("on_candle_close", DO=list(statements))
    hat.update(x=20, y=20)
    return {"blocks": {"languageVersion": 0, "blocks": [hat, *loose]},
            "variables": [{"name": v, "id": f"var-{v}"} for v in variables]}


def num(value) -> dict:
    return block("number", {"NUM": value})


def candle(field: str = "close", back: int = 0, tf: str = "run", symbol: str = "") -> dict:
    return block("candle", {"FIELD": field, "BACK": back, "TIMEFRAME": tf, "SYMBOL": symbol})


def ind(name: str, output: str | None = None, source: str | None = None, back: int = 0, tf: str = "run",
        symbol: str = "", **params) -> dict:
    fields = {"BACK": back, "TIMEFRAME": tf, "SYMBOL": symbol, **{k.upper(): v for k, v in params.items()}}
    if output is not None:
        fields["OUTPUT"] = output
    if source is not None:
        fields["SOURCE"] = source
    return block(f"indicator_{name}", fields)


def cmp(a: dict, op: str, b: dict) -> dict:
    return block("compare", {"OP": op}, A=a, B=b)


def cross(a: dict, direction: str, b: dict) -> dict:
    return block("cross", {"DIRECTION": direction}, A=a, B=b)


def logic(a: dict, op: str, b: dict) -> dict:
    return block("logic_binary", {"OP": op}, A=a, B=b)


def all_of(*conditions: dict) -> dict:
    result = conditions[0]
    for c in conditions[1:]:
        result = logic(result, "and", c)
    return result


def arith(a: dict, op: str, b: dict) -> dict:
    return block("arithmetic", {"OP": op}, A=a, B=b)


def choose(cond: dict, a: dict, b: dict) -> dict:
    return block("choose", COND=cond, A=a, B=b)


def if_(cond: dict, then: list[dict], otherwise: list[dict] | None = None) -> dict:
    if otherwise is None:
        return block("if_then", COND=cond, DO=then)
    return block("if_else", COND=cond, DO=then, ELSE=otherwise)


def set_var(name: str, value: dict) -> dict:
    return block("variables_set", {"VAR": {"id": f"var-{name}"}}, VALUE=value)


def get_var(name: str) -> dict:
    return block("variables_get", {"VAR": {"id": f"var-{name}"}})


def open_(direction: str, size: dict, size_mode: str = "quantity", order_type: str = "MARKET",
          price: dict | None = None, leverage: int = 1, sl: tuple[str, float] = ("none", 1.5),
          tp: tuple[str, float] = ("none", 2.5)) -> dict:
    fields = {"DIRECTION": direction, "ORDER_TYPE": order_type, "SIZE_MODE": size_mode, "LEVERAGE": leverage,
              "SL_MODE": sl[0], "SL": sl[1], "TP_MODE": tp[0], "TP": tp[1]}
    return block("open_position", fields, SIZE=size, PRICE=price)


def close(direction: str = "ANY") -> dict:
    return block("close_position", {"DIRECTION": direction})


def log(message: str, value: dict | None = None) -> dict:
    return block("log", {"MESSAGE": message}, VALUE=value)
