"""Blockly workspace JSON -> the typed IR of `ir.py`, or a list of `CompileError`s naming blocks.

`compile_workspace(workspace)` takes Blockly's serialization (``{"blocks": {"languageVersion": 0,
"blocks": [...]}, "variables": [...]}``) as raw JSON text/bytes or as already-parsed data, checks
every block against the catalogue (`blocks.BLOCKS`: known type, known fields with valid values,
required inputs present, value types that fit) and returns the IR.  It raises `CompileFailed` with
every error it found, each ``{block_id, message}`` (block_id None for workspace-wide problems).

Hostile input is refused, never executed: nothing here calls eval/exec/pickle/import on user data;
raw JSON is size-checked before parsing, its nesting is checked by a scan before the recursive
parser sees it, NaN/Infinity literals and ``__proto__``/``constructor``/``prototype`` keys are
refused; `Limits` bounds blocks, nesting, numbers, variables, symbols and timeframes.  Limit errors
stop the compile at once (there is no point listing 10,000 errors); the others are collected.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from indicators import IndicatorInputError
from indicators.registry import REGISTRY

from . import ir
from .blocks import BLOCKS, BOOLEAN, NUMBER, SERIES, Block
from .compile_blocks import expression, statement
from .errors import CompileError, CompileFailed
from .untrusted_json import FORBIDDEN_KEYS, load_json, storable_problems

BLOCK_KEYS = frozenset({"type", "id", "x", "y", "fields", "inputs", "next", "extraState", "collapsed", "deletable",
                        "movable", "editable", "enabled", "disabled", "disabledReasons", "inline", "data", "icons"})
ID_PATTERN = re.compile(r"^[^\x00-\x1f]{1,64}$")


@dataclass(frozen=True)
class Limits:
    max_blocks: int = 2000
    max_depth: int = 64  # value/statement inputs inside each other (a chain of statements is not depth)
    max_json_bytes: int = 512 * 1024
    max_json_nesting: int = 600  # JSON levels (Blockly nests each `next` two deeper): ~290 stacked statements;
    # the stored workspace goes through recursive JSON encoders, which need the rest of the 1,000 frames
    max_symbols: int = 5  # symbols besides the run's own
    max_timeframes: int = 4
    max_variables: int = 100


LIMITS = Limits()


class _Stop(Exception):
    """A limit was hit: stop compiling."""


def compile_workspace(workspace, limits: Limits = LIMITS) -> dict:
    """The IR of a workspace (raw JSON or parsed); `CompileFailed` lists what is wrong."""
    if isinstance(workspace, (bytes, str)):
        workspace = load_json(workspace, max_bytes=limits.max_json_bytes, max_nesting=limits.max_json_nesting)
    return _Compiler(limits).program(workspace)


class _Compiler:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.errors: list[CompileError] = []
        self.count = 0
        self.symbols: set[str] = set()
        self.timeframes: set[str] = set()
        self.variables: dict[str, str] = {}
        self.max_back = 0

    def error(self, block_id, message: str) -> None:
        """Record an error; a block gets one (its first), which is what the editor marks on it."""
        if block_id is None or all(e.block_id != block_id for e in self.errors):
            self.errors.append(CompileError(block_id, message))

    def stop(self, block_id, message: str):
        self.error(block_id, message)
        raise _Stop

    def program(self, workspace) -> dict:
        try:
            body = self._program(workspace)
        except _Stop:
            body = None
        if self.errors:
            raise CompileFailed(self.errors)
        return {"ir_version": ir.IR_VERSION, "on_candle_close": body, "variables": self.variables,
                "symbols": sorted(self.symbols), "timeframes": sorted(self.timeframes), "max_back": self.max_back}

    def _program(self, workspace) -> list:
        if not isinstance(workspace, dict) or not isinstance(workspace.get("blocks", {}), dict):
            self.stop(None, 'expected a Blockly workspace: {"blocks": {"languageVersion": 0, "blocks": [...]}}')
        self._storable(workspace)
        self._variables(workspace.get("variables", []))
        top = workspace.get("blocks", {}).get("blocks", [])
        if not isinstance(top, list):
            self.stop(None, "blocks.blocks must be a list")
        hats = []
        for block in top:
            if isinstance(block, dict) and block.get("type") == "on_candle_close":
                hats.append(block)
            else:
                self.count_block(block)
                self.error(_id(block), "this block is not inside the 'on candle close' block")
        if len(hats) != 1:
            self.stop(_id(hats[1]) if hats else None,
                      "a strategy has exactly one 'on candle close' block" + ("" if hats else "; add one"))
        hat = hats[0]
        self.block_of(hat)
        return [] if _disabled(hat) else self.statements(hat, "DO", 1)

    def _storable(self, workspace) -> None:
        too_deep, flagged = storable_problems(workspace, self.limits.max_json_nesting, _block_id_of)
        for block_id, message in flagged.items():
            self.error(block_id, message)
        if too_deep is not None:
            self.stop(too_deep, f"blocks are nested too deeply (more than {self.limits.max_json_nesting} JSON levels)")

    def _variables(self, variables) -> None:
        if not isinstance(variables, list) or len(variables) > self.limits.max_variables:
            self.stop(None, f"variables must be a list of at most {self.limits.max_variables}")
        for v in variables:
            if not (isinstance(v, dict) and _valid_id(v.get("id")) and isinstance(v.get("name"), str)
                    and 0 < len(v["name"]) <= 64):
                self.stop(None, "each variable needs an id and a name of at most 64 characters")
            self.variables[v["id"]] = v["name"]

    def count_block(self, block) -> None:
        self.count += 1
        if self.count > self.limits.max_blocks:
            self.stop(_id(block), f"more than {self.limits.max_blocks} blocks")

    def block_of(self, block) -> Block:
        """Check the block's own shape; return its catalogue entry (or stop)."""
        self.count_block(block)
        if not isinstance(block, dict):
            self.stop(None, "a block must be an object")
        if not _valid_id(block.get("id")):
            self.stop(None, "every block needs a string id of 1-64 characters")
        unknown = set(block) - BLOCK_KEYS
        if unknown:
            self.stop(block["id"], f"unknown key {sorted(unknown)[0]!r} on a block")
        spec = BLOCKS.get(block.get("type")) if isinstance(block.get("type"), str) else None
        if spec is None:
            self.stop(block["id"], f"unknown block type {str(block.get('type'))[:64]!r}")
        for key, allowed in (("fields", spec.fields), ("inputs", spec.inputs)):
            given = block.get(key, {})
            if not isinstance(given, dict):
                self.stop(block["id"], f"{key} must be an object")
            for name in given:
                if name not in allowed:
                    self.stop(block["id"], f"{spec.type} has no {key[:-1]} {name[:64]!r}")
        return spec

    def child(self, block: dict, name: str):
        """The block plugged into input ``name`` (a real block wins over its shadow), or None."""
        slot = block.get("inputs", {}).get(name)
        if slot is None:
            return None
        if not isinstance(slot, dict) or not set(slot) <= {"block", "shadow"}:
            self.stop(block["id"], f"input {name} must be {{'block': ...}} or {{'shadow': ...}}")
        return slot.get("block") or slot.get("shadow")

    def statements(self, block: dict, name: str, depth: int) -> list:
        out, current = [], self.child(block, name)
        if depth > self.limits.max_depth:
            self.stop(block["id"], f"blocks are nested more than {self.limits.max_depth} deep")
        while current is not None:
            spec = self.block_of(current)
            if _disabled(current):
                pass  # switched off in the editor: it and the blocks inside it do not run
            elif not spec.statement:
                self.error(current["id"], f"'{spec.type}' is a value block; it cannot stand in a stack of actions")
            else:
                node = statement(self, current, spec, depth)
                if node is not None:
                    out.append(node)
            following = current.get("next")
            if following is not None and (not isinstance(following, dict) or set(following) - {"block"}):
                self.stop(current["id"], "next must be {'block': ...}")
            current = following.get("block") if following else None
        return out

    def value(self, block: dict, name: str, kind: str, depth: int):
        """The compiled expression in input ``name`` accepting ``kind`` ("number"/"boolean"), as
        ``(node, type)``; None (with an error) when it is missing or of the wrong type."""
        child = self.child(block, name)
        spec = BLOCKS[block["type"]]
        if isinstance(child, dict) and _disabled(child):
            child = None  # a switched-off value block leaves its socket empty
        if child is None:
            if spec.inputs[name].required:
                self.error(block["id"], f"the '{name}' input is empty")
            return None
        if depth > self.limits.max_depth:
            self.stop(child.get("id") if isinstance(child, dict) else block["id"],
                      f"blocks are nested more than {self.limits.max_depth} deep")
        child_spec = self.block_of(child)
        if child_spec.output is None:
            self.error(child["id"], f"'{child_spec.type}' is an action; the '{name}' input of "
                                    f"'{spec.type}' needs a {kind}")
            return None
        compiled = expression(self, child, child_spec, depth)
        if compiled is None:
            return None
        node, type_ = compiled
        if (kind == BOOLEAN) != (type_ == BOOLEAN):
            self.error(child["id"], f"'{child_spec.type}' gives a {type_}; the '{name}' input of "
                                    f"'{spec.type}' needs a {kind}")
            return None
        return node, type_

    def field(self, block: dict, name: str):
        """A field's value checked against the catalogue (None with an error when invalid)."""
        spec = BLOCKS[block["type"]].fields[name]
        value = block.get("fields", {}).get(name, spec.default)
        bid = block["id"]
        if spec.kind == "dropdown":
            if value not in {v for _, v in spec.options}:
                return self.error(bid, f"{name} must be one of {[v for _, v in spec.options]}")
        elif spec.kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                return self.error(bid, f"{name} must be a finite number")
            if not spec.minimum <= value <= spec.maximum:
                return self.error(bid, f"{name} must be between {spec.minimum:g} and {spec.maximum:g}")
            if spec.integer and value != int(value):
                return self.error(bid, f"{name} must be a whole number")
            value = int(value) if spec.integer else float(value)
        elif spec.kind == "text":
            if not isinstance(value, str) or len(value) > spec.max_length or not value.isprintable():
                return self.error(bid, f"{name} must be printable text of at most {spec.max_length} characters")
            if value and spec.pattern and not re.match(spec.pattern, value):
                return self.error(bid, f"{name} {value!r} is not a valid symbol (like BTCUSDT)")
        else:  # variable: Blockly serializes {"id": ...}
            vid = value.get("id") if isinstance(value, dict) else None
            if vid not in self.variables:
                return self.error(bid, "this block uses a variable the workspace does not declare")
            value = vid
        return value

    def timeframe_use(self, block: dict, tf: str) -> None:
        if tf != "run":
            self.timeframes.add(tf)
            if len(self.timeframes) > self.limits.max_timeframes:
                self.stop(block["id"], f"a strategy reads at most {self.limits.max_timeframes} timeframes")

    def where(self, block: dict) -> dict | None:
        """back / tf / symbol of a market-data or indicator block, counted against the limits."""
        back, tf, symbol = self.field(block, "BACK"), self.field(block, "TIMEFRAME"), self.field(block, "SYMBOL")
        if back is None or tf is None or symbol is None:
            return None
        self.max_back = max(self.max_back, back)
        self.timeframe_use(block, tf)
        if symbol:
            self.symbols.add(symbol)
            if len(self.symbols) > self.limits.max_symbols:
                self.stop(block["id"], f"a strategy reads at most {self.limits.max_symbols} other symbols")
        return {"back": back, "tf": None if tf == "run" else tf, "symbol": symbol or None}

    def indicator_params(self, block: dict, name: str) -> dict | None:
        indicator = REGISTRY[name]
        params = {p.name: self.field(block, p.name.upper()) for p in indicator.params}
        if any(v is None for v in params.values()):
            return None
        try:
            return indicator.check_params(params)
        except IndicatorInputError as exc:
            self.error(block["id"], str(exc))
            return None


def _id(block) -> str | None:
    return block.get("id") if isinstance(block, dict) and _valid_id(block.get("id")) else None


def _disabled(block: dict) -> bool:
    """Switched off in the editor: Blockly 11+ saves ``disabledReasons``, older versions ``enabled``."""
    return bool(block.get("disabledReasons")) or block.get("enabled") is False or block.get("disabled") is True


def _block_id_of(item: dict) -> str | None:
    return item["id"] if isinstance(item.get("type"), str) and _valid_id(item.get("id")) else None


def _valid_id(value) -> bool:
    return isinstance(value, str) and bool(ID_PATTERN.match(value)) and value not in FORBIDDEN_KEYS


__all__ = ["LIMITS", "CompileError", "CompileFailed", "Limits", "compile_workspace", "load_json",
           "NUMBER", "SERIES", "BOOLEAN"]
