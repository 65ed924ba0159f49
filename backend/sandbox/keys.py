"""Sandbox API keys: created by a command, stored in one JSON file, looked up by the signing check.

    python -m sandbox keys create [--label X]   prints a new key and its secret (the only time the
                                                 secret is shown)
    python -m sandbox keys list                  prints keys and labels, never secrets
    python -m sandbox keys delete <API_KEY>

Keys look like Binance's: 64 letters and digits for both the key and the secret. The secret is kept
as given (this is a sandbox with paper money) in a file readable by its owner only, and never logged.
A running server re-reads the file when it changes, so keys made by the command work at once.
Each key is its own sandbox account (balance, positions, orders), so two users never share data.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import string
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .config import DEFAULT_KEYS_FILE, from_env

_ALPHABET = string.ascii_letters + string.digits
KEY_LENGTH = 64


@dataclass(frozen=True)
class ApiKey:
    api_key: str
    secret: str
    label: str
    created_ms: int
    # What GET /sapi/v1/account/apiRestrictions reports. Like a key freshly made on Binance: no IP
    # restriction, no withdrawals. Tests make the other kinds to see how clients treat them.
    ip_restrict: bool = False
    enable_withdrawals: bool = False

    def __repr__(self) -> str:  # keeps the secret out of logs and tracebacks
        return f"ApiKey(api_key={self.api_key!r}, label={self.label!r})"


def _random_token() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(KEY_LENGTH))


def is_well_formed(api_key: str) -> bool:
    """Binance answers -2014 (format) before -2015 (unknown) for keys that cannot be keys at all."""
    return len(api_key) == KEY_LENGTH and all(c in _ALPHABET for c in api_key)


class KeyStore:
    """The keys file. Reads are cached and refreshed when the file's mtime changes."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._cache: dict[str, ApiKey] = {}
        self._stamp: tuple[int, int] | None = None

    # -- reading -----------------------------------------------------------------------------

    def _load(self) -> dict[str, ApiKey]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._cache, self._stamp = {}, None
            return self._cache
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            data = json.loads(self.path.read_text() or "{}")
            self._cache = {row["api_key"]: ApiKey(**row) for row in data.get("keys", [])}
            self._stamp = stamp
        return self._cache

    def get(self, api_key: str) -> ApiKey | None:
        return self._load().get(api_key)

    def all(self) -> list[ApiKey]:
        return sorted(self._load().values(), key=lambda k: k.created_ms)

    # -- writing -----------------------------------------------------------------------------

    def _save(self, keys: dict[str, ApiKey]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        rows = [k.__dict__ for k in sorted(keys.values(), key=lambda k: k.created_ms)]
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".keys-")
        try:
            with os.fdopen(fd, "w") as fh:
                json.dump({"keys": rows}, fh, indent=1)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._stamp = None  # force a re-read next time

    def create(self, *, label: str = "", api_key: str | None = None, secret: str | None = None,
               ip_restrict: bool = False, enable_withdrawals: bool = False) -> ApiKey:
        """Make and store a key. Tests may pass their own key/secret (Binance's documented example)."""
        keys = dict(self._load())
        key = ApiKey(
            api_key=api_key or _random_token(),
            secret=secret or _random_token(),
            label=label,
            created_ms=time.time_ns() // 1_000_000,
            ip_restrict=ip_restrict,
            enable_withdrawals=enable_withdrawals,
        )
        if key.api_key in keys:
            raise ValueError("API key already exists")
        keys[key.api_key] = key
        self._save(keys)
        return key

    def delete(self, api_key: str) -> bool:
        keys = dict(self._load())
        if keys.pop(api_key, None) is None:
            return False
        self._save(keys)
        return True


def keys_file_from_config(config) -> Path:
    """The keys file named by the sandbox config (`keys_file`, env SANDBOX_KEYS_FILE)."""
    value = getattr(config, "keys_file", None)
    return Path(value) if value else DEFAULT_KEYS_FILE


def _default_path() -> Path:
    return keys_file_from_config(from_env())  # the same defaults and env vars as the server


def main(argv: list[str] | None = None, *, out=None) -> int:
    """Entry point of `python -m sandbox keys ...`; returns the process exit code."""
    out = out or sys.stdout
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "keys":
        argv = argv[1:]
    parser = argparse.ArgumentParser(prog="python -m sandbox keys", description="Sandbox API keys")
    parser.add_argument("--keys-file", help="keys file (default: SANDBOX_KEYS_FILE or the config default)")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="create a key and print it with its secret, once")
    create.add_argument("--label", default="")
    sub.add_parser("list", help="list keys (never secrets)")
    delete = sub.add_parser("delete", help="delete a key")
    delete.add_argument("api_key")
    args = parser.parse_args(argv)

    store = KeyStore(args.keys_file or _default_path())
    if args.command == "create":
        key = store.create(label=args.label)
        print(f"API key:    {key.api_key}", file=out)
        print(f"Secret key: {key.secret}", file=out)
        print("The secret is shown only now; store it safely.", file=out)
        return 0
    if args.command == "list":
        for key in store.all():
            created = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(key.created_ms / 1000))
            print(f"{key.api_key}  {created} UTC  {key.label}", file=out)
        return 0
    if store.delete(args.api_key):
        print(f"deleted {args.api_key}", file=out)
        return 0
    print(f"no such key: {args.api_key}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
