"""Account, balance and position answers (GET /fapi/v2|v3/account, /fapi/v2/balance,
/fapi/v2|v3/positionRisk) in Binance's shapes, built from the engine's ledger.

Which rows appear (docs' notes on each endpoint):
* positionRisk v2: every symbol; one `BOTH` row in One-way Mode, `BOTH`, `LONG` and `SHORT` rows in
  Hedge Mode.
* account v2 `positions`: every symbol; `BOTH` rows in One-way Mode, `LONG` and `SHORT` in Hedge Mode.
* positionRisk v3 and account v3 `positions`: only symbols with a position or open orders.
"""

from __future__ import annotations

import hashlib

from .brackets import max_notional
from .engine import Engine
from .ledger import ZERO, Position, q8
from .payloads import fixed, price_text, usdt


def _sides(dual: bool, *, with_both: bool) -> tuple[str, ...]:
    if not dual:
        return ("BOTH",)
    return ("BOTH", "LONG", "SHORT") if with_both else ("LONG", "SHORT")


def _symbols(engine: Engine, account_id: str, symbol: str | None, *, active_only: bool) -> list[str]:
    if symbol is not None:
        engine.rules(symbol)
        return [symbol]
    if not active_only:
        return sorted(engine.market.symbols())
    ledger = engine.account(account_id)
    active = {p.symbol for p in ledger.open_positions()} | {o.symbol for o in engine.open_orders(account_id)}
    return sorted(active)


class _Row:
    """Everything the shapes need about one (symbol, positionSide)."""

    def __init__(self, engine: Engine, account_id: str, pos: Position, order_margins: dict):
        ledger = engine.account(account_id)
        rules = engine.rules(pos.symbol)
        settings = ledger.settings_for(pos.symbol)
        self.pos, self.rules, self.settings = pos, rules, settings
        self.mark = engine.mark(pos.symbol)
        self.unrealized = pos.unrealized(self.mark)
        self.notional = q8(pos.amount * self.mark)
        self.position_im = ledger.position_initial_margin(pos, self.mark)
        self.order_im = q8(order_margins.get((pos.symbol, pos.side), ZERO))
        self.maint = ledger.maint_margin(pos, self.mark)
        self.isolated_wallet = ledger.isolated_wallet(pos)
        self.isolated_margin = self.isolated_wallet + self.unrealized if self.isolated_wallet else ZERO
        book = [o for o in engine.open_orders(account_id, pos.symbol) if o.type == "LIMIT" and o.position_side == pos.side]
        self.bid = sum((o.remaining * o.price for o in book if o.side == "BUY"), ZERO)
        self.ask = sum((o.remaining * o.price for o in book if o.side == "SELL"), ZERO)

    def amount(self) -> str:
        return fixed(self.pos.amount, self.rules.quantity_precision)


def _rows(engine: Engine, account_id: str, symbol: str | None, *, active_only: bool, with_both: bool):
    ledger = engine.account(account_id)
    margins = engine.order_margins(account_id)
    for sym in _symbols(engine, account_id, symbol, active_only=active_only):
        for side in _sides(ledger.dual_side, with_both=with_both):
            pos = ledger.position(sym, side)
            if active_only and not pos.amount and not any(
                    o.position_side == side for o in engine.open_orders(account_id, sym)):
                continue
            yield _Row(engine, account_id, pos, margins)


def position_risk_v2(engine: Engine, account_id: str, symbol: str | None) -> list[dict]:
    return [
        {
            "symbol": r.pos.symbol, "positionAmt": r.amount(), "entryPrice": price_text(r.pos.entry_price),
            "breakEvenPrice": price_text(r.pos.break_even()), "markPrice": usdt(r.mark),
            "unRealizedProfit": usdt(r.unrealized), "liquidationPrice": "0", "leverage": str(r.settings.leverage),
            "maxNotionalValue": str(max_notional(r.settings.leverage)),
            "marginType": "isolated" if r.settings.isolated else "cross",
            "isolatedMargin": usdt(r.isolated_margin), "isAutoAddMargin": "false", "positionSide": r.pos.side,
            "notional": usdt(r.notional), "isolatedWallet": usdt(r.isolated_wallet) if r.isolated_wallet else "0",
            "updateTime": r.pos.update_time,
        }
        for r in _rows(engine, account_id, symbol, active_only=False, with_both=True)
    ]


def position_risk_v3(engine: Engine, account_id: str, symbol: str | None) -> list[dict]:
    return [
        {
            "symbol": r.pos.symbol, "positionSide": r.pos.side, "positionAmt": r.amount(),
            "entryPrice": price_text(r.pos.entry_price), "breakEvenPrice": price_text(r.pos.break_even()),
            "markPrice": usdt(r.mark), "unRealizedProfit": usdt(r.unrealized), "liquidationPrice": "0",
            "isolatedMargin": usdt(r.isolated_margin), "notional": usdt(r.notional), "marginAsset": "USDT",
            "isolatedWallet": usdt(r.isolated_wallet), "initialMargin": usdt(r.position_im + r.order_im),
            "maintMargin": usdt(r.maint), "positionInitialMargin": usdt(r.position_im),
            "openOrderInitialMargin": usdt(r.order_im), "adl": 0, "bidNotional": usdt(r.bid),
            "askNotional": usdt(r.ask), "updateTime": r.pos.update_time,
        }
        for r in _rows(engine, account_id, symbol, active_only=True, with_both=False)
    ]


