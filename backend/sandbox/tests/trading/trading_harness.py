"""A trading engine on a scripted market (prices and time set by the test), for pure tests."""

from __future__ import annotations

from sandbox.trading.engine import Engine, TradingSettings
from sandbox.trading.params import Params
from sandbox.trading.validation import parse_new_order

# Filters as Binance lists them for BTCUSDT / DOGEUSDT (rest/fapi_v1_exchangeInfo_MAINNET_2024-10-20.json).
FILTERS = {
    "BTCUSDT": {"tickSize": "0.10", "stepSize": "0.001", "minQty": "0.001", "maxQty": "1000",
                "minNotional": "100", "pricePrecision": 2, "quantityPrecision": 3},
    "DOGEUSDT": {"tickSize": "0.000010", "stepSize": "1", "minQty": "1", "maxQty": "50000000",
                 "minNotional": "5", "pricePrecision": 6, "quantityPrecision": 0},
}


class ScriptedMarket:
    """The `sandbox.market.Market` interface with prices and time set by the test."""

    def __init__(self):
        self.t = 1_766_000_000_000
        self.prices = {"BTCUSDT": 50_000.0, "DOGEUSDT": 0.1}
        self.marks: dict[str, float] = {}
        self.listeners = []

    def now_ms(self) -> int:
        return self.t

    def symbols(self) -> list[str]:
        return list(self.prices)

    def has_symbol(self, symbol: str) -> bool:
        return symbol in self.prices

    def last_price(self, symbol: str) -> float:
        return self.prices[symbol]

    def mark_price(self, symbol: str) -> float:
        return self.marks.get(symbol, self.prices[symbol])

    def symbol_filters(self, symbol: str) -> dict:
        return dict(FILTERS[symbol])

    def add_tick_listener(self, cb) -> None:
        self.listeners.append(cb)

    def tick(self, symbol: str, price: float, advance_ms: int = 1000) -> None:
        self.t += advance_ms
        self.prices[symbol] = price
        for cb in self.listeners:
            cb(symbol, price, self.t)


class Harness:
    """An engine on a scripted market, recording every published event."""

    ACCOUNT = "acct-1"

    def __init__(self, settings: TradingSettings | None = None):
        self.market = ScriptedMarket()
        self.events: list[tuple[str, dict]] = []
        self.engine = Engine(self.market, settings or TradingSettings(),
                             publish=lambda account, payload: self.events.append((account, payload)))
        self.market.add_tick_listener(self.engine.on_tick)

    def order(self, account: str | None = None, **params):
        """Place an order from raw string params, as the HTTP layer would."""
        account = account or self.ACCOUNT
        p = Params({k: str(v) for k, v in params.items()})
        rules = self.engine.rules(p.string("symbol", required=True))
        req = parse_new_order(p, rules, dual_side=self.engine.account(account).dual_side,
                              now_ms=self.engine.now())
        return self.engine.place(account, req)

    def event_types(self) -> list[str]:
        return [payload["e"] for _, payload in self.events]

    def order_events(self) -> list[dict]:
        return [payload["o"] for _, payload in self.events if payload["e"] == "ORDER_TRADE_UPDATE"]
