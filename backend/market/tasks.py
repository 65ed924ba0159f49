"""Celery tasks of the market app (routed to the `scanner` queue by `market.*`)."""
from celery import shared_task
from django.conf import settings

from market import services
from market.binance.errors import RateLimitedError, TemporaryError


# Temporary exchange failures are retried; a ban or a permanent error waits for the next schedule.
@shared_task(name="market.refresh_universe", autoretry_for=(OSError, TemporaryError, RateLimitedError),
             retry_backoff=5, max_retries=2)
def refresh_universe() -> dict:
    return services.universe_refresh()


@shared_task(name="market.prune_candles")
def prune_candles() -> dict:
    return {"deleted": services.candles_prune(keep=settings.MARKET.candles_keep)}
