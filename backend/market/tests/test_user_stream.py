"""UserDataStream and mark_price_stream against the real sandbox exchange process (`sandbox_process`):
events compared with the sandbox's own books over REST, drops and stalls injected with its faults,
listen keys expired by its replay clock (in-process sandbox: its clock is stepped here)."""
from __future__ import annotations

import asyncio
import contextlib
from decimal import Decimal

import aiohttp
import orjson
import pytest

from common.leakwatch import secret
from market.binance.client import BinanceClient
from market.binance.errors import PermanentError
from market.binance.retry import RetryPolicy
from market.binance.signing import Credentials
from market.binance.user_stream import (
    AccountUpdate, OrderUpdate, StreamGap, UserDataStream, mark_price_stream,
)
from market.binance.venues import venue_for
from sandbox.control import step
from sandbox.trading import key_store

WAIT_S = 15  # a bound on waiting for an event, not a timing assertion


def paper_key(sandbox_process) -> Credentials:
    created = sandbox_process.control("POST", "keys", {"label": "user stream test"})
    return Credentials(api_key=secret(created["apiKey"], "sandbox api key"),
                       secret=secret(created["secretKey"], "sandbox secret"))


class PathLog:
    """(method, path) of every request a client sends."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.trace = aiohttp.TraceConfig()

        async def on_start(session, ctx, params):
            self.calls.append((params.method, params.url.path))

        self.trace.on_request_start.append(on_start)


@contextlib.asynccontextmanager
async def process_client(log: PathLog | None = None):
    options = {"trace_configs": [log.trace]} if log else {}
    async with BinanceClient.from_settings(market="usdm", retry=RetryPolicy(base_s=0.05, cap_s=0.5),
                                           **options) as client:
        yield client


async def next_event(stream, kind, *, where=lambda e: True) -> tuple[object, list]:
    """The next event of type `kind` matching `where`, and every event seen before it."""
    seen: list = []

    async def find():
        async for event in stream:
            if isinstance(event, kind) and where(event):
                return event
            seen.append(event)
        raise AssertionError(f"stream ended before a {kind.__name__}")

    return await asyncio.wait_for(find(), WAIT_S), seen


async def buy(client, key, symbol="BTCUSDT", qty="0.010", cid="bsm-stream"):
    return await client.trading.new_order(key, symbol=symbol, side="BUY", type="MARKET", quantity=Decimal(qty),
                                          client_order_id=cid)


async def test_order_and_account_updates_match_the_books(sandbox_process):
    key = paper_key(sandbox_process)
    async with process_client() as client:
        stream = UserDataStream(client, key)
        try:
            gap, _ = await next_event(stream, StreamGap)
            assert gap.reason == "connected"
            order = await buy(client, key, cid="bsm-stream-1")
            fill, before = await next_event(stream, OrderUpdate, where=lambda e: e.execution_type == "TRADE")
            account, _ = await next_event(stream, AccountUpdate)
        finally:
            await stream.aclose()
        assert [(e.execution_type, e.status) for e in before if isinstance(e, OrderUpdate)] == [("NEW", "NEW")]
        trade = (await client.trading.user_trades(key, symbol="BTCUSDT"))[-1]
        assert (fill.order_id, fill.client_order_id, fill.status, fill.side, fill.position_side) == (
            order.order_id, "bsm-stream-1", "FILLED", "BUY", "BOTH")
        assert (fill.trade_id, fill.last_filled_qty, fill.last_filled_price, fill.cum_filled_qty) == (
            trade.id, trade.qty, trade.price, Decimal("0.010"))
        assert (fill.commission, fill.commission_asset, fill.realized_pnl, fill.maker) == (
            trade.commission, "USDT", trade.realized_pnl, trade.maker)
        assert fill.transaction_time_ms == trade.time_ms
        wallet = next(b for b in await client.trading.balances(key) if b.asset == "USDT").wallet_balance
        assert account.reason == "ORDER" and [(b.asset, b.wallet_balance) for b in account.balances] == [("USDT", wallet)]
        position = next(p for p in await client.trading.position_risk(key, "BTCUSDT"))
        assert [(p.symbol, p.position_side, p.amount, p.entry_price) for p in account.positions] == [
            ("BTCUSDT", "BOTH", position.amount, position.entry_price)]
        # aclose closed the listen key: extending it now is -1125.
        with pytest.raises(PermanentError) as caught:
            await client.trading.listen_key_keepalive(key)
        assert caught.value.code == -1125


async def test_a_dropped_socket_reconnects_with_a_gap(sandbox_process):
    key = paper_key(sandbox_process)
    async with process_client() as client:
        stream = UserDataStream(client, key, reconnect_base_s=0.05)
        try:
            assert (await next_event(stream, StreamGap))[0].reason == "connected"
            dropped = sandbox_process.control("POST", "faults", {"kind": "ws_drop", "path_prefix": "/ws/"})
            assert dropped
            gap, _ = await next_event(stream, StreamGap)
            assert gap.reason == "reconnected" and stream.connects == 2
            assert sandbox_process.control("POST", "ws/drop", {"path_prefix": "/ws/"})["dropped"] >= 1
            gap, _ = await next_event(stream, StreamGap)
            assert gap.reason == "reconnected" and stream.connects == 3
            order = await buy(client, key, cid="bsm-after-drop")
            update, _ = await next_event(stream, OrderUpdate, where=lambda e: e.status == "FILLED")
            assert update.order_id == order.order_id
        finally:
            await stream.aclose()


async def test_a_stalled_socket_is_replaced_and_what_it_lost_is_in_the_books(sandbox_process):
    key = paper_key(sandbox_process)
    async with process_client() as client:
        stream = UserDataStream(client, key, stall_s=1.0, reconnect_base_s=0.05)
        try:
            assert (await next_event(stream, StreamGap))[0].reason == "connected"
            sandbox_process.control("POST", "faults", {"kind": "ws_stall", "path_prefix": "/ws/", "seconds": 60})
            lost = await buy(client, key, cid="bsm-lost")
            gap, seen = await next_event(stream, StreamGap)
            assert gap.reason == "stall" and seen == []  # the stalled socket delivered nothing
            sandbox_process.control("DELETE", "faults")
            # The consumer's reconciliation after the gap finds the lost order in the books.
            found = await client.trading.query_order(key, symbol="BTCUSDT", client_order_id="bsm-lost")
            assert (found.order_id, found.status) == (lost.order_id, "FILLED")
            later = await buy(client, key, cid="bsm-after-stall")
            update, _ = await next_event(stream, OrderUpdate, where=lambda e: e.status == "FILLED")
            assert update.order_id == later.order_id
        finally:
            sandbox_process.control("DELETE", "faults")
            await stream.aclose()


async def test_keepalive_extends_the_key_and_a_closed_key_is_replaced(sandbox_process):
    key = paper_key(sandbox_process)
    log = PathLog()
    async with process_client(log) as client:
        stream = UserDataStream(client, key, keepalive_s=0.05, reconnect_base_s=0.05)
        try:
            assert (await next_event(stream, StreamGap))[0].reason == "connected"
            first_key = stream.listen_key
            for _ in range(200):  # wait (bounded) for two keep-alives
                if log.calls.count(("PUT", "/fapi/v1/listenKey")) >= 2:
                    break
                await asyncio.sleep(0.05)
            assert log.calls.count(("PUT", "/fapi/v1/listenKey")) >= 2
            await client.trading.listen_key_close(key)  # someone closes the key: the socket is closed
            gap, _ = await next_event(stream, StreamGap)
            assert gap.reason in ("reconnected", "listen_key_expired") and stream.listen_key != first_key
            order = await buy(client, key, cid="bsm-new-key")
            update, _ = await next_event(stream, OrderUpdate, where=lambda e: e.status == "FILLED")
            assert update.order_id == order.order_id
        finally:
            await stream.aclose()
    assert ("DELETE", "/fapi/v1/listenKey") in log.calls[-3:]


async def test_an_expired_listen_key_gives_a_gap_and_a_new_key(sandbox):
    """In-process sandbox: its replay clock is stepped past the key's 60 minutes."""
    base_url, app = sandbox
    created = key_store(app).create(label="expiry test")
    key = Credentials(api_key=created.api_key, secret=created.secret)
    venue = venue_for("sandbox", "usdm", sandbox_url=base_url)
    async with BinanceClient.from_settings(venue=venue, retry=RetryPolicy(base_s=0.05, cap_s=0.5)) as client:
        stream = UserDataStream(client, key, reconnect_base_s=0.05)
        try:
            assert (await next_event(stream, StreamGap))[0].reason == "connected"
            old = stream.listen_key
            step(app, 61 * 60 * 1000)
            gap, _ = await next_event(stream, StreamGap)
            assert gap.reason == "listen_key_expired" and stream.listen_key != old
        finally:
            await stream.aclose()
            await client.governor.reset()


