"""The bridge from the trading services (sync Django code) to the async adapter: one client per
call or per session, for the account's venue, with the account's decrypted key.

    order = exchange_call(account, lambda client, creds: client.trading.query_order(creds, symbol=s, ...))

    with ExchangeSession(account) as session:          # several calls on one connection
        now = session.call(lambda c, creds: c.trading.now_ms())
        ...

A session owns a private event loop, so it works from any thread that runs no loop of its own
(Celery tasks, Django views, `sync_to_async` threads of the trading process). Credentials are
decrypted here through `accounts.crypto` and never leave this module except into the adapter.

`session_pooled(account)` (what `exchange_call` and the services' `session_or_new` use) keeps a
thread's session to an account open between calls for `POOL_IDLE_S`: an order then costs no new
event loop, HTTP connection, Redis pool or key decryption. A pooled session is reopened when the
account's key or venue URL changed. The sessions of a thread that ended are closed by the next
session another thread opens (and all at exit). A pooled connection the exchange closed meanwhile is noticed by
the event loop before it is reused (the governor's Redis round trips run first); if it were not, the
request fails as a sent-or-not request, which order placement resolves by looking the order up.
"""
from __future__ import annotations

import asyncio
import atexit
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

from django.core.cache import cache

from accounts import crypto
from accounts.models import ExchangeAccount
from market.binance.client import BinanceClient
from market.binance.signing import Credentials
from market.binance.trading_schemas import SymbolFilters

T = TypeVar("T")
FILTERS_CACHE_S = 3600
POOL_IDLE_S = 15.0  # well under the keep-alive time of Binance's and the sandbox's servers


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


class _Pool(threading.local):
    def __init__(self) -> None:  # once per thread, on its first use of the pool
        # account id -> [session, (key ciphertexts, REST URL), depth of `with` using it, last used (monotonic)]
        self.entries: dict[int, list] = {}
        with _all_lock:
            _all_pools[threading.current_thread()] = self.entries


_all_pools: dict[threading.Thread, dict[int, list]] = {}  # every thread's entries: closed when it ends, or at exit
_all_lock = threading.Lock()
_pool = _Pool()


def _close(entry: list) -> None:
    with contextlib.suppress(Exception):  # closing only: the session is dropped either way
        entry[0].__exit__(None, None, None)


def _close_ended_threads() -> int:
    """Close the sessions of threads that ended (a worker pool shrinking, a finished thread): their
    sockets would otherwise stay open until the process exits. Returns how many were closed."""
    with _all_lock:
        ended = [_all_pools.pop(thread) for thread in [t for t in _all_pools if not t.is_alive()]]
    closed = 0
    for entries in ended:
        for entry in entries.values():
            _close(entry)
            closed += 1
        entries.clear()
    return closed


@contextlib.contextmanager
def session_pooled(account: ExchangeAccount) -> Iterator[ExchangeSession]:
    """This thread's open session to `account`, opened on first use (see the module docstring)."""
    from accounts.services.venue_checks import venue_of

    entries = _pool.entries
    now = time.monotonic()
    for account_id, entry in list(entries.items()):  # idle ones are closed, not kept for ever
        if entry[2] == 0 and now - entry[3] > POOL_IDLE_S:
            del entries[account_id]
            _close(entry)
    identity = (account.api_key_encrypted, account.api_secret_encrypted, venue_of(account.venue, "usdm").rest_url)
    entry = entries.get(account.id)
    if entry is not None and entry[1] != identity and entry[2] == 0:
        del entries[account.id]
        _close(entry)
        entry = None
    if entry is None:
        _close_ended_threads()
        entry = entries[account.id] = [ExchangeSession(account).__enter__(), identity, 0, now]
    entry[2] += 1
    try:
        yield entry[0]
    finally:
        entry[2] -= 1
        entry[3] = time.monotonic()


@atexit.register
def _close_all() -> None:
    with _all_lock:
        for entries in _all_pools.values():
            for entry in entries.values():
                _close(entry)
            entries.clear()


def exchange_call(account: ExchangeAccount, fn: Callable[[BinanceClient, Credentials], Awaitable[T]]) -> T:
    """One call on this thread's pooled session to the account (see the module docstring)."""
    with session_pooled(account) as session:
        return session.call(fn)
