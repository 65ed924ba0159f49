"""Long-lived process: evaluate signals as candles close on the market stream (see signals/services/live.py)."""
import os
import signal
import threading

from django.core.management.base import BaseCommand

from signals.services.live import LEASE_MS, live_signals_run


class Command(BaseCommand):
    help = "Follow closed candles from the market stream and keep signals up to date."

    def add_arguments(self, parser):
        parser.add_argument("--shards", type=int, default=int(os.environ.get("SIGNALS_LIVE_SHARDS", "1")),
                            help="shards the symbols are split into, over every live signal process "
                                 "(default $SIGNALS_LIVE_SHARDS or 1; the same number in every process)")
        parser.add_argument("--lease-ms", type=int, default=LEASE_MS,
                            help="a shard's lease: how long a dead process's shards wait before another takes them")

    def handle(self, *args, **options):
        if options["shards"] < 1 or options["lease_ms"] < 1000:
            raise SystemExit("--shards must be >= 1 and --lease-ms >= 1000")
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"live signals: following market:candles ({options['shards']} shard(s))")
        live_signals_run(stop=stop, shards=options["shards"], lease_ms=options["lease_ms"])
