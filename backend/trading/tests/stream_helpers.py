"""Helpers of the stream and reconciliation tests: a paper account on the test sandbox, its
credentials, and the user data stream's real events collected while orders are placed directly on
the sandbox (through the adapter, with the account's key)."""
from __future__ import annotations

import asyncio
from decimal import Decimal

from django.contrib.auth.models import User

from market.binance.client import BinanceClient
from market.binance.user_stream import AccountUpdate, OrderUpdate, StreamGap, UserDataStream
from trading.exchange import account_credentials
from trading.tests.harness import paper_account_create

WAIT_S = 15  # a bound on waiting for an event, not a timing assertion
SYMBOL = "BTCUSDT"
_users = iter(range(1, 10**6))


def weight_budget_fresh(sandbox) -> None:
    """Forget the IP weight the earlier tests of the session used (the sandbox's count and the
    platform's governor): each test starts with a minute's budget, as a process would."""
    async def reset():
        client = BinanceClient.from_settings(market="usdm")
        try:
            await client.governor.reset()
        finally:
            await client.close()

    sandbox.control("POST", "limits/reset")
    asyncio.run(reset())


def owner_and_account(sandbox):
    """A user and a verified paper account on the sandbox, with a fresh weight budget."""
    weight_budget_fresh(sandbox)
    n = next(_users)
    owner = User.objects.create_user(username=f"trader{n}@example.com", email=f"trader{n}@example.com")
    return owner, paper_account_create(owner, sandbox)


async def _exchange(account, fn):
    async with BinanceClient.from_settings(market="usdm") as client:
        return await fn(client, account_credentials(account))


def on_exchange(account, fn):
    """`fn(client, credentials)` run against the sandbox now (behind the platform's back)."""
    return asyncio.run(_exchange(account, fn))


def market_order(account, *, side: str, qty: str, client_order_id: str, position_side: str | None = None):
    return on_exchange(account, lambda c, k: c.trading.new_order(
        k, symbol=SYMBOL, side=side, type="MARKET", quantity=Decimal(qty), client_order_id=client_order_id,
        position_side=position_side))


def events_while(sandbox, account, orders: list[dict]) -> list:
    """Place `orders` (new_order keyword arguments) on the sandbox with a user data stream open and
    return the stream's events (after its first gap) until every order is FILLED and the account
    update of the last fill has arrived. The replay clock moves 1 s after each order, so each
    order's events carry their own exchange time."""
    async def go():
        async with BinanceClient.from_settings(market="usdm") as client:
            creds = account_credentials(account)
            stream = UserDataStream(client, creds)
            try:
                first = await asyncio.wait_for(stream.__anext__(), WAIT_S)
                assert isinstance(first, StreamGap)
                cids = set()
                for order in orders:
                    await client.trading.new_order(creds, symbol=SYMBOL, type="MARKET", **order)
                    cids.add(order["client_order_id"])
                    await asyncio.to_thread(sandbox.control, "POST", "clock/step", {"ms": 1000})
                seen, filled = [], set()

                async def read():
                    async for event in stream:
                        seen.append(event)
                        if isinstance(event, OrderUpdate) and event.status == "FILLED":
                            filled.add(event.client_order_id)
                        if isinstance(event, AccountUpdate) and filled == cids:
                            return

                await asyncio.wait_for(read(), WAIT_S)
                return seen
            finally:
                await stream.aclose()

    return asyncio.run(go())
