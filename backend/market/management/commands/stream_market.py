"""`manage.py stream_market`: the long-lived kline stream process (see market/streaming.py)."""
from __future__ import annotations

import asyncio
import os
import signal

from django.core.management.base import BaseCommand, CommandError

from market.streaming import stream_market_run


class Command(BaseCommand):
    help = "Stream closed klines of the universe into the candle store and the market:candles Redis stream."

    def add_arguments(self, parser):
        parser.add_argument("--universe-poll", type=float, default=30.0,
                            help="seconds between checks of the universe in the database (default 30)")
        parser.add_argument("--status-interval", type=float, default=10.0,
                            help="seconds between heartbeats in Redis market:streams:status (default 10)")
        parser.add_argument("--shards", type=int, default=None,
                            help="shards of the universe shared by every stream process; all of them must "
                                 "use the same number (default: $MARKET_STREAM_SHARDS, else 1)")
        parser.add_argument("--lease-ttl", type=float, default=15.0,
                            help="seconds a shard's lease outlives its holder's last renewal (default 15): "
                                 "a dead process's shards are taken over within this plus a fifth of it")

    def handle(self, *args, **options):
        shards = options["shards"] or int(os.environ.get("MARKET_STREAM_SHARDS") or 1)
        if not 1 <= shards <= 1024:
            raise CommandError(f"--shards must be 1..1024, got {shards}")
        if not 1.0 <= options["lease_ttl"] <= 600:
            raise CommandError("--lease-ttl must be 1..600 seconds")
        asyncio.run(self._run(options["universe_poll"], options["status_interval"], shards, options["lease_ttl"]))

    async def _run(self, universe_poll_s: float, status_s: float, shards: int, lease_ttl_s: float) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stream_market_run(stop, universe_poll_s=universe_poll_s, status_s=status_s, shards=shards,
                                lease_ttl_s=lease_ttl_s)
