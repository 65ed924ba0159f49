"""The Beat entry of `backtest.sweep`: every 60 s, runs left QUEUED are sent again and runs whose
worker died are failed (`services.runs_sweep`)."""
from django.db import migrations

from common.beat_entries import beat_entry_operation


class Migration(migrations.Migration):
    dependencies = [
        ("backtest", "0002_sent_heartbeat"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat_entry_operation(
        name="backtest-sweep", task="backtest.sweep", every=60, period="seconds", expire_seconds=55,
        description="Send again backtests left QUEUED (broker away, queue lost); fail RUNNING ones whose worker "
                    "stopped giving progress.")]  # fmt: skip
