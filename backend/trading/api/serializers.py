"""Input of /api/trading/... (validated here, then handed to one service) and, for the schema only,
the shapes of the answers (trading/payloads.py builds them)."""
from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from trading.models import OrderStatus

# Binance's own bounds: symbols are upper-case letters and digits, leverage 1..125.
SYMBOL_PATTERN = r"^[A-Z0-9]{2,30}$"
MAX_LEVERAGE = 125
POSITION_SIDES = ("BOTH", "LONG", "SHORT")


def _money(**kwargs) -> serializers.DecimalField:
    """A positive decimal as text or number; 36 digits with 18 after the point, as the models store it."""
    return serializers.DecimalField(max_digits=36, decimal_places=18, min_value=Decimal("0.000000000000000001"),
                                    coerce_to_string=True, **kwargs)


def _symbol(**kwargs) -> serializers.RegexField:
    return serializers.RegexField(SYMBOL_PATTERN, error_messages={"invalid": "A USD-M symbol such as BTCUSDT."},
                                  **kwargs)


class StrictBooleanField(serializers.BooleanField):
    """true or false only: DRF's BooleanField would also take "yes", "1" or "on", and a kill switch or
    a position mode must never be flipped by a guess."""

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid", input=data)


# --- input ------------------------------------------------------------------------------------


class OrderTicketSerializer(serializers.Serializer):
    """The manual order ticket. Exactly one of quantity and percent_of_balance."""

    account = serializers.IntegerField(min_value=1)
    symbol = _symbol()
    # The labels of signals' directions: one "DirectionEnum" in the schema for both.
    direction = serializers.ChoiceField(choices=[("LONG", "Long"), ("SHORT", "Short")])
    type = serializers.ChoiceField(choices=["MARKET", "LIMIT"])
    quantity = _money(required=False, help_text="Base asset quantity (rounded down to the symbol's step)")
    percent_of_balance = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("100"), required=False,
        coerce_to_string=True, help_text="Margin to commit, as a percent of the available USDT balance")
    price = _money(required=False, help_text="Limit price (LIMIT only)")
    leverage = serializers.IntegerField(min_value=1, max_value=MAX_LEVERAGE, required=False)
    stop_loss_price = _money(required=False)
    take_profit_price = _money(required=False)

    def validate(self, attrs: dict) -> dict:
        if ("quantity" in attrs) == ("percent_of_balance" in attrs):
            raise serializers.ValidationError({"quantity": ["Give a quantity or a percent_of_balance (one of them)."]})
        if attrs["type"] == "LIMIT" and "price" not in attrs:
            raise serializers.ValidationError({"price": ["A LIMIT order needs a price."]})
        if attrs["type"] == "MARKET" and "price" in attrs:
            raise serializers.ValidationError({"price": ["A MARKET order takes no price."]})
        return attrs


class OrderFilterSerializer(serializers.Serializer):
    account = serializers.IntegerField(min_value=1, required=False)
    symbol = _symbol(required=False)
    status = serializers.ChoiceField(choices=OrderStatus.values, required=False)
    open = StrictBooleanField(required=False, help_text="true: orders that are (or may be) working; false: the others")

    def to_internal_value(self, data):
        # Query strings carry text: "true"/"false" are the only spellings of `open`.
        data = {key: data.get(key) for key in data}
        raw = data.get("open")
        if raw in ("true", "false"):
            data["open"] = raw == "true"
        return super().to_internal_value(data)


class FillFilterSerializer(serializers.Serializer):
    account = serializers.IntegerField(min_value=1, required=False)
    symbol = _symbol(required=False)


class RunFilterSerializer(serializers.Serializer):
    account = serializers.IntegerField(min_value=1, required=False)


class RiskLimitsSerializer(serializers.Serializer):
    """An exchange account's risk limits, checked before any order leaves (trading/services/risk.py)."""

    max_leverage = serializers.IntegerField(min_value=1, max_value=MAX_LEVERAGE)
    max_position_notional = _money(help_text="USDT, per (symbol, position side)")
    max_total_notional = _money(help_text="USDT, every position together")
    max_open_positions = serializers.IntegerField(min_value=1, max_value=1000)
    max_orders_per_minute = serializers.IntegerField(min_value=1, max_value=1200)
    daily_loss_limit = _money(allow_null=True, help_text="USDT realised since 00:00 UTC; null: no limit")


class PositionModeSerializer(serializers.Serializer):
    hedge = StrictBooleanField(help_text="true: Hedge Mode (LONG and SHORT apart); false: One-way Mode")


class LeverageSerializer(serializers.Serializer):
    symbol = _symbol()
    leverage = serializers.IntegerField(min_value=1, max_value=MAX_LEVERAGE)


class KillSwitchSerializer(serializers.Serializer):
    confirm = StrictBooleanField(help_text="Must be true: every open order is cancelled, every position closed")

    def validate_confirm(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError("Send confirm: true to cancel every order and close every position.")
        return value


class PositionCloseSerializer(serializers.Serializer):
    symbol = _symbol()
    position_side = serializers.ChoiceField(choices=POSITION_SIDES, default="BOTH")


# --- answers (schema only) --------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    field = serializers.CharField(required=False, help_text="The input field at fault")
    limit = serializers.CharField(required=False, help_text="The risk limit that refused the order")
    code = serializers.IntegerField(required=False, help_text="Binance's error code")


class TradingAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    venue = serializers.CharField()
    is_paper = serializers.BooleanField()
    hedge_mode = serializers.BooleanField()
    paused = serializers.BooleanField()
    pause_reason = serializers.CharField()


class FillSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    trade_id = serializers.IntegerField()
    symbol = serializers.CharField()
    side = serializers.CharField()
    position_side = serializers.CharField()
    price = serializers.CharField()
    quantity = serializers.CharField()
    commission = serializers.CharField()
    commission_asset = serializers.CharField()
    realized_pnl = serializers.CharField()
    time_ms = serializers.IntegerField()


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    account_id = serializers.IntegerField()
    client_order_id = serializers.CharField()
    symbol = serializers.CharField()
    side = serializers.CharField()
    position_side = serializers.CharField()
    type = serializers.CharField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    quantity = serializers.CharField()
    price = serializers.CharField(allow_null=True)
    executed_qty = serializers.CharField()
    fills = FillSerializer(many=True, required=False)


class BalanceSerializer(serializers.Serializer):
    asset = serializers.CharField()
    wallet_balance = serializers.CharField()
    available_balance = serializers.CharField()
    unrealized_pnl = serializers.CharField()


class PositionSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    position_side = serializers.CharField()
    amount = serializers.CharField()
    entry_price = serializers.CharField()
    mark_price = serializers.CharField()
    unrealized_pnl = serializers.CharField()


class ReconciliationRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    account_id = serializers.IntegerField()
    trigger = serializers.CharField()
    status = serializers.CharField()
    diffs = serializers.ListField(child=serializers.DictField())


class TradingAccountDetailSerializer(serializers.Serializer):
    account = TradingAccountSerializer()
    balances = BalanceSerializer(many=True)
    positions = PositionSerializer(many=True)
    risk = RiskLimitsSerializer()
    open_orders = serializers.IntegerField()
    last_reconciliation = ReconciliationRunSerializer(allow_null=True)


class LeverageAnswerSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    leverage = serializers.IntegerField()


class QueuedSerializer(serializers.Serializer):
    detail = serializers.CharField()
