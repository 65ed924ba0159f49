"""Long-lived process: run the users' strategies on closed candles (see strategies/engine/)."""
import asyncio
import os
import signal

from django.core.management.base import BaseCommand

from strategies.engine.process import LEASE_MS, engine_run


class Command(BaseCommand):
    help = "Run every RUNNING strategy on the closed candles of the market stream."

    def add_arguments(self, parser):
        parser.add_argument("--stream", default=None, help="stream key (default: market:candles)")
        parser.add_argument("--threads", type=int, default=8, help="worker threads evaluating runs")
        parser.add_argument("--shards", type=int, default=int(os.environ.get("STRATEGIES_SHARDS", "1")),
                            help="shards the running strategies are split into, over every engine process "
                                 "(default $STRATEGIES_SHARDS or 1; the same number in every process)")
        parser.add_argument("--lease-ms", type=int, default=LEASE_MS,
                            help="a shard's lease: how long a dead process's shards wait before another takes them")

    def handle(self, *args, **options):
        async def main():
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            if options["shards"] < 1 or options["lease_ms"] < 1000:
                raise SystemExit("--shards must be >= 1 and --lease-ms >= 1000")
            self.stdout.write(f"strategies engine: following the candle stream ({options['shards']} shard(s))",
                              ending="\n")
            self.stdout.flush()
            kwargs = {"stream": options["stream"]} if options["stream"] else {}
            await engine_run(stop, threads=options["threads"], shards=options["shards"], lease_ms=options["lease_ms"],
                             **kwargs)

        asyncio.run(main())
