"""`manage.py rotate_encryption_keys`: every stored secret re-encrypted under the first key.

Key rotation, step by step:
1. put a new key first in FIELD_ENCRYPTION_KEYS (keep the old one after it) and restart;
2. run this command (safe to run again, and to interrupt: it resumes);
3. remove the old key and restart. Every value then still reads.
"""
from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import crypto
from accounts.services.key_rotation import encrypted_values_rotate


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value (exchange keys and secrets, webhook secrets) under the first key."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=200, help="rows per transaction (default 200)")

    def handle(self, *args, batch_size: int, **options) -> None:
        keys = list(settings.FIELD_ENCRYPTION_KEYS)
        if not keys:
            raise CommandError("FIELD_ENCRYPTION_KEYS (or FIELD_ENCRYPTION_KEYS_FILE) is not set.")
        self.stdout.write(f"Encrypting under key {crypto.key_id(keys[0])} "
                          f"(first of {len(keys)}; key ids are sha256 prefixes, never the keys).")
        counts = encrypted_values_rotate(batch_size=batch_size)
        unreadable = False
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count.rotated} rotated, {count.current} already current"
                              + (f", {len(count.unreadable)} unreadable (ids {count.unreadable})" if count.unreadable else ""))
            unreadable = unreadable or bool(count.unreadable)
        if unreadable:
            raise CommandError("Some values cannot be decrypted with any configured key: put back the key they were "
                               "written with (after the new one) and run the command again.")
        self.stdout.write(self.style.SUCCESS("Every value is under the first key; older keys may now be removed."))
