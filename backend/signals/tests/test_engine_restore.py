"""restore_signals: the database's active signals become the engine's, scoped to a pass."""
import pytest

from signals.engine import SignalDetectionEngine
from signals.lifecycle import Direction, SignalState
from signals.tests import factories


def _active(**kwargs):
    return factories.created(**kwargs)[0]


def test_restore_replaces_only_the_given_scope():
    engine = SignalDetectionEngine()
    btc, eth = _active(symbol="BTCUSDT"), _active(symbol="ETHUSDT")
    other_tf = _active(symbol="BTCUSDT", timeframe="15m")
    engine.restore_signals([btc, eth], timeframe="5m", symbols=["BTCUSDT", "ETHUSDT"])
    engine.restore_signals([other_tf], timeframe="15m", symbols=["BTCUSDT"])
    assert {s.id for s in engine.active_signals()} == {btc.id, eth.id, other_tf.id}

    # The database no longer has BTC 5m active: restoring without it drops it, and only it.
    engine.restore_signals([eth], timeframe="5m", symbols=["BTCUSDT", "ETHUSDT"])
    assert {s.id for s in engine.active_signals()} == {eth.id, other_tf.id}
    assert engine.get_signal("BTCUSDT", "5m", Direction.LONG) is None


def test_restore_rejects_signals_outside_the_scope_or_not_active():
    engine = SignalDetectionEngine()
    with pytest.raises(ValueError, match="outside the given scope"):
        engine.restore_signals([_active(symbol="SOLUSDT")], timeframe="5m", symbols=["BTCUSDT"])
    closed = factories.candidate(symbol="BTCUSDT")
    assert closed.state is SignalState.NEW
    with pytest.raises(ValueError):
        engine.restore_signals([closed], timeframe="5m", symbols=["BTCUSDT"])
