"""Settings of accounts and security, read by `config/env.py`: the secret key, HTTPS and proxies,
API and sign-in rates, OpenID Connect, the field encryption keys and the site's public URL."""
from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from config.env_parse import EnvError, env_bool, env_int, env_list, env_str


@dataclass(frozen=True)
class OidcEnv:
    """The OpenID Connect provider of "Sign in with <name>" (backend/accounts/oidc.py)."""

    issuer: str  # discovery document at <issuer>/.well-known/openid-configuration
    client_id: str
    provider_name: str  # button text: "Sign in with <provider_name>"
    client_secret: str = field(repr=False)


def read_oidc_env() -> OidcEnv | None:
    issuer = env_str("OIDC_ISSUER", "")
    if not issuer:
        return None
    if urlsplit(issuer).scheme not in ("https", "http") or not urlsplit(issuer).netloc:
        raise EnvError(f"OIDC_ISSUER must be an https:// (or http://) URL, got {issuer!r}")
    # A *_FILE variable keeps the secret out of the environment (Docker/Kubernetes secrets).
    secret_file = env_str("OIDC_CLIENT_SECRET_FILE", "")
    if secret_file and env_str("OIDC_CLIENT_SECRET", ""):
        raise EnvError("set OIDC_CLIENT_SECRET or OIDC_CLIENT_SECRET_FILE, not both")
    try:
        secret = Path(secret_file).read_text().strip() if secret_file else env_str("OIDC_CLIENT_SECRET", "")
    except OSError as exc:
        raise EnvError(f"OIDC_CLIENT_SECRET_FILE cannot be read: {exc.strerror}") from None
    client_id = env_str("OIDC_CLIENT_ID", "")
    if not client_id or not secret:
        raise EnvError("OIDC_ISSUER is set: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (or OIDC_CLIENT_SECRET_FILE) are required too")
    return OidcEnv(
        issuer=issuer,
        client_id=client_id,
        provider_name=env_str("OIDC_PROVIDER_NAME", "OpenID Connect"),
        client_secret=secret,
    )


def read_field_encryption_keys() -> tuple[str, ...]:
    """FIELD_ENCRYPTION_KEYS (comma-separated Fernet keys) or FIELD_ENCRYPTION_KEYS_FILE (the same,
    one per line or comma-separated). Errors name the variable and the key's position, never the key."""
    path = env_str("FIELD_ENCRYPTION_KEYS_FILE", "")
    if path and os.environ.get("FIELD_ENCRYPTION_KEYS"):
        raise EnvError("set FIELD_ENCRYPTION_KEYS or FIELD_ENCRYPTION_KEYS_FILE, not both")
    name = "FIELD_ENCRYPTION_KEYS_FILE" if path else "FIELD_ENCRYPTION_KEYS"
    if path:
        try:
            raw = Path(path).read_text()
        except OSError as exc:
            raise EnvError(f"FIELD_ENCRYPTION_KEYS_FILE cannot be read: {exc.strerror}") from None
    else:
        raw = os.environ.get("FIELD_ENCRYPTION_KEYS", "")
    keys = tuple(k.strip() for k in raw.replace("\n", ",").split(",") if k.strip())
    for number, key in enumerate(keys, 1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode())) == 32
        except (binascii.Error, ValueError):
            valid = False
        if not valid:
            raise EnvError(f"{name}: key {number} is not a Fernet key (32 url-safe base64-encoded bytes)")
    if len(set(keys)) != len(keys):
        raise EnvError(f"{name} lists the same key twice")
    return keys


# Keys that have been published (this repository's examples and images): never accepted
# with debug off, however long.
# The dev key is 32+ bytes only so that JWT's HMAC (PyJWT warns below 32) stays quiet under debug.
DEV_SECRET_KEY = "insecure-dev-key-change-me-debug-only"


KNOWN_SECRET_KEYS = frozenset({DEV_SECRET_KEY, "insecure-dev-key-change-me", "build-only", "change-me", "changeme",
                               "secret"})


SECRET_KEY_HOWTO = "generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


def read_secret_key(debug: bool) -> str:
    """DJANGO_SECRET_KEY; with debug off a missing, published or weak key stops the start.

    "Weak" is Django's own deploy check (security.W009): under 50 characters, under 5 distinct
    characters, or Django's `django-insecure-` prefix.
    """
    key = os.environ.get("DJANGO_SECRET_KEY", "")
    if debug:
        return key or DEV_SECRET_KEY
    if not key:
        raise EnvError(f"DJANGO_SECRET_KEY is required when DJANGO_DEBUG=false; {SECRET_KEY_HOWTO}")
    if key in KNOWN_SECRET_KEYS or key.startswith("django-insecure-"):
        raise EnvError(f"DJANGO_SECRET_KEY is a published example key; {SECRET_KEY_HOWTO}")
    if len(key) < 50 or len(set(key)) < 5:
        raise EnvError(f"DJANGO_SECRET_KEY is too weak ({len(key)} characters, {len(set(key))} distinct; "
                       f"at least 50 and 5 are needed); {SECRET_KEY_HOWTO}")
    return key


