"""Which webhook targets the platform may call: public addresses only, unless
WEBHOOK_ALLOW_PRIVATE_TARGETS=true (`settings.NOTIFICATIONS.webhook_allow_private_targets`).

A webhook URL is typed by a person; without this check it could make the server POST to itself
(loopback), to the database or Redis next to it (private networks) or to a cloud metadata
service (link-local 169.254.169.254). So a target's host is resolved and every address it
resolves to must be public:

* when the rule is saved (`webhook_target_check`, from `NotificationRule.clean`);
* again at every send, inside the connection itself (`guarded_opener`): the socket connects to
  an address that was just checked, so a DNS answer that changes between the check and the
  connection (DNS rebinding) cannot slip a private address through. TLS still verifies the
  certificate against the host name.

Also shown here: `target_masked(url)`, the scheme and host of a URL (its path and query may carry
a token), for the admin.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from urllib.parse import urlsplit


class TargetRefused(OSError):
    """The target resolves to an address webhooks may not reach (or does not resolve).
    An OSError so that it travels through urllib like a connection failure; the message names
    the host, never the path or query."""


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global is False for loopback, private (RFC 1918, ULA), link-local, shared (100.64/10),
    # reserved and unspecified addresses; multicast is no place for a webhook either.
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list[tuple]:
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused(f"the host {host} does not resolve") from None


def _check(host: str, infos: list[tuple]) -> None:
    for *_rest, sockaddr in infos:
        if not address_is_public(sockaddr[0]):
            raise TargetRefused(
                f"the host {host} resolves to a loopback, private or link-local address ({sockaddr[0]}); "
                "webhooks go to public addresses only (WEBHOOK_ALLOW_PRIVATE_TARGETS)")


def webhook_target_check(url: str, *, allow_private: bool) -> None:
    """Raise TargetRefused unless every address `url`'s host resolves to is public."""
    if allow_private:
        return
    parts = urlsplit(url)
    if not parts.hostname:
        raise TargetRefused("the URL has no host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    _check(parts.hostname, _resolve(parts.hostname, port))


def target_masked(url: str) -> str:
    """`https://hooks.example.com/T0K3N?x=1` -> `https://hooks.example.com/…` (no user info either)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(not a URL)"
    if not parts.scheme or not host:
        return "(not a URL)"
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{port}/…"


def _guarded_create_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None, *args, **kwargs):
    """socket.create_connection, but only to addresses that are checked right here."""
    host, port = address
    infos = _resolve(host, port)
    _check(host, infos)
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(f"no address to connect to for {host}")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_create_connection


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_create_connection


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_GuardedHTTPSConnection, req, context=self._context)


def guarded_opener(*handlers: urllib.request.BaseHandler) -> urllib.request.OpenerDirector:
    """An opener that connects to public addresses only, straight (no proxy from the environment:
    the proxy's address, not the target's, would be checked)."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _GuardedHTTPHandler, _GuardedHTTPSHandler,
                                       *handlers)
