"""The leak watch catches a planted secret in every channel it watches, and only there.

The planted tests run in a pytest of their own (a subprocess): their leaks must fail that run,
not this one. Their file is not named test_*.py, so the suite itself never collects it.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from common import leakwatch
from common.testing import BACKEND_DIR

PLANTED = Path(__file__).parent / "leakwatch_planted"
SECRETS = {
    "response": "planted-in-a-response-body",
    "log": "planted-in-a-log-record",
    "celery": "planted-in-an-eager-task",
    "process": "planted-in-a-process-log",
    "ws": "planted-in-a-websocket-frame",
}


def _run_planted(mode: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(BACKEND_DIR), DJANGO_SETTINGS_MODULE="config.settings.test",
               LEAKWATCH_PLANTED=mode)
    env.pop(leakwatch.ENV_DIR, None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "common.leakwatch", "-p", "no:cacheprovider",
         "-o", "python_files=planted_*.py", "-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=function",
         "--rootdir", str(PLANTED), str(PLANTED / "planted_leaks.py")],
        cwd=PLANTED, env=env, capture_output=True, text=True, timeout=240,
    )


@pytest.fixture(scope="module")
def leaky_run():
    run = _run_planted("leaky")
    yield run
    kept = re.search(r"the process logs are kept in (\S+)", run.stdout)
    if kept and Path(kept.group(1)).name.startswith("leakwatch-"):
        shutil.rmtree(kept.group(1), ignore_errors=True)


def test_every_planted_leak_fails_the_run(leaky_run):
    out = leaky_run.stdout
    assert "7 passed" in out, out + leaky_run.stderr
    assert leaky_run.returncode == pytest.ExitCode.TESTS_FAILED, out
    leaks = [line for line in out.splitlines() if line.startswith("LEAK ")]
    expected = {
        ("response", "planted response secret", "response GET /echo/ (200)", "test_response"),
        ("log", "planted log secret", "log record leaky WARNING", "test_log"),
        ("celery", "planted eager task secret", "celery task leakwatch_planted.echo run", "test_eager_task"),
        ("celery", "planted published task secret", "celery task leakwatch_planted.echo published",
         "test_published_task"),
        ("ws", "planted frame secret", "Talker websocket.send on /talk/", "test_frame"),
        # Process logs are read at the end of the session, when the test that wrote them is over.
        ("process", "planted process secret", "planted-", None),
        ("response", "access token", "response GET /api/other/ (200)", "test_token_outside_its_issuer"),
    }
    for channel, label, where, test in expected:
        found = [line for line in leaks if line.startswith(f"LEAK [{channel}] {label} ") and where in line]
        assert len(found) == 1, (channel, label, leaks)
        assert f"during planted_leaks.py::{test}" in found[0] if test else "during the session" in found[0]
    assert len(leaks) == len(expected), leaks
    assert f"{len(expected)} leak(s); the run fails" in out
    assert "leakwatch: the process logs are kept in " in out  # to read the leaking line


def test_the_report_masks_the_secrets(leaky_run):
    assert "LEAK [log] planted log secret pl…rd (23 chars)" in leaky_run.stdout
    for value in SECRETS.values():
        assert value not in leaky_run.stdout + leaky_run.stderr


def test_a_token_in_its_issuers_body_and_secrets_used_nowhere_pass():
    clean = _run_planted("clean")
    assert clean.returncode == pytest.ExitCode.OK, clean.stdout + clean.stderr
    assert "LEAK" not in clean.stdout
    assert "leakwatch: no leak of" in clean.stdout


def test_short_values_cannot_be_registered():
    with pytest.raises(ValueError, match="at least 8"):
        leakwatch.secret("short")
    assert leakwatch.secret("long-enough-to-watch", "unused in this suite") == "long-enough-to-watch"
