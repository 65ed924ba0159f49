"""`manage.py fetch_history SYMBOL... --interval 5m --start 2026-11-01 --end 2026-11-15 [--market usdm]`.

Downloads closed candles over REST through the platform's Binance client (weight governor, retry
policy) into the candle store as history (never pruned), then reports what was stored and every
gap (open times the exchange has no candle for). See market/history.py.
"""
from __future__ import annotations

import asyncio
import sys
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from market.binance.client import BinanceClient
from market.binance.venues import MARKETS
from market.history import HistoryError, fetch_history, interval_step, parse_moment
from market.services import candles_upsert


class Progress:
    """A tqdm bar when tqdm is installed, else one stderr line rewritten at most twice a second."""

    def __init__(self, stream=None) -> None:
        self.total, self.done, self.stream, self._shown, self._bar = 0, 0, stream or sys.stderr, 0.0, None

    def start(self, total: int) -> None:
        self.total = total
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self._bar = tqdm(total=total, unit="candle", file=self.stream)

    def __call__(self, n: int, symbol: str) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.set_postfix_str(symbol, refresh=False)
            self._bar.update(n)
        elif time.monotonic() - self._shown >= 0.5 or self.done >= self.total:
            self._shown = time.monotonic()
            share = 100 * self.done / self.total if self.total else 100
            self.stream.write(f"\r{share:5.1f}% {self.done:,}/{self.total:,} candles ({symbol})")
            self.stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self.total:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Download closed candles of SYMBOL... in [--start, --end) into the candle store as history."

    def add_arguments(self, parser):
        parser.add_argument("symbols", nargs="+", metavar="SYMBOL")
        parser.add_argument("--interval", required=True, help="kline interval, e.g. 5m")
        parser.add_argument("--start", required=True, help="first day (YYYY-MM-DD, UTC) or UTC time YYYY-MM-DDTHH:MM")
        parser.add_argument("--end", required=True, help="end, exclusive (same formats)")
        parser.add_argument("--market", choices=MARKETS, default=None,
                            help="usdm or spot (default: BINANCE_MARKET, the platform's)")

    def handle(self, *args, **options):
        market = options["market"] or settings.BINANCE.market
        symbols = list(dict.fromkeys(s.upper() for s in options["symbols"]))
        interval = options["interval"]
        try:
            interval_step(interval)
            start, end = parse_moment(options["start"]), parse_moment(options["end"])
        except HistoryError as exc:
            raise CommandError(str(exc)) from None
        if start >= end:
            raise CommandError("--start must be before --end")
        progress = Progress(self.stderr._out)
        try:
            reports = asyncio.run(self._fetch(market, symbols, interval, start, end, progress))
        finally:
            progress.close()
            connections.close_all()
        failed = 0
        for report in reports:
            if report.error:
                failed += 1
                self.stderr.write(f"{market} {report.symbol} {interval}: stopped after {report.stored} candles: "
                                  f"{report.error}")
                continue
            self.stdout.write(f"{market} {report.symbol} {interval}: {report.stored} candles stored, "
                              f"{len(report.gaps)} gap(s)")
            for gap in report.gaps:
                self.stdout.write(f"  gap: {gap}")
        if failed:
            raise CommandError(f"{failed} of {len(reports)} symbol(s) failed; rerun to resume (upserts are idempotent)")

    async def _fetch(self, market, symbols, interval, start, end, progress):
        store = sync_to_async(lambda page: candles_upsert(page, market=market, history=True), thread_sensitive=True)
        async with BinanceClient.from_settings(market=market) as client:
            return await fetch_history(client, symbols, interval, start, end, store=store, progress=progress,
                                       total=progress.start)
