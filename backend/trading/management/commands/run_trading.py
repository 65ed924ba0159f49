"""`manage.py run_trading`: the trading process (see trading/process.py)."""
from __future__ import annotations

import asyncio
import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from trading.process import ProcessOptions, trading_run


class Command(BaseCommand):
    help = ("Follow the user data stream of every active exchange account, reconcile, renew the dead-man "
            "switch and push live positions.")

    def add_arguments(self, parser):
        conf = settings.TRADING
        parser.add_argument("--accounts-poll", type=float, default=float(conf.accounts_poll_s),
                            help="seconds between looks for new or removed accounts (TRADING_ACCOUNTS_POLL_S)")
        parser.add_argument("--deadman-renew", type=float, default=float(conf.deadman_renew_s),
                            help="seconds between countdownCancelAll renewals (TRADING_DEADMAN_RENEW_S)")
        parser.add_argument("--deadman-countdown", type=int, default=conf.deadman_countdown_s * 1000,
                            help="countdown of the dead-man switch in ms, 0 = off (TRADING_DEADMAN_COUNTDOWN_S)")

    def handle(self, *args, **options):
        opts = ProcessOptions(accounts_poll_s=options["accounts_poll"], deadman_renew_s=options["deadman_renew"],
                              deadman_countdown_ms=options["deadman_countdown"])
        self.stdout.write("trading: following the exchange accounts' user data streams")
        asyncio.run(self._run(opts))

    async def _run(self, opts: ProcessOptions) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await trading_run(stop, opts)
