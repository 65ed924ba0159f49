"""The order status table, every pair; client order ids; the filter arithmetic by hand."""
from decimal import Decimal

import pytest

from trading import lifecycle
from trading.client_ids import BINANCE_ID, EXTERNAL_TAG, client_order_id_new, strategy_run_of, tag_of
from trading.math import Filters, OrderInvalid, order_filtered, quantity_from_percent
from trading.models import OrderStatus

ALL = [s.value for s in OrderStatus]
EXCHANGE = list(lifecycle.EXCHANGE_STATUSES)
ALLOWED = {
    ("PENDING", "claim", None): "SENDING", ("PENDING", "refuse", None): "NOT_SENT",
    ("SENDING", "reject", None): "REJECTED", ("SENDING", "lose", None): "UNKNOWN",
    ("SENDING", "not_left", None): "NOT_SENT", ("SENDING", "absent", None): "NOT_SENT",
    ("UNKNOWN", "absent", None): "NOT_SENT",
}
for x in EXCHANGE:
    for status, trigger in (("SENDING", "answer"), ("SENDING", "found"), ("UNKNOWN", "found")):
        ALLOWED[(status, trigger, x)] = x
for status, later in (("NEW", ["PARTIALLY_FILLED", "FILLED", "CANCELED", "EXPIRED"]),
                      ("PARTIALLY_FILLED", ["PARTIALLY_FILLED", "FILLED", "CANCELED", "EXPIRED"])):
    for trigger in ("update", "answer", "found"):
        for x in later:
            ALLOWED[(status, trigger, x)] = x


@pytest.mark.parametrize("status", ALL)
@pytest.mark.parametrize("trigger", [t.value for t in lifecycle.Trigger])
@pytest.mark.parametrize("exchange_status", [None, *EXCHANGE])
def test_every_pair_of_the_table(status, trigger, exchange_status):
    expected = ALLOWED.get((status, trigger, exchange_status))
    if expected is None:
        with pytest.raises(lifecycle.IllegalTransition):
            lifecycle.next_status(status, trigger, exchange_status)
    else:
        assert lifecycle.next_status(status, trigger, exchange_status) == expected


def test_terminal_statuses_never_move_and_late_events_are_not_forward():
    for status in ("FILLED", "CANCELED", "EXPIRED", "REJECTED", "NOT_SENT"):
        assert not any(lifecycle.is_forward(status, x) for x in EXCHANGE)
    assert not lifecycle.is_forward("PARTIALLY_FILLED", "NEW")
    assert lifecycle.is_forward("PARTIALLY_FILLED", "PARTIALLY_FILLED")  # a partial fill grows


@pytest.mark.parametrize("tag", ["m", "k", "s1", "s123456789"])
def test_client_ids_fit_binance_and_carry_their_tag(tag):
    ids = {client_order_id_new(tag) for _ in range(200)}
    assert len(ids) == 200
    for cid in ids:
        assert len(cid) == 36 and BINANCE_ID.match(cid)
        assert tag_of(cid) == tag
    assert strategy_run_of("s42") == 42 and strategy_run_of("m") is None


@pytest.mark.parametrize("bad", ["", "x", "s", "s1a", "M", "s1234567890"])
def test_bad_tags_are_refused(bad):
    with pytest.raises(ValueError):
        client_order_id_new(bad)


@pytest.mark.parametrize("foreign", ["web_abc123", "bsm-short", "ios_1", "", "bsq-0123456789abcdef0123"])
def test_ids_made_elsewhere_read_as_external(foreign):
    assert tag_of(foreign) == EXTERNAL_TAG


BTC = Filters(tick_size=Decimal("0.10"), step_size=Decimal("0.001"), min_qty=Decimal("0.001"),
              max_qty=Decimal("1000"), market_max_qty=Decimal("120"), min_notional=Decimal("100"))


def test_filters_round_quantity_down_and_price_to_the_tick():
    qty, price, stop = order_filtered(filters=BTC, type="LIMIT", quantity=Decimal("0.0129"), price=Decimal("43210.06"),
                                      stop_price=None, reference_price=Decimal("43000"))
    assert (qty, price, stop) == (Decimal("0.012"), Decimal("43210.1"), None)


@pytest.mark.parametrize("kwargs,field,text", [
    ({"quantity": Decimal("0.0009")}, "quantity", "below the minimum 0.001"),
    ({"quantity": Decimal("0.002")}, "quantity", "below the minimum 100 USDT"),  # 0.002 x 43000 = 86
    ({"quantity": Decimal("121"), "type": "MARKET"}, "quantity", "above the maximum 120"),
    ({"quantity": Decimal("1"), "price": Decimal("-1"), "type": "LIMIT"}, "price", "above 0"),
    ({"quantity": Decimal("0")}, "quantity", "above 0"),
])
def test_filters_refuse_with_the_field_and_the_numbers(kwargs, field, text):
    args = {"type": "MARKET", "price": None, "stop_price": None, "reference_price": Decimal("43000"), **kwargs}
    with pytest.raises(OrderInvalid) as refused:
        order_filtered(filters=BTC, **args)
    assert refused.value.field == field and text in refused.value.message


def test_min_notional_is_waived_for_reduce_only():
    qty, _, _ = order_filtered(filters=BTC, type="MARKET", quantity=Decimal("0.002"), price=None, stop_price=None,
                               reference_price=Decimal("43000"), reduce_only=True)
    assert qty == Decimal("0.002")


def test_percent_of_balance_sizing_by_hand():
    # 10% of 2,000 USDT at 5x = 1,000 USDT of notional; at 40,000 that is 0.025 BTC
    assert quantity_from_percent(percent=Decimal(10), available=Decimal(2000), price=Decimal(40000),
                                 leverage=5) == Decimal("0.025")
    with pytest.raises(OrderInvalid):
        quantity_from_percent(percent=Decimal(0), available=Decimal(2000), price=Decimal(40000), leverage=5)
