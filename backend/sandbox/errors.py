"""Binance error answers: ``{"code": <negative int>, "msg": "..."}`` with the HTTP status Binance uses.

Handlers raise :class:`BinanceError`; the middleware turns it into the JSON response, so a bad
parameter can never surface as a 500. Message texts are the ones in docs/spot/errors.md and
docs/usdm_futures/error_codes.md.
"""
from __future__ import annotations

import orjson
from aiohttp import web

JSON_CONTENT_TYPE = "application/json;charset=UTF-8"

SYMBOL_RANGE = "^[A-Z0-9-_.]{1,20}$"
NUMBER_RANGE = "^[0-9]{1,20}$"
SYMBOLS_RANGE = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$'


class BinanceError(Exception):
    """A request Binance would refuse; ``status`` 400 unless said otherwise."""

    def __init__(self, code: int, msg: str, status: int = 400, headers: dict | None = None):
        super().__init__(msg)
        self.code, self.msg, self.status, self.headers = code, msg, status, headers or {}

    def response(self) -> web.Response:
        body = orjson.dumps({"code": self.code, "msg": self.msg})
        return json_response(body, self.status, self.headers)


def json_response(body: bytes, status: int = 200, headers: dict | None = None) -> web.Response:
    response = web.Response(body=body, status=status, headers=headers)
    response.headers["Content-Type"] = JSON_CONTENT_TYPE
    return response


def illegal_chars(param: str, legal: str) -> BinanceError:
    return BinanceError(-1100, f"Illegal characters found in parameter '{param}'; legal range is '{legal}'.")


def mandatory_missing(param: str) -> BinanceError:
    return BinanceError(-1102, f"Mandatory parameter '{param}' was not sent, was empty/null, or malformed.")


def invalid_symbol() -> BinanceError:
    return BinanceError(-1121, "Invalid symbol.")


def invalid_interval() -> BinanceError:
    return BinanceError(-1120, "Invalid interval.")


def invalid_param(param: str) -> BinanceError:
    return BinanceError(-1130, f"Data sent for parameter '{param}' is not valid.")


def bad_combination() -> BinanceError:
    return BinanceError(-1128, "Combination of optional parameters invalid.")


def start_after_end() -> BinanceError:
    return BinanceError(-1023, "Start time is greater than end time.")


def invalid_ticker_type() -> BinanceError:
    return BinanceError(-1139, "Invalid ticker type.")


def duplicate_symbols() -> BinanceError:
    return BinanceError(-1151, "Symbol is present multiple times in the list.")


def too_many_requests(market: str, budget: int, retry_after: int) -> BinanceError:
    """429 past the per-minute weight budget (message per market, as in the docs)."""
    if market == "spot":
        msg = (f"Too much request weight used; current limit is {budget} request weight per 1 MINUTE. "
               "Please use WebSocket Streams for live updates to avoid polling the API.")
    else:
        msg = (f"Too many requests; current limit is {budget} requests per minute. "
               "Please use the websocket for live updates to avoid polling the API.")
    return BinanceError(-1003, msg, 429, {"Retry-After": str(retry_after)})


def banned(market: str, until_ms: int, retry_after: int) -> BinanceError:
    """418: the IP kept calling after 429s (or a forced ban fault)."""
    until = until_ms  # Binance prints the ban end as epoch milliseconds
    if market == "spot":
        msg = (f"Way too much request weight used; IP banned until {until}. "
               "Please use WebSocket Streams for live updates to avoid bans.")
    else:
        msg = (f"Way too many requests; IP banned until {until}. "
               "Please use the websocket for live updates to avoid bans.")
    return BinanceError(-1003, msg, 418, {"Retry-After": str(retry_after)})


# 5xx bodies for the error fault: Binance-side failures whose execution status is unknown.
SERVER_ERRORS = {
    500: (-1001, "Internal error; unable to process your request. Please try again."),
    502: (-1001, "Internal error; unable to process your request. Please try again."),
    503: (-1008, "Server is currently overloaded with other requests. Please try again in a few minutes."),
    504: (-1007, "Timeout waiting for response from backend server. Send status unknown; "
                 "execution status unknown."),
}


# USD-M's 503 for "the request reached the matching engine, no answer came in time"
# (network_connectivity.md, "HTTP 503 Status: Message Variants", A: execution status UNKNOWN).
# The docs give the message without a code; -1000 (UNKNOWN) is our choice.
EXECUTION_UNKNOWN = (-1000, "Unknown error, please check your request or try again later.")


def server_error(status: int, *, executed: bool = False) -> BinanceError:
    """The 5xx body; ``executed``: the request ran and its answer is lost (503 says so)."""
    if executed and status == 503:
        return BinanceError(*EXECUTION_UNKNOWN, status)
    code, msg = SERVER_ERRORS.get(status, (-1000, "An unknown error occurred while processing the request."))
    return BinanceError(code, msg, status)


def too_many_orders(retry_after: int) -> BinanceError:
    """429 -1015: the account's ORDERS limit (10 s window), as sandbox.trading answers it."""
    return BinanceError(-1015, "Too many new orders; current limit is 300 orders per 10 SECOND.", 429,
                        {"Retry-After": str(retry_after)})
