"""Outcomes a trader could have had, against values computed by hand: the bracket shown at
creation against the trailed one, fees and slippage, MFE / MAE, expiry in candles of each
timeframe, the rule that closed a signal, and stale signals left out of the statistics."""

from __future__ import annotations

import pytest

from signals.config import TIMEFRAME_MS, SignalConfig
from signals.engine import SignalDetectionEngine
from signals.lifecycle import Direction, EventKind, SignalOutcome, SignalState
from signals.outcomes import calibration, outcome_stats

from .scripted import T0, ScriptedScorer


def rows(tf_ms: int, n: int, start: int = 0) -> list[tuple]:
    """`n` quiet candles of `tf_ms` (close 100, range 99.5-100.5, no score)."""
    return [(T0 + (start + i) * tf_ms, 0.0, 100.5, 99.5, 100.0, 0.0) for i in range(n)]


def row(tf_ms: int, i: int, close: float, high: float, low: float, *, long=0.0, short=0.0):
    return (T0 + i * tf_ms, long, high, low, close, short)


def step(engine, tf: str, *candles):
    engine.update_candles("BTCUSDT", tf, list(candles))
    return engine.process_symbol("BTCUSDT", tf)


def test_long_creation_bracket_against_trailed_bracket_with_fees_and_slippage():
    # Entry 100, ATR 1: creation bracket SL 98.5 / TP 102.5, risk 1.5.
    config = SignalConfig(fee_rate=0.0005, slippage_bps=2.0)  # 0.07 % per fill in all
    scorer = ScriptedScorer(atr=1.0)
    engine = SignalDetectionEngine(config, scorer=scorer)
    tf = TIMEFRAME_MS["5m"]
    engine.update_candles("BTCUSDT", "5m", rows(tf, 200))
    [created] = step(engine, "5m", row(tf, 200, 100.0, 100.5, 99.5, long=80.0))
    assert (created.signal.initial_stop_loss, created.signal.initial_take_profit) == (98.5, 102.5)
    scorer.atr = 2.0  # the ATR doubles: the levels trail to SL 97 / TP 105
    [updated] = step(engine, "5m", row(tf, 201, 100.0, 100.5, 99.5, long=80.0))
    assert updated.kind is EventKind.UPDATED
    assert (updated.signal.stop_loss, updated.signal.take_profit) == (97.0, 105.0)
    assert updated.signal.initial_take_profit == 102.5  # the creation bracket never moves
    # Reaches the creation take-profit (102.5) but not the trailed one (105) ...
    assert step(engine, "5m", row(tf, 202, 102.8, 103.0, 99.8, long=80.0)) == []
    # ... then falls through the trailed stop-loss (97): the lifecycle closes on sl_hit.
    closed, recreated = step(engine, "5m", row(tf, 203, 97.5, 101.0, 96.9, long=80.0))
    assert recreated.kind is EventKind.CREATED
    o = closed.outcome
    assert (o.reason, o.close_rule, o.exit_price) == (SignalState.SL_HIT, "sl_hit", 97.0)
    # Creation bracket: out at 102.5, +2.5 / 1.5 R gross; costs 0.0007 x (100 + 102.5).
    assert (o.tp_first, o.sl_first, o.creation_exit_price) == (True, False, 102.5)
    assert o.r_gross == pytest.approx(2.5 / 1.5)
    assert o.fees_r == pytest.approx(0.0007 * 202.5 / 1.5)  # 0.0945
    assert o.r_multiple == pytest.approx(2.5 / 1.5 - 0.0945)  # 1.572166...
    assert o.return_pct == pytest.approx((2.5 - 0.14175) / 100 * 100)  # 2.35825 %
    # Trailed bracket: the stop at 97, -1 R of the risk in force (3), costs 0.0007 x 197 / 3.
    assert o.r_trailed_gross == -1.0
    assert o.r_trailed == pytest.approx(-1.0 - 0.0007 * 197 / 3)  # -1.0459666...
    # Excursions over candles 201-203: best high 103, worst low 96.9.
    assert (o.mfe_r, o.mae_r) == (pytest.approx(3.0 / 1.5), pytest.approx(3.1 / 1.5))
    assert (o.mfe_pct, o.mae_pct) == (pytest.approx(3.0), pytest.approx(3.1))


