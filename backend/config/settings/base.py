"""Django settings. Values come from `config.env.ENV`; nothing here reads os.environ."""
from __future__ import annotations

from kombu import Queue

from config.env import ENV, REPO_ROOT

DEBUG = ENV.debug
SECRET_KEY = ENV.secret_key
ALLOWED_HOSTS = ENV.allowed_hosts
CSRF_TRUSTED_ORIGINS = ENV.security.csrf_trusted_origins

# HTTPS and browser protections (config/env.py SecurityEnv; `manage.py check --deploy` is clean
# with DJANGO_DEBUG=false, a strong key and DJANGO_HTTPS=true).
SESSION_COOKIE_SECURE = ENV.security.https
CSRF_COOKIE_SECURE = ENV.security.https
SECURE_SSL_REDIRECT = ENV.security.ssl_redirect
SECURE_HSTS_SECONDS = ENV.security.hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = ENV.security.hsts_include_subdomains
SECURE_HSTS_PRELOAD = ENV.security.hsts_preload
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Forwarded headers (client address, scheme) are believed only from these proxies
# (common/proxies.py); X-Forwarded-Proto is then what tells Django a request came over HTTPS.
TRUSTED_PROXIES = ENV.security.trusted_proxies
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "simple_history",
    "channels",
    "django_celery_beat",
    "django_celery_results",
    "common",
    "health",
    "realtime",
    "market",
    "signals",
    "notifications",
    "accounts",
    "trading",
    "strategies",
    "backtest",
]

MIDDLEWARE = [
    # First: forwarded headers from anyone but TRUSTED_PROXIES are dropped before they count.
    "common.proxies.trusted_proxy_middleware",
    # A view that meets PostgreSQL gone answers 503 with a JSON body, never a 500 page.
    "common.api.database_unavailable_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Lets django-simple-history record who made a change (admin and API alike).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by authentication into its response.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out username/IP before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {"default": ENV.database}

# Users are Django's own auth.User; the API signs them in with JWT (simplejwt): short access
# tokens, rotating refresh tokens, and a blacklist so a used or logged-out refresh token is dead.
from datetime import timedelta  # noqa: E402

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Password reset links (accounts/services/users.py) point at the dashboard and last an hour.
SITE_URL = ENV.site_url
PASSWORD_RESET_TIMEOUT = 3600
PUBLIC_MARKET_DATA = ENV.public_market_data

# django-axes: repeated failed logins lock out, API (accounts/api/auth.py) and admin alike.
# Counted per (account, IP) pair: a stranger cannot lock a user out of their own machine by failing
# on purpose, and one machine cannot keep guessing one account. Guessing from many machines, or
# many accounts from one machine, is held back by the per-account and per-IP throttles instead.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = ENV.auth.lockout_failures
AXES_COOLOFF_TIME = timedelta(minutes=ENV.auth.lockout_minutes)
# The lockout ends a fixed time after the failure that caused it (so Retry-After is exact); tries
# during the lockout are refused without checking the password and do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.throttles.axes_username"
AXES_CLIENT_IP_CALLABLE = "accounts.throttles.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.throttles.lockout_response"
# No access log of successful logins: it would open a server-side session for every API sign-in
# (User.last_login records the last one).
AXES_DISABLE_ACCESS_LOG = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = ENV.time_zone
USE_I18N = False
USE_TZ = True

# Static files: Django admin / DRF assets under /static/, the built dashboard
# (client/dist) at the site root. WhiteNoise serves both from the ASGI app.
STATIC_URL = "/static/"
STATIC_ROOT = REPO_ROOT / ".data" / "static"
CLIENT_DIST = REPO_ROOT / "client" / "dist"
WHITENOISE_ROOT = CLIENT_DIST
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG


def _vite_hashed_asset(path: str, url: str) -> bool:
    # Vite names built files `assets/<name>-<hash>.<ext>`: safe to cache forever.
    import re

    return re.match(r"^/?assets/.+-[A-Za-z0-9_-]{8,}\.\w+$", url.lstrip("/")) is not None


WHITENOISE_IMMUTABLE_FILE_TEST = _vite_hashed_asset

REDIS_URL = ENV.redis_url


def _redis_db(url: str) -> int:
    from redis.connection import parse_url

    return int(parse_url(url).get("db", 0))


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
}

# Redis Pub/Sub: a group_send is published once and each Daphne process fans it out to its own
# sockets, instead of one Redis list push and pop per socket (bench/bench_broadcast.py: p99 at
# 500 dashboards went from 677 ms to well under half). Delivery is at most once, which the
# sequence numbers of realtime/dispatcher.py turn into "a client sees every gap and resyncs".
# Pub/Sub channel names are global to a Redis server (the database number does not separate
# them), so the prefix carries the database number: stacks sharing one Redis on different
# databases never see each other's events.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": f"asgi-db{_redis_db(REDIS_URL)}:"},
    }
}

# A private socket (/ws/account/) that has not sent its access token within this many seconds
# is closed with 4401 (realtime/socket_auth.py).
REALTIME_AUTH_TIMEOUT_S = 10

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "common.permissions.PublicAwareAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # Bearer JWT only: no Basic, no session (the session is the admin's alone, and would need CSRF).
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    # Signed in unless a view says otherwise (market-wide data: common.permissions.PublicMarketData).
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Scoped rates of the sign-in throttles (accounts/throttles.py), from AUTH_THROTTLE_RATES.
    "DEFAULT_THROTTLE_RATES": dict(ENV.auth.throttle_rates),
    # A bad `page` or `page_size` is a 400 that says why (common/pagination.py).
    "DEFAULT_PAGINATION_CLASS": "common.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "common.api.exception_handler",
}
if DEBUG:
    # Debug only; with debug off an `Accept: text/html` request gets JSON or a 406, never a page.
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("common.renderers.BrowsableAPIRenderer")
# Per-IP throttles read REMOTE_ADDR, which common/proxies.py has already resolved from
# TRUSTED_PROXIES; 0 keeps DRF from believing the client's own X-Forwarded-For.
REST_FRAMEWORK["NUM_PROXIES"] = 0
# /api/klines/ and /ws/market/: what a caller may spend of the exchange budget (config/env.py).
MARKET_API_RATES = ENV.api_rates

