"""LOG_FORMAT=json: every line a JSON object with level, logger and message; nothing but the message
and the exception is written, so secrets handed to a logger by other means never reach the log."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from types import SimpleNamespace

from common import leakwatch
from common.jsonlog import JsonFormatter
from common.testing import BACKEND_DIR

SECRET = "sk-live-json-log-secret-8f3a2c"

PROCESS = textwrap.dedent("""
    import logging, sys
    import django
    django.setup()
    from django.conf import settings
    from django.test import RequestFactory

    secret = sys.argv[1]
    log = logging.getLogger("signals.services.scanning")
    log.info("scan of %s done in %d ms", "5m", 812)
    try:
        {}["missing"]
    except KeyError:
        log.exception("scan failed")
    log.warning("exchange account checked", extra={"api_secret": secret, "account": {"key": secret}})
    request = RequestFactory().get("/api/trading/orders/?token=" + secret, HTTP_AUTHORIZATION="Bearer " + secret)
    logging.getLogger("django.request").error("Bad Request: %s", request.path, extra={"request": request,
                                                                                     "status_code": 400})
    import warnings
    warnings.warn("a library's warning")
    print(settings.CELERY_WORKER_HIJACK_ROOT_LOGGER)
""")


def _run(log_format: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(BACKEND_DIR), DJANGO_SETTINGS_MODULE="config.settings.test",
               LOG_FORMAT=log_format, LOG_LEVEL="INFO")
    run = subprocess.run([sys.executable, "-c", PROCESS, SECRET], cwd=BACKEND_DIR, env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run


def test_a_process_with_json_logs_writes_one_object_a_line_and_no_secret():
    run = _run("json")
    every = [json.loads(line) for line in run.stderr.splitlines()]
    lines = [line for line in every if line["logger"] != "axes.apps"]  # its start-up line
    assert [(line["level"], line["logger"]) for line in lines] == [
        ("INFO", "signals.services.scanning"), ("ERROR", "signals.services.scanning"),
        ("WARNING", "signals.services.scanning"), ("ERROR", "django.request"), ("WARNING", "py.warnings"),
    ]
    assert lines[0]["message"] == "scan of 5m done in 812 ms"
    assert lines[0]["ts"].endswith("Z") and isinstance(lines[0]["process"], int)
    assert lines[1]["message"] == "scan failed" and "KeyError: 'missing'" in lines[1]["exc"]
    assert "api_secret" not in lines[2] and "account" not in lines[2]
    assert lines[3]["http"] == {"method": "GET", "path": "/api/trading/orders/", "status": 400}
    assert SECRET not in run.stderr
    assert run.stdout.strip() == "False"  # Celery leaves the root logger to the JSON handler


def test_text_stays_the_default():
    run = _run("text")
    assert "INFO signals.services.scanning: scan of 5m done in 812 ms\n" in run.stderr
    assert not run.stderr.lstrip().startswith("{")
    assert "UserWarning: a library's warning" in run.stderr
    assert run.stdout.strip() == "True"


def test_the_leak_watch_reads_what_the_json_line_holds():
    """The leak watch inspects each record's message and exception; the JSON line adds only fixed
    fields, so the watch's verdict on a record holds for its line. Fed to the watch here too."""
    leakwatch.secret(SECRET, label="json log test secret")
    record = logging.getLogger("accounts.api").makeRecord(
        "accounts.api", logging.WARNING, __file__, 1, "key of account %s refused", (7,), None,
        extra={"secret": SECRET, "request": SimpleNamespace(method="POST", path="/api/exchange-accounts/",
                                                            META={"HTTP_AUTHORIZATION": f"Bearer {SECRET}"})})
    line = JsonFormatter().format(record)
    leakwatch.inspect("log", "json log line", line)
    assert SECRET not in line
    assert json.loads(line)["message"] == "key of account 7 refused"


def test_a_bad_format_string_still_makes_a_line():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d items", ("many",), None)
    assert json.loads(JsonFormatter().format(record))["message"] == "'%d items' % ('many',)"
