"""Walk-forward of the scanner: folds laid out as stated, no candle after a training window read
when choosing, the out-of-sample figures those of the chosen threshold on the next window alone."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from backtest.fills import FillModel
from backtest.walk_forward import walk_forward, window_metrics
from sandbox.data.recorded import recorded_candles
from signals.config import SignalConfig

THRESHOLDS = (60, 70)


@pytest.fixture(scope="module")
def series():
    tables = recorded_candles()
    return {s: np.array(tables[s][:900]) for s in sorted(tables)[:2]}


def test_folds_tile_the_data_after_the_warmup(series):
    times = next(iter(series.values()))[:, 0].astype(int)
    result = walk_forward(series, THRESHOLDS, train=300, test=150, warmup=200)
    # 900 candles: folds start at 200 and 350 (350 + 300 + 150 = 800 <= 900); 500 + 450 > 900
    assert [(f.train, f.test) for f in result["folds"]] == [
        ((times[200], times[499]), (times[500], times[649])),
        ((times[350], times[649]), (times[650], times[799])),
    ]
    assert result["summary"]["folds"] == 2


def test_the_choice_reads_no_candle_after_its_training_window_and_oos_is_the_next_window(series):
    model = FillModel(slippage_bps=2)
    base = walk_forward(series, THRESHOLDS, train=300, test=150, model=model)
    fold = base["folds"][0]
    # the candles after the training window changed beyond recognition: the choice stands
    later = {s: rows.copy() for s, rows in series.items()}
    for rows in later.values():
        rows[500:, 1:5] = rows[500:, 1:5][::-1] * 3
    changed = walk_forward(later, THRESHOLDS, train=300, test=150, model=model)["folds"][0]
    assert changed.in_sample == fold.in_sample and changed.chosen == fold.chosen
    # the chosen threshold is the best net PnL in sample (ties to the lower one)
    best = max(THRESHOLDS, key=lambda t: (fold.in_sample[t]["total_pnl"], -t))
    assert fold.chosen == best
    # out of sample: that threshold on candles 500..649 alone, the ones before as history
    direct = window_metrics(series, SignalConfig(min_confidence=best), "5m", 500, 650, model=model,
                            notional=Decimal(1000), initial_equity=Decimal(10000))
    assert fold.out_of_sample == direct and direct["trades"] > 0
    assert base["summary"]["oos_trades"] == sum(f.out_of_sample["trades"] for f in base["folds"])


def test_no_threshold_with_enough_trades_means_no_choice(series):
    result = walk_forward(series, THRESHOLDS, train=300, test=150, min_trades=10**6)
    assert all(f.chosen is None and f.out_of_sample is None for f in result["folds"])
    assert result["summary"] == {"folds": 2, "folds_traded": 0, "oos_trades": 0, "oos_total_pnl": 0.0}


def test_too_little_data_is_refused(series):
    with pytest.raises(ValueError, match="not one fold"):
        walk_forward(series, THRESHOLDS, train=600, test=200)

