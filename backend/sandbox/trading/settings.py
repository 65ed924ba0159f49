"""The trading knobs of the sandbox config (sandbox/config.py: SandboxConfig, env SANDBOX_*)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class TradingSettings:
    starting_balance: Decimal = Decimal("10000")   # USDT in every new account
    maker_fee: Decimal = Decimal("0.0002")         # resting orders that get filled
    taker_fee: Decimal = Decimal("0.0005")         # orders that take (market, marketable, triggered)
    slippage_bps: Decimal = Decimal("0")           # adverse move of taking fills, in basis points

    @classmethod
    def from_config(cls, config) -> "TradingSettings":
        # str() first: the config holds floats, and Decimal(0.0002) is not 0.0002
        return cls(
            starting_balance=Decimal(str(config.starting_balance_usdt)),
            maker_fee=Decimal(str(config.maker_fee_rate)),
            taker_fee=Decimal(str(config.taker_fee_rate)),
            slippage_bps=Decimal(str(config.slippage_bps)),
        )
