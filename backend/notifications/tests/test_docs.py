"""The verification snippet in CELERY_SETUP.md accepts our webhooks and rejects tampered ones."""
import re
import time

import pytest
from django.conf import settings

from config.env import REPO_ROOT
from notifications import senders
from notifications.tests.conftest import SECRET


def _snippet():
    text = (REPO_ROOT / "CELERY_SETUP.md").read_text()
    [code] = [block for block in re.findall(r"```python\n(.*?)```", text, re.S) if "def verify_signal_webhook" in block]
    namespace: dict = {}
    exec(code, namespace)  # our own documentation, not user input
    return namespace["verify_signal_webhook"]


def test_documented_verification_accepts_a_real_webhook(receiver):
    verify = _snippet()
    outbound = senders.Outbound(
        delivery_id=9, kind="webhook", target=receiver.url, secret=SECRET,
        signal={"id": 1, "symbol": "BTCUSDT"}, message="m", subject="s",
    )
    senders.send(outbound, config=settings.NOTIFICATIONS)
    [request] = receiver.requests
    headers = request["headers"]
    notification = verify(SECRET, request["body"], headers["X-Signature"], headers["X-Timestamp"])
    assert notification["delivery_id"] == 9 and notification["signal"]["symbol"] == "BTCUSDT"

    with pytest.raises(ValueError, match="bad signature"):
        verify(SECRET, request["body"].replace(b"BTCUSDT", b"ETHUSDT"), headers["X-Signature"], headers["X-Timestamp"])
    with pytest.raises(ValueError, match="bad signature"):
        verify("other", request["body"], headers["X-Signature"], headers["X-Timestamp"])
    with pytest.raises(ValueError, match="timestamp"):
        verify(SECRET, request["body"], headers["X-Signature"], str(int(headers["X-Timestamp"]) + 1))
    old = senders.webhook_body(outbound, timestamp=int(time.time()) - 3600)
    with pytest.raises(ValueError, match="stale"):
        verify(SECRET, old, senders.webhook_signature(SECRET, old), str(int(time.time()) - 3600))
