"""Long-lived process: run the users' strategies on closed candles (see strategies/engine/)."""
import asyncio
import signal

from django.core.management.base import BaseCommand

from strategies.engine.process import engine_run


class Command(BaseCommand):
    help = "Run every RUNNING strategy on the closed candles of the market stream."

    def add_arguments(self, parser):
        parser.add_argument("--stream", default=None, help="stream key (default: market:candles)")
        parser.add_argument("--threads", type=int, default=8, help="worker threads evaluating runs")

    def handle(self, *args, **options):
        async def main():
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            self.stdout.write("strategies engine: following the candle stream", ending="\n")
            self.stdout.flush()
            kwargs = {"stream": options["stream"]} if options["stream"] else {}
            await engine_run(stop, threads=options["threads"], **kwargs)

        asyncio.run(main())
