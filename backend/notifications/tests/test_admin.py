"""Admin: the webhook secret is write-only and never rendered, webhook URLs are masked; deliveries are read-only."""
import pytest
from django.urls import reverse

from common import leakwatch
from notifications.models import DeliveryStatus, Kind, NotificationDelivery, NotificationRule
from notifications.services import signal_notifications_send
from notifications.tests.conftest import SECRET
from notifications.tests.factories import signal_create, webhook_rule_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_builtin_rules")]


def _form(rule: NotificationRule, **changes) -> dict:
    data = {
        "name": rule.name, "kind": rule.kind, "target": rule.target, "secret": "",
        "min_score": rule.min_score, "min_probability": "", "direction": rule.direction, "timeframe": rule.timeframe,
        "enabled": "on" if rule.enabled else "",
    }
    data.update(changes)
    return data


def test_rule_pages_never_show_the_secret(admin_client):
    rule = webhook_rule_create("https://hooks.example.com/in", secret=SECRET)
    listing = admin_client.get(reverse("admin:notifications_notificationrule_changelist"))
    change = admin_client.get(reverse("admin:notifications_notificationrule_change", args=[rule.id]))
    history = admin_client.get(reverse("admin:notifications_notificationrule_history", args=[rule.id]))
    delete = admin_client.get(reverse("admin:notifications_notificationrule_delete", args=[rule.id]))
    for response in (listing, change, history, delete):
        assert response.status_code == 200
        assert SECRET not in response.content.decode()
    assert 'type="password"' in change.content.decode()


def test_blank_secret_keeps_the_stored_one_and_a_new_one_replaces_it(admin_client):
    rule = webhook_rule_create("https://hooks.example.com/in", secret=SECRET)
    url = reverse("admin:notifications_notificationrule_change", args=[rule.id])
    response = admin_client.post(url, _form(rule, min_score="90"))
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert (rule.secret.reveal(), rule.min_score) == (SECRET, 90)
    response = admin_client.post(url, _form(rule, secret=leakwatch.secret("rotated-secret-value", "webhook secret")))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.secret.reveal() == "rotated-secret-value"
    assert "rotated-secret-value" not in rule.secret_encrypted  # stored encrypted


def test_a_webhook_without_a_secret_is_refused(admin_client):
    response = admin_client.post(
        reverse("admin:notifications_notificationrule_add"),
        {"name": "hook", "kind": Kind.WEBHOOK, "target": "https://hooks.example.com/in", "secret": "",
         "min_score": "85", "min_probability": "", "direction": "", "timeframe": "", "enabled": "on"},
    )
    assert response.status_code == 200
    assert "A webhook needs a secret" in response.content.decode()
    assert not NotificationRule.objects.exists()


def test_deliveries_are_listed_filtered_and_searched_without_secrets(admin_client, receiver):
    receiver.default = (400, f"wrong key {SECRET}".encode())
    webhook_rule_create(receiver.url, secret=SECRET)
    signal_create(symbol="SOLUSDT")
    signal_create(symbol="ADAUSDT")
    signal_notifications_send()
    url = reverse("admin:notifications_notificationdelivery_changelist")
    for query in ("", "?status__exact=failed", "?rule__kind=webhook", "?q=SOL"):
        response = admin_client.get(url + query)
        assert response.status_code == 200, query
        assert SECRET not in response.content.decode()
    assert "SOLUSDT" in admin_client.get(url + "?q=SOL").content.decode()
    assert "ADAUSDT" not in admin_client.get(url + "?q=SOL").content.decode()
    delivery = NotificationDelivery.objects.first()
    page = admin_client.get(reverse("admin:notifications_notificationdelivery_change", args=[delivery.id]))
    assert page.status_code == 200 and SECRET not in page.content.decode()
    assert admin_client.get(reverse("admin:notifications_notificationdelivery_add")).status_code == 403


def test_retry_action_reschedules_failed_deliveries(admin_client, receiver):
    receiver.respond((404, "not yet"))
    webhook_rule_create(receiver.url)
    signal_create()
    signal_notifications_send()
    delivery = NotificationDelivery.objects.get()
    response = admin_client.post(
        reverse("admin:notifications_notificationdelivery_changelist"),
        {"action": "retry_failed", "_selected_action": [delivery.id]},
    )
    assert response.status_code == 302
    signal_notifications_send()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_webhook_urls_show_scheme_and_host_only(admin_client):
    rule = webhook_rule_create("https://hooks.example.com:8443/services/T0KEN-in-path?key=query-token", secret=SECRET)
    listing = admin_client.get(reverse("admin:notifications_notificationrule_changelist")).content.decode()
    change_url = reverse("admin:notifications_notificationrule_change", args=[rule.id])
    change = admin_client.get(change_url).content.decode()
    for page in (listing, change):
        assert "https://hooks.example.com:8443/…" in page
        assert "T0KEN-in-path" not in page and "query-token" not in page
    # A blank target keeps the stored URL; a new one replaces it.
    assert admin_client.post(change_url, _form(rule, target="")).status_code == 302
    rule.refresh_from_db()
    assert rule.target == "https://hooks.example.com:8443/services/T0KEN-in-path?key=query-token"
    assert admin_client.post(change_url, _form(rule, target="https://other.example.com/new")).status_code == 302
    rule.refresh_from_db()
    assert rule.target == "https://other.example.com/new"
