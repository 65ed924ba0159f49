"""Rows for notification tests, created directly (timezone-aware datetimes throughout)."""
from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

from django.utils import timezone

from notifications.models import Kind, NotificationRule
from signals.models import Direction, Signal, Status

_numbers = itertools.count(1)


def signal_create(**overrides) -> Signal:
    """An active 90% LONG signal on a symbol of its own (one active signal per market is the rule)."""
    number = next(_numbers)
    now = timezone.now()
    open_ms = int(now.timestamp() * 1000) // 300_000 * 300_000
    symbol = overrides.get("symbol", f"T{number}USDT")
    timeframe = overrides.get("timeframe", "5m")
    direction = overrides.get("direction", Direction.LONG)
    fields = {
        "key": f"{symbol}:{timeframe}:{direction}:{open_ms}:{uuid.uuid4().hex[:6]}",
        "symbol": symbol,
        "timeframe": timeframe,
        "direction": direction,
        "status": Status.ACTIVE,
        "confidence": 90.0,
        "initial_confidence": 90.0,
        "entry": 65000.0,
        "stop_loss": 64500.0,
        "take_profit": 65833.33,
        "reward_risk": 1.67,
        "conditions": ["macd_cross", "rsi_band", "above_ema50"],
        "snapshot": {"rsi": 61.2},
        "candle_open_time": open_ms,
        "created_at": now,
        "updated_at": now,
        "expires_at": now + timedelta(minutes=60),
    }
    fields.update(overrides)
    return Signal.objects.create(**fields)


def rule_create(**overrides) -> NotificationRule:
    fields = {"name": f"rule {next(_numbers)}", "kind": Kind.WEBHOOK, "target": "", "secret": "", "min_score": 85}
    fields.update(overrides)
    rule = NotificationRule(**fields)
    rule.full_clean()
    rule.save()
    return rule


def webhook_rule_create(url: str, *, secret: str = "whsec-test-0123456789abcdef", **overrides) -> NotificationRule:
    return rule_create(kind=Kind.WEBHOOK, target=url, secret=secret, **overrides)


def websocket_rule() -> NotificationRule:
    rule, _ = NotificationRule.objects.get_or_create(kind=Kind.WEBSOCKET, defaults={"name": "Dashboard"})
    return rule
