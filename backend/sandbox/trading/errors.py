"""Binance's own error answers for the USD-M trading endpoints.

Every refusal is a `sandbox.errors.BinanceError` (shared with the rest of the sandbox); the HTTP
layer turns it into the body `{"code": <code>, "msg": <msg>}` with the status Binance uses. Codes
and message texts come from docs/usdm_futures/error_codes.md; where Binance fills a `%s` we fill it the same way (for example
the parameter name in -1102), using the spellings seen in real Binance answers.

Callers never catch these to retry: every one of them is a permanent answer to *this* request.
"""

from __future__ import annotations

# The sandbox-wide error type (its middleware renders it) and JSON answer helper.
from ..errors import BinanceError, json_response

__all__ = ["BinanceError", "json_response"]

DECIMAL_RANGE = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"
LONG_RANGE = r"^[0-9]{1,20}$"


# -- request and parameter problems (11xx) -----------------------------------------------------

def mandatory_missing(name: str) -> BinanceError:
    return BinanceError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def either_missing(first: str, second: str) -> BinanceError:
    return BinanceError(-1102, f"Param '{first}' or '{second}' must be sent, but both were empty/null!")


def duplicate_param(name: str) -> BinanceError:
    return BinanceError(-1101, "Duplicate values for a parameter detected.")


def illegal_chars(name: str, legal_range: str) -> BinanceError:
    return BinanceError(-1100, f"Illegal characters found in parameter '{name}'; legal range is '{legal_range}'.")


def not_required(name: str) -> BinanceError:
    # Binance spells the parameter in lower case in this message ("'reduceonly'").
    return BinanceError(-1106, f"Parameter '{name.lower()}' sent when not required.")


def invalid_value(name: str) -> BinanceError:
    return BinanceError(-1130, f"Data sent for parameter '{name}' is not valid.")


def bad_precision() -> BinanceError:
    return BinanceError(-1111, "Precision is over the maximum defined for this asset.")


INVALID_SYMBOL = (-1121, "Invalid symbol.")
INVALID_SIDE = (-1117, "Invalid side.")
INVALID_ORDER_TYPE = (-1116, "Invalid orderType.")
INVALID_TIF = (-1115, "Invalid timeInForce.")
INVALID_RESP_TYPE = (-1136, "Invalid newOrderRespType.")
UNSUPPORTED_COMBO = (-1014, "Unsupported order combination.")


def err(pair: tuple[int, str]) -> BinanceError:
    """Build the error for one of the fixed `(code, msg)` pairs in this module."""
    return BinanceError(*pair)


# -- authentication and timing (10xx, 20xx) ---------------------------------------------------

def timestamp_outside_window() -> BinanceError:
    return BinanceError(-1021, "Timestamp for this request is outside of the recvWindow.")


def timestamp_ahead() -> BinanceError:
    return BinanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")


def bad_signature() -> BinanceError:
    return BinanceError(-1022, "Signature for this request is not valid.")


def api_key_format() -> BinanceError:
    return BinanceError(-2014, "API-key format invalid.", status=401)


def api_key_rejected() -> BinanceError:
    return BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", status=401)


def invalid_listen_key() -> BinanceError:
    return BinanceError(
        -1125, "This listenKey does not exist. Please use `POST /fapi/v1/listenKey` to recreate `listenKey`"
    )


# -- processing and filters (20xx, 40xx, 50xx) ------------------------------------------------

NO_SUCH_ORDER = (-2013, "Order does not exist.")
UNKNOWN_ORDER_CANCEL = (-2011, "Unknown order sent.")
MARGIN_INSUFFICIENT = (-2019, "Margin is insufficient.")
WOULD_TRIGGER = (-2021, "Order would immediately trigger.")
REDUCE_ONLY_REJECT = (-2022, "ReduceOnly Order is rejected.")
MAX_LEVERAGE_RATIO = (-2027, "Exceeded the maximum allowable position at current leverage.")
MIN_LEVERAGE_RATIO = (-2028, "Leverage is smaller than permitted: insufficient margin balance.")
PRICE_LE_ZERO = (-4001, "Price less than 0.")
PRICE_GT_MAX = (-4002, "Price greater than max price.")
QTY_LE_ZERO = (-4003, "Quantity less than or equal to zero.")
QTY_LT_MIN = (-4004, "Quantity less than min quantity.")
QTY_GT_MAX = (-4005, "Quantity greater than max quantity.")
STOP_PRICE_LE_ZERO = (-4006, "Stop price less than zero.")
STOP_PRICE_GT_MAX = (-4007, "Stop price greater than max price.")
PRICE_LT_MIN = (-4013, "Price less than min price.")
PRICE_TICK = (-4014, "Price not increased by tick size.")
CLIENT_ID_INVALID = (-4015, "Client order id is not valid.")
PRICE_ABOVE_CAP = (-4016, "Price is higher than mark price multiplier cap.")
QTY_STEP = (-4023, "Qty not increased by step size.")
PRICE_BELOW_FLOOR = (-4024, "Price is lower than mark price multiplier floor.")
INVALID_WORKING_TYPE = (-4031, "Invalid parameter working type")
NO_NEED_MARGIN_TYPE = (-4046, "No need to change margin type.")
MARGIN_TYPE_OPEN_ORDERS = (-4047, "Margin type cannot be changed if there exists open orders.")
MARGIN_TYPE_POSITION = (-4048, "Margin type cannot be changed if there exists position.")
NO_NEED_POSITION_SIDE = (-4059, "No need to change position side.")
INVALID_POSITION_SIDE = (-4060, "Invalid position side.")
POSITION_SIDE_MISMATCH = (-4061, "Order's position side does not match user's setting.")
POSITION_SIDE_OPEN_ORDERS = (-4067, "Position side cannot be changed if there exists open orders.")
POSITION_SIDE_POSITION = (-4068, "Position side cannot be changed if there exists position.")
CLIENT_ID_DUPLICATED = (-4116, "ClientOrderId is duplicated.")
QTY_WITH_CLOSE_POSITION = (-4137, "Quantity must be zero with closePosition equals true")
ISOLATED_LEVERAGE_REDUCTION = (
    -4161, "Leverage reduction is not supported in Isolated Margin Mode with open positions"
)
FOK_REJECT = (-5021, "Due to the order could not be filled immediately, the FOK order has been rejected.")
GTX_REJECT = (-5022, "Due to the order could not be executed as maker, the Post Only order will be rejected.")
GTD_TIME_INVALID = (
    -5040,
    "The goodTillDate timestamp must be greater than the current time plus 600 seconds and smaller than "
    "253402300799000 (UTC 9999-12-31 23:59:59)",
)


def invalid_leverage(value: str) -> BinanceError:
    return BinanceError(-4028, f"Leverage {value} is not valid")


def min_notional(minimum: str) -> BinanceError:
    return BinanceError(-4164, f"Order's notional must be no smaller than {minimum} (unless you choose reduce only)")
