"""OpenID Connect sign-in with the provider of `settings.OIDC`, spoken to through Authlib.

The authorization code flow with PKCE (S256), state and nonce:
- `authorization_url` reads the provider's discovery document, and keeps the state, the nonce, the
  PKCE verifier and where to go afterwards in the Django session: only the browser that started a
  sign-in can finish it (a callback URL pasted into another browser is refused).
- `callback_claims` checks the state, trades the code and the verifier for tokens at the provider,
  and validates the ID token: signature against the provider's JWKS, issuer, audience, nonce, expiry.

Every failure is an `OidcError` whose text can be shown to the person signing in.
"""
from __future__ import annotations

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.conf import settings
from joserfc.errors import JoseError

from config.env import OidcEnv

log = logging.getLogger(__name__)

PROVIDER_ID = "oidc"
SCOPE = "openid email"
HTTP_TIMEOUT_S = 10


class OidcError(Exception):
    """The sign-in cannot go on; the message says why in words for the person signing in."""


def provider_config() -> OidcEnv | None:
    """The configured provider, or None: then the dashboard shows no "Sign in with ..." button."""
    return settings.OIDC


# One Authlib client per configuration: it keeps the discovery document and the JWKS it fetched
# (the JWKS is fetched again when an ID token names a key it does not know: key rotation).
_clients: dict[OidcEnv, DjangoOAuth2App] = {}


def _client(config: OidcEnv) -> DjangoOAuth2App:
    client = _clients.get(config)
    if client is None:
        client = _clients[config] = DjangoOAuth2App(
            DjangoIntegration(PROVIDER_ID),
            name=PROVIDER_ID,
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=f"{config.issuer.rstrip('/')}/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "default_timeout": HTTP_TIMEOUT_S},
        )
    return client


def _configured_client() -> tuple[OidcEnv, DjangoOAuth2App]:
    config = provider_config()
    if config is None:
        raise OidcError("No sign-in provider is configured")
    client = _client(config)
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        log.warning("OIDC discovery at %s failed: %s", config.issuer, type(exc).__name__)
        raise OidcError(f"{config.provider_name} cannot be reached; please try again later") from None
    # OpenID Connect Discovery 1.0, section 4.3: the document's issuer must be the one configured,
    # or a document served elsewhere could name another issuer's keys.
    if metadata.get("issuer") != config.issuer:
        log.warning("OIDC discovery at %s names the issuer %r", config.issuer, metadata.get("issuer"))
        _clients.pop(config, None)  # read the document again next time, once the setting is fixed
        raise OidcError(f"{config.provider_name} is misconfigured (issuer mismatch)")
    return config, client


def authorization_url(request, *, redirect_uri: str, next_path: str) -> str:
    """Where to send the browser to sign in at the provider; the flow's secrets go in its session."""
    _config, client = _configured_client()
    flow = client.create_authorization_url(redirect_uri)  # url, state, nonce, code_verifier
    client.save_authorize_data(request, redirect_uri=redirect_uri, next_path=next_path, **flow)
    return flow["url"]


def callback_claims(request) -> tuple[dict, str]:
    """The validated ID token claims of the provider's callback, and the path to go to afterwards.

    Raises OidcError for an unknown or reused state, a refusal at the provider, and any token or
    ID token the provider's answer does not justify.
    """
    config, client = _configured_client()
    name = config.provider_name
    state = request.GET.get("state") or ""
    flow = client.framework.get_state_data(request.session, state) if state else None
    if not flow:
        raise OidcError("This sign-in link has expired or was opened in another browser; please sign in again")
    next_path = flow.get("next_path") or "/"
    error = request.GET.get("error")
    if error:
        client.framework.clear_state_data(request.session, state)
        if error == "access_denied":
            raise OidcError(f"Sign-in was cancelled at {name}")
        raise OidcError(f"{name} refused the sign-in ({error[:60]})")
    # Authlib checks aud only through azp unless told: an ID token must name this client, and come
    # from this issuer, whatever else it says.
    claims_options = {
        "iss": {"essential": True, "value": config.issuer},
        "aud": {"essential": True, "value": config.client_id},
        "sub": {"essential": True},
    }
    try:
        token = client.authorize_access_token(request, claims_options=claims_options)
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError) as exc:
        log.warning("OIDC callback from %s refused: %s %s", config.issuer, type(exc).__name__, _reason(exc))
        raise OidcError(f"{name} sign-in could not be verified; please try again") from None
    claims = token.get("userinfo")
    if not token.get("id_token") or not claims:
        # Without an ID token nothing above validated who signed in.
        log.warning("OIDC callback from %s carried no ID token", config.issuer)
        raise OidcError(f"{name} sign-in could not be verified; please try again")
    return dict(claims), next_path


def _reason(exc: Exception) -> str:
    # Error codes and descriptions only: never the exception's full text (it may quote a token).
    parts = [getattr(exc, "error", None), getattr(exc, "description", None)]
    return " ".join(str(p) for p in parts if p)[:200]
