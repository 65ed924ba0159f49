"""POST /fapi/v1/countdownCancelAll: the auto-cancel timer per (account, symbol), on the wall clock."""

from __future__ import annotations

import asyncio
from decimal import Decimal as D

import doc_examples as ex
import orjson
from doc_examples import same_shape
from trading_client import Signed

from sandbox.trading import countdowns
from sandbox.trading.countdown import Countdowns

BTC, ETH = "BTCUSDT", "ETHUSDT"


class FakeClock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


async def _rest(client, symbol: str, client_id: str) -> int:
    """A resting SELL LIMIT far above the price (never fills); returns its orderId."""
    high = str((client.price(symbol) * D("1.5")).quantize(D("0.1")))
    placed = await client.ok("POST", "/fapi/v1/order", symbol=symbol, side="SELL", type="LIMIT",
                             timeInForce="GTC", quantity="0.01", price=high, newClientOrderId=client_id)
    return placed["orderId"]


async def _open_ids(client, symbol: str) -> set[str]:
    return {o["clientOrderId"] for o in await client.ok("GET", "/fapi/v1/openOrders", symbol=symbol)}


def test_timer_table_renew_stop_and_fire():
    clock = FakeClock()
    timers = Countdowns(clock)
    timers.set("a", BTC, 60_000)
    for _ in range(10):  # renewed every 20 s: never runs out
        clock.t += 20
        assert timers.due() == []
        timers.set("a", BTC, 60_000)
    assert timers.remaining_ms("a", BTC) == 60_000
    clock.t += 59.999
    assert timers.due() == []
    clock.t += 0.001
    assert timers.due() == [("a", BTC)]
    assert timers.due() == [] and timers.remaining_ms("a", BTC) is None  # fired once, then gone
    timers.set("a", BTC, 1_000)
    timers.set("a", BTC, 0)  # 0 stops the timer
    clock.t += 3600
    assert timers.due() == []


async def test_answer_has_the_docs_shape_and_bad_input_is_refused(client):
    answer = await client.ok("POST", "/fapi/v1/countdownCancelAll", symbol=BTC, countdownTime=100000)
    assert same_shape(answer, ex.COUNTDOWN) == [] and answer == {"symbol": BTC, "countdownTime": "100000"}
    assert list(answer) == list(ex.COUNTDOWN)
    assert await client.ok("POST", "/fapi/v1/countdownCancelAll", body=True, symbol=BTC, countdownTime=0) == \
        {"symbol": BTC, "countdownTime": "0"}
    assert countdowns(client.app).remaining_ms(client.key.api_key, BTC) is None
    assert await client.error("POST", "/fapi/v1/countdownCancelAll", symbol=BTC) == -1102
    assert await client.error("POST", "/fapi/v1/countdownCancelAll", countdownTime=1000) == -1102
    assert await client.error("POST", "/fapi/v1/countdownCancelAll", symbol="NOPEUSDT", countdownTime=1) == -1121
    assert await client.error("POST", "/fapi/v1/countdownCancelAll", symbol=BTC, countdownTime=-5) == -1100
    assert await client.error("POST", "/fapi/v1/countdownCancelAll", symbol=BTC, countdownTime="1.5") == -1100
    client.app["limiters"]["usdm"].reset()
    status, headers, _ = await client.call("POST", "/fapi/v1/countdownCancelAll", symbol=BTC, countdownTime=0)
    assert status == 200 and headers["X-MBX-USED-WEIGHT-1M"] == "10"


async def test_renewals_keep_orders_silence_cancels_only_that_symbol_of_that_account(client):
    clock = FakeClock()
    countdowns(client.app).clock = clock  # the server's own checker then runs on this clock too
    other = Signed(client.session, client.base_url, client.app, label="other")
    _, body = await client.stream_key("POST")
    ws = await client.session.ws_connect(client.base_url.replace("http", "ws", 1) + f"/ws/{body['listenKey']}")
    ids = {await _rest(client, BTC, "cd-1"), await _rest(client, BTC, "cd-2")}
    await _rest(client, ETH, "cd-eth")
    await _rest(other, BTC, "cd-other")
    for _ in range(3):
        assert (orjson.loads((await ws.receive(timeout=5)).data))["o"]["X"] == "NEW"

    await client.ok("POST", "/fapi/v1/countdownCancelAll", symbol=BTC, countdownTime=60_000)
    await other.ok("POST", "/fapi/v1/countdownCancelAll", symbol=BTC, countdownTime=600_000)
    for _ in range(6):  # a trading process renewing every 20 s
        clock.t += 20
        await asyncio.sleep(0.1)  # let the server's checker run
        await client.ok("POST", "/fapi/v1/countdownCancelAll", symbol=BTC, countdownTime=60_000)
    client.step(30 * 60_000)  # the replay clock is not the countdown's clock (30 replay minutes)
    await asyncio.sleep(0.1)
    assert await _open_ids(client, BTC) == {"cd-1", "cd-2"}

    clock.t += 60  # the process went silent for 60 s
    canceled = [orjson.loads((await ws.receive(timeout=5)).data)["o"] for _ in range(2)]
    assert {(o["i"], o["x"], o["X"]) for o in canceled} == {(i, "CANCELED", "CANCELED") for i in ids}
    assert await _open_ids(client, BTC) == set()
    assert await _open_ids(client, ETH) == {"cd-eth"}          # another symbol: untouched
    assert await _open_ids(other, BTC) == {"cd-other"}         # another account: its own timer
    for order_id in ids:
        order = await client.ok("GET", "/fapi/v1/order", symbol=BTC, orderId=order_id)
        assert order["status"] == "CANCELED"

    await _rest(client, BTC, "cd-3")  # the timer fired once and is gone
    clock.t += 3600
    await asyncio.sleep(0.2)
    assert await _open_ids(client, BTC) == {"cd-3"}
    await ws.close()


async def test_countdown_runs_out_in_real_time(client):
    await _rest(client, BTC, "rt-1")
    await client.ok("POST", "/fapi/v1/countdownCancelAll", symbol=BTC, countdownTime=200)
    for _ in range(100):  # at most 10 s; the timer is 0.2 s
        if not await _open_ids(client, BTC):
            break
        await asyncio.sleep(0.1)
    assert await _open_ids(client, BTC) == set()
    order = await client.ok("GET", "/fapi/v1/order", symbol=BTC, origClientOrderId="rt-1")
    assert order["status"] == "CANCELED"
