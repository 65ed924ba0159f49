"""Notional and leverage brackets (GET /fapi/v1/leverageBracket) shared by every sandbox symbol.

Binance gives each symbol its own tiers; the sandbox uses one table shaped like BTCUSDT's: the
higher the position notional, the lower the allowed leverage and the higher the maintenance margin
ratio. `cum` is Binance's "maintenance amount": maintMargin = notional * maintMarginRatio - cum,
which keeps maintenance margin continuous across tiers (cum_n = cum_{n-1} + floor_n * (mmr_n - mmr_{n-1})).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

MAX_LEVERAGE = 125


@dataclass(frozen=True)
class Bracket:
    bracket: int
    initial_leverage: int
    notional_floor: int
    notional_cap: int
    maint_margin_ratio: Decimal
    cum: Decimal


def _build() -> tuple[Bracket, ...]:
    tiers = [  # (initialLeverage, notionalFloor, notionalCap, maintMarginRatio)
        (125, 0, 50_000, "0.004"),
        (100, 50_000, 600_000, "0.005"),
        (75, 600_000, 3_000_000, "0.0065"),
        (50, 3_000_000, 12_000_000, "0.01"),
        (25, 12_000_000, 70_000_000, "0.02"),
        (20, 70_000_000, 100_000_000, "0.025"),
        (10, 100_000_000, 230_000_000, "0.05"),
        (5, 230_000_000, 480_000_000, "0.1"),
        (4, 480_000_000, 600_000_000, "0.125"),
        (3, 600_000_000, 800_000_000, "0.15"),
        (2, 800_000_000, 1_200_000_000, "0.25"),
        (1, 1_200_000_000, 1_800_000_000, "0.5"),
    ]
    out, cum, prev_mmr = [], Decimal(0), Decimal(0)
    for number, (lev, floor, cap, mmr) in enumerate(tiers, start=1):
        ratio = Decimal(mmr)
        cum += Decimal(floor) * (ratio - prev_mmr)
        out.append(Bracket(number, lev, floor, cap, ratio, cum))
        prev_mmr = ratio
    return tuple(out)


BRACKETS = _build()


def max_notional(leverage: int) -> int:
    """Largest position notional allowed at `leverage` (the cap of the last tier that permits it)."""
    allowed = [b.notional_cap for b in BRACKETS if b.initial_leverage >= leverage]
    return allowed[-1] if allowed else 0


def bracket_for(notional: Decimal) -> Bracket:
    for b in BRACKETS:
        if notional < b.notional_cap:
            return b
    return BRACKETS[-1]


def maint_margin(notional: Decimal) -> Decimal:
    b = bracket_for(notional)
    return max(Decimal(0), notional * b.maint_margin_ratio - b.cum)


def as_json(symbol: str) -> dict:
    return {
        "symbol": symbol,
        "brackets": [
            {
                "bracket": b.bracket,
                "initialLeverage": b.initial_leverage,
                "notionalCap": b.notional_cap,
                "notionalFloor": b.notional_floor,
                "maintMarginRatio": float(b.maint_margin_ratio),
                "cum": float(b.cum),
            }
            for b in BRACKETS
        ],
    }
