"""The strategy IR: the small typed JSON syntax tree `compiler.compile_workspace` produces and
`runtime.evaluate` runs.  Plain dicts and lists (stored as JSON with each version); every node has
``op`` and ``block`` (the Blockly block id it came from, for error marks and logs).

Program::

    {"ir_version": 1, "on_candle_close": [statement, ...], "variables": {id: name},
     "symbols": [extra symbols read], "timeframes": [timeframes read], "max_back": candles back}

Expressions (``type`` is "number", "series" (depends on the candles, so it has a value on earlier
candles) or "boolean")::

    const      value                                   number / boolean
    candle     field back tf symbol                    series   (tf/symbol None: the run's)
    indicator  name params source output back tf symbol  series (name: indicators.registry)
    arith      fn(add sub mul div min max) args[2]     number/series
    unary      fn(abs neg round) arg
    choose     cond then else                          number/series
    compare    fn(gt gte lt lte eq neq) args[2]        boolean
    cross      direction(above below) args[2]          boolean
    logic      fn(and or) args[2];  not arg            boolean
    signal     direction(LONG SHORT ANY) metric(confidence probability) min tf   boolean
    position_has direction;  position field(size entry_price unrealised_pnl_pct);  balance
    var        id                                      number (NaN until set)

Statements (``type`` "action")::

    open   direction order_type(MARKET LIMIT) size size_mode(quantity percent_balance risk_percent)
           price(expr or None) leverage stop_loss take_profit ({"mode": "atr"|"percent", "value"} or None)
    close  direction(LONG SHORT ANY);  cancel;  set id value;  if cond then[] else[]
    notify message value(expr or None);  log message value
"""

from __future__ import annotations

IR_VERSION = 1

NUMBER, SERIES, BOOLEAN, ACTION = "number", "series", "boolean", "action"

EXPRESSION_OPS = frozenset({
    "const", "candle", "indicator", "arith", "unary", "choose", "compare", "cross", "logic", "not", "signal",
    "position_has", "position", "balance", "var",
})  # fmt: skip
STATEMENT_OPS = frozenset({"open", "close", "cancel", "set", "if", "notify", "log"})

ARITH_FNS = ("add", "sub", "mul", "div", "min", "max")
UNARY_FNS = ("abs", "neg", "round")
COMPARE_FNS = ("gt", "gte", "lt", "lte", "eq", "neq")
CANDLE_FIELDS = ("open", "high", "low", "close", "volume")
POSITION_FIELDS = ("size", "entry_price", "unrealised_pnl_pct")
SIZE_MODES = ("quantity", "percent_balance", "risk_percent")


def walk(nodes):
    """Every node of a program's statement list (or of one node), depth first."""
    stack = list(nodes) if isinstance(nodes, list) else [nodes]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "op" in node:
                yield node
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(node)
