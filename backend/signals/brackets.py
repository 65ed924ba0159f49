"""What a trader could have had from one signal: excursions, the two brackets, fees. Pure.

A signal is published with a bracket (stop-loss and take-profit at creation). The engine then
trails both levels with the ATR and closes the signal on the trailed levels, on expiry or on
invalidation. Two results are measured, both in R = multiples of the risk at creation
|entry - creation stop-loss| unless said otherwise:

- **creation bracket** (the headline `r`): a trader places the levels shown at creation and never
  moves them. Over the candles the signal lived (after its own candle, up to the one that closed
  it), the first candle reaching one of them decides (both in one candle: stop-loss, the order
  inside a candle is unknown); if neither was reached, the trade is closed with the signal, at
  its exit price (a trailed level, the last close before expiry, or the invalidating close).
- **trailed bracket** (`r_trailed`): the lifecycle's own result, on the levels in force at close
  and in units of the risk in force at close (the measure used before costs were counted).

Costs: `fee_rate` (a fraction of the notional, taker fee by default) is paid on the entry and on
the exit, and `slippage_bps` moves both fills against the trader; both are deducted from the
gross result: cost in price = (fee_rate + slippage_bps / 10^4) x (entry + exit).

MFE / MAE: the most favourable / most adverse price reached over the same candles, measured from
the entry (>= 0), in R (creation risk) and in % of the entry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Excursion:
    """Progress of one active signal over the candles seen since its own; rebuilt from candles."""

    best: float  # most favourable price reached: highest high (LONG) / lowest low (SHORT)
    worst: float  # most adverse price reached
    first: str | None = None  # "tp" / "sl": the creation level reached first, if any

    @classmethod
    def start(cls, entry: float) -> Excursion:
        return cls(best=entry, worst=entry)

    def add(self, sign: int, high: float, low: float, stop0: float, take0: float) -> None:
        """Account for one candle spanning [low, high] (sign: +1 LONG, -1 SHORT)."""
        favourable, adverse = (high, low) if sign > 0 else (low, high)
        if sign * (favourable - self.best) > 0:
            self.best = favourable
        if sign * (self.worst - adverse) > 0:
            self.worst = adverse
        if self.first is None:
            if sign * (adverse - stop0) <= 0:
                self.first = "sl"
            elif sign * (favourable - take0) >= 0:
                self.first = "tp"


@dataclass(frozen=True)
class Costs:
    """Fees and slippage, as fractions of the notional per fill."""

    fee_rate: float = 0.0
    slippage_bps: float = 0.0

    @property
    def per_fill(self) -> float:
        return self.fee_rate + self.slippage_bps / 10_000


@dataclass(frozen=True)
class TradeResult:
    creation_exit: float
    r: float  # net, creation bracket (the headline)
    r_gross: float
    fees_r: float  # fees and slippage, in creation R
    r_trailed: float  # net, trailed bracket, in the risk in force at close
    r_trailed_gross: float
    return_pct: float  # net, creation bracket, direction-signed % of entry
    mfe_r: float
    mae_r: float
    mfe_pct: float
    mae_pct: float
    tp_first: bool
    sl_first: bool


def trade_result(
    *, sign: int, entry: float, stop0: float, take0: float, stop: float,
    exit_price: float, trailed_r_gross: float, excursion: Excursion, costs: Costs,
) -> TradeResult:  # fmt: skip
    """Both brackets' results of a signal that closed at `exit_price` (see the module docstring).

    `stop0`/`take0`: levels at creation; `stop`: stop-loss in force at close; `trailed_r_gross`:
    the lifecycle's R (exactly +reward/risk or -1 on a level hit, else marked to market).
    """
    risk0 = abs(entry - stop0)
    risk = abs(entry - stop)
    if not (risk0 > 0 and risk > 0):
        raise ValueError(f"risk must be positive: entry={entry} stop0={stop0} stop={stop}")
    creation_exit = {"tp": take0, "sl": stop0}.get(excursion.first or "", exit_price)
    r_gross = sign * (creation_exit - entry) / risk0
    cost = costs.per_fill * (entry + creation_exit)
    fees_r = cost / risk0
    trailed_cost_r = costs.per_fill * (entry + exit_price) / risk
    mfe = max(0.0, sign * (excursion.best - entry))
    mae = max(0.0, sign * (entry - excursion.worst))
    return TradeResult(
        creation_exit=float(creation_exit), r=r_gross - fees_r, r_gross=r_gross, fees_r=fees_r,
        r_trailed=trailed_r_gross - trailed_cost_r, r_trailed_gross=trailed_r_gross,
        return_pct=(sign * (creation_exit - entry) - cost) / entry * 100,
        mfe_r=mfe / risk0, mae_r=mae / risk0, mfe_pct=mfe / entry * 100, mae_pct=mae / entry * 100,
        tp_first=excursion.first == "tp", sl_first=excursion.first == "sl",
    )  # fmt: skip
