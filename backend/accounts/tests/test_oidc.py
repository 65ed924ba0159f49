"""Sign in with OpenID Connect, end to end: a real HTTP client, the platform as a live server, and
the local provider (a django-oidc-provider process) doing discovery, login, consent, the PKCE code
exchange and RS256 ID tokens."""
from __future__ import annotations

import dataclasses
from html.parser import HTMLParser
import socket
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests
from django.contrib.auth.models import User

from accounts.services.users import user_create
from accounts.tests.conftest import PROVIDER_NAME
from common import leakwatch

pytestmark = pytest.mark.django_db(transaction=True)


class _FormParser(HTMLParser):
    """The first form of a page: its action and its inputs (name -> value; submit buttons apart)."""

    def __init__(self) -> None:
        super().__init__()
        self.action, self.fields, self.submits, self._in_form, self._done = None, {}, {}, False, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self._done:
            self.action, self._in_form = attrs.get("action") or "", True
        elif tag == "input" and self._in_form and attrs.get("name"):
            target = self.submits if attrs.get("type") == "submit" else self.fields
            target[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def _form(response: requests.Response) -> tuple[str, dict, dict]:
    parser = _FormParser()
    parser.feed(response.text)
    assert parser.action is not None, f"no form on {response.url}: {response.text[:300]}"
    return urljoin(response.url, parser.action), parser.fields, parser.submits


def _location(response: requests.Response) -> str:
    assert response.status_code == 302, f"{response.status_code} from {response.url}: {response.text[:300]}"
    return urljoin(response.url, response.headers["Location"])


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class Browser:
    """A requests.Session that walks the flow one redirect at a time, as a browser would."""

    def __init__(self, platform_url: str) -> None:
        self.platform_url, self.http = platform_url, requests.Session()

    def get(self, url: str) -> requests.Response:
        return self.http.get(urljoin(self.platform_url, url), allow_redirects=False, timeout=30)

    def start(self, next_path: str | None = None) -> str:
        """Open the platform's login URL; returns the provider's authorization URL it redirects to."""
        providers = self.get("/api/auth/providers/").json()["providers"]
        url = providers[0]["login_url"] + (f"?{urlencode({'next': next_path})}" if next_path else "")
        return _location(self.get(url))

    def authorize_at_provider(self, authorize_url: str, email: str, password: str, *, allow: bool = True) -> str:
        """Sign in at the provider and answer its consent page; returns the redirect to the platform's callback."""
        response = self.get(authorize_url)
        if response.status_code == 302 and "/accounts/login/" in response.headers["Location"]:
            login_page = self.get(_location(response))
            action, fields, _ = _form(login_page)
            fields.update(username=email, password=password)
            response = self.http.post(action, data=fields, allow_redirects=False, timeout=30)
            response = self.get(_location(response))  # back to the authorization endpoint
        if response.status_code == 200:  # the consent page
            action, fields, submits = _form(response)
            if allow:
                fields["allow"] = submits["allow"]
            response = self.http.post(action, data=fields, allow_redirects=False, timeout=30)
        return _location(response)

    def sign_in(self, email: str, password: str, next_path: str | None = None) -> str:
        """The whole flow; returns where the platform's callback finally sends the browser."""
        callback = self.authorize_at_provider(self.start(next_path), email, password)
        return _location(self.get(callback))


def _exchange(platform_url: str, code: str) -> requests.Response:
    return requests.post(f"{platform_url}/api/auth/oidc/exchange/", json={"code": code}, timeout=30)


def _me(platform_url: str, access: str) -> requests.Response:
    return requests.get(f"{platform_url}/api/auth/me/", headers={"Authorization": f"Bearer {access}"}, timeout=30)


def _sign_in_error(url: str) -> str:
    assert urlsplit(url).path == "/sign-in", url
    return _query(url)["error"]


def test_no_provider_configured_lists_none_and_login_says_so(live_server, settings):
    settings.OIDC = None
    browser = Browser(live_server.url)
    assert browser.get("/api/auth/providers/").json() == {"providers": []}
    error = _sign_in_error(_location(browser.get("/api/auth/oidc/login/")))
    assert error == "No sign-in provider is configured"


def test_the_configured_provider_is_listed(live_server, oidc_settings):
    answer = Browser(live_server.url).get("/api/auth/providers/").json()
    assert answer == {"providers": [{"id": "oidc", "name": PROVIDER_NAME, "login_url": "/api/auth/oidc/login/"}]}


def test_sign_in_end_to_end_creates_the_user_and_issues_a_working_token_pair(live_server, oidc_provider, oidc_settings):
    browser = Browser(live_server.url)
    authorize_url = browser.start("/exchange-accounts")
    # Authorization code flow with PKCE (S256), state and nonce, to the provider's own endpoint.
    assert authorize_url.startswith(f"{oidc_provider.issuer}/authorize")
    params = _query(authorize_url)
    assert params["response_type"] == "code" and params["client_id"] == oidc_provider.client_id
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert set(params["scope"].split()) == {"openid", "email"}
    assert params["state"] and params["nonce"]
    assert params["redirect_uri"] == f"{live_server.url}/api/auth/oidc/callback/"

    callback = browser.authorize_at_provider(authorize_url, oidc_provider.user.email, oidc_provider.user.password)
    assert callback.startswith(params["redirect_uri"]) and _query(callback)["state"] == params["state"]
    final = _location(browser.get(callback))
    assert urlsplit(final).path == "/auth/callback"
    assert _query(final)["next"] == "/exchange-accounts"
    assert "access" not in final and "refresh" not in final  # never a token in a URL

    tokens = _exchange(live_server.url, _query(final)["code"])
    assert tokens.status_code == 200, tokens.text
    assert set(tokens.json()) == {"access", "refresh"}
    me = _me(live_server.url, tokens.json()["access"])
    assert me.status_code == 200, me.text
    assert me.json()["email"] == oidc_provider.user.email
    user = User.objects.get(username=oidc_provider.user.email)
    assert not user.has_usable_password()  # the provider is how this account signs in
    assert user.last_login is not None

    # The one-time code works once.
    reused = _exchange(live_server.url, _query(final)["code"])
    assert reused.status_code == 400 and "unknown, used or expired" in reused.json()["detail"]

    # Signing in again finds the same account.
    again = _query(browser.sign_in(oidc_provider.user.email, oidc_provider.user.password))
    assert again["next"] == "/"
    second = _exchange(live_server.url, again["code"]).json()
    assert _me(live_server.url, second["access"]).json()["id"] == user.pk
    assert User.objects.filter(email=oidc_provider.user.email).count() == 1


def test_an_account_registered_with_a_password_is_signed_in_by_its_verified_email(live_server, oidc_provider, oidc_settings):
    existing = user_create(email=oidc_provider.user.email.upper(), password=leakwatch.secret("a-long-password-1", "account test password"))
    final = Browser(live_server.url).sign_in(oidc_provider.user.email, oidc_provider.user.password)
    tokens = _exchange(live_server.url, _query(final)["code"]).json()
    assert _me(live_server.url, tokens["access"]).json()["id"] == existing.pk
    existing.refresh_from_db()
    assert existing.check_password("a-long-password-1")  # the password still works too


def test_an_unverified_email_is_refused(live_server, oidc_provider, oidc_settings):
    who = oidc_provider.unverified_user
    final = Browser(live_server.url).sign_in(who.email, who.password)
    assert _sign_in_error(final) == f"Your email address is not verified at {PROVIDER_NAME}; verify it there, then sign in again"
    assert not User.objects.filter(username=who.email).exists()


def test_a_callback_opened_in_another_browser_is_refused(live_server, oidc_provider, oidc_settings):
    """The state is bound to the session of the browser that started the flow (no login CSRF)."""
    victim, attacker = Browser(live_server.url), Browser(live_server.url)
    callback = attacker.authorize_at_provider(attacker.start(), oidc_provider.user.email, oidc_provider.user.password)
    error = _sign_in_error(_location(victim.get(callback)))
    assert "opened in another browser" in error
    assert not User.objects.filter(username=oidc_provider.user.email).exists()
    # The browser that started it still can finish it.
    assert urlsplit(_location(attacker.get(callback))).path == "/auth/callback"


def test_a_tampered_or_replayed_state_is_refused(live_server, oidc_provider, oidc_settings):
    browser = Browser(live_server.url)
    callback = browser.authorize_at_provider(browser.start(), oidc_provider.user.email, oidc_provider.user.password)
    tampered = callback.replace(f"state={_query(callback)['state']}", "state=forged")
    assert "expired or was opened in another browser" in _sign_in_error(_location(browser.get(tampered)))
    assert urlsplit(_location(browser.get(callback))).path == "/auth/callback"
    # The same callback a second time: its state was used up by the first.
    assert "expired or was opened in another browser" in _sign_in_error(_location(browser.get(callback)))


def test_declining_consent_at_the_provider(live_server, oidc_provider, oidc_settings):
    browser = Browser(live_server.url)
    callback = browser.authorize_at_provider(
        browser.start(), oidc_provider.user.email, oidc_provider.user.password, allow=False
    )
    assert _query(callback)["error"] == "access_denied"
    assert _sign_in_error(_location(browser.get(callback))) == f"Sign-in was cancelled at {PROVIDER_NAME}"


def test_a_wrong_client_secret_fails_at_the_code_exchange(live_server, oidc_provider, oidc_settings, settings):
    settings.OIDC = dataclasses.replace(oidc_settings, client_secret="not-the-secret")
    browser = Browser(live_server.url)
    final = browser.sign_in(oidc_provider.user.email, oidc_provider.user.password)
    assert _sign_in_error(final) == f"{PROVIDER_NAME} sign-in could not be verified; please try again"
    assert not User.objects.filter(username=oidc_provider.user.email).exists()


def test_an_issuer_other_than_the_discovery_documents_is_refused(live_server, oidc_provider, oidc_settings, settings):
    # Same server under another name: its discovery document names the 127.0.0.1 issuer.
    settings.OIDC = dataclasses.replace(oidc_settings, issuer=oidc_provider.issuer.replace("127.0.0.1", "localhost"))
    error = _sign_in_error(_location(Browser(live_server.url).get("/api/auth/oidc/login/")))
    assert error == f"{PROVIDER_NAME} is misconfigured (issuer mismatch)"


def test_an_unreachable_provider(live_server, oidc_settings, settings):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.OIDC = dataclasses.replace(oidc_settings, issuer=f"http://127.0.0.1:{closed_port}/openid")
    error = _sign_in_error(_location(Browser(live_server.url).get("/api/auth/oidc/login/?next=/account")))
    assert error == f"{PROVIDER_NAME} cannot be reached; please try again later"


def test_next_must_be_a_path_on_this_site(live_server, oidc_provider, oidc_settings):
    browser = Browser(live_server.url)
    for next_path in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        callback = browser.authorize_at_provider(browser.start(next_path), oidc_provider.user.email, oidc_provider.user.password)
        assert _query(_location(browser.get(callback)))["next"] == "/"


@pytest.mark.parametrize("body", [{"code": "never-issued"}, {"code": ""}, {"code": "not/ours!"}, {"code": "\ud800"}, {}])
def test_exchange_refuses_unknown_or_missing_codes(live_server, body):
    response = requests.post(f"{live_server.url}/api/auth/oidc/exchange/", json=body, timeout=30)
    assert response.status_code == 400
