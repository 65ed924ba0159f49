"""What an error may say to the public: its class and a short reason, never its text.

An exception's text can carry hosts, paths, SQL, URLs with credentials or a response body.
Anonymous readers (health details, scanner status) see `error_summary(exc)` instead; the full
text goes to the log and the admin.
"""
from __future__ import annotations

import re


class PublicError(Exception):
    """An error whose message was written for the reader (ours, naming nothing internal):
    `error_summary` shows it as it is."""


# Short reasons by class name; other classes get the generic one.
REASONS = {
    "TemporaryError": "the exchange did not answer in time",
    "ExecutionUnknownError": "the exchange could not say whether the request ran",
    "RateLimitedError": "the exchange is rate limiting this IP",
    "BannedError": "the exchange has banned this IP for a while",
    "PermanentError": "the exchange refused the request",
    "DecodeError": "the exchange answered in an unexpected format",
    "AuthenticationError": "the exchange refused the API key",
    "ScanTemporaryError": "a temporary failure; the next run tries again",
    "ConnectionError": "could not connect",
    "ConnectionRefusedError": "connection refused",
    "ConnectionResetError": "connection reset",
    "TimeoutError": "timed out",
    "OperationalError": "the database is unavailable",
    "InterfaceError": "the database connection is broken",
    "ProgrammingError": "a database query failed",
    "DatabaseError": "a database query failed",
    "ResponseError": "Redis refused a command",
}
GENERIC_REASON = "an unexpected error (details in the server log)"
_CLASS_NAME = re.compile(r"^[A-Z][A-Za-z0-9_]*(Error|Exception|Timeout)$")
_SYMBOL = re.compile(r"^[A-Z0-9]{2,30}$")


def error_summary(exc: BaseException) -> str:
    """`ClassName: short reason` for an exception about to be shown to anyone."""
    name = type(exc).__name__
    if isinstance(exc, PublicError):
        return f"{name}: {exc}"
    return f"{name}: {REASONS.get(name, GENERIC_REASON)}"


def error_text_summary(text: str) -> str:
    """The same for an error already stored as `Class: text` or `SYMBOL: Class: text`."""
    parts = [part.strip() for part in text.split(":", 2)]
    prefix = ""
    if len(parts) >= 2 and _SYMBOL.match(parts[0]) and _CLASS_NAME.match(parts[1]):
        prefix, parts = f"{parts[0]}: ", parts[1:]
    name = parts[0] if _CLASS_NAME.match(parts[0]) else "Error"
    return f"{prefix}{name}: {REASONS.get(name, GENERIC_REASON)}"
