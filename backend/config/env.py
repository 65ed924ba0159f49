"""Typed environment settings, read once at import.

Every setting the platform reads comes through here, so a bad value fails at
start-up with a message naming the variable instead of surfacing later as a
confusing runtime error. `.env.example` at the repository root lists them all.

A `.env` file at the repository root is read if present; real environment
variables always win over it.
"""
from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from config.dotenv import DotenvError, dotenv_parse

REPO_ROOT = Path(__file__).resolve().parents[2]
BACKEND_DIR = REPO_ROOT / "backend"


class EnvError(RuntimeError):
    """A variable is present but its value cannot be used."""


def _load_dotenv(path: Path) -> None:
    # Parsed by config/dotenv.py, the same reader scripts/run.sh uses: data, never shell.
    # Existing environment variables are never overwritten.
    if not path.is_file():
        return
    try:
        values = dotenv_parse(path.read_text(encoding="utf-8"))
    except DotenvError as exc:
        raise EnvError(f"{path}: {exc}") from None
    for key, value in values.items():
        os.environ.setdefault(key, value)


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise EnvError(f"{name} is required but not set")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    # Only the two spellings below are accepted: "yes", "1" or "on" are
    # rejected on purpose, so a typo never silently means False.
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value in ("True", "true"):
        return True
    if value in ("False", "false"):
        return False
    raise EnvError(f"{name} must be true or false, got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise EnvError(f"{name} must be an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise EnvError(f"{name} must be >= {minimum}, got {number}")
    return number


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def parse_database_url(url: str) -> dict:
    """Turn `postgres://user:pass@host:port/name?host=/socket/dir` into Django's dict.

    The `host` query parameter (used for Unix sockets, as the embedded server
    does) wins over the network location.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise EnvError(f"DATABASE_URL must start with postgres:// or postgresql://, got {parts.scheme!r}")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise EnvError("DATABASE_URL must name a database, e.g. postgres://localhost:5432/scanner")
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or ""])[0]
    try:
        port = parts.port
    except ValueError:
        raise EnvError(f"DATABASE_URL has an invalid port: {url!r}") from None
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or "postgres"),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def check_redis_url(name: str, url: str) -> str:
    if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise EnvError(f"{name} must start with redis://, rediss:// or unix://, got {url!r}")
    return url


@dataclass(frozen=True)
class Env:
    debug: bool
    secret_key: str = field(repr=False)
    allowed_hosts: list[str]
    security: SecurityEnv
    database: dict
    redis_url: str
    celery_broker_url: str
    time_zone: str
    log_level: str
    celery_task_always_eager: bool
    notifications: NotificationsEnv
    email: EmailEnv
    flower_url: str
    api_rates: ApiRatesEnv
    scanner_timeframes: list[str]
    binance: BinanceEnv
    market: MarketEnv
    oidc: OidcEnv | None  # None: no OpenID Connect provider, no "Sign in with ..." button
    site_url: str  # where users open the dashboard: links in emails (password reset)
    public_market_data: bool  # market-wide endpoints readable without signing in
    auth: AuthEnv
    # Fernet keys of accounts/crypto.py: the first encrypts, all decrypt. Empty: secrets cannot be stored.
    field_encryption_keys: tuple[str, ...] = field(default=(), repr=False)


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


@dataclass(frozen=True)
class BinanceEnv:
    """The Binance client (backend/market/binance/)."""

    env: str  # sandbox | testnet | live
    market: str  # usdm | spot: the market scanned and streamed
    sandbox_url: str
    sandbox_ws_url: str  # empty: the sandbox URL with ws:// instead of http://
    request_timeout_ms: int
    max_concurrency: int
    weight_share_percent: int
    ban_max_wait_s: int
    retry_attempts: int
    retry_base_ms: int
    retry_cap_ms: int


@dataclass(frozen=True)
class MarketEnv:
    """Market data: the universe, the kline streams and the candle store (backend/market/)."""

    universe_size: int  # 0 = every eligible pair
    stablecoins: list[str]
    stream_intervals: list[str]
    streams_per_connection: int
    stream_stall_s: int
    stream_max_age_s: int
    stream_seed_candles: int
    events_maxlen: int
    candles_keep: int


KLINE_INTERVALS = ("1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w")


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise EnvError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def read_binance_env() -> BinanceEnv:
    return BinanceEnv(
        env=env_choice("BINANCE_ENV", "sandbox", ("sandbox", "testnet", "live")),
        market=env_choice("BINANCE_MARKET", "usdm", ("usdm", "spot")),
        sandbox_url=env_str("BINANCE_SANDBOX_URL", "http://127.0.0.1:8765"),
        sandbox_ws_url=os.environ.get("BINANCE_SANDBOX_WS_URL", ""),
        request_timeout_ms=env_int("BINANCE_REQUEST_TIMEOUT_MS", 10_000, minimum=100),
        max_concurrency=env_int("BINANCE_MAX_CONCURRENCY", 50, minimum=1),
        weight_share_percent=min(100, env_int("BINANCE_WEIGHT_SHARE_PERCENT", 80, minimum=1)),
        ban_max_wait_s=env_int("BINANCE_BAN_MAX_WAIT_S", 120, minimum=0),
        retry_attempts=env_int("BINANCE_RETRY_ATTEMPTS", 5, minimum=1),
        retry_base_ms=env_int("BINANCE_RETRY_BASE_MS", 250, minimum=1),
        retry_cap_ms=env_int("BINANCE_RETRY_CAP_MS", 10_000, minimum=1),
    )


def read_market_env() -> MarketEnv:
    intervals = env_list("MARKET_STREAM_INTERVALS", "5m,15m,1h,4h")
    unknown = [i for i in intervals if i not in KLINE_INTERVALS]
    if unknown:
        raise EnvError(f"MARKET_STREAM_INTERVALS has unknown intervals {unknown}; known: {', '.join(KLINE_INTERVALS)}")
    per_connection = env_int("MARKET_STREAMS_PER_CONNECTION", 200, minimum=1)
    if per_connection > 1024:
        raise EnvError(f"MARKET_STREAMS_PER_CONNECTION must be <= 1024 (Binance's limit), got {per_connection}")
    return MarketEnv(
        universe_size=env_int("MARKET_UNIVERSE_SIZE", 50, minimum=0),
        stablecoins=env_list("MARKET_STABLECOINS", DEFAULT_STABLECOINS),
        stream_intervals=intervals,
        streams_per_connection=per_connection,
        stream_stall_s=env_int("MARKET_STREAM_STALL_S", 30, minimum=1),
        stream_max_age_s=env_int("MARKET_STREAM_MAX_AGE_S", 85_800, minimum=10),
        # signals.config.WARMUP: the live signal path seeds its engine with that many candles from
        # the store, the same window the scan fetches, so both compute the same indicators.
        stream_seed_candles=env_int("MARKET_STREAM_SEED_CANDLES", 1000, minimum=0),
        events_maxlen=env_int("MARKET_CANDLE_EVENTS_MAXLEN", 100_000, minimum=1000),
        candles_keep=env_int("MARKET_CANDLES_KEEP", 1000, minimum=1),
    )


DEFAULT_STABLECOINS = "USDC,FDUSD,TUSD,BUSD,USDP,DAI,USDD,PYUSD,USDE,USD1,RLUSD,USDS,BFUSD,XUSD,EURI,AEUR,UST,SUSD,GUSD"


@dataclass(frozen=True)
class NotificationsEnv:
    """Signal notifications (backend/notifications/): retries, HTTP limits and the Telegram bot."""

    lookback_minutes: int  # signals created longer ago than this are never notified
    max_attempts: int  # tries of one delivery across runs before it stays failed
    retry_base_s: int  # backoff between runs: base * 2^(attempt-1), capped
    retry_cap_s: int
    http_timeout_ms: int
    http_tries: int  # tries within one send for 5xx, 429 and connection errors
    http_backoff_ms: int
    send_concurrency: int
    telegram_api_base: str
    # repr=False: a logged or printed ENV must never show the token.
    telegram_bot_token: str = field(repr=False)
    # Webhooks to loopback, private or link-local addresses are refused unless this is true.
    webhook_allow_private_targets: bool = False
    # Which signals are notified: score (0-100) at or above min_score, and, when min_probability
    # is above 0, a calibrated take-profit probability (percent) at or above it.
    min_score: int = 85
    min_probability: int = 0


@dataclass(frozen=True)
class EmailEnv:
    """Django's email backend (EMAIL_* settings), used by email notifications."""

    backend: str
    host: str
    port: int
    host_user: str
    host_password: str = field(repr=False)
    use_tls: bool = False
    use_ssl: bool = False
    timeout_s: int = 10
    default_from: str = "scanner@localhost"


def read_notifications_env() -> NotificationsEnv:
    lookback = env_int("NOTIFICATIONS_LOOKBACK_MINUTES", 60, minimum=1)
    # Signals are deleted after 24 h, taking their delivery rows with them; a longer
    # lookback could then notify the same signal twice.
    if lookback >= 24 * 60:
        raise EnvError(f"NOTIFICATIONS_LOOKBACK_MINUTES must be < 1440 (signals are deleted after 24 h), got {lookback}")
    return NotificationsEnv(
        lookback_minutes=lookback,
        max_attempts=env_int("NOTIFICATIONS_MAX_ATTEMPTS", 5, minimum=1),
        retry_base_s=env_int("NOTIFICATIONS_RETRY_BASE_S", 60, minimum=0),
        retry_cap_s=env_int("NOTIFICATIONS_RETRY_CAP_S", 1800, minimum=0),
        http_timeout_ms=env_int("NOTIFICATIONS_HTTP_TIMEOUT_MS", 10_000, minimum=100),
        http_tries=env_int("NOTIFICATIONS_HTTP_TRIES", 3, minimum=1),
        http_backoff_ms=env_int("NOTIFICATIONS_HTTP_BACKOFF_MS", 500, minimum=0),
        send_concurrency=env_int("NOTIFICATIONS_SEND_CONCURRENCY", 8, minimum=1),
        telegram_api_base=env_str("TELEGRAM_API_BASE", "https://api.telegram.org").rstrip("/"),
        telegram_bot_token=env_str("TELEGRAM_BOT_TOKEN", ""),
        webhook_allow_private_targets=env_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", False),
        min_score=_env_percent("NOTIFICATIONS_MIN_SCORE", 85),
        min_probability=_env_percent("NOTIFICATIONS_MIN_PROBABILITY", 0),
    )


def _env_percent(name: str, default: int) -> int:
    value = env_int(name, default, minimum=0)
    if value > 100:
        raise EnvError(f"{name} must be between 0 and 100, got {value}")
    return value


def read_email_env() -> EmailEnv:
    use_tls, use_ssl = env_bool("EMAIL_USE_TLS", False), env_bool("EMAIL_USE_SSL", False)
    if use_tls and use_ssl:
        raise EnvError("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
    return EmailEnv(
        backend=env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
        host=env_str("EMAIL_HOST", "localhost"),
        port=env_int("EMAIL_PORT", 25, minimum=1),
        host_user=env_str("EMAIL_HOST_USER", ""),
        host_password=env_str("EMAIL_HOST_PASSWORD", ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
        timeout_s=env_int("EMAIL_TIMEOUT", 10, minimum=1),
        default_from=env_str("DEFAULT_FROM_EMAIL", "scanner@localhost"),
    )


def read_scanner_timeframes() -> list[str]:
    timeframes = env_list("SCANNER_TIMEFRAMES", "5m")
    unknown = [tf for tf in timeframes if tf not in ("5m", "15m", "1h", "4h")]
    if unknown or not timeframes:
        raise EnvError(f"SCANNER_TIMEFRAMES must list some of 5m, 15m, 1h, 4h; got {timeframes}")
    return timeframes


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


def _rate(name: str, default: str) -> str:
    value = env_str(name, default)
    count, _, period = value.partition("/")
    if not count.isdigit() or int(count) < 1 or period not in ("s", "sec", "m", "min", "h", "hour", "d", "day"):
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
        count, _, period = rate.partition("/")
        if not count.isdigit() or int(count) < 1 or period not in ("s", "sec", "m", "min", "h", "hour", "d", "day"):
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


def read_env() -> Env:
    _load_dotenv(REPO_ROOT / ".env")
    # Off unless asked for: `make run` and the test runs set DJANGO_DEBUG=true themselves.
    debug = env_bool("DJANGO_DEBUG", False)
    secret_key = read_secret_key(debug)
    redis_url = check_redis_url("REDIS_URL", env_str("REDIS_URL", "redis://127.0.0.1:6379/0"))
    allowed_hosts = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
    log_level = env_str("LOG_LEVEL", "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise EnvError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {log_level!r}")
    return Env(
        debug=debug,
        secret_key=secret_key,
        allowed_hosts=allowed_hosts,
        security=read_security_env(allowed_hosts),
        database=parse_database_url(env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/scanner")),
        redis_url=redis_url,
        celery_broker_url=check_redis_url("CELERY_BROKER_URL", env_str("CELERY_BROKER_URL", redis_url)),
        time_zone=env_str("TIME_ZONE", "UTC"),
        log_level=log_level,
        celery_task_always_eager=env_bool("CELERY_TASK_ALWAYS_EAGER", False),
        notifications=read_notifications_env(),
        email=read_email_env(),
        flower_url=env_str("FLOWER_URL", "http://127.0.0.1:5555/"),
        api_rates=read_api_rates_env(),
        scanner_timeframes=read_scanner_timeframes(),
        binance=read_binance_env(),
        market=read_market_env(),
        oidc=read_oidc_env(),
        site_url=read_site_url(),
        public_market_data=env_bool("PUBLIC_MARKET_DATA", True),
        auth=read_auth_env(),
        field_encryption_keys=read_field_encryption_keys(),
    )


ENV = read_env()
