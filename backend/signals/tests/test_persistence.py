"""Engine events written to PostgreSQL and published after commit, with racing writers."""
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection, transaction

from config.asgi import application
from signals.lifecycle import Direction, Trigger
from signals.models import Signal, SignalChange, SignalOutcomeRecord
from signals.services.persistence import signal_events_apply
from signals.tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


async def _client():
    client = WebsocketCommunicator(application, "/ws/signals/", headers=[(b"host", b"localhost"),
                                                                         (b"origin", b"http://localhost")])
    assert (await client.connect())[0]
    await client.receive_json_from()  # welcome
    return client


def test_created_updated_closed_rows_and_history():
    signal, event = factories.created()
    applied = signal_events_apply(events=[event])
    row = Signal.objects.get(pk=applied.created[0])
    assert (row.key, row.status, row.confidence, row.version) == (signal.id, "active", 80.0, 1)

    signal, event = factories.updated(signal, confidence=90.0)
    assert signal_events_apply(events=[event]).updated == [row.pk]
    row.refresh_from_db()
    assert (row.confidence, row.initial_confidence, row.version) == (90.0, 80.0, 2)

    signal, event = factories.closed(signal, Trigger.HIT_TP)
    assert signal_events_apply(events=[event]).closed == [row.pk]
    row.refresh_from_db()
    assert row.status == "tp_hit" and row.closed_at is not None
    assert row.outcome_r == pytest.approx(2.5 / 1.5) and row.exit_price == pytest.approx(signal.take_profit)
    assert list(row.changes.values_list("kind", "reason")) == [("created", ""), ("updated", ""), ("deleted", "tp_hit")]
    record = SignalOutcomeRecord.objects.get(key=signal.id)
    assert (record.reason, record.initial_confidence) == ("tp_hit", 80.0)


def test_second_writer_of_the_same_signal_changes_nothing():
    _, event = factories.created()
    first = signal_events_apply(events=[event])
    second = signal_events_apply(events=[event])
    assert len(first.created) == 1 and second.created == [] and second.skipped == 1
    assert Signal.objects.count() == 1 and SignalChange.objects.count() == 1


def test_one_active_signal_per_market_and_direction():
    signal_events_apply(events=[factories.created(open_time=factories.T0)[1]])
    later = factories.created(open_time=factories.T0 + 300_000)[1]
    assert signal_events_apply(events=[later]).skipped == 1
    short = factories.created(open_time=factories.T0 + 300_000, direction=Direction.SHORT)[1]
    assert len(signal_events_apply(events=[short]).created) == 1
    assert Signal.objects.filter(status="active").count() == 2


def test_changes_to_an_ended_signal_are_ignored():
    signal, event = factories.created()
    signal_events_apply(events=[event])
    closed_signal, close_event = factories.closed(signal, Trigger.HIT_SL)
    signal_events_apply(events=[close_event])
    _, late_update = factories.updated(signal, confidence=95.0)
    _, late_close = factories.closed(signal, Trigger.EXPIRE, exit_price=101.0)
    result = signal_events_apply(events=[late_update, late_close])
    assert result.skipped == 2 and result.updated == [] and result.closed == []
    row = Signal.objects.get(key=signal.id)
    assert (row.status, row.outcome_r) == ("sl_hit", -1.0)


def test_a_batch_applies_in_order_a_markets_close_before_its_next_signal():
    old, created = factories.created(symbol="ADAUSDT")
    signal_events_apply(events=[created])
    _, close = factories.closed(old, Trigger.HIT_SL)
    nxt, create_next = factories.created(symbol="ADAUSDT", open_time=factories.T0 + 600_000)
    _, update_next = factories.updated(nxt, confidence=91.0)
    other, create_other = factories.created(symbol="DOTUSDT")
    result = signal_events_apply(events=[close, create_next, create_other, update_next])
    assert (len(result.closed), len(result.created), len(result.updated), result.skipped) == (1, 2, 1, 0)
    assert Signal.objects.get(key=old.id).status == "sl_hit"
    assert (Signal.objects.get(key=nxt.id).status, Signal.objects.get(key=nxt.id).confidence) == ("active", 91.0)
    assert Signal.objects.get(key=other.id).version == 1


def test_two_writers_of_the_same_overlapping_batch_write_each_change_once():
    """The live path and a scan evaluating the same close: each market's signal closed and the
    next one opened, by two writers at once, in opposite market orders."""
    firsts = [factories.created(symbol=f"R{n:02d}USDT") for n in range(40)]
    signal_events_apply(events=[event for _, event in firsts])
    pairs = []
    for signal, _ in firsts:
        _, close = factories.closed(signal, Trigger.HIT_TP)
        _, create_next = factories.created(symbol=signal.symbol, open_time=factories.T0 + 600_000)
        pairs.append([close, create_next])
    barrier = threading.Barrier(2)
    results, errors = [], []

    def write(batch):
        try:
            barrier.wait()
            results.append(signal_events_apply(events=batch))
        except Exception as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=([e for pair in order for e in pair],))
               for order in (pairs, pairs[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and len(results) == 2
    assert sum(len(r.closed) for r in results) == 40 and sum(len(r.created) for r in results) == 40
    assert sum(r.skipped for r in results) == 80
    assert Signal.objects.filter(status="tp_hit").count() == 40 and Signal.objects.filter(status="active").count() == 40
    assert SignalChange.objects.filter(kind="deleted").count() == 40
    assert SignalChange.objects.filter(kind="created").count() == 80
    assert SignalOutcomeRecord.objects.count() == 40


async def test_events_reach_the_socket_after_commit_with_consecutive_seq():
    client = await _client()
    try:
        signal, created = factories.created(symbol="ETHUSDT")
        await sync_to_async(signal_events_apply)(events=[created])
        _, upd = factories.updated(signal, confidence=88.0)
        await sync_to_async(signal_events_apply)(events=[upd])
        first = await client.receive_json_from(timeout=5)
        second = await client.receive_json_from(timeout=5)
        assert first["type"] == "signal_created" and first["data"]["signal"]["symbol"] == "ETHUSDT"
        assert second["type"] == "signal_updated" and second["data"]["signal"]["score"] == 88.0
        assert second["seq"] == first["seq"] + 1
    finally:
        await client.disconnect()


async def test_rolled_back_write_publishes_nothing():
    client = await _client()
    try:
        def write_then_fail():
            with transaction.atomic():
                signal_events_apply(events=[factories.created(symbol="SOLUSDT")[1]])
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            await sync_to_async(write_then_fail)()
        assert await client.receive_nothing(timeout=0.5)
        assert not await sync_to_async(Signal.objects.filter(symbol="SOLUSDT").exists)()
    finally:
        await client.disconnect()
