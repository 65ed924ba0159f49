"""Typed environment settings, read once at import.

Every setting the platform reads comes through here, so a bad value fails at
start-up with a message naming the variable instead of surfacing later as a
confusing runtime error. `.env.example` at the repository root lists them all.

A `.env` file at the repository root is read if present; real environment
variables always win over it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# Re-exported: callers and tests read every setting's helpers from config.env.
from config.env_parse import (  # noqa: F401
    EnvError,
    _env_percent,
    _load_dotenv,
    check_redis_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    parse_database_url,
)
from config.env_security import (  # noqa: F401
    DEV_SECRET_KEY,
    KNOWN_SECRET_KEYS,
    ApiRatesEnv,
    AuthEnv,
    OidcEnv,
    SecurityEnv,
    read_api_rates_env,
    read_auth_env,
    read_field_encryption_keys,
    read_oidc_env,
    read_secret_key,
    read_security_env,
    read_site_url,
)
from config.env_trading import TradingEnv, read_trading_env  # noqa: F401

REPO_ROOT = Path(__file__).resolve().parents[2]
BACKEND_DIR = REPO_ROOT / "backend"


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
    log_format: str  # text | json (one JSON object a line: common/jsonlog.py)
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
    trading: TradingEnv
    # Fernet keys of accounts/crypto.py: the first encrypts, all decrypt. Empty: secrets cannot be stored.
    field_encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    # GET /metrics (common/metrics_view.py): answered to these networks, or to this bearer token.
    metrics_allow: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    metrics_token: str = field(default="", repr=False)


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
    from signals.config import SIGNAL_TIMEFRAMES  # pure module: the one list of signal timeframes

    timeframes = env_list("SCANNER_TIMEFRAMES", "5m")
    unknown = [tf for tf in timeframes if tf not in SIGNAL_TIMEFRAMES]
    if unknown or not timeframes:
        raise EnvError(f"SCANNER_TIMEFRAMES must list some of {', '.join(SIGNAL_TIMEFRAMES)}; got {timeframes}")
    return timeframes


def read_metrics_allow() -> tuple[str, ...]:
    import ipaddress

    cidrs = env_list("METRICS_ALLOW", "127.0.0.1/32,::1/128")
    try:
        return tuple(str(ipaddress.ip_network(cidr, strict=False)) for cidr in cidrs)
    except ValueError as exc:
        raise EnvError(f"METRICS_ALLOW must list IPs or CIDR networks: {exc}") from None


def read_metrics_token() -> str:
    token = env_str("METRICS_TOKEN", "")
    if token and len(token) < 16:
        raise EnvError("METRICS_TOKEN must be at least 16 characters (or empty: no token)")
    return token


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
        log_format=env_choice("LOG_FORMAT", "text", ("text", "json")),
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
        trading=read_trading_env(),
        field_encryption_keys=read_field_encryption_keys(),
        metrics_allow=read_metrics_allow(),
        metrics_token=read_metrics_token(),
    )


ENV = read_env()
