"""What the exchange has for one account, fetched in one go for a reconciliation pass.

Weight matters (an account reconciles every 60 s, several accounts share the IP's budget): a
*full* fetch (start-up, stream gap, manual) asks for the position mode (weight 30) and the open
orders and open algo orders of every symbol (40 each), so orders on symbols the platform never
traded are found too; a *light* one (periodic) asks per known symbol (1 each) and leaves the
mode alone: about 10 + 12 per symbol instead of 120 + 10 per symbol.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from market.binance.trading_schemas import AlgoOrder, Balance, ExchangeOrder, PositionRisk, UserTrade

TRADES_PAGE = 1000
ORDERS_PAGE = 1000


@dataclass
class ExchangeBooks:
    """What the exchange has for one account, fetched in one go."""

    hedge: bool | None  # None: not asked (a light fetch)
    positions: list[PositionRisk]
    open_orders: list[ExchangeOrder]
    open_algo: list[AlgoOrder]
    balances: list[Balance]
    trades: dict[str, list[UserTrade]] = field(default_factory=dict)
    orders: dict[str, list[ExchangeOrder]] = field(default_factory=dict)  # allOrders, recent first page


async def books_fetch(client, creds, *, symbols: set[str], last_trade_ids: dict[str, int],
                      full: bool = True) -> ExchangeBooks:
    t = client.trading
    positions = await t.position_risk(creds)
    symbols = set(symbols) | {p.symbol for p in positions if p.amount}
    if full:
        books = ExchangeBooks(hedge=await t.position_mode(creds), positions=positions,
                              open_orders=await t.open_orders(creds), open_algo=await t.open_algo_orders(creds),
                              balances=await t.balances(creds))
        symbols |= {o.symbol for o in books.open_orders} | {a.symbol for a in books.open_algo}
    else:
        books = ExchangeBooks(hedge=None, positions=positions, open_orders=[], open_algo=[],
                              balances=await t.balances(creds))
        for symbol in sorted(symbols):
            books.open_orders += await t.open_orders(creds, symbol)
            books.open_algo += await t.open_algo_orders(creds, symbol)
    for symbol in sorted(symbols):
        books.orders[symbol] = await t.all_orders(creds, symbol=symbol, limit=ORDERS_PAGE)
        trades, from_id = [], last_trade_ids.get(symbol)
        while True:  # every trade after the last one seen; without one, the exchange's default window
            page = await t.user_trades(creds, symbol=symbol, from_id=None if from_id is None else from_id + 1,
                                       limit=TRADES_PAGE)
            trades.extend(page)
            if len(page) < TRADES_PAGE:
                break
            from_id = max(tr.id for tr in page)
        books.trades[symbol] = trades
    return books
