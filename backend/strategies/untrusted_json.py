"""Parse untrusted JSON (a workspace from a request) without letting it hurt the parser.

The size is checked before anything else; the nesting is measured by a flat scan before the
(recursive) `json` parser sees the text, so 10,000 nested brackets are an error naming the last block
id seen, not a RecursionError; NaN/Infinity literals and prototype-style keys are refused.
"""

from __future__ import annotations

import json
import re

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
