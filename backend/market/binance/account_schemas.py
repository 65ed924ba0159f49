"""Typed decoders of the USD-M account answers: positionRisk (v2), balance (v2), account (v2) and
income. Decimal money as Binance sent it; re-exported by trading_schemas.py, the module the rest of
the platform imports them from."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from market.binance.decoding import ZERO, dec, flag, integer, json_list, json_object, text
from market.binance.schemas import _loads


@dataclass(frozen=True)
class PositionRisk:
    symbol: str
    position_side: str
    amount: Decimal  # signed: negative is short (One-way), SHORT rows are negative too
    entry_price: Decimal
    break_even_price: Decimal
    mark_price: Decimal
    unrealized_pnl: Decimal
    leverage: int
    margin_type: str  # "cross" / "isolated"
    liquidation_price: Decimal
    update_time_ms: int
    notional: Decimal = ZERO
    isolated_wallet: Decimal = ZERO


def position_risk_decode(raw: bytes, what: str = "/fapi/v2/positionRisk") -> list[PositionRisk]:
    out = []
    for row in json_list(_loads(raw, what), what):
        row = json_object(row, what)
        out.append(PositionRisk(
            symbol=text(row, "symbol", what), position_side=text(row, "positionSide", what, "BOTH"),
            amount=dec(row, "positionAmt", what), entry_price=dec(row, "entryPrice", what, ZERO),
            break_even_price=dec(row, "breakEvenPrice", what, ZERO), mark_price=dec(row, "markPrice", what, ZERO),
            unrealized_pnl=dec(row, "unRealizedProfit", what, ZERO), leverage=integer(row, "leverage", what),
            margin_type=text(row, "marginType", what).lower(),
            liquidation_price=dec(row, "liquidationPrice", what, ZERO),
            update_time_ms=integer(row, "updateTime", what, 0), notional=dec(row, "notional", what, ZERO),
            isolated_wallet=dec(row, "isolatedWallet", what, ZERO),
        ))
    return out


@dataclass(frozen=True)
class Balance:
    asset: str
    wallet_balance: Decimal
    cross_wallet_balance: Decimal
    available_balance: Decimal
    unrealized_pnl: Decimal
    update_time_ms: int


def balances_decode(raw: bytes, what: str = "/fapi/v2/balance") -> list[Balance]:
    out = []
    for row in json_list(_loads(raw, what), what):
        row = json_object(row, what)
        out.append(Balance(
            asset=text(row, "asset", what), wallet_balance=dec(row, "balance", what),
            cross_wallet_balance=dec(row, "crossWalletBalance", what, ZERO),
            available_balance=dec(row, "availableBalance", what, ZERO),
            unrealized_pnl=dec(row, "crossUnPnl", what, ZERO), update_time_ms=integer(row, "updateTime", what, 0),
        ))
    return out


@dataclass(frozen=True)
class AccountPosition:
    symbol: str
    position_side: str
    amount: Decimal
    entry_price: Decimal
    unrealized_pnl: Decimal
    leverage: int | None
    isolated: bool
    update_time_ms: int


@dataclass(frozen=True)
class Account:
    """GET /fapi/v2/account: the totals, a Balance per asset, and the positions rows."""

    can_trade: bool
    total_wallet_balance: Decimal
    total_unrealized_pnl: Decimal
    total_margin_balance: Decimal
    total_initial_margin: Decimal
    total_maint_margin: Decimal
    available_balance: Decimal
    max_withdraw_amount: Decimal
    balances: tuple[Balance, ...]
    positions: tuple[AccountPosition, ...]


def account_decode(raw: bytes, what: str = "/fapi/v2/account") -> Account:
    body = json_object(_loads(raw, what), what)
    balances = tuple(
        Balance(asset=text(a, "asset", what), wallet_balance=dec(a, "walletBalance", what),
                cross_wallet_balance=dec(a, "crossWalletBalance", what, ZERO),
                available_balance=dec(a, "availableBalance", what, ZERO),
                unrealized_pnl=dec(a, "unrealizedProfit", what, ZERO), update_time_ms=integer(a, "updateTime", what, 0))
        for a in map(lambda a: json_object(a, what), json_list(body.get("assets"), what))
    )
    positions = tuple(
        AccountPosition(symbol=text(p, "symbol", what), position_side=text(p, "positionSide", what, "BOTH"),
                        amount=dec(p, "positionAmt", what), entry_price=dec(p, "entryPrice", what, ZERO),
                        unrealized_pnl=dec(p, "unrealizedProfit", what, ZERO),
                        leverage=integer(p, "leverage", what) if "leverage" in p else None,
                        isolated=flag(p, "isolated"), update_time_ms=integer(p, "updateTime", what, 0))
        for p in map(lambda p: json_object(p, what), json_list(body.get("positions", []), what))
    )
    return Account(
        can_trade=body.get("canTrade", True) is True,
        total_wallet_balance=dec(body, "totalWalletBalance", what),
        total_unrealized_pnl=dec(body, "totalUnrealizedProfit", what, ZERO),
        total_margin_balance=dec(body, "totalMarginBalance", what, ZERO),
        total_initial_margin=dec(body, "totalInitialMargin", what, ZERO),
        total_maint_margin=dec(body, "totalMaintMargin", what, ZERO),
        available_balance=dec(body, "availableBalance", what, ZERO),
        max_withdraw_amount=dec(body, "maxWithdrawAmount", what, ZERO),
        balances=balances, positions=positions,
    )


@dataclass(frozen=True)
class IncomeRow:
    symbol: str  # "" when the flow belongs to no symbol (transfers)
    income_type: str  # REALIZED_PNL, COMMISSION, FUNDING_FEE, TRANSFER, ...
    income: Decimal
    asset: str
    info: str
    time_ms: int
    tran_id: int
    trade_id: str  # "" when none


def income_decode(raw: bytes, what: str = "/fapi/v1/income") -> list[IncomeRow]:
    out = []
    for row in json_list(_loads(raw, what), what):
        row = json_object(row, what)
        out.append(IncomeRow(
            symbol=text(row, "symbol", what, ""), income_type=text(row, "incomeType", what),
            income=dec(row, "income", what), asset=text(row, "asset", what), info=text(row, "info", what, ""),
            time_ms=integer(row, "time", what), tran_id=integer(row, "tranId", what), trade_id=str(row.get("tradeId", "")),
        ))
    return out
