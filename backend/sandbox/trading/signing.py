"""Request authentication exactly as Binance USD-M documents it (private_rest_api.md, "SIGNED").

* The key travels in the `X-MBX-APIKEY` header. A missing or malformed key is -2014, a key we never
  issued is -2015.
* SIGNED endpoints (TRADE, USER_DATA) carry `signature` = hex HMAC-SHA256(secret, totalParams), where
  totalParams is the raw query string concatenated with the raw body, *without* a separator and
  without the `signature` parameter itself (the docs' example 3 shows "...timeInForce=GTCquantity=1...").
  The signature is compared case-insensitively. A mismatch is -1022.
* `timestamp` is mandatory; `recvWindow` defaults to 5000 ms (at most 60000). The request is
  accepted when `timestamp < serverTime + 1000 and serverTime - timestamp <= recvWindow`,
  otherwise -1021 (see `check_timing` for the sandbox's two clocks).
* USER_STREAM endpoints (listenKey) need only a valid key.

The raw strings are used as received: re-encoding decoded values would change what was signed.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from ..keys import ApiKey, KeyStore, is_well_formed
from . import errors
from .params import Params, merge_sources, parse_form

DEFAULT_RECV_WINDOW = 5000
MAX_RECV_WINDOW = 60000
AHEAD_TOLERANCE_MS = 1000


@dataclass(frozen=True)
class SignedRequest:
    key: ApiKey
    params: Params


def split_signature(raw: str) -> tuple[str, str | None]:
    """Return `raw` without its `signature=` field, and the signature (None if absent)."""
    if not raw:
        return raw, None
    kept, signature = [], None
    for part in raw.split("&"):
        if part.startswith("signature="):
            if signature is not None:
                raise errors.duplicate_param("signature")
            signature = part[len("signature="):]
        else:
            kept.append(part)
    return "&".join(kept), signature


def sign(secret: str, total_params: str) -> str:
    return hmac.new(secret.encode(), total_params.encode(), hashlib.sha256).hexdigest()


def authenticate_key(store: KeyStore, header_value: str | None) -> ApiKey:
    if not header_value or not is_well_formed(header_value):
        raise errors.api_key_format()
    key = store.get(header_value)
    if key is None:
        raise errors.api_key_rejected()
    return key


def check_timing(params: Params, clocks: tuple[int, ...]) -> None:
    """-1021 unless `timestamp` is valid against at least one of the server's clocks.

    The sandbox has two honest answers to "what time is it": its replay clock (what
    GET /fapi/v1/time returns, so clients that sync to the server pass) and the wall clock (what a
    client that does not sync sends, as it would to Binance). Either passes; the message is the
    one for the clock the timestamp is closest to.
    """
    timestamp = params.long("timestamp", required=True)
    recv_window = params.long("recvWindow")
    if recv_window is None:
        recv_window = DEFAULT_RECV_WINDOW
    elif recv_window > MAX_RECV_WINDOW or recv_window <= 0:
        raise errors.invalid_value("recvWindow")
    for server_ms in clocks:
        if timestamp < server_ms + AHEAD_TOLERANCE_MS and server_ms - timestamp <= recv_window:
            return
    nearest = min(clocks, key=lambda c: abs(c - timestamp))
    if timestamp >= nearest + AHEAD_TOLERANCE_MS:
        raise errors.timestamp_ahead()
    raise errors.timestamp_outside_window()


def verify_signed(store: KeyStore, *, api_key: str | None, raw_query: str, raw_body: str,
                  clocks: tuple[int, ...]) -> SignedRequest:
    """Authenticate a SIGNED request; returns the key and the merged, typed parameters."""
    key = authenticate_key(store, api_key)
    query_unsigned, query_sig = split_signature(raw_query)
    body_unsigned, body_sig = split_signature(raw_body)
    params = Params(merge_sources(parse_form(raw_query), parse_form(raw_body)))
    check_timing(params, clocks)
    signature = query_sig if query_sig is not None else body_sig
    if not signature:
        raise errors.mandatory_missing("signature")
    expected = sign(key.secret, query_unsigned + body_unsigned)
    if not hmac.compare_digest(expected, signature.lower()):
        raise errors.bad_signature()
    return SignedRequest(key=key, params=params)


def verify_key_only(store: KeyStore, *, api_key: str | None, raw_query: str, raw_body: str) -> SignedRequest:
    """Authenticate a USER_STREAM request (API key only, no signature)."""
    key = authenticate_key(store, api_key)
    params = Params(merge_sources(parse_form(raw_query), parse_form(raw_body)))
    return SignedRequest(key=key, params=params)
