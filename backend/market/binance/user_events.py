"""Typed events of the USD-M user data stream, decoded from the shapes of
docs/usdm_futures/private_websocket_api.md (and the recorded ALGO_UPDATE frames of the fixtures).

`user_event_decode(frame)` turns one parsed frame into `OrderUpdate` (ORDER_TRADE_UPDATE),
`AccountUpdate` (ACCOUNT_UPDATE), `MarginCall` (MARGIN_CALL), `AlgoUpdate` (ALGO_UPDATE),
`ConfigUpdate` (ACCOUNT_CONFIG_UPDATE) or `ListenKeyExpired`; frames the platform does not use
(TRADE_LITE, which repeats what ORDER_TRADE_UPDATE carries, STRATEGY_UPDATE, GRID_UPDATE, ...)
give None. A frame of a known type but the wrong shape raises `DecodeError`.
`StreamGap` is made by the stream itself (user_stream.py), never decoded.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from market.binance.errors import DecodeError
from market.binance.decoding import ZERO, dec, flag, integer, json_object, text


@dataclass(frozen=True)
class StreamGap:
    """Events may have been missed before this point: the consumer reconciles with REST.
    `reason`: "connected" (first connect), "reconnected" (after a drop or a cut),
    "listen_key_expired", "stall" (no frame for `stall_s`), "malformed_frame"."""

    reason: str
    detail: str = ""


@dataclass(frozen=True)
class OrderUpdate:
    symbol: str
    client_order_id: str
    order_id: int
    side: str
    position_side: str
    type: str
    orig_type: str
    execution_type: str  # x: NEW, TRADE, CANCELED, EXPIRED, CALCULATED, AMENDMENT
    status: str  # X
    time_in_force: str
    orig_qty: Decimal
    price: Decimal
    avg_price: Decimal
    stop_price: Decimal
    last_filled_qty: Decimal
    last_filled_price: Decimal
    cum_filled_qty: Decimal
    commission: Decimal  # 0 when "n" is absent (no fill)
    commission_asset: str  # "" when absent
    realized_pnl: Decimal
    trade_id: int  # 0 if none
    maker: bool
    reduce_only: bool
    close_position: bool
    event_time_ms: int
    transaction_time_ms: int
    trade_time_ms: int  # the order's "T"
    expire_reason: str = "0"


@dataclass(frozen=True)
class BalanceUpdate:
    asset: str
    wallet_balance: Decimal
    cross_wallet_balance: Decimal
    balance_change: Decimal  # except PnL and commission


@dataclass(frozen=True)
class PositionUpdate:
    symbol: str
    position_side: str
    amount: Decimal
    entry_price: Decimal
    break_even_price: Decimal
    accumulated_realized: Decimal
    unrealized_pnl: Decimal
    margin_type: str  # "cross" / "isolated"
    isolated_wallet: Decimal


@dataclass(frozen=True)
class AccountUpdate:
    reason: str  # m: ORDER, FUNDING_FEE, DEPOSIT, ...
    balances: tuple[BalanceUpdate, ...]
    positions: tuple[PositionUpdate, ...]  # only the changed ones
    event_time_ms: int
    transaction_time_ms: int


@dataclass(frozen=True)
class MarginCallPosition:
    symbol: str
    position_side: str
    amount: Decimal
    margin_type: str
    isolated_wallet: Decimal
    mark_price: Decimal
    unrealized_pnl: Decimal
    maint_margin: Decimal


@dataclass(frozen=True)
class MarginCall:
    cross_wallet_balance: Decimal | None  # only with a crossed position's margin call
    positions: tuple[MarginCallPosition, ...]
    event_time_ms: int


@dataclass(frozen=True)
class AlgoUpdate:
    algo_id: int
    client_algo_id: str
    algo_type: str
    order_type: str
    symbol: str
    side: str
    position_side: str
    time_in_force: str
    quantity: Decimal
    status: str  # NEW, TRIGGERING, TRIGGERED, FINISHED, CANCELED, REJECTED, EXPIRED
    order_id: int | None  # "ai": the order placed on trigger
    avg_price: Decimal
    executed_qty: Decimal
    trigger_price: Decimal
    price: Decimal
    reduce_only: bool
    close_position: bool
    trigger_time_ms: int
    reject_reason: str
    event_time_ms: int
    transaction_time_ms: int


@dataclass(frozen=True)
class ConfigUpdate:
    symbol: str | None  # ac.s: a leverage change
    leverage: int | None
    multi_assets: bool | None  # ai.j: the Multi-Assets mode changed
    event_time_ms: int
    transaction_time_ms: int


@dataclass(frozen=True)
class ListenKeyExpired:
    listen_key: str
    event_time_ms: int


def _order_update(f: dict[str, Any]) -> OrderUpdate:
    w = "ORDER_TRADE_UPDATE"
    o = json_object(f.get("o"), w)
    return OrderUpdate(
        symbol=text(o, "s", w), client_order_id=text(o, "c", w), order_id=integer(o, "i", w), side=text(o, "S", w),
        position_side=text(o, "ps", w, "BOTH"), type=text(o, "o", w), orig_type=text(o, "ot", w, text(o, "o", w)),
        execution_type=text(o, "x", w), status=text(o, "X", w), time_in_force=text(o, "f", w, ""),
        orig_qty=dec(o, "q", w), price=dec(o, "p", w, ZERO), avg_price=dec(o, "ap", w, ZERO),
        stop_price=dec(o, "sp", w, ZERO), last_filled_qty=dec(o, "l", w, ZERO),
        last_filled_price=dec(o, "L", w, ZERO), cum_filled_qty=dec(o, "z", w, ZERO),
        commission=dec(o, "n", w, ZERO), commission_asset=text(o, "N", w, ""), realized_pnl=dec(o, "rp", w, ZERO),
        trade_id=integer(o, "t", w, 0), maker=flag(o, "m"), reduce_only=flag(o, "R"), close_position=flag(o, "cp"),
        event_time_ms=integer(f, "E", w), transaction_time_ms=integer(f, "T", w, integer(f, "E", w)),
        trade_time_ms=integer(o, "T", w, 0), expire_reason=str(o.get("er", "0")),
    )


def _account_update(f: dict[str, Any]) -> AccountUpdate:
    w = "ACCOUNT_UPDATE"
    a = json_object(f.get("a"), w)
    balances = tuple(
        BalanceUpdate(asset=text(b, "a", w), wallet_balance=dec(b, "wb", w),
                      cross_wallet_balance=dec(b, "cw", w, ZERO), balance_change=dec(b, "bc", w, ZERO))
        for b in (json_object(x, w) for x in a.get("B", ()))
    )
    positions = tuple(
        PositionUpdate(symbol=text(p, "s", w), position_side=text(p, "ps", w, "BOTH"), amount=dec(p, "pa", w),
                       entry_price=dec(p, "ep", w, ZERO), break_even_price=dec(p, "bep", w, ZERO),
                       accumulated_realized=dec(p, "cr", w, ZERO), unrealized_pnl=dec(p, "up", w, ZERO),
                       margin_type=text(p, "mt", w, "cross").lower(), isolated_wallet=dec(p, "iw", w, ZERO))
        for p in (json_object(x, w) for x in a.get("P", ()))
    )
    return AccountUpdate(reason=text(a, "m", w), balances=balances, positions=positions,
                         event_time_ms=integer(f, "E", w), transaction_time_ms=integer(f, "T", w, integer(f, "E", w)))


def _margin_call(f: dict[str, Any]) -> MarginCall:
    w = "MARGIN_CALL"
    positions = tuple(
        MarginCallPosition(symbol=text(p, "s", w), position_side=text(p, "ps", w, "BOTH"), amount=dec(p, "pa", w),
                           margin_type=text(p, "mt", w, ""), isolated_wallet=dec(p, "iw", w, ZERO),
                           mark_price=dec(p, "mp", w, ZERO), unrealized_pnl=dec(p, "up", w, ZERO),
                           maint_margin=dec(p, "mm", w, ZERO))
        for p in (json_object(x, w) for x in f.get("p", ()))
    )
    return MarginCall(cross_wallet_balance=dec(f, "cw", w) if f.get("cw") not in (None, "") else None,
                      positions=positions, event_time_ms=integer(f, "E", w))


def _algo_update(f: dict[str, Any]) -> AlgoUpdate:
    w = "ALGO_UPDATE"
    o = json_object(f.get("o"), w)
    actual = o.get("ai")
    return AlgoUpdate(
        algo_id=integer(o, "aid", w), client_algo_id=text(o, "caid", w), algo_type=text(o, "at", w, "CONDITIONAL"),
        order_type=text(o, "o", w), symbol=text(o, "s", w), side=text(o, "S", w),
        position_side=text(o, "ps", w, "BOTH"), time_in_force=text(o, "f", w, ""), quantity=dec(o, "q", w, ZERO),
        status=text(o, "X", w), order_id=int(actual) if actual not in (None, "", 0, "0") else None,
        avg_price=dec(o, "ap", w, ZERO), executed_qty=dec(o, "aq", w, ZERO), trigger_price=dec(o, "tp", w, ZERO),
        price=dec(o, "p", w, ZERO), reduce_only=flag(o, "R"), close_position=flag(o, "cp"),
        trigger_time_ms=integer(o, "tt", w, 0), reject_reason=text(o, "rm", w, ""),
        event_time_ms=integer(f, "E", w), transaction_time_ms=integer(f, "T", w, integer(f, "E", w)),
    )


def _config_update(f: dict[str, Any]) -> ConfigUpdate:
    w = "ACCOUNT_CONFIG_UPDATE"
    ac, ai = f.get("ac"), f.get("ai")
    return ConfigUpdate(
        symbol=text(ac, "s", w) if isinstance(ac, dict) else None,
        leverage=integer(ac, "l", w) if isinstance(ac, dict) else None,
        multi_assets=flag(ai, "j") if isinstance(ai, dict) else None,
        event_time_ms=integer(f, "E", w), transaction_time_ms=integer(f, "T", w, integer(f, "E", w)),
    )


def _expired(f: dict[str, Any]) -> ListenKeyExpired:
    # The docs' example sends the event time as a string here.
    return ListenKeyExpired(listen_key=str(f.get("listenKey", "")), event_time_ms=integer(f, "E", "listenKeyExpired", 0))


_DECODERS = {
    "ORDER_TRADE_UPDATE": _order_update, "ACCOUNT_UPDATE": _account_update, "MARGIN_CALL": _margin_call,
    "ALGO_UPDATE": _algo_update, "ACCOUNT_CONFIG_UPDATE": _config_update, "listenKeyExpired": _expired,
}

UserEvent = OrderUpdate | AccountUpdate | MarginCall | AlgoUpdate | ConfigUpdate | ListenKeyExpired


def user_event_decode(frame: Any) -> UserEvent | None:
    """One user-data frame (raw, or wrapped as a combined stream's `{"stream", "data"}`)."""
    if isinstance(frame, dict) and "data" in frame and "stream" in frame:
        frame = frame["data"]
    if not isinstance(frame, dict):
        raise DecodeError("user data frame: not a JSON object", path="user stream")
    decoder = _DECODERS.get(frame.get("e"))
    if decoder is None:
        return None
    try:
        return decoder(frame)
    except (TypeError, AttributeError) as exc:
        raise DecodeError(f"{frame.get('e')}: malformed ({exc})", path="user stream") from None
