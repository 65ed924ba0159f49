"""Income history rows of `GET /fapi/v1/income`, built from the account's trades. Pure, no I/O.

The sandbox's wallet moves only through fills (`ledger.apply_fill`: `realized - commission`, both
rounded to 8 decimals), so its income history is two kinds of rows per trade:

* `REALIZED_PNL`: the trade's realized PnL, only for trades that closed something (non-zero);
* `COMMISSION`: minus the trade's commission (non-zero fees only).

Hence `sum(income of both kinds) == wallet - starting balance` exactly. Row shape and key order
as in the docs' example: `symbol`, `incomeType`, `income` (8 decimals, string), `asset` "USDT",
`info` (= the type, as in the example), `time` (the trade's), `tranId` (int, unique per type and
account: the two rows of one trade share it, as the docs' example rows do), `tradeId` (string).
Other documented types (FUNDING_FEE, TRANSFER, ...) are accepted and have no rows: the sandbox has
no funding and no transfers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from .ledger import q8
from .payloads import Trade

INCOME_TYPES = (
    "TRANSFER", "WELCOME_BONUS", "REALIZED_PNL", "FUNDING_FEE", "COMMISSION", "INSURANCE_CLEAR",
    "REFERRAL_KICKBACK", "COMMISSION_REBATE", "API_REBATE", "CONTEST_REWARD", "CROSS_COLLATERAL_TRANSFER",
    "OPTIONS_PREMIUM_FEE", "OPTIONS_SETTLE_PROFIT", "INTERNAL_TRANSFER", "AUTO_EXCHANGE",
    "DELIVERED_SETTELMENT", "COIN_SWAP_DEPOSIT", "COIN_SWAP_WITHDRAW", "POSITION_LIMIT_INCREASE_FEE",
    "STRATEGY_UMFUTURES_TRANSFER", "FEE_RETURN", "BFUSD_REWARD",
)
TRAN_ID_BASE = 9_000_000_000  # tranId = base + trade id: Binance-sized, stable across calls
HISTORY_MS = 90 * 24 * 3600 * 1000  # "Income history only contains data for the last three months"


def _row(trade: Trade, income_type: str, amount: Decimal) -> dict:
    return {
        "symbol": trade.symbol, "incomeType": income_type, "income": format(q8(amount), "f"),
        "asset": "USDT", "info": income_type, "time": trade.time,
        "tranId": TRAN_ID_BASE + trade.id, "tradeId": str(trade.id),
    }


def income_rows(trades: Iterable[Trade], *, symbol: str | None = None, income_type: str | None = None,
                start: int, end: int) -> list[dict]:
    """Every row with start <= time <= end, oldest first (time, then tranId, REALIZED_PNL first)."""
    rows = []
    for trade in trades:
        if (symbol is not None and trade.symbol != symbol) or not start <= trade.time <= end:
            continue
        if trade.realized_pnl and income_type in (None, "REALIZED_PNL"):
            rows.append(_row(trade, "REALIZED_PNL", trade.realized_pnl))
        if trade.commission and income_type in (None, "COMMISSION"):
            rows.append(_row(trade, "COMMISSION", -trade.commission))
    rows.sort(key=lambda r: (r["time"], r["tranId"], r["incomeType"] != "REALIZED_PNL"))
    return rows


def page_of(rows: list[dict], page: int, limit: int) -> list[dict]:
    """Page `page` (1-based) of `limit` rows, oldest rows on page 1."""
    return rows[(page - 1) * limit: page * limit]
