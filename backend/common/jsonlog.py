"""LOG_FORMAT=json: one JSON object a line, for log collectors (Loki, Elasticsearch, CloudWatch).

    {"ts": "2026-12-04T22:31:05.123Z", "level": "INFO", "logger": "signals.services.scanning",
     "message": "...", "process": 4242, "exc": "Traceback ..."}

Exactly what the text format writes, as fields: the formatted message and the exception with its
traceback (`exc`, only when there is one), plus the time, level, logger name and process id. The
record's other attributes are never written: `extra=` values, and the `request` Django's loggers
attach (its headers hold Authorization and cookies), would otherwise reach the log unseen by the
code that logged. So the test suite's leak watch, which reads the same message and exception of
every record (common/leakwatch_capture.py `record_text`), covers these lines too. For a request
record, its method and path (no query string: tokens travel there) and the status code are added.
Imports no Django: the process's logging is configured before Django is ready.
"""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the line, say what was logged
            message = f"{record.msg!r} % {record.args!r}"
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
            "process": record.process,
        }
        if record.exc_info and record.exc_info[1] is not None:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        request = getattr(record, "request", None)
        method, path = getattr(request, "method", None), getattr(request, "path", None)
        if isinstance(method, str) and isinstance(path, str):
            line["http"] = {"method": method, "path": path}
            status = getattr(record, "status_code", None)
            if isinstance(status, int):
                line["http"]["status"] = status
        return json.dumps(line, ensure_ascii=False, default=str)
