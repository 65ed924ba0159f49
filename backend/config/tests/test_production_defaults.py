"""Safe by default: debug off, no published or weak secret key with debug off, a clean
`check --deploy`, and a `.env` that is read as data, never run as shell."""
import os
import secrets
import subprocess
import sys

import pytest

from common import leakwatch
from config import env
from config.dotenv import DotenvError, dotenv_parse

BACKEND = env.BACKEND_DIR
STRONG_KEY = leakwatch.secret(secrets.token_urlsafe(50), "Django secret key")


def test_debug_is_off_unless_asked_for(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "")
    monkeypatch.setenv("DJANGO_SECRET_KEY", STRONG_KEY)
    assert env.read_env().debug is False


@pytest.mark.parametrize(
    "key, reason",
    [("", "is required when DJANGO_DEBUG=false"),
     ("insecure-dev-key-change-me", "published example key"),
     ("django-insecure-" + "x1y2z3" * 10, "published example key"),
     ("a" * 10 + "bcd" * 3, "too weak (19 characters"),
     ("abcd" * 20, "4 distinct")],
)
def test_debug_off_refuses_a_missing_published_or_weak_key(monkeypatch, key, reason):
    monkeypatch.setenv("DJANGO_SECRET_KEY", key)
    with pytest.raises(env.EnvError, match="DJANGO_SECRET_KEY") as raised:
        env.read_secret_key(debug=False)
    assert reason in str(raised.value)
    assert "secrets.token_urlsafe(50)" in str(raised.value), "the message says how to make one"


def test_debug_off_accepts_a_strong_key_and_debug_on_has_a_dev_key(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", STRONG_KEY)
    assert env.read_secret_key(debug=False) == STRONG_KEY
    monkeypatch.setenv("DJANGO_SECRET_KEY", "")
    assert env.read_secret_key(debug=True) == env.DEV_SECRET_KEY
    monkeypatch.setenv("DJANGO_SECRET_KEY", env.DEV_SECRET_KEY)
    with pytest.raises(env.EnvError, match="published example key"):
        env.read_secret_key(debug=False)


def _manage(*args: str, **extra: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    environ.update(DJANGO_SETTINGS_MODULE="config.settings.base", **extra)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BACKEND, env=environ, capture_output=True,
                          text=True, timeout=120)


def test_the_example_key_stops_the_start_with_debug_off():
    result = _manage("check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="insecure-dev-key-change-me")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is a published example key" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_DEBUG="false",
                     DJANGO_SECRET_KEY=STRONG_KEY, DJANGO_HTTPS="true", DJANGO_ALLOWED_HOSTS="scanner.example.com")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_names_what_is_missing_without_https():
    # The same check finds the gaps, so the clean run above means something.
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_DEBUG="false",
                     DJANGO_SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout


def test_https_settings_follow_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_HTTPS", "true")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7")
    security = env.read_security_env(["scanner.example.com"])
    assert (security.ssl_redirect, security.hsts_seconds, security.trusted_proxies) == (
        True, 31_536_000, ["10.0.0.0/8", "192.168.1.7"])
    assert security.csrf_trusted_origins == ["https://scanner.example.com"]
    monkeypatch.setenv("TRUSTED_PROXIES", "nginx")
    with pytest.raises(env.EnvError, match="TRUSTED_PROXIES must list IP addresses"):
        env.read_security_env([])


DOTENV = r"""
# a comment
export PLAIN=two words   # a trailing comment
SINGLE='$(touch {marker}-single) stays'
DOUBLE="`touch {marker}-backtick` and \"quotes\" and a\nnewline"
BARE=$(touch {marker}-bare)
DOLLAR=${HOME}/x
HASH=pass#word
EMPTY=
not a line at all
"""
EXPECTED = {
    "PLAIN": "two words",
    "SINGLE": "$(touch {marker}-single) stays",
    "DOUBLE": '`touch {marker}-backtick` and "quotes" and a\nnewline',
    "BARE": "$(touch {marker}-bare)",
    "DOLLAR": "${HOME}/x",
    "HASH": "pass#word",
    "EMPTY": "",
}


def test_dotenv_values_are_literal_never_executed(tmp_path):
    marker = tmp_path / "ran"
    text = DOTENV.replace("{marker}", str(marker))
    expected = {k: v.replace("{marker}", str(marker)) for k, v in EXPECTED.items()}
    assert dotenv_parse(text) == expected
    dotenv = tmp_path / ".env"
    dotenv.write_text(text)

    # scripts/run.sh's way: the helper's export lines, evaluated by bash.
    names = " ".join(expected)
    script = (f'set -euo pipefail; out="$({sys.executable} {BACKEND}/config/dotenv.py {dotenv})"; eval "$out"; '
              f'for n in {names}; do printf "%s=%s\\0" "$n" "${{!n}}"; done')
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env={"PATH": os.environ["PATH"]},
                            timeout=30)
    assert result.returncode == 0, result.stderr
    from_bash = dict(item.split("=", 1) for item in result.stdout.split("\0") if item)
    assert from_bash == expected

    # config/env.py's way (every Django and Celery process) agrees.
    for name in expected:
        os.environ.pop(name, None)
    try:
        env._load_dotenv(dotenv)
        assert {name: os.environ[name] for name in expected} == expected
    finally:
        for name in expected:
            os.environ.pop(name, None)
    assert list(tmp_path.glob("ran*")) == [], "something in .env was executed"


def test_real_environment_wins_over_dotenv(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("WEB_PORT=1111\nOTHER_ONE=from-file\n")
    result = subprocess.run([sys.executable, str(BACKEND / "config" / "dotenv.py"), str(dotenv)], capture_output=True,
                            text=True, env={"PATH": os.environ["PATH"], "WEB_PORT": "2222"}, timeout=30)
    assert result.stdout == "export OTHER_ONE=from-file\n"


@pytest.mark.parametrize("line, message", [("A='open", "single quote that is never closed"),
                                            ('A="open', "double quote that is never closed"),
                                            ("A='x' rm -rf", "unexpected text after the quoted value")])
def test_dotenv_mistakes_are_reported_with_the_line(line, message):
    with pytest.raises(DotenvError, match=message) as raised:
        dotenv_parse(f"OK=1\n{line}\n")
    assert "line 2" in str(raised.value)


def test_env_example_ships_no_usable_secret():
    import re

    text = (env.REPO_ROOT / ".env.example").read_text()
    secret_names = re.compile(r"(SECRET|PASSWORD|TOKEN|_KEYS?$|BASIC_AUTH)")
    values = dotenv_parse(text)
    secrets_given = {name: value for name, value in values.items() if secret_names.search(name) and value}
    assert secrets_given == {}
    assert {"DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "FLOWER_BASIC_AUTH"} <= set(values)
    assert "secrets.token_urlsafe(50)" in text, "it says how to make a key"
