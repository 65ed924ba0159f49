"""Forwarded headers count only from TRUSTED_PROXIES."""
import pytest
from django.test import Client

from common.proxies import client_ip

PROXIES = ("10.0.0.0/8", "192.168.1.7")


@pytest.mark.parametrize(
    "remote, forwarded, expected",
    [
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),  # not a proxy: its header is ignored
        ("10.1.2.3", None, "10.1.2.3"),  # a proxy that forwarded nothing
        ("10.1.2.3", "198.51.100.1", "198.51.100.1"),
        # The client wrote the left part itself; the right-most untrusted hop is what a proxy saw.
        ("10.1.2.3", "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        ("10.1.2.3", "6.6.6.6, 198.51.100.1, 192.168.1.7", "198.51.100.1"),
        ("10.1.2.3", "not-an-ip", "10.1.2.3"),
        ("10.1.2.3", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(remote, forwarded, expected):
    assert client_ip(remote, forwarded, PROXIES) == expected


def test_no_trusted_proxy_means_no_forwarded_header_counts():
    assert client_ip("10.1.2.3", "198.51.100.1", ()) == "10.1.2.3"


def test_https_is_believed_only_from_a_trusted_proxy(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.SECURE_HSTS_SECONDS = 3600
    stranger = Client(REMOTE_ADDR="203.0.113.5").get("/api/nothing/", HTTP_X_FORWARDED_PROTO="https")
    assert stranger.status_code == 301 and stranger["Location"].startswith("https://")
    proxied = Client(REMOTE_ADDR="10.0.0.2").get("/api/nothing/", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 404
    assert proxied["Strict-Transport-Security"] == "max-age=3600; includeSubDomains; preload"
    assert (proxied["X-Frame-Options"], proxied["X-Content-Type-Options"], proxied["Referrer-Policy"]) == (
        "DENY", "nosniff", "same-origin")
