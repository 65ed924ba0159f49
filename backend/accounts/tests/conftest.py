"""Fixtures of the accounts tests: the local OpenID Connect provider, started as a real process."""
from __future__ import annotations

import pytest

from accounts.tests.oidc_provider.process import oidc_test_provider_start
from common import leakwatch
from config.env import OidcEnv

PROVIDER_NAME = "Local Provider"


@pytest.fixture(scope="session")
def oidc_provider(live_server):
    """The provider process, whose client may redirect to the live server's OIDC callback."""
    provider = oidc_test_provider_start(redirect_uris=[f"{live_server.url}/api/auth/oidc/callback/"])
    leakwatch.secret(provider.client_secret, "OIDC client secret")
    leakwatch.secret(provider.user.password, "OIDC provider user's password")
    leakwatch.secret(provider.unverified_user.password, "OIDC provider user's password")
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
def oidc_settings(settings, oidc_provider):
    """The platform configured with the local provider (OIDC_ISSUER, OIDC_CLIENT_ID, ...)."""
    settings.OIDC = OidcEnv(
        issuer=oidc_provider.issuer,
        client_id=oidc_provider.client_id,
        provider_name=PROVIDER_NAME,
        client_secret=oidc_provider.client_secret,
    )
    return settings.OIDC
