"""Request rates of the market endpoints that could otherwise spend the exchange budget.

Per client IP for anonymous callers (the address common/proxies.py resolved: a caller's own
X-Forwarded-For never counts) and per user once signed in; counters in the shared cache (Redis),
so every web process counts together. Rates: MARKET_API_RATE_ANON / MARKET_API_RATE_USER.
"""
from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class MarketAnonRateThrottle(AnonRateThrottle):
    scope = "market_anon"

    def get_rate(self) -> str:
        return settings.MARKET_API_RATES.market_anon


class MarketUserRateThrottle(UserRateThrottle):
    scope = "market_user"

    def get_rate(self) -> str:
        return settings.MARKET_API_RATES.market_user

    def allow_request(self, request, view) -> bool:
        # Anonymous callers are MarketAnonRateThrottle's: counting them here too (by IP, at the
        # higher user rate) would only ever be the looser of the two limits.
        if not (request.user and request.user.is_authenticated):
            return True
        return super().allow_request(request, view)
