"""The fill model: how an order placed in a backtest fills against OHLC candles. Pure.

Arithmetic: `Decimal` throughout. A candle price given as a float becomes the decimal of its
shortest repr (`Decimal(repr(x))`: 0.1 -> Decimal("0.1"), the string the exchange published), so
fees, slippage and funding on those prices are exact decimals and tests compare them with `==`.
The portfolio computes in `LEDGER_CONTEXT` (50 significant digits), where products and sums of
prices (~10 digits) and quantities on a 10^-8 lot (~16 digits) are exact. Nothing here rounds
to a tick or a lot size: callers size quantities (`signal_trades` rounds down to 10^-8).

Rules (what a candle can tell, and the conservative reading where it cannot):

- **market**: fills at the open of the candle after the decision, moved against the trader by
  `slippage_bps` (a buy at open x (1 + bps/10^4), a sell at open x (1 - bps/10^4)); taker fee.
- **limit**: a buy limit fills when the candle's low reaches the price (low <= price), a sell
  limit when the high does (high >= price); at the limit price, maker fee, no slippage. A
  candle that opens beyond the limit still fills at the limit: the order rested in the book.
- **stop** (stop-market): a sell stop triggers when low <= stop, a buy stop when high >= stop;
  it fills at the stop, or at the open when the candle opened beyond it (a gap through the
  stop); it executes as a market order: taker fee and slippage.
- **stop and target in one candle**: the stop counts (the order inside a candle is unknown;
  the live engine reads candles the same way, `signals.lifecycle.candle_hit`).
- **fees**: `notional x rate`, notional = fill price x quantity; maker or taker by the rule above.
- **funding**: at 00:00, 08:00 and 16:00 UTC, an open position pays `notional x rate` (LONG pays
  a positive rate, SHORT receives it), notional = quantity x the open of the candle that opens
  at the funding time. One configurable rate per 8 h stands for the real, varying one.
- **margin**: an entry needs `notional / leverage` of initial margin out of the available
  equity (`margin_required`); the portfolio refuses and reports one that does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal
from enum import StrEnum

BPS = Decimal(10_000)
LEDGER_CONTEXT = Context(prec=50)
FUNDING_PERIOD_MS = 8 * 3_600_000  # 00:00, 08:00, 16:00 UTC are the multiples of 8 h since the epoch


def to_decimal(x) -> Decimal:
    """A price or quantity as an exact decimal: floats by their shortest repr, ints and strings as given."""
    if type(x) is float:  # the common case first: a ledger converts prices and quantities all the time
        return Decimal(repr(x))
    if isinstance(x, Decimal):
        return x
    if isinstance(x, float):  # numpy's float64 too (its repr would name its type)
        return Decimal(repr(float(x)))
    return Decimal(x)


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        """+1 for a buy (pays more when slipped), -1 for a sell."""
        return 1 if self is Side.BUY else -1


class OrderKind(StrEnum):
    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"


class Liquidity(StrEnum):
    MAKER = "maker"
    TAKER = "taker"


@dataclass(frozen=True)
class Candle:
    """One closed candle; prices as exact decimals. `open_time` in epoch ms."""

    open_time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal

    @classmethod
    def of(cls, open_time, open_, high, low, close) -> Candle:
        """From floats, ints or strings (see `to_decimal`); refuses high < low."""
        o, h, l, c = map(to_decimal, (open_, high, low, close))  # noqa: E741
        if h < l:
            raise ValueError(f"candle at {open_time}: high {h} < low {l}")
        return cls(int(open_time), o, h, l, c)


@dataclass(frozen=True)
class FillModel:
    """Costs and leverage of a backtest. Rates are fractions (0.0005 = 0.05 %), slippage in bps."""

    maker_fee: Decimal = Decimal("0.0002")  # Binance USD-M, VIP 0
    taker_fee: Decimal = Decimal("0.0005")
    slippage_bps: Decimal = Decimal(0)
    funding_rate_8h: Decimal = Decimal("0.0001")  # the USD-M base rate, 0.01 % per 8 h
    leverage: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        for name in ("maker_fee", "taker_fee", "slippage_bps", "funding_rate_8h", "leverage"):
            object.__setattr__(self, name, to_decimal(getattr(self, name)))
        if not (0 <= self.maker_fee < 1 and 0 <= self.taker_fee < 1):
            raise ValueError("fees must be fractions in [0, 1)")
        if not 0 <= self.slippage_bps < BPS:
            raise ValueError("slippage_bps must be in [0, 10000)")
        if not -1 < self.funding_rate_8h < 1:
            raise ValueError("funding_rate_8h must be a fraction in (-1, 1)")
        if not 1 <= self.leverage <= 125:
            raise ValueError("leverage must be in [1, 125]")

    def fee(self, notional: Decimal, liquidity: Liquidity) -> Decimal:
        rate = self.maker_fee if liquidity is Liquidity.MAKER else self.taker_fee
        return notional * rate

    def slipped(self, price: Decimal, side: Side) -> Decimal:
        """`price` moved `slippage_bps` against a taker on `side`."""
        return price * (1 + side.sign * self.slippage_bps / BPS)


@dataclass(frozen=True)
class Fill:
    """One execution: `price` already includes slippage; `fee` in quote currency, >= 0."""

    side: Side
    qty: Decimal
    price: Decimal
    fee: Decimal
    liquidity: Liquidity
    time_ms: int

    @property
    def notional(self) -> Decimal:
        return self.price * self.qty


def _taker(model: FillModel, side: Side, qty: Decimal, price: Decimal, time_ms: int) -> Fill:
    price = model.slipped(price, side)
    return Fill(side, qty, price, model.fee(price * qty, Liquidity.TAKER), Liquidity.TAKER, time_ms)


def market_fill(model: FillModel, side: Side, qty, candle: Candle) -> Fill:
    """A market order decided before `candle`: at its open, slipped, taker fee."""
    return _taker(model, side, to_decimal(qty), candle.open, candle.open_time)


def limit_fill(model: FillModel, side: Side, qty, price, candle: Candle) -> Fill | None:
    """A resting limit order: filled at `price` (maker fee) if `candle` reached it, else None."""
    price = to_decimal(price)
    reached = candle.low <= price if side is Side.BUY else candle.high >= price
    if not reached:
        return None
    qty = to_decimal(qty)
    return Fill(side, qty, price, model.fee(price * qty, Liquidity.MAKER), Liquidity.MAKER, candle.open_time)


def stop_trigger_price(side: Side, stop: Decimal, candle: Candle) -> Decimal | None:
    """Where a stop-market order on `side` starts executing in `candle`, before slippage:
    the stop, the open if the candle opened beyond it, or None if not reached."""
    if side is Side.SELL:
        if candle.low > stop:
            return None
        return min(candle.open, stop)
    if candle.high < stop:
        return None
    return max(candle.open, stop)


def stop_fill(model: FillModel, side: Side, qty, stop, candle: Candle) -> Fill | None:
    """A stop-market order: triggered and filled in `candle` (taker, slipped), else None."""
    price = stop_trigger_price(side, to_decimal(stop), candle)
    if price is None:
        return None
    return _taker(model, side, to_decimal(qty), price, candle.open_time)


def bracket_fill(model: FillModel, side: Side, qty, stop, target, candle: Candle) -> tuple[Fill, str] | None:
    """The exit of a position with a stop-loss and a take-profit (a limit at `target`), closed
    by an order on `side` (SELL closes a LONG): ``(fill, "stop" | "target")`` or None. When the
    candle reached both, the stop counts."""
    fill = stop_fill(model, side, qty, stop, candle)
    if fill is not None:
        return fill, "stop"
    fill = limit_fill(model, side, qty, target, candle)
    return (fill, "target") if fill is not None else None


def is_funding_time(time_ms: int) -> bool:
    """True at 00:00, 08:00 and 16:00 UTC exactly."""
    return time_ms % FUNDING_PERIOD_MS == 0


def funding_payment(model: FillModel, position_sign: int, qty, price) -> Decimal:
    """What a position pays at a funding time (negative: it receives): sign x qty x price x rate.
    `position_sign` is +1 for LONG, -1 for SHORT."""
    return position_sign * to_decimal(qty) * to_decimal(price) * model.funding_rate_8h


def margin_required(model: FillModel, notional: Decimal) -> Decimal:
    """Initial margin of a position of `notional`: notional / leverage."""
    return notional / model.leverage
