"""The candle store keeps history per market: `market` joins the unique key, `history` exempts a row from pruning.

Which market do the existing rows belong to? Until now every writer of `market_candle` (the
`stream_market` process: its universe, stream seeds and backfills) used the platform's client,
`BinanceClient.from_settings()`, whose venue is `venue_for(BINANCE_ENV, BINANCE_MARKET)`
(config/env.py: BINANCE_MARKET, default "usdm"). So existing rows are given BINANCE_MARKET as
configured when this migration runs: "usdm" on a default deployment. (A database that was
switched between markets already held both mixed under one key, which no migration can undo;
the market README told operators to clear the table when switching.)
"""
from django.db import migrations, models


def _platform_market() -> str:
    from django.conf import settings

    return settings.BINANCE.market


class Migration(migrations.Migration):

    dependencies = [
        ("market", "0004_prune_schedule"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="candle", name="market_candle_key"),
        # The default is evaluated once, for the existing rows, then dropped (preserve_default=False).
        migrations.AddField(
            model_name="candle",
            name="market",
            field=models.CharField(choices=[("usdm", "USD-M futures"), ("spot", "spot")], default=_platform_market,
                                   max_length=8),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="candle",
            name="history",
            field=models.BooleanField(default=False,
                                      help_text="written by fetch_history/import_klines: never pruned"),
        ),
        migrations.AddConstraint(
            model_name="candle",
            constraint=models.UniqueConstraint(fields=("market", "symbol", "interval", "open_time"),
                                               name="market_candle_key"),
        ),
    ]
