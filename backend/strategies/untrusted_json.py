"""Parse untrusted JSON (a workspace from a request) without letting it hurt the parser.

The size is checked before anything else; the nesting is measured by a flat scan before the
(recursive) `json` parser sees the text, so 10,000 nested brackets are an error naming the last block
id seen, not a RecursionError; NaN/Infinity literals and prototype-style keys are refused.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable

from .errors import CompileError, CompileFailed

FORBIDDEN_KEYS = frozenset({"__proto__", "constructor", "prototype"})


def load_json(raw: bytes | str, *, max_bytes: int, max_nesting: int):
    """Parse untrusted JSON text with the checks described in the module docstring."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if len(raw) > max_bytes:
        raise CompileFailed([CompileError(None, f"the workspace is {len(raw):,} bytes; at most "
                                                f"{max_bytes:,} are accepted")])
    text = raw.decode("utf-8", "replace")
    _check_nesting(text, max_nesting)

    def pairs(items):
        for key, _ in items:
            if key in FORBIDDEN_KEYS:
                raise CompileFailed([CompileError(None, f"the key {key!r} is not allowed")])
        return dict(items)

    def constant(name):
        raise CompileFailed([CompileError(None, f"{name} is not a number this language accepts")])

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except (ValueError, RecursionError) as exc:
        raise CompileFailed([CompileError(None, f"the workspace is not valid JSON: {exc}")]) from None


def _check_nesting(text: str, limit: int) -> None:
    """Refuse JSON nested deeper than ``limit`` before the (recursive) parser sees it, naming the
    last block id seen at that point."""
    depth, in_string, escaped = 0, False, False
    for position, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                ids = re.findall(r'"id"\s*:\s*"([^"\\]{1,64})"', text[max(0, position - 4000):position])
                raise CompileFailed([CompileError(ids[-1] if ids else None, "blocks are nested too deeply "
                                                  f"(more than {limit} JSON levels)")])
        elif char in "]}":
            depth -= 1


def storable_problems(data, max_nesting: int, block_id_of: Callable[[dict], str | None]):
    """What stops parsed ``data`` from being stored as JSON: ``(too_deep, flagged)``.

    ``too_deep`` is the id of the innermost block around the first place nested deeper than
    ``max_nesting`` (the stored workspace goes through recursive encoders), else None; ``flagged``
    maps block ids to a problem with a value inside them: a number that is not finite (JSON has no
    NaN) or a text with a NUL or a lone surrogate (PostgreSQL's jsonb takes neither).  Walked without
    recursion; ``block_id_of`` says which objects are blocks.
    """
    stack, flagged = [(data, None, 1)], {}
    while stack:
        item, block_id, depth = stack.pop()
        if isinstance(item, (dict, list)) and depth > max_nesting:
            return block_id, flagged
        if isinstance(item, dict):
            block_id = block_id_of(item) or block_id
            stack.extend((k, block_id, depth) for k in item)
            stack.extend((v, block_id, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, block_id, depth + 1) for v in item)
        elif isinstance(item, float) and not math.isfinite(item):
            flagged.setdefault(block_id, "a number is not finite (NaN or infinity)")
        elif isinstance(item, str) and ("\x00" in item or not _utf8(item)):
            flagged.setdefault(block_id, "a text holds a NUL or an invalid character")
    return None, flagged


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from "\\ud800" in the JSON
        return False
    return True
