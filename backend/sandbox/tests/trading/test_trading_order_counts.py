"""Order-count headers and the USD-M ORDERS limits (300 / 10 s, 1200 / 1 min per account)."""

from __future__ import annotations

from sandbox.errors import BinanceError
from sandbox.trading.edge import OrderCounter


def test_order_rate_limits_per_account():
    counter = OrderCounter()
    for n in range(300):
        headers = counter.hit("a", now=1_000 + n)
    assert headers == {"X-MBX-ORDER-COUNT-10S": "300", "X-MBX-ORDER-COUNT-1M": "300"}
    try:
        counter.hit("a", now=2_000)
        raise AssertionError("the 301st order in 10 s must be refused")
    except BinanceError as exc:
        assert (exc.code, exc.status) == (-1015, 429)
    assert counter.hit("b", now=2_000)["X-MBX-ORDER-COUNT-10S"] == "1"  # per account
    assert counter.hit("a", now=12_000)["X-MBX-ORDER-COUNT-10S"] == "1"  # the 10 s window moved on
    assert counter.hit("a", {"10S": 5, "1M": 1}, now=12_001)["X-MBX-ORDER-COUNT-10S"] == "6"
