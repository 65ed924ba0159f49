"""signal_notifications_send: what is notified, once, with retries, and without leaking secrets."""
import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import DeliveryStatus, Kind, NotificationDelivery
from notifications.services import notification_deliveries_retry, signal_notifications_send
from notifications.tests.conftest import BOT_TOKEN, SECRET
from notifications.tests.factories import rule_create, signal_create, webhook_rule_create, websocket_rule
from notifications.tests.receiver import Receiver
from signals.models import Direction, Status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_builtin_rules")]


def _make_due() -> None:
    """Skip the backoff wait: every delivery that will be retried is due now."""
    NotificationDelivery.objects.exclude(next_attempt_at=None).update(next_attempt_at=timezone.now())


def test_each_kind_delivers_once(receiver, telegram, publishes):
    mail.outbox.clear()
    # 4h: no recorded backtest and an empty archive, so no probability ("not enough history").
    signal = signal_create(symbol="BTCUSDT", timeframe="4h", confidence=91.0)
    webhook_rule_create(f"{receiver.url}/hook")
    rule_create(kind=Kind.EMAIL, target="trader@example.com")
    rule_create(kind=Kind.TELEGRAM, target="-1001234567890")
    websocket_rule()

    summary = signal_notifications_send()

    assert summary == {"queued": 4, "sent": 4, "retrying": 0, "failed": 0, "dropped": 0}
    assert NotificationDelivery.objects.filter(signal=signal, status=DeliveryStatus.SENT).count() == 4
    assert all(d.sent_at and d.attempts == 1 and d.next_attempt_at is None for d in NotificationDelivery.objects.all())
    [hook] = receiver.requests
    assert hook["signature_valid"] and hook["json"]["signal"]["id"] == signal.id
    [message] = mail.outbox
    assert "BTCUSDT" in message.subject
    [tg] = telegram.requests
    assert tg["json"]["chat_id"] == "-1001234567890" and "LONG BTCUSDT 4h" in tg["json"]["text"]
    [event] = publishes
    assert event.type == "signal_notification"
    assert event.data["signal"] == {
        "id": signal.id, "key": signal.key, "symbol": "BTCUSDT", "timeframe": "4h", "direction": "LONG",
        "score": 91.0, "probability": None, "entry": 65000.0, "stop_loss": 64500.0, "take_profit": 65833.33,
    }
    assert event.data["message"] == (
        "LONG BTCUSDT 4h, score 91, P(take-profit) not enough history: entry 65,000.00, stop-loss 64,500.00, "
        "take-profit 65,833.33 (R/R 1.67)"
    )


def test_repeated_runs_send_nothing_twice(receiver, publishes):
    signal_create()
    webhook_rule_create(receiver.url)
    websocket_rule()
    first = signal_notifications_send()
    second = signal_notifications_send()
    third = signal_notifications_send()
    assert first["sent"] == 2
    assert second == third == {"queued": 0, "sent": 0, "retrying": 0, "failed": 0, "dropped": 0}
    assert len(receiver.requests) == 1 and len(publishes) == 1
    assert NotificationDelivery.objects.count() == 2


def test_only_recent_active_signals_at_or_above_the_threshold(receiver):
    webhook_rule_create(receiver.url)
    notified = {signal_create(confidence=85.0).id, signal_create(confidence=99.5).id}
    signal_create(confidence=84.99)
    signal_create(confidence=92.0, status=Status.INVALIDATED)
    signal_create(confidence=92.0, status=Status.EXPIRED)
    signal_create(confidence=92.0, status=Status.TP_HIT)
    signal_create(confidence=92.0, created_at=timezone.now() - timedelta(minutes=61))  # older than the lookback

    summary = signal_notifications_send()

    assert summary["sent"] == 2
    assert {r["json"]["signal"]["id"] for r in receiver.requests} == notified


def test_the_service_threshold_and_the_rules_own(receiver):
    webhook_rule_create(receiver.url, min_score=95)
    signal_create(confidence=93.0)
    top = signal_create(confidence=96.0)
    assert signal_notifications_send()["sent"] == 1
    assert receiver.requests[0]["json"]["signal"]["id"] == top.id
    # A stricter run threshold wins over a laxer rule.
    other = signal_create(confidence=90.0)
    webhook_rule_create(receiver.url, min_score=80)
    assert signal_notifications_send(min_score=97.0)["queued"] == 0
    assert signal_notifications_send(min_score=85.0)["sent"] == 3  # 93, 96 and 90 to the lax rule
    assert other.id in {r["json"]["signal"]["id"] for r in receiver.requests}


