"""Beat entry of `market.refresh_universe` (every 15 min), editable in the admin."""
from django.db import migrations

from common.beat_entries import beat_entry_operation


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat_entry_operation(
        name="refresh-universe", task="market.refresh_universe", every=15, period="minutes", expire_seconds=840,
        description="Top USDT pairs by 24h quote volume (MARKET_UNIVERSE_SIZE).")]  # fmt: skip
