"""`manage.py import_klines PATH... [--market usdm] [--symbol X --interval 5m]`.

Imports Binance's public kline files (data.binance.vision: .csv, or .zip of one .csv, with or
without the header row; microsecond times converted) and the recorded set the project ships
(sandbox/data/klines_usdm_5m.npz, or its <SYMBOL>.csv sources) into the candle store as history.
A directory stands for the .csv/.zip/.npz files in it. Bad rows are quarantined (counted, not
stored); gaps between the first and last imported candle of each stream are reported, never filled.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from market.binance.venues import MARKETS
from market.history import HistoryError, gaps_in, interval_step, read_kline_file
from market.services import candles_upsert

BATCH = 10_000
SUFFIXES = (".csv", ".zip", ".npz")


class Command(BaseCommand):
    help = "Import kline files (Binance's public CSV/zip, or the recorded set) into the candle store as history."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--market", choices=MARKETS, default=None,
                            help="usdm or spot (default: BINANCE_MARKET, the platform's)")
        parser.add_argument("--symbol", help="symbol of every file (default: from each file name)")
        parser.add_argument("--interval", help="interval of every file (default: from each file name)")

    def handle(self, *args, **options):
        market = options["market"] or settings.BINANCE.market
        symbol, interval = options["symbol"], options["interval"]
        if interval is not None:
            try:
                interval_step(interval)
            except HistoryError as exc:
                raise CommandError(str(exc)) from None
        times: dict[tuple[str, str], list[int]] = defaultdict(list)
        bad_total: Counter = Counter()
        unreadable = 0
        for path in self._expand(options["paths"]):
            try:
                files = read_kline_file(path, symbol=symbol, interval=interval)
            except (HistoryError, OSError, UnicodeDecodeError) as exc:
                unreadable += 1
                self.stderr.write(f"{path}: {exc}")
                continue
            for kf in files:
                for i in range(0, len(kf.candles), BATCH):
                    candles_upsert(kf.candles[i:i + BATCH], market=market, history=True)
                times[(kf.symbol, kf.interval)].extend(c.open_time for c in kf.candles)
                bad_total.update(kf.bad)
                notes = [f"{sum(kf.bad.values())} bad row(s) left out"] if kf.bad else []
                notes += [f"{kf.microseconds} microsecond time(s) converted"] if kf.microseconds else []
                self.stdout.write(f"{kf.source}: {market} {kf.symbol} {kf.interval}: {len(kf.candles)} candles"
                                  + (f" ({'; '.join(notes)})" if notes else ""))
                if kf.microseconds and market == "usdm":
                    self.stderr.write(f"{kf.source}: microsecond times are a spot file's; stored as usdm "
                                      "(--market spot for spot files)")
        for reason, count in sorted(bad_total.items()):
            self.stdout.write(f"bad rows: {count} {reason}")
        for (name, iv), opened in sorted(times.items()):
            if not opened:
                continue
            gaps = gaps_in(opened, interval_step(iv), min(opened), max(opened))
            self.stdout.write(f"{market} {name} {iv}: {len(set(opened))} candles, {len(gaps)} gap(s)")
            for gap in gaps:
                self.stdout.write(f"  gap: {gap}")
        if unreadable:
            raise CommandError(f"{unreadable} file(s) could not be read")

    def _expand(self, paths: list[str]) -> list[Path]:
        found = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                found += sorted(p for p in path.iterdir() if p.suffix in SUFFIXES)
            elif path.exists():
                found.append(path)
            else:
                raise CommandError(f"{raw}: no such file or directory")
        return found