def test_direction_and_timeframe_filters(receiver):
    webhook_rule_create(receiver.url, direction=Direction.SHORT, timeframe="1h")
    signal_create(direction=Direction.LONG, timeframe="1h")
    signal_create(direction=Direction.SHORT, timeframe="5m")
    wanted = signal_create(direction=Direction.SHORT, timeframe="1h")
    assert signal_notifications_send()["sent"] == 1
    assert receiver.requests[0]["json"]["signal"]["id"] == wanted.id


def test_disabled_rules_are_skipped(receiver):
    webhook_rule_create(receiver.url, enabled=False)
    signal_create()
    assert signal_notifications_send()["queued"] == 0
    assert receiver.requests == []


def test_failing_webhook_is_retried_on_later_runs_with_backoff_until_it_succeeds(receiver):
    # 3 tries per send: two whole sends fail, the third run's first try succeeds.
    receiver.respond(*[(500, "down")] * 6)
    webhook_rule_create(receiver.url)
    signal_create()

    first = signal_notifications_send()
    delivery = NotificationDelivery.objects.get()
    assert first["retrying"] == 1
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.FAILED, 1, "HTTP 500: down")
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 50 < wait <= 60  # retry_base_s * 2^0

    assert signal_notifications_send()["sent"] == 0  # not due yet: the backoff holds
    assert len(receiver.requests) == 3

    _make_due()
    assert signal_notifications_send()["retrying"] == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert 110 < (delivery.next_attempt_at - timezone.now()).total_seconds() <= 120  # doubled

    _make_due()
    assert signal_notifications_send()["sent"] == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 3, "")
    assert len(receiver.requests) == 7
    assert all(r["signature_valid"] for r in receiver.requests)

    _make_due()
    assert signal_notifications_send()["sent"] == 0
    assert len(receiver.requests) == 7


def test_gives_up_after_max_attempts(receiver):
    receiver.default = (503, b"")
    webhook_rule_create(receiver.url)
    signal_create()
    outcomes = []
    for _ in range(7):
        summary = signal_notifications_send()
        outcomes.append("retrying" if summary["retrying"] else "failed" if summary["failed"] else "-")
        _make_due()
    assert outcomes == ["retrying"] * 4 + ["failed", "-", "-"]
    delivery = NotificationDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 5, None)
    assert len(receiver.requests) == 5 * 3


def test_permanent_4xx_is_not_retried(receiver):
    receiver.default = (410, b'{"error":"gone"}')
    webhook_rule_create(receiver.url)
    signal_create()
    assert signal_notifications_send()["failed"] == 1
    _make_due()
    signal_notifications_send()
    delivery = NotificationDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 1, None)
    assert delivery.last_error == 'HTTP 410: {"error":"gone"}'
    assert len(receiver.requests) == 1


def test_one_failing_target_never_blocks_the_others(receiver, dead_url, publishes):
    refuser = Receiver().start()
    refuser.default = (400, b"no")
    try:
        broken = webhook_rule_create(dead_url)
        refusing = webhook_rule_create(refuser.url)
        good = webhook_rule_create(receiver.url)
        websocket_rule()
        signals = [signal_create(), signal_create()]

        summary = signal_notifications_send()
    finally:
        refuser.stop()

    assert summary == {"queued": 8, "sent": 4, "retrying": 2, "failed": 2, "dropped": 0}
    by_rule = lambda rule: set(NotificationDelivery.objects.filter(rule=rule).values_list("status", flat=True))  # noqa: E731
    assert by_rule(broken) == by_rule(refusing) == {DeliveryStatus.FAILED}
    assert by_rule(good) == {DeliveryStatus.SENT}
    assert len(receiver.requests) == len(publishes) == len(signals)


def test_a_signal_that_closes_before_its_retry_is_dropped(receiver):
    receiver.respond(*[(500, "down")] * 3)
    webhook_rule_create(receiver.url)
    signal = signal_create()
    signal_notifications_send()
    signal.status = Status.SL_HIT
    signal.save(update_fields=["status"])
    _make_due()
    assert signal_notifications_send()["dropped"] == 1
    delivery = NotificationDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
    assert "closed (sl_hit)" in delivery.last_error
    assert len(receiver.requests) == 3


def test_secrets_never_reach_last_error_or_logs(receiver, telegram, caplog):
    caplog.set_level(logging.DEBUG)
    receiver.default = (401, f"invalid signature; expected key {SECRET}".encode())
    telegram.default = (403, f'{{"ok":false,"description":"Forbidden: bot{BOT_TOKEN} was blocked"}}'.encode())
    webhook_rule_create(receiver.url)
    rule_create(kind=Kind.TELEGRAM, target="12345")
    signal_create()

    assert signal_notifications_send()["failed"] == 2

    errors = list(NotificationDelivery.objects.values_list("last_error", flat=True))
    assert all(errors) and all("***" in e for e in errors)
    for text in errors + [caplog.text]:
        assert SECRET not in text and BOT_TOKEN not in text
    assert "failed on attempt 1/5" in caplog.text


