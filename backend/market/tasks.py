"""Celery tasks of the market app (routed to the `scanner` queue by `market.*`)."""
from celery import shared_task

from market import services


@shared_task(name="market.refresh_universe", autoretry_for=(OSError,), retry_backoff=5, max_retries=2)
def refresh_universe() -> dict:
    return services.universe_refresh()
