"""The Beat entry of `trading.reconcile_all`: every account compared with its exchange every 60 s."""
from django.db import migrations

from common.beat_entries import beat_entry_operation


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat_entry_operation(
        name="trading-reconcile-all", task="trading.reconcile_all", every=60, period="seconds", expire_seconds=55,
        description="Reconcile every active exchange account with its exchange (Binance is the source of truth): "
                    "positions, open orders, trades since the last seen id.")]  # fmt: skip
