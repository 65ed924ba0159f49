"""`manage.py stream_market`: the long-lived kline stream process (see market/streaming.py)."""
from __future__ import annotations

import asyncio
import signal

from django.core.management.base import BaseCommand

from market.streaming import stream_market_run


class Command(BaseCommand):
    help = "Stream closed klines of the universe into the candle store and the market:candles Redis stream."

    def add_arguments(self, parser):
        parser.add_argument("--universe-poll", type=float, default=30.0,
                            help="seconds between checks of the universe in the database (default 30)")
        parser.add_argument("--status-interval", type=float, default=10.0,
                            help="seconds between heartbeats in Redis market:streams:status (default 10)")

    def handle(self, *args, **options):
        asyncio.run(self._run(options["universe_poll"], options["status_interval"]))

    async def _run(self, universe_poll_s: float, status_s: float) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stream_market_run(stop, universe_poll_s=universe_poll_s, status_s=status_s)
