"""`manage.py run_trading` as a real subprocess on the test database, Redis and sandbox: it
reconciles at start, follows the user data stream, stores fills as they happen and pushes
`order_updated` / `position_updated` to the owner's private group."""
from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import pytest
from channels.layers import get_channel_layer

from realtime.events import user_group
from trading.models import Fill, Order, ReconciliationRun, TradingState
from trading.tests.harness import books_diff, sandbox_books, trading_process, wait_until
from trading.tests.stream_helpers import SYMBOL, market_order, owner_and_account

pytestmark = pytest.mark.django_db(transaction=True)
WAIT_S = 60  # bounds on waiting (a spent weight budget can hold a request up to a minute), not timing assertions


def _ready(account) -> bool:
    state = TradingState.objects.filter(account=account, stream_connected_at__isnull=False).exists()
    return state and ReconciliationRun.objects.filter(account=account, trigger="startup",
                                                      status__in=("clean", "corrected")).exists()


def test_a_fill_arrives_over_the_stream_and_reaches_the_owner(sandbox_process, tmp_path):
    owner, account = owner_and_account(sandbox_process)
    process = trading_process(sandbox_process.url, tmp_path)

    async def scenario() -> list[dict]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(user_group(owner.id), channel)
        await asyncio.to_thread(process.start)
        await asyncio.to_thread(wait_until, lambda: _ready(account), timeout=WAIT_S, what="the startup reconciliation")
        await asyncio.to_thread(market_order, account, side="BUY", qty="0.007", client_order_id="web_proc1")
        frames: list[dict] = []

        async def collect():
            while True:
                frame = json.loads((await layer.receive(channel))["text"])
                frames.extend(frame["events"] if frame["type"] == "batch" else [frame])
                types = {(f["type"], (f["data"].get("order") or {}).get("status")) for f in frames}
                if ("order_updated", "FILLED") in types and any(f["type"] == "position_updated" for f in frames):
                    return

        await asyncio.wait_for(collect(), WAIT_S)
        return frames

    try:
        frames = asyncio.run(scenario())
        wait_until(lambda: Fill.objects.filter(account=account).exists(), timeout=WAIT_S, what="the fill")
    finally:
        process.stop()
    order = Order.objects.get(account=account, client_order_id="web_proc1")
    assert order.status == "FILLED" and order.source == "external"
    assert books_diff(account, sandbox_books(account, sandbox_process.url, [SYMBOL])) == []
    positions = next(f for f in frames if f["type"] == "position_updated")["data"]
    assert positions["account_id"] == account.id
    (row,) = [p for p in positions["positions"] if p["symbol"] == SYMBOL]
    assert Decimal(row["amount"]) == Decimal("0.007")
    filled = next(f for f in frames if f["type"] == "order_updated" and f["data"]["order"]["status"] == "FILLED")
    assert filled["data"]["account_id"] == account.id
    assert filled["data"]["order"]["client_order_id"] == "web_proc1"


def _mark_price(sandbox) -> Decimal:
    import urllib.request

    with urllib.request.urlopen(f"{sandbox.url}/fapi/v1/premiumIndex?symbol={SYMBOL}", timeout=10) as response:
        return Decimal(json.loads(response.read())["markPrice"])  # the replay clock is paused: it stays


def test_a_platform_order_fills_over_the_stream_and_live_pnl_follows_the_mark(sandbox_process, tmp_path):
    from trading.services.orders import order_create, order_send

    owner, account = owner_and_account(sandbox_process)
    process = trading_process(sandbox_process.url, tmp_path)

    async def scenario() -> tuple[Order, list[dict]]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(user_group(owner.id), channel)
        await asyncio.to_thread(process.start)
        await asyncio.to_thread(wait_until, lambda: _ready(account), timeout=WAIT_S, what="the startup reconciliation")

        def place() -> Order:
            order = order_create(account=account, symbol=SYMBOL, side="SELL", type="MARKET",
                                 quantity=Decimal("0.003"), send=False)
            return order_send(order_id=order.pk)

        order = await asyncio.to_thread(place)
        frames: list[dict] = []

        async def collect():
            while True:
                frame = json.loads((await layer.receive(channel))["text"])
                frames.extend(frame["events"] if frame["type"] == "batch" else [frame])
                if any(f["type"] == "position_updated" and f["data"].get("live") for f in frames):
                    return

        await asyncio.wait_for(collect(), WAIT_S)
        return order, frames

    try:
        order, frames = asyncio.run(scenario())
        wait_until(lambda: Fill.objects.filter(order=order).exists(), timeout=WAIT_S, what="the fill")
    finally:
        process.stop()
    books = sandbox_books(account, sandbox_process.url, [SYMBOL])
    assert books_diff(account, books) == []
    fill = Fill.objects.get(order=order)
    assert (fill.tag, fill.quantity, order.source) == ("m", Decimal("0.003"), "manual")
    (position,) = books.positions
    amount, entry, mark = Decimal(position["positionAmt"]), Decimal(position["entryPrice"]), _mark_price(sandbox_process)
    live = next(f for f in frames if f["type"] == "position_updated" and f["data"].get("live"))["data"]
    (row,) = live["positions"]
    assert (Decimal(row["amount"]), Decimal(row["mark_price"])) == (Decimal("-0.003"), mark)
    assert Decimal(row["unrealized_pnl"]) == (amount * (mark - entry)).quantize(Decimal("0.00000001"))
    assert [(t["tag"], Decimal(t["quantity"])) for t in row["tags"]] == [("m", Decimal("-0.003"))]
