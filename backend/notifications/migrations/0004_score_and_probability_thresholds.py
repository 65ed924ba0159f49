"""The rule threshold is a score (the weighted share of the eight conditions), so it is named one;
a rule may also ask for a calibrated take-profit probability. The Beat entry of 0002 passed
`min_confidence: 85`, which would override NOTIFICATIONS_MIN_SCORE: the untouched default is
dropped (the setting applies), an edited one is carried over as `min_score`."""
import json

import django.core.validators
from django.db import migrations, models
from django.db.models import Q


def beat_kwargs_forward(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for task in PeriodicTask.objects.filter(task="notifications.send_signal_notifications"):
        kwargs = json.loads(task.kwargs or "{}")
        if "min_confidence" not in kwargs:
            continue
        value = kwargs.pop("min_confidence")
        if value != 85.0:
            kwargs["min_score"] = value
        task.kwargs = json.dumps(kwargs)
        task.description = "Recent signals at or above the score / probability thresholds to every enabled rule."
        task.save(update_fields=["kwargs", "description"])


def beat_kwargs_backward(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for task in PeriodicTask.objects.filter(task="notifications.send_signal_notifications"):
        kwargs = json.loads(task.kwargs or "{}")
        kwargs["min_confidence"] = kwargs.pop("min_score", 85.0)
        kwargs.pop("min_probability", None)
        task.kwargs = json.dumps(kwargs)
        task.save(update_fields=["kwargs"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_secret_encrypted"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="notificationrule", name="rule_min_confidence_0_100"),
        migrations.RenameField(model_name="notificationrule", old_name="min_confidence", new_name="min_score"),
        migrations.AlterField(
            model_name="notificationrule",
            name="min_score",
            field=models.FloatField(
                default=85,
                help_text="Score 0-100 at creation",
                validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)],
            ),
        ),
        migrations.AddField(
            model_name="notificationrule",
            name="min_probability",
            field=models.FloatField(
                blank=True,
                null=True,
                help_text="Calibrated P(take-profit) in percent; empty: not required. 'Not enough history' never passes it",
                validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)],
            ),
        ),
        migrations.AddConstraint(
            model_name="notificationrule",
            constraint=models.CheckConstraint(condition=Q(min_score__gte=0, min_score__lte=100), name="rule_min_score_0_100"),
        ),
        migrations.AddConstraint(
            model_name="notificationrule",
            constraint=models.CheckConstraint(
                condition=Q(min_probability__isnull=True) | Q(min_probability__gte=0, min_probability__lte=100),
                name="rule_min_probability_0_100",
            ),
        ),
        migrations.RunPython(beat_kwargs_forward, beat_kwargs_backward),
    ]
