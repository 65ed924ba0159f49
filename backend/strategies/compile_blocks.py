"""One rule per block type: how `compiler._Compiler` turns a checked block into an IR node.

`expression` returns ``(node, type)`` or None (the errors are recorded on the compiler);
`statement` returns a node or None.  Every node carries its block id.
"""

from __future__ import annotations

from . import ir
from .blocks import BOOLEAN, NUMBER, SERIES, Block


def _varies(*nodes) -> bool:
    """Whether any of the nodes reads the candles (so it has a value on earlier candles)."""
    return any(n["op"] in ("candle", "indicator") for node in nodes for n in ir.walk(node))


def _numeric(*nodes) -> str:
    return SERIES if _varies(*nodes) else NUMBER


def expression(c, block: dict, spec: Block, depth: int):
    bid, kind = block["id"], spec.type
    d = depth + 1

    def values(*names_kinds):
        out = [c.value(block, name, k, d) for name, k in names_kinds]
        return None if any(v is None for v in out) else [v[0] for v in out]

    def fields(*names):
        out = [c.field(block, name) for name in names]
        return None if any(v is None for v in out) else out

    if kind == "candle":
        where, f = c.where(block), fields("FIELD")
        return None if where is None or f is None else ({"op": "candle", "block": bid, "field": f[0], **where}, SERIES)
    if kind.startswith("indicator_"):
        name = kind.removeprefix("indicator_")
        where, params = c.where(block), c.indicator_params(block, name)
        output = c.field(block, "OUTPUT") if "OUTPUT" in spec.fields else "value"
        source = c.field(block, "SOURCE") if "SOURCE" in spec.fields else None
        if where is None or params is None or output is None or ("SOURCE" in spec.fields and source is None):
            return None
        return {"op": "indicator", "block": bid, "name": name, "params": params, "source": source,
                "output": output, **where}, SERIES
    if kind == "number":
        f = fields("NUM")
        return None if f is None else ({"op": "const", "block": bid, "value": f[0]}, NUMBER)
    if kind == "boolean":
        f = fields("BOOL")
        return None if f is None else ({"op": "const", "block": bid, "value": f[0] == "true"}, BOOLEAN)
    if kind == "arithmetic":
        f, args = fields("OP"), values(("A", NUMBER), ("B", NUMBER))
        return None if f is None or args is None else (
            {"op": "arith", "block": bid, "fn": f[0], "args": args}, _numeric(*args))
    if kind == "math_unary":
        f, args = fields("OP"), values(("X", NUMBER))
        return None if f is None or args is None else (
            {"op": "unary", "block": bid, "fn": f[0], "arg": args[0]}, _numeric(*args))
    if kind == "choose":
        args = values(("COND", BOOLEAN), ("A", NUMBER), ("B", NUMBER))
        return None if args is None else (
            {"op": "choose", "block": bid, "cond": args[0], "then": args[1], "else": args[2]}, _numeric(*args))
    if kind in ("compare", "cross"):
        f, args = fields("OP" if kind == "compare" else "DIRECTION"), values(("A", NUMBER), ("B", NUMBER))
        if f is None or args is None:
            return None
        key = "fn" if kind == "compare" else "direction"
        return {"op": kind, "block": bid, key: f[0], "args": args}, BOOLEAN
    if kind == "logic_binary":
        f, args = fields("OP"), values(("A", BOOLEAN), ("B", BOOLEAN))
        return None if f is None or args is None else ({"op": "logic", "block": bid, "fn": f[0], "args": args}, BOOLEAN)
    if kind == "logic_not":
        args = values(("X", BOOLEAN))
        return None if args is None else ({"op": "not", "block": bid, "arg": args[0]}, BOOLEAN)
    if kind == "signal_active":
        f = fields("DIRECTION", "METRIC", "MIN", "TIMEFRAME")
        if f is None:
            return None
        c.timeframe_use(block, f[3])
        return {"op": "signal", "block": bid, "direction": f[0], "metric": f[1], "min": f[2],
                "tf": None if f[3] == "run" else f[3]}, BOOLEAN
    if kind == "position_has":
        f = fields("DIRECTION")
        return None if f is None else ({"op": "position_has", "block": bid, "direction": f[0]}, BOOLEAN)
    if kind == "position_value":
        f = fields("FIELD")
        return None if f is None else ({"op": "position", "block": bid, "field": f[0]}, NUMBER)
    if kind == "balance_available":
        return {"op": "balance", "block": bid}, NUMBER
    if kind == "variables_get":
        f = fields("VAR")
        return None if f is None else ({"op": "var", "block": bid, "id": f[0]}, NUMBER)
    raise AssertionError(f"no expression rule for {kind}")  # every catalogue value block has one (tested)