SPECTACULAR_SETTINGS = {
    "TITLE": "Binance Signal Scanner API",
    "DESCRIPTION": "LONG/SHORT signals over Binance USDT pairs, market data, health and scanner status, exchange "
                   "accounts and USD-M trading (orders, positions, risk limits, reconciliation).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's assets come from the project (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several "status" fields have different choices: give each set its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "SignalStatusEnum": "signals.models.Status",
        "ScanRunStatusEnum": "signals.models.ScanRun.Outcome",
        "HealthStatusEnum": ["ok", "error"],
        "OrderStatusEnum": "trading.models.OrderStatus",
    },
}

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = ENV.celery_broker_url
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = 3600  # results kept 1 h
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_ALWAYS_EAGER = ENV.celery_task_always_eager
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_DEFAULT_QUEUE = "maintenance"
# `trading` (order sends, reconciliations, the kill switch) has a queue of its own so that it can be
# given its own worker; the default worker consumes it with the others. `backtests`: long CPU-bound
# runs, queued apart so that they too can be given a worker of their own.
CELERY_TASK_QUEUES = (Queue("scanner"), Queue("notifications"), Queue("maintenance"), Queue("trading"),
                      Queue("backtests"))
# Routing by task name. Each app's tasks.py names its tasks explicitly; a
# glob per app keeps this table short as apps grow.
CELERY_TASK_ROUTES = {
    "market.*": {"queue": "scanner"},
    "signals.scan_*": {"queue": "scanner"},
    "signals.full_data_refresh": {"queue": "scanner"},
    "signals.send_*": {"queue": "notifications"},
    "notifications.*": {"queue": "notifications"},
    "signals.cleanup_*": {"queue": "maintenance"},
    "health.*": {"queue": "maintenance"},
    "trading.*": {"queue": "trading"},
    "backtest.sweep": {"queue": "maintenance"},  # an exact name wins over the glob below
    "backtest.*": {"queue": "backtests"},
}

# LOG_FORMAT=json: one JSON object a line (common/jsonlog.py). Celery then leaves the root logger
# to this configuration instead of installing its own text handler.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
                   "json": {"()": "common.jsonlog.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "formatter": "json" if ENV.log_format == "json" else "plain"}},
    "root": {"handlers": ["console"], "level": ENV.log_level},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
if ENV.log_format == "json":
    import logging as _logging

    # Django's own console handlers (debug) and runserver's would write a second, plain line, and
    # Python's warnings a raw one: all go through the root's JSON handler instead.
    LOGGING["loggers"].update({"django": {"handlers": [], "propagate": True},
                               "django.server": {"handlers": [], "propagate": True}})
    _logging.captureWarnings(True)
CELERY_WORKER_HIJACK_ROOT_LOGGER = ENV.log_format != "json"

FLOWER_URL = ENV.flower_url

# GET /metrics (common/metrics_view.py): networks answered without a token, and the bearer token.
METRICS_ALLOW = list(ENV.metrics_allow)
METRICS_TOKEN = ENV.metrics_token

# Binance client and market data (typed groups; see config/env.py and .env.example).
BINANCE = ENV.binance
MARKET = ENV.market
# USD-M trading: recvWindow of orders, the dead-man switch, the trading process (config/env_trading.py).
TRADING = ENV.trading

# The periodic full scan (backend/signals/services/scanning.py): which timeframes it scans
# (the first is the default), and the key its lock is taken on, one scan per universe at a time.
SCANNER = {
    "timeframes": ENV.scanner_timeframes,
    "timeframe": ENV.scanner_timeframes[0],
    "universe_key": f"{ENV.binance.env}-{ENV.binance.market}-top{ENV.market.universe_size or 'all'}",
}

# "Sign in with <provider>" (accounts/oidc.py); None when no OpenID Connect provider is configured.
OIDC = ENV.oidc

# Signal notifications (see config/env.py and .env.example) and Django's email backend.
NOTIFICATIONS = ENV.notifications
EMAIL_BACKEND = ENV.email.backend
EMAIL_HOST = ENV.email.host
EMAIL_PORT = ENV.email.port
EMAIL_HOST_USER = ENV.email.host_user
EMAIL_HOST_PASSWORD = ENV.email.host_password
EMAIL_USE_TLS = ENV.email.use_tls
EMAIL_USE_SSL = ENV.email.use_ssl
EMAIL_TIMEOUT = ENV.email.timeout_s
DEFAULT_FROM_EMAIL = ENV.email.default_from

# Secrets stored encrypted (accounts/crypto.py, the only module that decrypts): exchange API keys
# and secrets, webhook secrets. The first key encrypts, every key decrypts (rotation).
FIELD_ENCRYPTION_KEYS = list(ENV.field_encryption_keys)
# Exchange accounts: REST base URLs replacing a venue's public one ({"live": "http://..."}, or
# "sandbox" for the platform's sandbox exchange). Empty in deployments; the test settings send
# testnet and live to the sandbox.
EXCHANGE_ACCOUNT_REST_URLS: dict[str, str] = {}
