"""Signing as Binance documents it (private_rest_api.md, "SIGNED Endpoint Examples")."""

from __future__ import annotations

import pytest

from sandbox.errors import BinanceError
from sandbox.keys import KeyStore
from sandbox.trading.signing import sign, split_signature, verify_key_only, verify_signed

# The docs' HMAC example key pair and request.
DOC_KEY = "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83"
DOC_SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
DOC_PARAMS = "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943"
DOC_TS = 1591702613943


@pytest.fixture
def store(tmp_path) -> KeyStore:
    store = KeyStore(tmp_path / "keys.json")
    store.create(label="docs", api_key=DOC_KEY, secret=DOC_SECRET)
    return store


def test_docs_example_signatures():
    assert sign(DOC_SECRET, DOC_PARAMS) == "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"
    # Example 3: query + body concatenated with no '&' between them. The docs' echoed string has a
    # stray space after "timestamp=", and their signature is of exactly that string.
    total = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC" + "quantity=1&price=9000&recvWindow=5000&timestamp= 1591702613943"
    assert sign(DOC_SECRET, total) == "f9d0ae5e813ef6ccf15c2b5a434047a0181cb5a342b903b367ca6d27a66e36f2"


def _verify(store, query="", body="", key=DOC_KEY, clocks=(DOC_TS + 100,)):
    return verify_signed(store, api_key=key, raw_query=query, raw_body=body, clocks=clocks)


@pytest.mark.parametrize("where", ["query", "body", "mixed"])
def test_good_signature_in_query_body_or_both(store, where):
    signature = sign(DOC_SECRET, DOC_PARAMS)
    if where == "query":
        auth = _verify(store, query=f"{DOC_PARAMS}&signature={signature}")
    elif where == "body":
        auth = _verify(store, body=f"{DOC_PARAMS}&signature={signature}")
    else:
        query = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
        body = "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943"
        auth = _verify(store, query=query, body=f"{body}&signature={sign(DOC_SECRET, query + body)}")
    assert auth.key.api_key == DOC_KEY
    assert auth.params.string("symbol") == "BTCUSDT"
    assert auth.params.decimal("price") == 9000


def test_signature_is_case_insensitive(store):
    _verify(store, query=f"{DOC_PARAMS}&signature={sign(DOC_SECRET, DOC_PARAMS).upper()}")


def _code(fn) -> int:
    with pytest.raises(BinanceError) as info:
        fn()
    return info.value.code


def test_bad_signature_is_1022(store):
    bad = sign("0" * 64, DOC_PARAMS)
    assert _code(lambda: _verify(store, query=f"{DOC_PARAMS}&signature={bad}")) == -1022
    # a tampered parameter breaks the signature too
    tampered = DOC_PARAMS.replace("price=9000", "price=9001")
    assert _code(lambda: _verify(store, query=f"{tampered}&signature={sign(DOC_SECRET, DOC_PARAMS)}")) == -1022


def test_missing_signature_and_timestamp_are_1102(store):
    assert _code(lambda: _verify(store, query=DOC_PARAMS)) == -1102
    no_ts = "symbol=BTCUSDT"
    assert _code(lambda: _verify(store, query=f"{no_ts}&signature={sign(DOC_SECRET, no_ts)}")) == -1102


@pytest.mark.parametrize("server_ms, message", [
    (DOC_TS + 5001, "outside of the recvWindow"),  # too old for recvWindow=5000
    (DOC_TS - 1000, "1000ms ahead"),               # timestamp >= serverTime + 1000
])
def test_timing_is_1021(store, server_ms, message):
    query = f"{DOC_PARAMS}&signature={sign(DOC_SECRET, DOC_PARAMS)}"
    with pytest.raises(BinanceError) as info:
        _verify(store, query=query, clocks=(server_ms,))
    assert info.value.code == -1021 and message in info.value.msg


def test_timing_boundaries(store):
    query = f"{DOC_PARAMS}&signature={sign(DOC_SECRET, DOC_PARAMS)}"
    _verify(store, query=query, clocks=(DOC_TS + 5000,))  # exactly recvWindow old
    _verify(store, query=query, clocks=(DOC_TS - 999,))   # 999 ms ahead is tolerated
    # either of the sandbox's clocks (replay, wall) may vouch for the timestamp
    _verify(store, query=query, clocks=(DOC_TS + 10**9, DOC_TS))


def test_api_key_errors(store):
    query = f"{DOC_PARAMS}&signature={sign(DOC_SECRET, DOC_PARAMS)}"
    for bad_format in (None, "", "short", "x" * 63 + "!"):
        with pytest.raises(BinanceError) as info:
            _verify(store, query=query, key=bad_format)
        assert (info.value.code, info.value.status) == (-2014, 401)
    with pytest.raises(BinanceError) as info:
        _verify(store, query=query, key="A" * 64)
    assert (info.value.code, info.value.status) == (-2015, 401)
    assert verify_key_only(store, api_key=DOC_KEY, raw_query="", raw_body="").key.label == "docs"


def test_duplicate_parameter_is_1101_and_query_wins_over_body(store):
    dup = "symbol=BTCUSDT&symbol=ETHUSDT&timestamp=1591702613943"
    assert _code(lambda: _verify(store, query=f"{dup}&signature={sign(DOC_SECRET, dup)}")) == -1101
    query, body = "symbol=BTCUSDT", "symbol=ETHUSDT&timestamp=1591702613943"
    auth = _verify(store, query=query, body=f"{body}&signature={sign(DOC_SECRET, query + body)}")
    assert auth.params.string("symbol") == "BTCUSDT"


def test_split_signature():
    assert split_signature("a=1&signature=abc") == ("a=1", "abc")
    assert split_signature("signature=abc") == ("", "abc")
    assert split_signature("a=1") == ("a=1", None)


def test_bad_recv_window(store):
    params = "timestamp=1591702613943&recvWindow=70000"
    assert _code(lambda: _verify(store, query=f"{params}&signature={sign(DOC_SECRET, params)}")) == -1130
    params = "timestamp=15917026x3943"
    assert _code(lambda: _verify(store, query=f"{params}&signature={sign(DOC_SECRET, params)}")) == -1100