def _totals(engine: Engine, account_id: str) -> dict:
    s = engine.summary(account_id)
    return {
        "totalInitialMargin": usdt(s.initial_margin), "totalMaintMargin": usdt(s.maint_margin),
        "totalWalletBalance": usdt(s.wallet), "totalUnrealizedProfit": usdt(s.unrealized),
        "totalMarginBalance": usdt(s.margin_balance),
        "totalPositionInitialMargin": usdt(s.position_initial_margin),
        "totalOpenOrderInitialMargin": usdt(s.open_order_initial_margin),
        "totalCrossWalletBalance": usdt(s.cross_wallet), "totalCrossUnPnl": usdt(s.cross_unrealized),
        "availableBalance": usdt(s.available), "maxWithdrawAmount": usdt(s.max_withdraw),
    }


def _asset(engine: Engine, account_id: str, *, v2: bool) -> dict:
    s = engine.summary(account_id)
    asset = {
        "asset": "USDT", "walletBalance": usdt(s.wallet), "unrealizedProfit": usdt(s.unrealized),
        "marginBalance": usdt(s.margin_balance), "maintMargin": usdt(s.maint_margin),
        "initialMargin": usdt(s.initial_margin), "positionInitialMargin": usdt(s.position_initial_margin),
        "openOrderInitialMargin": usdt(s.open_order_initial_margin), "crossWalletBalance": usdt(s.cross_wallet),
        "crossUnPnl": usdt(s.cross_unrealized), "availableBalance": usdt(s.available),
        "maxWithdrawAmount": usdt(s.max_withdraw),
    }
    if v2:
        asset["marginAvailable"] = True
    asset["updateTime"] = engine.account(account_id).update_time
    return asset


def account_v2(engine: Engine, account_id: str) -> dict:
    positions = [
        {
            "symbol": r.pos.symbol, "initialMargin": usdt(r.position_im + r.order_im), "maintMargin": usdt(r.maint),
            "unrealizedProfit": usdt(r.unrealized), "positionInitialMargin": usdt(r.position_im),
            "openOrderInitialMargin": usdt(r.order_im), "leverage": str(r.settings.leverage),
            "isolated": r.settings.isolated, "entryPrice": price_text(r.pos.entry_price),
            "breakEvenPrice": price_text(r.pos.break_even()),
            "maxNotional": str(max_notional(r.settings.leverage)), "bidNotional": usdt(r.bid),
            "askNotional": usdt(r.ask), "positionSide": r.pos.side, "positionAmt": r.amount(),
            "updateTime": r.pos.update_time,
        }
        for r in _rows(engine, account_id, None, active_only=False, with_both=False)
    ]
    return {
        "feeTier": 0, "feeBurn": True, "canTrade": True, "canDeposit": True, "canWithdraw": True,
        "updateTime": 0, "multiAssetsMargin": False, "tradeGroupId": -1,
        **_totals(engine, account_id),
        "assets": [_asset(engine, account_id, v2=True)],
        "positions": positions,
    }


def account_v3(engine: Engine, account_id: str) -> dict:
    positions = [
        {
            "symbol": r.pos.symbol, "positionSide": r.pos.side, "positionAmt": r.amount(),
            "unrealizedProfit": usdt(r.unrealized), "isolatedMargin": usdt(r.isolated_margin),
            "notional": usdt(r.notional), "isolatedWallet": usdt(r.isolated_wallet),
            "initialMargin": usdt(r.position_im + r.order_im), "maintMargin": usdt(r.maint),
            "updateTime": r.pos.update_time,
        }
        for r in _rows(engine, account_id, None, active_only=True, with_both=False)
    ]
    return {**_totals(engine, account_id), "assets": [_asset(engine, account_id, v2=False)], "positions": positions}


def account_alias(account_id: str) -> str:
    """A stable 4-letter alias per account, like Binance's "SgsR"."""
    digest = hashlib.sha256(account_id.encode()).digest()
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return "".join(letters[b % len(letters)] for b in digest[:4])


def balance_v2(engine: Engine, account_id: str) -> list[dict]:
    s = engine.summary(account_id)
    return [{
        "accountAlias": account_alias(account_id), "asset": "USDT", "balance": usdt(s.wallet),
        "crossWalletBalance": usdt(s.cross_wallet), "crossUnPnl": usdt(s.cross_unrealized),
        "availableBalance": usdt(s.available), "maxWithdrawAmount": usdt(s.max_withdraw),
        "marginAvailable": True, "updateTime": engine.account(account_id).update_time,
    }]


def leverage_answer(engine: Engine, account_id: str, symbol: str) -> dict:
    leverage = engine.account(account_id).settings_for(symbol).leverage
    return {"leverage": leverage, "maxNotionalValue": str(max_notional(leverage)), "symbol": symbol}



def api_restrictions(key) -> dict:
    """GET /sapi/v1/account/apiRestrictions (Binance wallet docs, "Get API Key Permission") for a
    sandbox key: reading and USD-M futures on, like a key made for this platform; withdrawals and IP
    restriction as the key was created with; everything the sandbox does not offer off."""
    return {
        "ipRestrict": key.ip_restrict,
        "createTime": key.created_ms,
        "enableReading": True,
        "enableWithdrawals": key.enable_withdrawals,
        "enableInternalTransfer": False,
        "enableMargin": False,
        "enableFutures": True,
        "permitsUniversalTransfer": False,
        "enableVanillaOptions": False,
        "enableFixApiTrade": False,
        "enableFixReadOnly": False,
        "enableSpotAndMarginTrading": False,
        "enablePortfolioMarginTrading": False,
    }
