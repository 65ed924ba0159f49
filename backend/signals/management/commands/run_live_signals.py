"""Long-lived process: evaluate signals as candles close on the market stream (see signals/services/live.py)."""
import signal
import threading

from django.core.management.base import BaseCommand

from signals.services.live import live_signals_run


class Command(BaseCommand):
    help = "Follow closed candles from the market stream and keep signals up to date."

    def handle(self, *args, **options):
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("live signals: following market:candles")
        live_signals_run(stop=stop)
