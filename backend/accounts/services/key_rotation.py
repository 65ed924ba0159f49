"""Re-encrypt every stored secret under the first of FIELD_ENCRYPTION_KEYS (`manage.py
rotate_encryption_keys`).

Idempotent and resumable: rows are taken in id order, in batches, each batch in its own
transaction (committed before the next starts, rows locked while they are rewritten); a value
already under the first key is skipped. A run that stops half way leaves every row readable
(old rows under the old key, new rows under the new one), and the next run finishes the job.
The rewrite is a plain UPDATE of the ciphertext: no `updated_at`, no history row, since nothing a
person owns changed. Plaintext never leaves crypto.py (MultiFernet.rotate).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction

from accounts import crypto

# Every encrypted column of the platform: "<app_label>.<Model>" -> its ciphertext fields.
ENCRYPTED_FIELDS: dict[str, tuple[str, ...]] = {
    "accounts.ExchangeAccount": ("api_key_encrypted", "api_secret_encrypted"),
    "notifications.NotificationRule": ("secret_encrypted",),
}


@dataclass
class RotationCount:
    rotated: int = 0  # rows rewritten
    current: int = 0  # rows already entirely under the first key
    unreadable: list[int] = field(default_factory=list)  # ids no configured key decrypts

    def as_dict(self) -> dict:
        return {"rotated": self.rotated, "current": self.current, "unreadable": list(self.unreadable)}


def encrypted_values_rotate(*, batch_size: int = 200,
                            on_batch: Callable[[str, RotationCount], None] | None = None) -> dict[str, RotationCount]:
    """Rotate every model of ENCRYPTED_FIELDS; returns counts per model."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    return {name: _rotate_model(name, fields, batch_size, on_batch) for name, fields in ENCRYPTED_FIELDS.items()}


def _rotate_model(name: str, fields: tuple[str, ...], batch_size: int,
                  on_batch: Callable[[str, RotationCount], None] | None) -> RotationCount:
    model = apps.get_model(name)
    count = RotationCount()
    last_id = 0
    while True:
        with transaction.atomic():
            rows = list(model.objects.filter(id__gt=last_id).order_by("id").select_for_update()
                        .values_list("id", *fields)[:batch_size])
            for row_id, *tokens in rows:
                _rotate_row(model, row_id, dict(zip(fields, tokens)), count)
        if not rows:
            return count
        last_id = rows[-1][0]
        if on_batch is not None:
            on_batch(name, count)


def _rotate_row(model, row_id: int, tokens: dict[str, str], count: RotationCount) -> None:
    changes = {}
    for name, token in tokens.items():
        if not token or crypto.is_current(token):
            continue
        try:
            changes[name] = crypto.rotate(token)
        except crypto.DecryptionError:
            count.unreadable.append(row_id)
            return
    if changes:
        model.objects.filter(id=row_id).update(**changes)
        count.rotated += 1
    else:
        count.current += 1
