"""The bridge from the trading services (sync Django code) to the async adapter: one client per
call or per session, for the account's venue, with the account's decrypted key.

    order = exchange_call(account, lambda client, creds: client.trading.query_order(creds, symbol=s, ...))

    with ExchangeSession(account) as session:          # several calls on one connection
        now = session.call(lambda c, creds: c.trading.now_ms())
        ...

A session owns a private event loop, so it works from any thread that runs no loop of its own
(Celery tasks, Django views, `sync_to_async` threads of the trading process). Credentials are
decrypted here through `accounts.crypto` and never leave this module except into the adapter.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from django.core.cache import cache

from accounts import crypto
from accounts.models import ExchangeAccount
from market.binance.client import BinanceClient
from market.binance.signing import Credentials
from market.binance.trading_schemas import SymbolFilters

T = TypeVar("T")
FILTERS_CACHE_S = 3600


def account_credentials(account: ExchangeAccount) -> Credentials:
    return Credentials(api_key=crypto.decrypt(account.api_key_encrypted).reveal(),
                       secret=crypto.decrypt(account.api_secret_encrypted).reveal())


def client_for(account: ExchangeAccount, **options) -> BinanceClient:
    """A USD-M client on the account's venue (sandbox, testnet or live)."""
    from accounts.services.venue_checks import venue_of

    return BinanceClient.from_settings(venue=venue_of(account.venue, "usdm"), **options)


class ExchangeSession:
    def __init__(self, account: ExchangeAccount) -> None:
        self.account = account
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: BinanceClient | None = None
        self._credentials: Credentials | None = None

    def __enter__(self) -> ExchangeSession:
        self._loop = asyncio.new_event_loop()
        self._credentials = account_credentials(self.account)
        self._client = client_for(self.account)
        self._loop.run_until_complete(self._client.__aenter__())
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if self._client is not None:
                self._loop.run_until_complete(self._client.close())
        finally:
            self._loop.close()
            self._loop = self._client = self._credentials = None

    def call(self, fn: Callable[[BinanceClient, Credentials], Awaitable[T]]) -> T:
        if self._loop is None:
            raise RuntimeError("ExchangeSession used outside `with`")
        return self._loop.run_until_complete(fn(self._client, self._credentials))

    def filters(self, symbol: str) -> SymbolFilters:
        """The symbol's exchange filters, cached an hour per venue (exchangeInfo is heavy)."""
        key = f"trading:filters:{self.account.venue}:{symbol}"
        found = cache.get(key)
        if found is None:
            found = self.call(lambda c, _creds: c.trading.exchange_filters(symbol))
            cache.set(key, found, FILTERS_CACHE_S)
        return found


def exchange_call(account: ExchangeAccount, fn: Callable[[BinanceClient, Credentials], Awaitable[T]]) -> T:
    """One call on a fresh client (see the module docstring)."""
    with ExchangeSession(account) as session:
        return session.call(fn)
