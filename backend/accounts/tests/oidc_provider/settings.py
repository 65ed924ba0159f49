"""Settings of the local test provider; `serve.py` sets the variables read here before Django starts."""
import os
import secrets
from pathlib import Path

DATA_DIR = Path(os.environ["OIDC_TEST_PROVIDER_DIR"])
# The provider's own address: the issuer is SITE_URL + "/openid", whatever Host a request carries.
SITE_URL = os.environ["OIDC_TEST_PROVIDER_URL"]

SECRET_KEY = secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ROOT_URLCONF = "accounts.tests.oidc_provider.urls"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "provider.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
TIME_ZONE = "UTC"
LOGIN_URL = "/accounts/login/"
# The session cookie of the provider must not collide with the platform's when both run on 127.0.0.1
# (cookies ignore the port).
SESSION_COOKIE_NAME = "provider_sessionid"
CSRF_COOKIE_NAME = "provider_csrftoken"

# Standard claims (email, email_verified) go into the ID token itself, as most providers do.
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
OIDC_USERINFO = "accounts.tests.oidc_provider.claims.userinfo"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
