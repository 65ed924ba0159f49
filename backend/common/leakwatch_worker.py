"""The Celery app of the workers the test suite starts (`celery -A common.leakwatch_worker worker`).

It is config.celery's app; in addition the worker writes every log record it creates and every
task's arguments (run, or published by the worker itself) to a file in `$LEAKWATCH_DIR`, which
leakwatch scans for the suite's secrets at the end of the session.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from common.leakwatch_capture import connect_celery_signals, record_text
from config.celery import app

__all__ = ["app"]

_dir = os.environ.get("LEAKWATCH_DIR")
if _dir:
    Path(_dir).mkdir(parents=True, exist_ok=True)  # a /tmp cleaner may have removed it
    _out = open(Path(_dir) / f"celery-worker-{os.getpid()}.log", "a", buffering=1, encoding="utf-8")

    def _report(where: str, text: str) -> None:
        # One block per record; leakwatch scans line by line, so the text keeps its own lines.
        _out.write(f"{where}\t{text}\n")

    _make_record = logging.getLogRecordFactory()

    def _record(*args, **kwargs) -> logging.LogRecord:
        record = _make_record(*args, **kwargs)
        _report(f"log record {record.name} {record.levelname}", record_text(record))
        return record

    logging.setLogRecordFactory(_record)
    connect_celery_signals(_report)
