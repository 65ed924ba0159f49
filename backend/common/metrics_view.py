"""`GET /metrics`: the Prometheus exposition of every process of this host (common/metrics.py).

Not public: a scrape is answered when the client address (REMOTE_ADDR, as common/proxies.py
resolved it from TRUSTED_PROXIES) is in METRICS_ALLOW (default loopback), or when it carries
`Authorization: Bearer <METRICS_TOKEN>`. Anyone else gets a 403 with a plain-text reason, and a
wrong token a 401; the token is compared in constant time and never written anywhere.
Behind a reverse proxy on the same host, set TRUSTED_PROXIES (or do not forward /metrics):
otherwise every proxied request comes from loopback.
"""
from __future__ import annotations

import hmac
import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from common import metrics


@lru_cache(maxsize=4)
def _networks(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _address_allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _networks(tuple(settings.METRICS_ALLOW)))


def _bearer(request: HttpRequest) -> str | None:
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


@require_http_methods(["GET", "HEAD"])
def metrics_view(request: HttpRequest) -> HttpResponse:
    token, expected = _bearer(request), settings.METRICS_TOKEN
    if token is not None:
        if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
            response = _text("metrics: bearer token not accepted", 401)
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    elif not _address_allowed(request.META.get("REMOTE_ADDR", "")):
        return _text("metrics: this address is not in METRICS_ALLOW; send Authorization: Bearer "
                     "<METRICS_TOKEN>", 403)
    body, content_type = metrics.exposition()
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response
