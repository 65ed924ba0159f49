"""Leak watch: a pytest plugin that fails the run when a test secret shows up where it must not.

Secrets are registered with `secret(value, label=...)` by the tests and fixtures that create them
(exchange secrets, passwords), plus fixed ones read from the test settings (encryption keys, the
Django and OIDC secret keys). Every access and refresh token simplejwt encodes and every password
reset token Django makes in the test process is registered on its own.

Captured during the whole session (common/leakwatch_capture.py installs the hooks):
- response: every response Django's handlers produce in the test process (test client, DRF's
  APIClient, anything calling the WSGI/ASGI handlers), body and headers; streaming bodies
  (static files) are not read;
- log: every log record created in the test process, whatever its logger or handler;
- celery: every task's args and kwargs, published (`before_task_publish`) or run eagerly;
- ws: every message our Channels consumers send;
- process: files under `capture_dir()`, where processes started by fixtures write (the Celery
  worker, started with `-A common.leakwatch_worker`, logs its records and task arguments there).

An access or refresh token may appear in the body of the endpoints that issue it (TOKEN_ISSUERS)
and nowhere else. At the end the plugin prints where each leak was found, with the secret
masked, and makes the run fail.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

ENV_DIR = "LEAKWATCH_DIR"
JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
MIN_LENGTH = 8
# Response bodies that hand out the platform's own tokens (contract of issue 10).
TOKEN_ISSUERS = (
    "/api/auth/register/",
    "/api/auth/login/",
    "/api/auth/refresh/",
    "/api/auth/oidc/exchange/",
    "/api/auth/password/change/",
)


@dataclass(frozen=True)
class Secret:
    value: str
    label: str
    allowed_paths: tuple[str, ...] = ()

    def forms(self) -> set[str]:
        """The ways the value can be written: raw, inside JSON, percent-encoded."""
        return {self.value, json.dumps(self.value)[1:-1], quote(self.value, safe=""), quote_plus(self.value)}

    def masked(self) -> str:
        return f"{self.value[:2]}…{self.value[-2:]} ({len(self.value)} chars)"


@dataclass(frozen=True)
class Finding:
    label: str
    masked: str
    channel: str
    where: str
    test: str


class _Watch:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.secrets: dict[str, Secret] = {}
        self.forms: list[tuple[str, Secret]] = []
        self.jwts: dict[str, Secret] = {}  # "header.payload" -> the token (its payload is unique)
        self.findings: dict[Finding, None] = {}  # ordered set
        self.test = "(session setup)"
        self.dir: Path | None = None

    def add(self, item: Secret) -> None:
        with self.lock:
            if item.value in self.secrets:
                return
            self.secrets[item.value] = item
            if JWT.fullmatch(item.value):
                # Only URL-safe characters: written the same in JSON, URLs and logs.
                self.jwts[item.value.rsplit(".", 1)[0]] = item
            else:
                self.forms.extend((form, item) for form in item.forms())

    def inspect(self, channel: str, where: str, text: str, *, path: str | None = None) -> None:
        if not text:
            return
        # A suite mints thousands of tokens; testing `token in text` for each would cost
        # milliseconds per captured text. JWTs are found by their shape instead and looked up.
        found = [item for form, item in list(self.forms) if form in text]
        for jwt in JWT.findall(text):
            item = self.jwts.get(jwt.rsplit(".", 1)[0])
            if item is not None and item.value in text:
                found.append(item)
        for item in found:
            if not (path is not None and path in item.allowed_paths):
                with self.lock:
                    self.findings[Finding(item.label, item.masked(), channel, where, self.test)] = None


_watch = _Watch()


def secret(value: str, label: str = "secret") -> str:
    """Register `value` as a secret of the test suite and return it unchanged.

        api_secret = leakwatch.secret(sandbox_key["secret"], "exchange secret")
    """
    if not isinstance(value, str) or len(value) < MIN_LENGTH:
        raise ValueError(f"leakwatch secrets are strings of at least {MIN_LENGTH} characters "
                         "(shorter ones would match innocent text)")
    _watch.add(Secret(value, label))
    return value


def token(value: str, label: str = "token") -> str:
    """Register a token that the issuing endpoints (TOKEN_ISSUERS) may return in their body."""
    if isinstance(value, str) and len(value) >= MIN_LENGTH:
        _watch.add(Secret(value, label, allowed_paths=TOKEN_ISSUERS))
    return value


def inspect(channel: str, where: str, text: str, *, path: str | None = None) -> None:
    """Look for every registered secret in `text` captured on `channel` (used by the capture hooks)."""
    _watch.inspect(channel, where, text, path=path)


def capture_dir() -> Path:
    """Where processes started by fixtures write what they log; scanned at the end of the session."""
    if _watch.dir is None:
        _watch.dir = Path(tempfile.mkdtemp(prefix="leakwatch-"))
        os.environ[ENV_DIR] = str(_watch.dir)
    _watch.dir.mkdir(parents=True, exist_ok=True)  # a /tmp cleaner may have removed it
    return _watch.dir


def process_log(name: str):
    """An open file for a process's stdout/stderr, inside `capture_dir()`."""
    return open(capture_dir() / f"{name}-{os.getpid()}-{len(list(capture_dir().iterdir()))}.log", "ab")


def findings() -> list[Finding]:
    return list(_watch.findings)


def _register_settings_secrets() -> None:
    from django.conf import settings

    for key in getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or []:
        secret(str(key), "FIELD_ENCRYPTION_KEYS entry")
    oidc = getattr(settings, "OIDC", None)
    named = {"SECRET_KEY": settings.SECRET_KEY, "EMAIL_HOST_PASSWORD": getattr(settings, "EMAIL_HOST_PASSWORD", None),
             "OIDC client secret": getattr(oidc, "client_secret", None)}
    for label, value in named.items():
        if isinstance(value, str) and len(value) >= MIN_LENGTH:
            secret(value, label)


def _scan_files() -> None:
    if _watch.dir is None:
        return
    _watch.test = "the session (read at its end)"
    for path in sorted(_watch.dir.glob("*")):
        with open(path, encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                _watch.inspect("process", f"{path.name} line {number}", line)


# --- pytest hooks ------------------------------------------------------------------------------

def pytest_configure(config: pytest.Config) -> None:
    from common import leakwatch_capture

    _watch.dir = None
    capture_dir()  # child processes inherit LEAKWATCH_DIR from here on
    leakwatch_capture.install()
    _register_settings_secrets()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _watch.test = item.nodeid
    yield
    _watch.test = "(session teardown)"


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus) -> None:
    _scan_files()
    if _watch.findings and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    # The captured process logs are kept for reading when they held a leak.
    if _watch.dir is not None and not _watch.findings:
        shutil.rmtree(_watch.dir, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    leaks = findings()
    if not leaks:
        terminalreporter.write_line(f"leakwatch: no leak of {len(_watch.secrets)} registered secrets")
        return
    terminalreporter.section("leakwatch: secrets found where they must not be", red=True, bold=True)
    for leak in leaks:
        terminalreporter.write_line(f"LEAK [{leak.channel}] {leak.label} {leak.masked} in {leak.where} "
                                    f"during {leak.test}", red=True)
    if any(leak.channel == "process" for leak in leaks):
        terminalreporter.write_line(f"leakwatch: the process logs are kept in {_watch.dir}")
    terminalreporter.write_line(f"leakwatch: {len(leaks)} leak(s); the run fails", red=True, bold=True)
