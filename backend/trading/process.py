"""The trading process (`manage.py run_trading`): one asyncio loop that, for every active exchange
account (verified, the paper ones included):

* follows the account's user data stream (`UserDataStream`) and applies its events
  (services/events.py); every `StreamGap` (the first connect included) is followed by a
  reconciliation, and the first one of the process also recovers the orders a previous process
  left half-sent (`orders_recover`);
* renews the dead-man switch (`countdownCancelAll`) of the symbols with open orders;
* streams the mark prices of the symbols with positions and pushes `position_updated` with the
  live unrealised PnL, at most about once a second per account.

New accounts are picked up (and removed ones dropped) every `accounts_poll_s`. Like the other
long-lived processes it outlives its dependencies' outages: an account whose stream, database or
exchange fails is retried with backoff (its next connect brings a StreamGap, hence a
reconciliation), and the other accounts carry on.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.utils import timezone

from accounts.models import AccountStatus, ExchangeAccount
from accounts.services.venue_checks import venue_of
from market.binance.client import BinanceClient
from market.binance.user_stream import (
    AccountUpdate, AlgoUpdate, MarginCall, OrderUpdate, StreamGap, UserDataStream, mark_price_stream,
)
from trading.attribution import q8
from trading.crashpoints import crash_point
from trading.exchange import account_credentials as account_credentials_of
from trading.models import TradingState
from trading.services import events
from trading.services.deadman import DeadmanState, deadman_renew, deadman_symbols
from trading.services.events import account_event_publish
from trading.services.orders import orders_recover
from trading.services.positions import positions_open, positions_payload
from trading.services.reconciliation import reconcile

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProcessOptions:
    accounts_poll_s: float = 10.0
    deadman_renew_s: float = 20.0
    deadman_countdown_ms: int = 60_000
    mark_publish_s: float = 1.0
    retry_base_s: float = 1.0
    retry_cap_s: float = 30.0


async def db(fn, /, *args, **kwargs):
    """Run Django code in a worker thread (each account's work may overlap another's), on a
    connection that is checked first (a database restart leaves dead ones behind)."""
    def call():
        close_old_connections()
        return fn(*args, **kwargs)

    return await sync_to_async(call, thread_sensitive=False)()


@dataclass
class AccountRunner:
    account_id: int
    venue: str
    task: asyncio.Task | None = None
    credentials: object | None = None  # market.binance.signing.Credentials once the stream runs
    positions: list = field(default_factory=list)  # open PositionSnapshot rows
    deadman: object | None = None


class TradingProcess:
    def __init__(self, stop: asyncio.Event, options: ProcessOptions | None = None) -> None:
        self.stop = stop
        self.options = options or ProcessOptions()
        self.runners: dict[int, AccountRunner] = {}
        self.clients: dict[str, BinanceClient] = {}
        self.marks: dict[tuple[str, str], Decimal] = {}  # (venue, symbol) -> mark price
        self.dirty: set[int] = set()  # accounts whose positions' marks moved since the last push
        self._mark_tasks: dict[str, tuple[frozenset, asyncio.Task]] = {}
        self.started_once: set[int] = set()

    # --- the main loop --------------------------------------------------------------------

    async def run(self) -> None:
        loops = [asyncio.create_task(self._deadman_loop()), asyncio.create_task(self._mark_publish_loop())]
        try:
            while not self.stop.is_set():
                try:
                    await self._accounts_follow()
                    self._marks_follow()
                except Exception:  # noqa: BLE001 — the database is away: keep what runs, look again later
                    logger.exception("trading: accounts not refreshed")
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), timeout=self.options.accounts_poll_s)
        finally:
            tasks = loops + [r.task for r in self.runners.values() if r.task] + [t for _, t in self._mark_tasks.values()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for client in self.clients.values():
                await client.close()

    async def _client_open(self, venue: str) -> BinanceClient:
        """The process's one client per venue (its session, governor and clock shared by the
        accounts on that venue)."""
        if venue not in self.clients:
            client = BinanceClient.from_settings(venue=venue_of(venue, "usdm"))  # as trading.exchange.client_for
            await client.__aenter__()
            self.clients[venue] = client
        return self.clients[venue]

    async def _accounts_follow(self) -> None:
        active = {a.id: a.venue for a in await db(accounts_active)}
        for account_id in set(self.runners) - set(active):
            runner = self.runners.pop(account_id)
            if runner.task:
                runner.task.cancel()
            logger.info("trading: account %s no longer active", account_id)
        for account_id, venue in active.items():
            if account_id not in self.runners:
                runner = AccountRunner(account_id, venue)
                runner.task = asyncio.create_task(self._account_run(runner), name=f"account-{account_id}")
                self.runners[account_id] = runner
                logger.info("trading: following account %s (%s)", account_id, venue)

    # --- one account ----------------------------------------------------------------------

    async def _account_run(self, runner: AccountRunner) -> None:
        delay = self.options.retry_base_s
        while not self.stop.is_set():
            stream = None
            try:
                client = await self._client_open(runner.venue)
                account = await db(ExchangeAccount.objects.get, pk=runner.account_id)
                runner.credentials = await db(account_credentials_of, account)
                stream = UserDataStream(client, runner.credentials)
                async for event in stream:
                    await self._handle(runner, account, event)
                    delay = self.options.retry_base_s
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 — retried: the next connect reconciles what was missed
                logger.exception("trading: account %s stream failed; retrying in %.0f s", runner.account_id, delay)
            finally:
                if stream is not None:
                    with contextlib.suppress(Exception):
                        await stream.aclose()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=delay)
            delay = min(delay * 2, self.options.retry_cap_s)

    async def _handle(self, runner: AccountRunner, account, event) -> None:
        """One event of the account's stream; the account row is the one read at (re)connect."""
        if isinstance(event, StreamGap):
            await self._gap(runner, account, event)
        elif isinstance(event, OrderUpdate):
            if event.trade_id:
                crash_point("fill_not_applied")
            await db(events.order_update_apply, account=account, update=event)
        elif isinstance(event, AccountUpdate):
            await db(events.account_update_apply, account=account, update=event)
            await self._positions_refresh(runner, account)
        elif isinstance(event, AlgoUpdate):
            await db(events.algo_update_apply, account=account, update=event)
        elif isinstance(event, MarginCall):
            logger.warning("trading: margin call on account %s (%d positions)", account.id, len(event.positions))

    async def _gap(self, runner: AccountRunner, account, gap: StreamGap) -> None:
        first = runner.account_id not in self.started_once
        await db(stream_connected_mark, account.id)
        await db(reconcile, account=account, trigger="startup" if first else "stream_gap")
        if first:
            await db(orders_recover, account=account)
            self.started_once.add(runner.account_id)
        logger.info("trading: account %s reconciled after %s", account.id, gap.reason)
        await self._positions_refresh(runner, account)

    async def _positions_refresh(self, runner: AccountRunner, account) -> None:
        runner.positions = await db(positions_open, account=account)
        self._marks_follow()

    # --- dead-man switch --------------------------------------------------------------------

    async def _deadman_loop(self) -> None:
        if not self.options.deadman_countdown_ms:
            return  # switched off (TRADING_DEADMAN_COUNTDOWN_S=0)
        while True:
            for runner in list(self.runners.values()):
                if runner.credentials is None:
                    continue
                try:
                    symbols = await db(deadman_symbols, account_id=runner.account_id)
                    runner.deadman = await deadman_renew(
                        await self._client_open(runner.venue), runner.credentials, symbols=symbols,
                        state=runner.deadman or DeadmanState(), countdown_ms=self.options.deadman_countdown_ms)
                except Exception:  # noqa: BLE001 — the next round tries again, well within the countdown
                    logger.exception("trading: dead-man renewal of account %s failed", runner.account_id)
            await asyncio.sleep(self.options.deadman_renew_s)

    # --- mark prices ------------------------------------------------------------------------

    def _marks_follow(self) -> None:
        """One mark-price stream per venue over the symbols with positions; restarted on change."""
        wanted: dict[str, set[str]] = {}
        for runner in self.runners.values():
            wanted.setdefault(runner.venue, set()).update(p.symbol for p in runner.positions)
        for venue in set(self._mark_tasks) | set(wanted):
            symbols = frozenset(wanted.get(venue, ()))
            current = self._mark_tasks.get(venue)
            if current and current[0] == symbols:
                continue
            if current:
                current[1].cancel()
                del self._mark_tasks[venue]
            if symbols:
                self._mark_tasks[venue] = (symbols, asyncio.create_task(self._marks_run(venue, sorted(symbols))))

    async def _marks_run(self, venue: str, symbols: list[str]) -> None:
        while True:  # until cancelled by _marks_follow (the symbols changed) or the end of the process
            try:
                client = await self._client_open(venue)
                async for symbol, mark, _ in mark_price_stream(client, symbols):
                    self.marks[(venue, symbol)] = mark
                    for runner in self.runners.values():
                        if runner.venue == venue and any(p.symbol == symbol for p in runner.positions):
                            self.dirty.add(runner.account_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 — live PnL pauses; positions stay right (the stream applies them)
                logger.exception("trading: mark price stream of %s failed; restarting", venue)
            await asyncio.sleep(self.options.retry_base_s)

    async def _mark_publish_loop(self) -> None:
        while True:
            await asyncio.sleep(self.options.mark_publish_s)
            dirty, self.dirty = self.dirty, set()
            for account_id in dirty:
                runner = self.runners.get(account_id)
                if runner is None or not runner.positions:
                    continue
                try:
                    await db(_positions_live_publish, account_id, runner.positions,
                             {s: m for (v, s), m in self.marks.items() if v == runner.venue})
                except Exception:  # noqa: BLE001 — Redis or the database away: the next mark retries
                    logger.exception("trading: live positions of account %s not pushed", account_id)


def _positions_live_publish(account_id: int, positions: list, marks: dict[str, Decimal]) -> None:
    """`position_updated` with each position's unrealised PnL at the live mark price."""
    account = ExchangeAccount.objects.get(pk=account_id)
    live = []
    for snap in positions:
        mark = marks.get(snap.symbol)
        if mark is not None:
            snap.mark_price = mark
            snap.unrealized_pnl = q8(snap.amount * (mark - snap.entry_price))
        live.append(snap)
    account_event_publish(account=account, type="position_updated",
                          data={"positions": positions_payload(account=account, snapshots=live), "live": True})


async def trading_run(stop: asyncio.Event, options: ProcessOptions | None = None) -> None:
    await TradingProcess(stop, options).run()


# --- the process's reads and writes (sync, run through `db`) ---------------------------------

def accounts_active() -> list:
    """Accounts the process follows: verified (paper ones included); a deleted one is gone."""
    return list(ExchangeAccount.objects.filter(status=AccountStatus.VERIFIED).only("id", "venue"))


def stream_connected_mark(account_id: int) -> None:
    state, _ = TradingState.objects.get_or_create(account_id=account_id)
    TradingState.objects.filter(pk=state.pk).update(stream_connected_at=timezone.now())
