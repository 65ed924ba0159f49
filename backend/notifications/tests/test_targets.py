"""Webhook targets: loopback, private and link-local addresses refused at save and at send (unless
WEBHOOK_ALLOW_PRIVATE_TARGETS); URLs masked; secrets encrypted, also the ones stored before."""
import dataclasses

import pytest
from django.core.exceptions import ValidationError

from notifications import senders
from notifications.errors import PermanentDeliveryError
from notifications.models import DeliveryStatus, NotificationDelivery, NotificationRule
from notifications.services import signal_notifications_send
from notifications.targets import address_is_public, target_masked
from notifications.tests.conftest import SECRET
from notifications.tests.factories import signal_create, webhook_rule_create


@pytest.fixture
def private_refused(settings):
    settings.NOTIFICATIONS = dataclasses.replace(settings.NOTIFICATIONS, webhook_allow_private_targets=False)
    return settings


# Expected values from the IANA special-purpose address registries (RFC 6890 and successors).
@pytest.mark.parametrize("address,public", [
    ("127.0.0.1", False), ("127.8.9.10", False),  # loopback 127/8
    ("10.1.2.3", False), ("172.16.0.1", False), ("172.31.255.254", False), ("192.168.1.1", False),  # RFC 1918
    ("169.254.169.254", False),  # link-local: cloud metadata services
    ("100.64.0.1", False),  # shared address space (RFC 6598)
    ("0.0.0.0", False), ("224.0.0.1", False), ("255.255.255.255", False),
    ("::1", False), ("fe80::1", False), ("fe80::1%eth0", False), ("fc00::1", False), ("fd12:3456::1", False),
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False),  # IPv4-mapped
    ("1.1.1.1", True), ("93.184.215.14", True), ("172.32.0.1", True), ("2606:4700:4700::1111", True),
])
def test_which_addresses_are_public(address, public):
    assert address_is_public(address) is public


@pytest.mark.django_db
@pytest.mark.parametrize("url,reason", [
    ("http://127.0.0.1:9000/hook", "loopback, private or link-local address (127.0.0.1)"),
    ("http://localhost/hook", "loopback, private or link-local"),
    ("http://169.254.169.254/latest/meta-data/", "(169.254.169.254)"),
    ("http://[::1]:8080/", "(::1)"),
    ("https://192.168.0.10/in", "(192.168.0.10)"),
    ("https://nothing-here.invalid/in", "does not resolve"),  # RFC 6761: .invalid never resolves
])
def test_private_targets_are_refused_when_saved(private_refused, url, reason):
    with pytest.raises(ValidationError) as refused:
        webhook_rule_create(url)
    (message,) = refused.value.message_dict["target"]
    assert message.startswith("Refused: ") and reason in message
    assert not NotificationRule.objects.filter(target=url).exists()


@pytest.mark.django_db
def test_a_public_address_is_accepted(private_refused):
    assert webhook_rule_create("https://93.184.215.14/hook").pk


@pytest.mark.django_db
def test_private_targets_are_refused_again_when_sent(receiver, settings, no_builtin_rules):
    # Saved while allowed (or before the DNS answer changed); refused at send time, nothing sent.
    webhook_rule_create(receiver.url, secret=SECRET)
    signal_create()
    settings.NOTIFICATIONS = dataclasses.replace(settings.NOTIFICATIONS, webhook_allow_private_targets=False)
    summary = signal_notifications_send()
    assert summary["failed"] == 1 and summary["sent"] == 0
    delivery = NotificationDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None  # permanent
    assert delivery.last_error.startswith("target refused: the host 127.0.0.1 resolves to a loopback")
    assert receiver.requests == []


def test_the_send_time_check_covers_each_connection(receiver, settings):
    outbound = senders.Outbound(delivery_id=1, kind="webhook", target=f"{receiver.url}/x", signal={}, message="m",
                                subject="s", secret=SECRET)
    refusing = dataclasses.replace(settings.NOTIFICATIONS, webhook_allow_private_targets=False)
    with pytest.raises(PermanentDeliveryError, match="target refused"):
        senders.send(outbound, config=refusing)
    assert receiver.requests == []
    senders.send(outbound, config=settings.NOTIFICATIONS)  # allowed: the same send goes through
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("url,shown", [
    ("https://hooks.slack.com/services/T000/B000/XXXX", "https://hooks.slack.com/…"),
    ("http://user:pass@example.com:8080/p?token=abc", "http://example.com:8080/…"),
    ("https://[2001:db8::1]/in", "https://[2001:db8::1]/…"),
    ("not a url", "(not a URL)"),
])
def test_masked_urls_show_scheme_and_host_only(url, shown):
    assert target_masked(url) == shown


@pytest.mark.django_db
def test_secrets_are_stored_encrypted():
    rule = webhook_rule_create("https://93.184.215.14/hook", secret=SECRET)
    stored = NotificationRule.objects.values_list("secret_encrypted", flat=True).get(id=rule.id)
    assert SECRET not in stored and stored.startswith("gAAAAA")  # a Fernet token (version byte 0x80)
    assert NotificationRule.objects.get(id=rule.id).secret.reveal() == SECRET
    assert SECRET not in repr(rule.secret) and SECRET not in f"{rule.secret}"


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_secrets_stored_in_clear():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from accounts import crypto

    executor = MigrationExecutor(connection)
    executor.migrate([("notifications", "0002_websocket_rule_and_schedule")])
    try:
        old = executor.loader.project_state([("notifications", "0002_websocket_rule_and_schedule")]).apps
        OldRule = old.get_model("notifications", "NotificationRule")
        rule_id = OldRule.objects.create(name="old hook", kind="webhook", target="https://93.184.215.14/h",
                                         secret=SECRET, min_confidence=85).id
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    stored = NotificationRule.objects.values_list("secret_encrypted", flat=True).get(id=rule_id)
    assert SECRET not in stored and crypto.decrypt(stored).reveal() == SECRET


@pytest.mark.django_db
def test_a_secret_no_key_reads_fails_that_delivery_only(receiver, settings, no_builtin_rules):
    from cryptography.fernet import Fernet

    from accounts import crypto

    readable = webhook_rule_create(f"{receiver.url}/ok", secret=SECRET)
    lost = webhook_rule_create(f"{receiver.url}/lost", secret=SECRET)
    other_key = Fernet.generate_key().decode()
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    settings.FIELD_ENCRYPTION_KEYS = [other_key]
    NotificationRule.objects.filter(id=lost.id).update(secret_encrypted=crypto.encrypt("written-under-a-lost-key"))
    settings.FIELD_ENCRYPTION_KEYS = keys
    signal_create()
    summary = signal_notifications_send()
    assert (summary["sent"], summary["failed"]) == (1, 1)
    failed = NotificationDelivery.objects.get(rule=lost)
    assert failed.last_error.startswith("the webhook secret cannot be read") and failed.next_attempt_at is None
    assert [r["path"] for r in receiver.requests] == ["/ok"]
    assert NotificationDelivery.objects.get(rule=readable).status == DeliveryStatus.SENT
