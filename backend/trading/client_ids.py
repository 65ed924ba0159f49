"""Client order ids: every order the platform sends carries who sent it.

    bs<tag>-<random>      e.g. "bsm-k3f9z2q8x0c7v1b5n4m6" (manual), "bss12-..." (strategy run 12)

The id is made and stored before the request leaves (the lookup key after a lost answer), stays
inside Binance's alphabet and length (`^[\\.A-Z\\:/a-z0-9_-]{1,36}$`, error -4015), and its tag
attributes every fill to a strategy run, a manual order or the kill switch. Ids the platform did not
make read as the external tag "x".
"""
from __future__ import annotations

import re
import secrets

PREFIX = "bs"
EXTERNAL_TAG = "x"
MAX_LENGTH = 36
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_TAG = re.compile(r"^(m|k|s[0-9]{1,9})$")
_ID = re.compile(r"^bs(m|k|s[0-9]{1,9})-[0-9a-z]{16,}$")
BINANCE_ID = re.compile(r"^[\.A-Z\:/a-z0-9_-]{1,36}$")


def client_order_id_new(tag: str) -> str:
    if not _TAG.match(tag):
        raise ValueError(f"bad order tag {tag!r}: m, k or s<run id>")
    head = f"{PREFIX}{tag}-"
    random_part = "".join(secrets.choice(_ALPHABET) for _ in range(MAX_LENGTH - len(head)))
    return head + random_part


def tag_of(client_order_id: str) -> str:
    match = _ID.match(client_order_id or "")
    return match.group(1) if match else EXTERNAL_TAG


def strategy_run_of(tag: str) -> int | None:
    return int(tag[1:]) if tag.startswith("s") and tag[1:].isdigit() else None