def statement(c, block: dict, spec: Block, depth: int):
    bid, kind = block["id"], spec.type
    d = depth + 1

    def optional_value(name: str, k: str = NUMBER):
        compiled = c.value(block, name, k, d)
        return None if compiled is None else compiled[0]

    if kind in ("if_then", "if_else"):
        cond = optional_value("COND", BOOLEAN)
        then = c.statements(block, "DO", d)
        otherwise = c.statements(block, "ELSE", d) if kind == "if_else" else []
        return None if cond is None else {"op": "if", "block": bid, "cond": cond, "then": then, "else": otherwise}
    if kind == "variables_set":
        vid, value = c.field(block, "VAR"), optional_value("VALUE")
        if vid is None or value is None:
            return None
        if any(n["op"] == "var" and n["id"] == vid for n in ir.walk(value)):
            c.error(bid, f"variable '{c.variables[vid]}' is set from itself; use a second variable")
            return None
        return {"op": "set", "block": bid, "id": vid, "value": value}
    if kind in ("notify", "log"):
        message, value = c.field(block, "MESSAGE"), optional_value("VALUE")
        return None if message is None else {"op": kind, "block": bid, "message": message, "value": value}
    if kind == "close_position":
        direction = c.field(block, "DIRECTION")
        return None if direction is None else {"op": "close", "block": bid, "direction": direction}
    if kind == "cancel_orders":
        return {"op": "cancel", "block": bid}
    if kind == "open_position":
        return _open(c, block, optional_value)
    raise AssertionError(f"no statement rule for {kind}")


def _open(c, block: dict, optional_value):
    bid = block["id"]
    names = ("DIRECTION", "ORDER_TYPE", "SIZE_MODE", "LEVERAGE", "SL_MODE", "SL", "TP_MODE", "TP")
    f = dict(zip(names, (c.field(block, n) for n in names)))
    size, price = optional_value("SIZE"), optional_value("PRICE")
    if any(v is None for v in f.values()) or size is None:
        return None
    ok = True
    if f["ORDER_TYPE"] == "LIMIT" and price is None:
        c.error(bid, "a limit order needs a price in its 'PRICE' input")
        ok = False
    if f["SIZE_MODE"] == "risk_percent" and f["SL_MODE"] == "none":
        c.error(bid, "risk sizing needs a stop-loss: the quantity comes from the stop distance")
        ok = False
    for mode, amount in (("SL_MODE", "SL"), ("TP_MODE", "TP")):
        if f[mode] != "none" and f[amount] <= 0:
            c.error(bid, f"{amount} must be above 0")
            ok = False
    if f["SL_MODE"] == "atr" or f["TP_MODE"] == "atr":
        c.max_back = max(c.max_back, 15)  # ATR 14 needs 15 candles
    if not ok:
        return None

    def level(mode: str, amount: str):
        return None if f[mode] == "none" else {"mode": f[mode], "value": f[amount]}

    return {"op": "open", "block": bid, "direction": f["DIRECTION"], "order_type": f["ORDER_TYPE"], "size": size,
            "size_mode": f["SIZE_MODE"], "price": price if f["ORDER_TYPE"] == "LIMIT" else None,
            "leverage": f["LEVERAGE"], "stop_loss": level("SL_MODE", "SL"), "take_profit": level("TP_MODE", "TP")}
