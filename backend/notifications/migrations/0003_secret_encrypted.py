"""Webhook secrets move into encrypted storage (accounts/crypto.py): each plain value is encrypted
into `secret_encrypted`, then the plain column is dropped. Needs FIELD_ENCRYPTION_KEYS only when
there is a secret to encrypt. Reversible: going back decrypts them into the plain column again."""
from django.db import migrations, models


def encrypt_secrets(apps, schema_editor):
    from accounts import crypto

    NotificationRule = apps.get_model("notifications", "NotificationRule")
    for rule in NotificationRule.objects.exclude(secret="").only("id", "secret"):
        NotificationRule.objects.filter(id=rule.id).update(secret_encrypted=crypto.encrypt(rule.secret), secret="")


def decrypt_secrets(apps, schema_editor):
    from accounts import crypto

    NotificationRule = apps.get_model("notifications", "NotificationRule")
    for rule in NotificationRule.objects.exclude(secret_encrypted="").only("id", "secret_encrypted"):
        plain = crypto.decrypt(rule.secret_encrypted).reveal()
        NotificationRule.objects.filter(id=rule.id).update(secret=plain, secret_encrypted="")


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0002_websocket_rule_and_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="notificationrule",
            name="secret_encrypted",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
        migrations.RemoveField(
            model_name="notificationrule",
            name="secret",
        ),
    ]
