"""Keys of the sandbox exchange, made through its control API (`POST /sandbox/keys`,
backend/sandbox/control.py): each key is an account of its own, funded with the sandbox's
starting balance. The platform's paper accounts are such keys.

Plain `urllib` with a short timeout: one small JSON request, from a request thread.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import quote

from django.conf import settings

from market.binance.signing import Credentials

TIMEOUT_S = 5.0


class SandboxUnavailable(Exception):
    """The sandbox exchange did not make the key (not running, or answering something unexpected).
    The message names the reason, never a key."""


def _request(method: str, path: str, body: dict | None = None) -> dict:
    url = settings.BINANCE.sandbox_url.rstrip("/") + path
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raise SandboxUnavailable(f"the sandbox answered HTTP {exc.code} to {method} {path}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SandboxUnavailable(f"the sandbox at {settings.BINANCE.sandbox_url} is unreachable ({reason})") from None
    except ValueError:
        raise SandboxUnavailable(f"the sandbox answered {method} {path} with something that is not JSON") from None


def sandbox_key_create(*, label: str) -> Credentials:
    answer = _request("POST", "/sandbox/keys", {"label": label})
    try:
        return Credentials(api_key=answer["apiKey"], secret=answer["secretKey"])
    except (KeyError, TypeError):
        raise SandboxUnavailable("the sandbox's answer to POST /sandbox/keys has no apiKey/secretKey") from None


def sandbox_key_delete(*, api_key: str) -> bool:
    """Delete a key the platform no longer uses; False when the sandbox did not (best effort)."""
    try:
        _request("DELETE", f"/sandbox/keys/{quote(api_key, safe='')}")
    except SandboxUnavailable:
        return False
    return True
