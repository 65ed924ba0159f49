"""Thin Celery tasks of the health app: each calls one function and returns JSON."""
from celery import shared_task

from health.checks import system_check


@shared_task(name="health.system_health_check")
def system_health_check() -> dict:
    """Periodic check of the platform's parts; the result is kept by django-celery-results."""
    # The worker runs this task, so its own Celery ping is left out.
    results = system_check(["database", "redis", "channel_layer", "signals"])
    return {name: result.as_dict() for name, result in results.items()}