def test_admin_retry_gives_a_failed_delivery_new_attempts(receiver):
    receiver.respond((404, "not yet"))
    webhook_rule_create(receiver.url)
    signal_create()
    signal_notifications_send()
    delivery = NotificationDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert notification_deliveries_retry(delivery_ids=[delivery.id]) == 1
    assert signal_notifications_send()["sent"] == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    # Sent and in-flight deliveries are never rescheduled.
    assert notification_deliveries_retry(delivery_ids=[delivery.id]) == 0


def test_rules_validate_their_targets():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="secret"):
        rule_create(kind=Kind.WEBHOOK, target="https://example.com/hook")
    with pytest.raises(ValidationError, match="http"):
        rule_create(kind=Kind.WEBHOOK, target="ftp://example.com/", secret="s")
    with pytest.raises(ValidationError, match="email"):
        rule_create(kind=Kind.EMAIL, target="not-an-address")
    with pytest.raises(ValidationError, match="chat id"):
        rule_create(kind=Kind.TELEGRAM, target="hello world")
    with pytest.raises(ValidationError, match="min_score"):
        rule_create(kind=Kind.EMAIL, target="a@example.com", min_score=101)
    with pytest.raises(ValidationError, match="Only webhooks"):
        rule_create(kind=Kind.EMAIL, target="a@example.com", secret="s")
    assert rule_create(kind=Kind.TELEGRAM, target="@signals_channel").pk
    assert SECRET not in str(webhook_rule_create("https://example.com/h", secret=SECRET))


@pytest.fixture
def archive():
    """Closed 15m LONG signals in the outcome archive: 30 of 100 at score 80 reached take-profit."""
    from signals.models import SignalOutcomeRecord
    from signals.services.calibration import calibration_forget, calibration_refresh

    has_tp_first = "tp_first" in {f.name for f in SignalOutcomeRecord._meta.get_fields()}
    now = timezone.now()
    SignalOutcomeRecord.objects.bulk_create([
        SignalOutcomeRecord(
            key=f"ARCUSDT:15m:LONG:{i}", symbol="ARCUSDT", timeframe="15m", direction="LONG",
            reason=Status.TP_HIT if i < 30 else Status.SL_HIT, initial_confidence=80.0, entry=100.0,
            exit_price=100.0, stop_loss=99.0, take_profit=101.0, r_multiple=0.0, return_pct=0.0,
            opened_at=now, closed_at=now, **({"tp_first": i < 30} if has_tp_first else {}),
        )
        for i in range(100)
    ])  # fmt: skip
    calibration_refresh()
    yield
    calibration_forget()


def test_probability_threshold_and_wording(receiver, archive):
    webhook_rule_create(receiver.url, min_score=0)
    likely = signal_create(symbol="BTCUSDT", timeframe="15m", confidence=86.0, initial_confidence=80.0)
    signal_create(symbol="ETHUSDT", timeframe="4h", confidence=95.0, initial_confidence=95.0)  # no probability
    # 30% of 100: 90% Wilson interval (z = 1.6449) = 0.30527 -+ 0.07456 -> 23% to 38%.
    assert signal_notifications_send(min_score=85, min_probability=31)["queued"] == 0
    assert signal_notifications_send(min_score=85, min_probability=30)["sent"] == 1
    [request] = receiver.requests
    assert request["json"]["signal"]["id"] == likely.id
    assert request["json"]["signal"]["probability"] == {
        "value": 0.3, "low": pytest.approx(0.2307, abs=1e-4), "high": pytest.approx(0.3798, abs=1e-4), "n": 100,
        "source": "archive",
    }
    assert request["json"]["message"].startswith("LONG BTCUSDT 15m, score 86, P(take-profit) 30% (23-38%, n=100): ")


def test_a_rule_may_ask_for_more_probability_than_the_setting(receiver, archive):
    # The archive gives 30% at score 80 on 15m LONG; the setting asks for none, the rule for 31%, then 30%.
    rule = webhook_rule_create(receiver.url, min_score=0)
    rule.min_probability = 31
    rule.save(update_fields=["min_probability"])
    signal_create(symbol="BTCUSDT", timeframe="15m", confidence=86.0, initial_confidence=80.0)
    assert signal_notifications_send(min_score=85, min_probability=0)["queued"] == 0
    rule.min_probability = 30
    rule.save(update_fields=["min_probability"])
    assert signal_notifications_send(min_score=85, min_probability=0)["sent"] == 1