@pytest.mark.parametrize("tf", ["5m", "15m", "1h", "4h"])
def test_short_expires_after_n_candles_of_its_own_timeframe(tf):
    tf_ms = TIMEFRAME_MS[tf]
    engine = SignalDetectionEngine(SignalConfig(expiry_candles=3), scorer=ScriptedScorer(1.0))
    engine.update_candles("BTCUSDT", tf, rows(tf_ms, 200))
    [created] = step(engine, tf, row(tf_ms, 200, 100.0, 100.5, 99.5, short=80.0))
    s = created.signal  # SHORT: SL 101.5, TP 97.5, risk 1.5
    assert s.created_at == T0 + 201 * tf_ms and s.expires_at == s.created_at + 3 * tf_ms
    assert step(engine, tf, row(tf_ms, 201, 99.6, 100.2, 99.4, short=80.0)) == []
    assert step(engine, tf, row(tf_ms, 202, 99.0, 99.9, 98.8, short=80.0)) == []
    closed, recreated = step(engine, tf, row(tf_ms, 203, 99.3, 99.5, 98.9, short=80.0))
    assert recreated.kind is EventKind.CREATED  # still a setup: a new signal from this candle
    o = closed.outcome
    assert (o.reason, o.close_rule) == (SignalState.EXPIRED, "expired after 3 candles")
    assert closed.at_ms == s.expires_at == T0 + 204 * tf_ms and o.exit_price == 99.3
    assert o.r_gross == pytest.approx(0.7 / 1.5)  # (100 - 99.3) / 1.5
    assert o.fees_r == pytest.approx(0.0005 * 199.3 / 1.5)  # default: taker fee, no slippage
    assert o.r_multiple == pytest.approx(0.7 / 1.5 - 0.0005 * 199.3 / 1.5)
    assert (o.tp_first, o.sl_first) == (False, False)
    assert (o.mfe_r, o.mae_r) == (pytest.approx(1.2 / 1.5), pytest.approx(0.2 / 1.5))


def test_invalidation_records_the_score_that_closed_it():
    engine = SignalDetectionEngine(SignalConfig(fee_rate=0.0), scorer=ScriptedScorer(1.0))
    tf = TIMEFRAME_MS["5m"]
    engine.update_candles("BTCUSDT", "5m", rows(tf, 200))
    step(engine, "5m", row(tf, 200, 100.0, 100.5, 99.5, long=80.0))
    [closed] = step(engine, "5m", row(tf, 201, 100.3, 100.5, 99.9, long=40.0))
    assert closed.outcome.close_rule == "invalidated at score 40.0"
    assert closed.outcome.r_multiple == pytest.approx(0.3 / 1.5)


def _outcome(reason: SignalState, r: float, tp_first: bool) -> SignalOutcome:
    return SignalOutcome(
        signal_id=f"X:5m:LONG:{reason.value}", symbol="X", timeframe="5m", direction=Direction.LONG,
        confidence=72.0, reason=reason, entry=100.0, exit_price=100.0, stop_loss=98.5,
        take_profit=102.5, r_multiple=r, return_pct=r, opened_at=0, closed_at=1, tp_first=tp_first,
        sl_first=not tp_first, r_gross=r + 0.1, r_trailed=r - 0.5, mfe_r=2.0, mae_r=1.0,
    )  # fmt: skip


def test_stale_signals_are_left_out_of_every_statistic():
    tp = _outcome(SignalState.TP_HIT, 1.6, True)
    sl = _outcome(SignalState.SL_HIT, -1.1, False)
    stale = _outcome(SignalState.STALE, 0.0, False)
    stats = outcome_stats([tp, sl, stale])
    assert stats.count == 2 and (stats.tp_rate, stats.sl_rate, stats.profit_rate) == (0.5, 0.5, 0.5)
    assert stats.avg_r == pytest.approx(0.25) and stats.avg_r_gross == pytest.approx(0.35)
    assert stats.avg_r_trailed == pytest.approx(-0.25)
    assert stats.profit_factor == pytest.approx(1.6 / 1.1)
    assert (stats.mean_mfe_r, stats.mean_mae_r) == (2.0, 1.0)
    [row_] = calibration([tp, sl, stale])
    assert (row_.bucket, row_.count, row_.tp_rate, row_.profit_rate) == ("70-75", 2, 0.5, 0.5)
    assert outcome_stats([stale]).count == 0
