"""Order status changes: one explicit `(status, trigger) -> status` table.

Statuses are Binance's (`NEW`, `PARTIALLY_FILLED`, `FILLED`, `CANCELED`, `EXPIRED`). Triggers:

* `fill_part`  a fill that leaves quantity open
* `fill_all`   a fill that completes the order
* `cancel`     the user cancels (DELETE order / allOpenOrders)
* `expire`     the exchange ends it: IOC remainder, reduce-only with nothing left to reduce,
               GTD time reached, a triggered close-position order with no position
* `trigger`    a conditional order (STOP_MARKET, TAKE_PROFIT_MARKET, ...) reaches its stop price; the
               order keeps its id and status and its working type becomes the market/limit type

Anything not in the table is a programming error, never a silent no-op.
"""

from __future__ import annotations

NEW = "NEW"
PARTIALLY_FILLED = "PARTIALLY_FILLED"
FILLED = "FILLED"
CANCELED = "CANCELED"
EXPIRED = "EXPIRED"

OPEN_STATUSES = frozenset({NEW, PARTIALLY_FILLED})

TRANSITIONS: dict[tuple[str, str], str] = {
    (NEW, "fill_part"): PARTIALLY_FILLED,
    (NEW, "fill_all"): FILLED,
    (NEW, "cancel"): CANCELED,
    (NEW, "expire"): EXPIRED,
    (NEW, "trigger"): NEW,
    (PARTIALLY_FILLED, "fill_part"): PARTIALLY_FILLED,
    (PARTIALLY_FILLED, "fill_all"): FILLED,
    (PARTIALLY_FILLED, "cancel"): CANCELED,
    (PARTIALLY_FILLED, "expire"): EXPIRED,
}

# The execution type (`x` in ORDER_TRADE_UPDATE) each trigger reports.
EXECUTION_TYPE = {
    "fill_part": "TRADE",
    "fill_all": "TRADE",
    "cancel": "CANCELED",
    "expire": "EXPIRED",
}


class IllegalTransition(RuntimeError):
    """A status change the table does not allow: a bug in the engine, not a user error."""


def next_status(status: str, trigger: str) -> str:
    try:
        return TRANSITIONS[(status, trigger)]
    except KeyError:
        raise IllegalTransition(f"{trigger!r} is not allowed from {status!r}") from None


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


# -- Algo (conditional) orders: /fapi/v1/algoOrder ------------------------------------------------
# NEW until the trigger price is reached, TRIGGERING while the exchange places the real order,
# TRIGGERED once placed (the order's id is reported as "ai"), FINISHED when that order is done.
# A placement the exchange refuses ends REJECTED; the user cancels (CANCELED); GTD runs out (EXPIRED).

ALGO_NEW = "NEW"
ALGO_TRIGGERING = "TRIGGERING"
ALGO_TRIGGERED = "TRIGGERED"
ALGO_FINISHED = "FINISHED"
ALGO_CANCELED = "CANCELED"
ALGO_EXPIRED = "EXPIRED"
ALGO_REJECTED = "REJECTED"

ALGO_TRANSITIONS: dict[tuple[str, str], str] = {
    (ALGO_NEW, "trigger"): ALGO_TRIGGERING,
    (ALGO_NEW, "cancel"): ALGO_CANCELED,
    (ALGO_NEW, "expire"): ALGO_EXPIRED,
    (ALGO_TRIGGERING, "placed"): ALGO_TRIGGERED,
    (ALGO_TRIGGERING, "reject"): ALGO_REJECTED,
    (ALGO_TRIGGERED, "finish"): ALGO_FINISHED,
}


def next_algo_status(status: str, trigger: str) -> str:
    try:
        return ALGO_TRANSITIONS[(status, trigger)]
    except KeyError:
        raise IllegalTransition(f"algo {trigger!r} is not allowed from {status!r}") from None
