"""The block catalogue, defined once: the compiler checks workspaces against it and the client
registers its Blockly blocks and toolbox from `catalogue()` (served at /api/strategies/catalogue/).

A `Block` is a list of `Field`s (values typed into the block) and `Input`s (sockets for other
blocks) in display order, plus what it plugs into: an ``output`` value type, or a statement
(``statement=True``: previous/next connections), or neither (the ``on_candle_close`` hat).

Value types: "number" (a scalar), "series" (a number that depends on the candles, so it can be read
on an earlier candle: crosses use that) and "boolean".  A series is accepted wherever a number is.
In Blockly these are the checks "Number", "Series" and "Boolean".

Indicator blocks come from `indicators.registry.REGISTRY` (one per indicator); timeframes from
`signals.config.SIGNAL_TIMEFRAMES`.  Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from indicators.registry import REGISTRY, SOURCES, Indicator
from signals.config import SIGNAL_TIMEFRAMES

NUMBER, SERIES, BOOLEAN = "number", "series", "boolean"
BLOCKLY_CHECK = {NUMBER: "Number", SERIES: "Series", BOOLEAN: "Boolean"}
#: Which value types an input of each kind accepts.
ACCEPTS = {NUMBER: (NUMBER, SERIES), SERIES: (NUMBER, SERIES), BOOLEAN: (BOOLEAN,)}

#: "run": the timeframe the strategy runs on (chosen when it is started).
TIMEFRAME_OPTIONS = ("run", *SIGNAL_TIMEFRAMES)
MAX_BACK = 500  # candles back a block may look; the runtime is given at least this history
MAX_NUMBER = 1e12  # absolute bound on every number typed into a block
SYMBOL_PATTERN = r"^[A-Z0-9]{2,20}$"  # empty: the run's symbol
MAX_TEXT = 200


@dataclass(frozen=True)
class Field:
    """kind: "dropdown" (options: (label, value) pairs), "number" (bounds; integer or not), "text"
    (max_length; pattern when not empty) or "variable"."""

    name: str
    kind: str
    default: object = None
    options: tuple[tuple[str, str], ...] = ()
    minimum: float = -MAX_NUMBER
    maximum: float = MAX_NUMBER
    integer: bool = False
    max_length: int = MAX_TEXT
    pattern: str | None = None

    def blockly(self) -> dict:
        if self.kind == "dropdown":
            return {"type": "field_dropdown", "name": self.name, "options": [list(o) for o in self.options]}
        if self.kind == "number":
            arg = {"type": "field_number", "name": self.name, "value": self.default,
                   "min": self.minimum, "max": self.maximum}
            return {**arg, "precision": 1} if self.integer else arg
        if self.kind == "text":
            return {"type": "field_input", "name": self.name, "text": self.default or ""}
        return {"type": "field_variable", "name": self.name, "variable": self.default or "x"}


@dataclass(frozen=True)
class Input:
    """A socket: ``kind`` is a value type, or "statement" for a stack of statements."""

    name: str
    kind: str
    required: bool = True

    def blockly(self) -> dict:
        if self.kind == "statement":
            return {"type": "input_statement", "name": self.name}
        return {"type": "input_value", "name": self.name, "check": [BLOCKLY_CHECK[t] for t in ACCEPTS[self.kind]]}


@dataclass(frozen=True)
class Block:
    type: str
    category: str
    message: str  # with %1, %2 ... for the args in order
    args: tuple[Field | Input, ...]
    tooltip: str
    output: str | None = None
    statement: bool = False

    @property
    def fields(self) -> dict[str, Field]:
        return {a.name: a for a in self.args if isinstance(a, Field)}

    @property
    def inputs(self) -> dict[str, Input]:
        return {a.name: a for a in self.args if isinstance(a, Input)}

    def blockly(self) -> dict:
        """The Blockly JSON block definition (``Blockly.defineBlocksWithJsonArray``)."""
        definition = {"type": self.type, "message0": self.message, "args0": [a.blockly() for a in self.args],
                      "colour": CATEGORIES[self.category], "tooltip": self.tooltip, "inputsInline": True}
        if self.output is not None:
            definition["output"] = BLOCKLY_CHECK[self.output]
        if self.statement:
            definition["previousStatement"] = definition["nextStatement"] = None
        if any(isinstance(a, Input) and a.kind == "statement" for a in self.args):
            definition["inputsInline"] = False
        return definition

    def as_dict(self) -> dict:
        return {"type": self.type, "category": self.category, "output": self.output, "statement": self.statement,
                "fields": [{"name": f.name, "kind": f.kind, "default": f.default,
                            **({"options": [v for _, v in f.options]} if f.options else {}),
                            **({"min": f.minimum, "max": f.maximum, "integer": f.integer}
                               if f.kind == "number" else {})} for f in self.fields.values()],
                "inputs": [{"name": i.name, "kind": i.kind, "required": i.required} for i in self.inputs.values()],
                "blockly": self.blockly()}


#: Toolbox categories in order, with their Blockly hue.
CATEGORIES: Mapping[str, int] = MappingProxyType({
    "Events": 45, "Market": 200, "Indicators": 260, "Math": 230, "Logic": 210, "Scanner": 20,
    "Position": 160, "Account": 140, "Actions": 0, "Variables": 330, "Output": 65,
})  # fmt: skip


def _dropdown(name: str, *options: str | tuple[str, str]) -> Field:
    pairs = tuple(o if isinstance(o, tuple) else (o, o) for o in options)
    return Field(name, "dropdown", pairs[0][1], pairs)


def _number(name: str, default: float, minimum: float = -MAX_NUMBER, maximum: float = MAX_NUMBER,
            integer: bool = False) -> Field:
    return Field(name, "number", default, minimum=minimum, maximum=maximum, integer=integer)


DIRECTIONS = ("LONG", "SHORT")
_WHERE = (_number("BACK", 0, 0, MAX_BACK, integer=True),
          _dropdown("TIMEFRAME", *((o, o) for o in TIMEFRAME_OPTIONS)),
          Field("SYMBOL", "text", "", max_length=20, pattern=SYMBOL_PATTERN))
_WHERE_TEXT = "%s candles back, timeframe %s, symbol %s"


def _indicator_block(indicator: Indicator) -> Block:
    args: list[Field | Input] = []
    parts = [indicator.label]
    if len(indicator.outputs) > 1:
        args.append(_dropdown("OUTPUT", *((indicator.output_labels.get(o, o), o) for o in indicator.outputs)))
        parts.append("%s")
    if indicator.inputs == ("source",):
        args.append(_dropdown("SOURCE", "close", *(s for s in SOURCES if s != "close")))
        parts.append("of %s")
    for p in indicator.params:
        args.append(_number(p.name.upper(), p.default, p.minimum, p.maximum, integer=p.type == "int"))
        parts.append(f"{p.label.lower()} %s")
    args.extend(_WHERE)
    parts.append(_WHERE_TEXT)
    message = " ".join(parts)
    for i in range(len(args)):
        message = message.replace("%s", f"%{i + 1}", 1)
    return Block(f"indicator_{indicator.name}", "Indicators", message, tuple(args),
                 f"{indicator.description} Not enough candles yet: no value (comparisons are false).", output=SERIES)


_A, _B = Input("A", NUMBER), Input("B", NUMBER)

_BLOCKS: tuple[Block, ...] = (
    Block("on_candle_close", "Events", "on candle close %1", (Input("DO", "statement", required=False),),
          "Runs its blocks once per closed candle of the run's timeframe, for each of the run's symbols."),
    Block("candle", "Market", "%1 %2 candles back, timeframe %3, symbol %4",
          (_dropdown("FIELD", "close", "open", "high", "low", "volume"), *_WHERE),
          "A value of a closed candle: 0 candles back is the candle that just closed.", output=SERIES),
    *(_indicator_block(i) for i in REGISTRY.values()),
    Block("number", "Math", "%1", (_number("NUM", 0),), "A number.", output=NUMBER),
    Block("arithmetic", "Math", "%1 %2 %3",
          (_A, _dropdown("OP", ("+", "add"), ("-", "sub"), ("×", "mul"), ("÷", "div"), ("min", "min"),
                         ("max", "max")), _B),
          "Arithmetic. Division by zero gives no value (comparisons with it are false).", output=NUMBER),
    Block("math_unary", "Math", "%1 %2", (_dropdown("OP", ("abs", "abs"), ("-", "neg"), ("round", "round")),
                                           Input("X", NUMBER)), "Absolute value, negation or rounding.", output=NUMBER),
    Block("choose", "Math", "if %1 then %2 else %3", (Input("COND", BOOLEAN), _A, _B),
          "A when the condition holds, else B.", output=NUMBER),
    Block("compare", "Logic", "%1 %2 %3",
          (_A, _dropdown("OP", (">", "gt"), ("≥", "gte"), ("<", "lt"), ("≤", "lte"), ("=", "eq"), ("≠", "neq")), _B),
          "Compares two numbers; false when either has no value.", output=BOOLEAN),
    Block("cross", "Logic", "%1 crosses %2 %3", (_A, _dropdown("DIRECTION", "above", "below"), _B),
          "Above: A was at or below B on the previous candle and is above it now (below: the mirror).",
          output=BOOLEAN),
    Block("logic_binary", "Logic", "%1 %2 %3",
          (Input("A", BOOLEAN), _dropdown("OP", "and", "or"), Input("B", BOOLEAN)), "Both / either.", output=BOOLEAN),
    Block("logic_not", "Logic", "not %1", (Input("X", BOOLEAN),), "True when the condition is false.",
          output=BOOLEAN),
    Block("boolean", "Logic", "%1", (_dropdown("BOOL", "true", "false"),), "True or false.", output=BOOLEAN),
    Block("signal_active", "Scanner", "active %1 scanner signal, %2 at least %3, timeframe %4",
          (_dropdown("DIRECTION", "LONG", "SHORT", ("either", "ANY")),
           _dropdown("METRIC", ("confidence", "confidence"), ("probability %", "probability")),
           _number("MIN", 70, 0, 100), _dropdown("TIMEFRAME", *((o, o) for o in TIMEFRAME_OPTIONS))),
          "True while the scanner has an active signal on this symbol with that direction and score.",
          output=BOOLEAN),
    Block("position_has", "Position", "has %1 position",
          (_dropdown("DIRECTION", "LONG", "SHORT", ("any", "ANY")),), "True when a position is open on this symbol.",
          output=BOOLEAN),
    Block("position_value", "Position", "position %1",
          (_dropdown("FIELD", ("size", "size"), ("entry price", "entry_price"),
                     ("unrealised PnL %", "unrealised_pnl_pct")),),
          "The open position on this symbol (no value without one).", output=NUMBER),
    Block("balance_available", "Account", "available balance", (), "The account's available balance (USDT).",
          output=NUMBER),
    Block("open_position", "Actions",
          "open %1 %2 size %3 %4 limit price %5 leverage %6 stop-loss %7 %8 take-profit %9 %10",
          (_dropdown("DIRECTION", *DIRECTIONS), _dropdown("ORDER_TYPE", ("market", "MARKET"), ("limit", "LIMIT")),
           Input("SIZE", NUMBER), _dropdown("SIZE_MODE", ("quantity", "quantity"), ("% of balance", "percent_balance"),
                                            ("% risk to the stop", "risk_percent")),
           Input("PRICE", NUMBER, required=False), _number("LEVERAGE", 1, 1, 125, integer=True),
           _dropdown("SL_MODE", ("none", "none"), ("× ATR", "atr"), ("%", "percent")), _number("SL", 1.5, 0, 1000),
           _dropdown("TP_MODE", ("none", "none"), ("× ATR", "atr"), ("%", "percent")), _number("TP", 2.5, 0, 1000)),
          "Opens a position. Limit orders need a price. Risk sizing needs a stop-loss: the quantity loses that "
          "% of the balance at the stop.", statement=True),
    Block("close_position", "Actions", "close %1 position",
          (_dropdown("DIRECTION", "LONG", "SHORT", ("any", "ANY")),), "Closes the position at market.", statement=True),
    Block("cancel_orders", "Actions", "cancel open orders", (), "Cancels this symbol's open orders.", statement=True),
    Block("if_then", "Logic", "if %1 then %2", (Input("COND", BOOLEAN), Input("DO", "statement", required=False)),
          "Runs the blocks inside when the condition holds.", statement=True),
    Block("if_else", "Logic", "if %1 then %2 else %3",
          (Input("COND", BOOLEAN), Input("DO", "statement", required=False),
           Input("ELSE", "statement", required=False)), "One branch or the other.", statement=True),
    Block("variables_get", "Variables", "%1", (Field("VAR", "variable"),),
          "A variable's value (kept from candle to candle; no value until set).", output=NUMBER),
    Block("variables_set", "Variables", "set %1 to %2", (Field("VAR", "variable"), Input("VALUE", NUMBER)),
          "Stores a number; it is kept for the next candles.", statement=True),
    Block("notify", "Output", "notify %1 %2", (Field("MESSAGE", "text", "signal"), Input("VALUE", NUMBER, False)),
          "Sends a notification to the owner.", statement=True),
    Block("log", "Output", "log %1 %2", (Field("MESSAGE", "text", "note"), Input("VALUE", NUMBER, False)),
          "Writes a line to the strategy's log.", statement=True),
)

#: Block type -> `Block`, in toolbox order.
BLOCKS: Mapping[str, Block] = MappingProxyType({b.type: b for b in _BLOCKS})
assert len(BLOCKS) == len(_BLOCKS), "block types must be unique"


def toolbox() -> dict:
    """Blockly's category toolbox JSON; Variables uses Blockly's dynamic variable category."""
    contents = []
    for category, colour in CATEGORIES.items():
        if category == "Variables":
            contents.append({"kind": "category", "name": category, "colour": colour, "custom": "VARIABLE"})
            continue
        blocks = [{"kind": "block", "type": b.type, **_shadows(b)} for b in _BLOCKS if b.category == category]
        contents.append({"kind": "category", "name": category, "colour": colour, "contents": blocks})
    return {"kind": "categoryToolbox", "contents": contents}


def _shadows(block: Block) -> dict:
    """Number sockets come out of the toolbox holding a number shadow block, as Blockly's own do."""
    inputs = {i.name: {"shadow": {"type": "number", "fields": {"NUM": 1 if i.name == "SIZE" else 0}}}
              for i in block.inputs.values() if i.kind == NUMBER and i.required}
    return {"inputs": inputs} if inputs else {}


def catalogue() -> dict:
    """Everything the client needs: block definitions, toolbox, indicators, timeframes."""
    from indicators.registry import catalogue as indicator_catalogue

    return {"version": 1, "categories": [{"name": n, "colour": c} for n, c in CATEGORIES.items()],
            "blocks": [b.as_dict() for b in _BLOCKS], "toolbox": toolbox(),
            "indicators": indicator_catalogue(), "timeframes": list(SIGNAL_TIMEFRAMES)}
