"""Beat entry of `market.prune_candles` (hourly): the candle store keeps MARKET_CANDLES_KEEP per stream."""
from django.db import migrations

from common.beat_entries import beat_entry_operation


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0003_candle"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat_entry_operation(
        name="prune-candles", task="market.prune_candles", every=1, period="hours", expire_seconds=3000,
        description="Candle store: keep the newest MARKET_CANDLES_KEEP per symbol and interval.")]  # fmt: skip
