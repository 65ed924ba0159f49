"""Who the client is, believing forwarded headers only from the proxies listed in TRUSTED_PROXIES.

Per-IP limits (DRF throttles, the market socket's connection cap) and `request.is_secure()` read
what these functions leave in `REMOTE_ADDR` and `X-Forwarded-Proto`. A header sent by anyone else
is dropped: otherwise every caller could name its own address and never be throttled.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.utils.decorators import sync_and_async_middleware

_FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT")


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(remote_addr: str, forwarded_for: str | None, proxies: tuple[str, ...]) -> str:
    """The client's address: `remote_addr`, or, when that is a trusted proxy, the nearest address
    in `X-Forwarded-For` (read from the right) that is not a trusted proxy itself."""
    networks = _networks(proxies)
    if not networks or not _trusted(remote_addr, networks) or not forwarded_for:
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote_addr  # a malformed hop: keep the proxy's own address
    return hops[0] if hops else remote_addr


def scope_client_ip(scope: dict) -> str:
    """`client_ip` for an ASGI scope (WebSocket consumers)."""
    remote = (scope.get("client") or ("", 0))[0] or ""
    forwarded = None
    for name, value in scope.get("headers") or ():
        if name.lower() == b"x-forwarded-for":
            forwarded = value.decode("latin-1")
    return client_ip(remote, forwarded, tuple(settings.TRUSTED_PROXIES))


def _apply(request) -> None:
    meta = request.META
    remote = meta.get("REMOTE_ADDR", "")
    proxies = tuple(settings.TRUSTED_PROXIES)
    if proxies and _trusted(remote, _networks(proxies)):
        meta["REMOTE_ADDR"] = client_ip(remote, meta.get("HTTP_X_FORWARDED_FOR"), proxies)
    else:
        for name in _FORWARDED:
            meta.pop(name, None)


@sync_and_async_middleware
def trusted_proxy_middleware(get_response):
    """First in MIDDLEWARE: before SecurityMiddleware decides on the HTTPS redirect."""
    from asgiref.sync import iscoroutinefunction

    if iscoroutinefunction(get_response):
        async def middleware(request):
            _apply(request)
            return await get_response(request)
    else:
        def middleware(request):
            _apply(request)
            return get_response(request)
    return middleware
