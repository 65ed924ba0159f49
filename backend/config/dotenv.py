"""The `.env` reader: parsed as data, never run as shell.

One parser for both readers of `.env`: `config/env.py` (Django, Celery, every manage.py
command) and `scripts/run.sh`, which runs this file as a script to get `export` lines quoted
with `shlex.quote`. Sourcing the file instead would run whatever `$(...)` or backticks it holds.

Rules (python-dotenv's, without variable expansion):
- blank lines and lines starting with `#` are skipped, as are lines that are not `KEY=VALUE`;
- an optional `export ` before the key is ignored;
- `'single quoted'` values are taken literally; `"double quoted"` ones understand `\\"`, `\\\\`,
  `\\n` and `\\t`; text after the closing quote may only be a `# comment`;
- unquoted values end at ` #` (a comment) and lose surrounding spaces;
- `$VAR`, `${VAR}`, `$(command)` and backticks are plain characters: nothing is expanded or run.

This file imports nothing from the project so that run.sh can run it with any Python.
"""
from __future__ import annotations

import re
import shlex
import sys

_KEY = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "$": "$"}


class DotenvError(ValueError):
    """A line of the file cannot be read (an unterminated quote, text after a closing quote)."""


def _double_quoted(rest: str, lineno: int, key: str) -> tuple[str, str]:
    out, i = [], 0
    while i < len(rest):
        char = rest[i]
        if char == "\\" and i + 1 < len(rest):
            nxt = rest[i + 1]
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        if char == '"':
            return "".join(out), rest[i + 1:]
        out.append(char)
        i += 1
    raise DotenvError(f"line {lineno}: the value of {key} opens a double quote that is never closed")


def _value(raw: str, lineno: int, key: str) -> str:
    if raw.startswith("'"):
        end = raw.find("'", 1)
        if end < 0:
            raise DotenvError(f"line {lineno}: the value of {key} opens a single quote that is never closed")
        value, after = raw[1:end], raw[end + 1:]
    elif raw.startswith('"'):
        value, after = _double_quoted(raw[1:], lineno, key)
    else:
        # A `#` starts a comment only after whitespace, so `pass#word` keeps its `#`.
        match = re.search(r"\s#", raw)
        return (raw[: match.start()] if match else raw).strip()
    after = after.strip()
    if after and not after.startswith("#"):
        raise DotenvError(f"line {lineno}: unexpected text after the quoted value of {key}: {after!r}")
    return value


def dotenv_parse(text: str) -> dict[str, str]:
    """KEY -> VALUE of every assignment in `text`, the last one winning."""
    values: dict[str, str] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _KEY.match(stripped)
        if match is None:
            continue
        key, raw = match.groups()
        values[key] = _value(raw, lineno, key)
    return values


def dotenv_exports(text: str, environ: dict[str, str]) -> str:
    """Shell `export` lines for the keys of `text` not already in `environ`, safely quoted."""
    return "".join(
        f"export {key}={shlex.quote(value)}\n"
        for key, value in dotenv_parse(text).items()
        if key not in environ
    )


if __name__ == "__main__":
    import os

    if len(sys.argv) != 2:
        sys.exit("usage: dotenv.py PATH  (prints export lines for run.sh to eval)")
    try:
        with open(sys.argv[1], encoding="utf-8") as handle:
            sys.stdout.write(dotenv_exports(handle.read(), dict(os.environ)))
    except DotenvError as exc:
        sys.exit(f"{sys.argv[1]}: {exc}")