async def test_mark_prices_match_premium_index(sandbox_process):
    async with process_client() as client:
        raw = await client.get("/fapi/v1/premiumIndex", {"symbol": "ETHUSDT"})
        expected = Decimal(orjson.loads(raw)["markPrice"])  # the clock is paused: the mark does not move
        updates = mark_price_stream(client, ["BTCUSDT", "ETHUSDT"])
        try:
            seen: dict[str, Decimal] = {}

            async def collect():
                async for symbol, price, event_ms in updates:
                    assert event_ms > 0
                    seen[symbol] = price
                    if len(seen) == 2:
                        return

            await asyncio.wait_for(collect(), WAIT_S)
        finally:
            await updates.aclose()
        assert seen["ETHUSDT"] == expected


async def test_aclose_ends_a_consumer_waiting_in_another_task(sandbox_process):
    key = paper_key(sandbox_process)
    async with process_client() as client:
        stream = UserDataStream(client, key)
        seen: list = []

        async def consume():
            async for event in stream:
                seen.append(event)

        task = asyncio.create_task(consume())
        for _ in range(200):  # wait (bounded) until the stream is connected
            if seen:
                break
            await asyncio.sleep(0.02)
        assert [type(e) for e in seen] == [StreamGap]
        await stream.aclose()
        await asyncio.wait_for(task, WAIT_S)  # the consumer's loop ended by itself
        with pytest.raises(PermanentError):  # and the listen key is closed
            await client.trading.listen_key_keepalive(key)