@dataclass(frozen=True)
class SecurityEnv:
    """HTTPS, cookies, HSTS and the proxies whose forwarded headers are believed."""

    https: bool  # served over HTTPS (directly or behind a TLS-terminating proxy)
    ssl_redirect: bool
    hsts_seconds: int
    hsts_include_subdomains: bool
    hsts_preload: bool
    trusted_proxies: list[str]  # IPs / CIDR networks; empty = no forwarded header is believed
    csrf_trusted_origins: list[str]


def read_security_env(allowed_hosts: list[str]) -> SecurityEnv:
    import ipaddress

    https = env_bool("DJANGO_HTTPS", False)
    proxies = env_list("TRUSTED_PROXIES", "")
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise EnvError(f"TRUSTED_PROXIES must list IP addresses or networks (CIDR), got {proxy!r}") from None
    scheme = "https" if https else "http"
    derived = [f"{scheme}://{host}" for host in allowed_hosts if host != "*" and not host.startswith(".")]
    origins = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", ",".join(derived))
    bad = [origin for origin in origins if urlsplit(origin).scheme not in ("http", "https")]
    if bad:
        raise EnvError(f"DJANGO_CSRF_TRUSTED_ORIGINS must be origins such as https://scanner.example.com, got {bad}")
    return SecurityEnv(
        https=https,
        ssl_redirect=env_bool("DJANGO_SECURE_SSL_REDIRECT", https),
        # A year, as the HSTS preload list asks; only sent over HTTPS, so harmless when https is off.
        hsts_seconds=env_int("DJANGO_HSTS_SECONDS", 31_536_000 if https else 0, minimum=0),
        hsts_include_subdomains=env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True),
        hsts_preload=env_bool("DJANGO_HSTS_PRELOAD", True),
        trusted_proxies=proxies,
        csrf_trusted_origins=origins,
    )


@dataclass(frozen=True)
class ApiRatesEnv:
    """Request rates of the endpoints that cost exchange budget (DRF throttle rates, e.g. 60/min)."""

    market_anon: str
    market_user: str
    market_sockets_per_ip: int


def _is_rate(value: str) -> bool:
    """A DRF throttle rate: `<count>/<s|sec|m|min|h|hour|d|day>`, the count at least 1."""
    count, _, period = value.partition("/")
    return count.isdigit() and int(count) >= 1 and period in ("s", "sec", "m", "min", "h", "hour", "d", "day")


def _rate(name: str, default: str) -> str:
    value = env_str(name, default)
    if not _is_rate(value):
        raise EnvError(f"{name} must look like 120/min (a count per s, min, hour or day), got {value!r}")
    return value


def read_api_rates_env() -> ApiRatesEnv:
    return ApiRatesEnv(
        market_anon=_rate("MARKET_API_RATE_ANON", "120/min"),
        market_user=_rate("MARKET_API_RATE_USER", "600/min"),
        market_sockets_per_ip=env_int("MARKET_SOCKETS_PER_IP", 20, minimum=1),
    )


# Sign-in throttles (DRF scoped rates, "<count>/<s|min|hour|day>"): per client IP and per account
# (the email in the request body; the user for password change).
AUTH_THROTTLE_DEFAULTS = {
    "login_ip": "20/min",
    "login_account": "10/min",
    "register_ip": "20/hour",
    "register_account": "5/hour",
    "reset_ip": "10/hour",
    "reset_account": "3/hour",
    "reset_confirm_ip": "20/hour",
    "password_change_user": "10/hour",
}


@dataclass(frozen=True)
class AuthEnv:
    """Sign-in throttles and the lockout after repeated failed logins (django-axes)."""

    throttle_rates: dict[str, str]
    lockout_failures: int  # failed logins of one account from one IP before the lockout
    lockout_minutes: int  # how long the lockout lasts, from the last counted failure


def read_auth_env() -> AuthEnv:
    """AUTH_THROTTLE_RATES overrides some scopes: `login_ip=60/min,reset_account=5/hour`."""
    rates = dict(AUTH_THROTTLE_DEFAULTS)
    for item in env_list("AUTH_THROTTLE_RATES", ","):
        scope, _, rate = item.partition("=")
        scope, rate = scope.strip(), rate.strip()
        if scope not in AUTH_THROTTLE_DEFAULTS:
            raise EnvError(f"AUTH_THROTTLE_RATES: unknown scope {scope!r}; known: {', '.join(AUTH_THROTTLE_DEFAULTS)}")
        if not _is_rate(rate):
            raise EnvError(f"AUTH_THROTTLE_RATES: {scope} must look like 10/min (a count per s, min, hour or day), got {rate!r}")
        rates[scope] = rate
    return AuthEnv(
        throttle_rates=rates,
        lockout_failures=env_int("AUTH_LOCKOUT_FAILURES", 5, minimum=1),
        lockout_minutes=env_int("AUTH_LOCKOUT_MINUTES", 15, minimum=1),
    )


def read_site_url() -> str:
    url = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EnvError(f"SITE_URL must be an http(s) URL such as https://scanner.example.com, got {url!r}")
    return url
