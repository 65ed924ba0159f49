"""What trading rows look like to browsers: the API's answers and the private events carry these
same dicts (Decimals as strings, exact; times as epoch ms or ISO 8601)."""
from __future__ import annotations

from decimal import Decimal


def _text(value: Decimal | None) -> str | None:
    # Decimal(): a model default (an int) read back before a refresh is no Decimal yet.
    return None if value is None else format(Decimal(value).normalize(), "f") if value else "0"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def order_payload(order, fills=None) -> dict:
    data = {
        "id": order.id, "account_id": order.account_id, "client_order_id": order.client_order_id,
        "exchange_order_id": order.exchange_order_id, "tag": order.tag, "source": order.source,
        "strategy_run_id": order.strategy_run_id, "symbol": order.symbol, "side": order.side,
        "position_side": order.position_side, "type": order.type, "time_in_force": order.time_in_force,
        "quantity": _text(order.quantity), "price": _text(order.price), "stop_price": _text(order.stop_price),
        "reduce_only": order.reduce_only, "close_position": order.close_position, "is_algo": order.is_algo,
        "algo_id": order.algo_id, "parent_id": order.parent_id, "status": order.status,
        "executed_qty": _text(order.executed_qty), "avg_price": _text(order.avg_price),
        "cum_quote": _text(order.cum_quote), "error_code": order.error_code, "error_message": order.error_message,
        "created_at": _iso(order.created_at), "updated_at": _iso(order.updated_at),
        "exchange_update_ms": order.exchange_update_ms,
    }
    if fills is not None:
        data["fills"] = [fill_payload(fill) for fill in fills]
    return data


def fill_payload(fill) -> dict:
    return {
        "id": fill.id, "account_id": fill.account_id, "order_id": fill.order_id, "trade_id": fill.trade_id,
        "exchange_order_id": fill.exchange_order_id, "symbol": fill.symbol, "side": fill.side,
        "position_side": fill.position_side, "price": _text(fill.price), "quantity": _text(fill.quantity),
        "quote_quantity": _text(fill.quote_quantity), "commission": _text(fill.commission),
        "commission_asset": fill.commission_asset, "realized_pnl": _text(fill.realized_pnl), "maker": fill.maker,
        "time_ms": fill.time_ms, "tag": fill.tag,
    }


def position_payload(snapshot, attribution: list[dict] | None = None) -> dict:
    return {
        "symbol": snapshot.symbol, "position_side": snapshot.position_side, "amount": _text(snapshot.amount),
        "entry_price": _text(snapshot.entry_price), "break_even_price": _text(snapshot.break_even_price),
        "mark_price": _text(snapshot.mark_price), "unrealized_pnl": _text(snapshot.unrealized_pnl),
        "leverage": snapshot.leverage, "margin_type": snapshot.margin_type,
        "liquidation_price": _text(snapshot.liquidation_price), "update_time_ms": snapshot.update_time_ms,
        "tags": attribution or [],
    }


def balance_payload(snapshot) -> dict:
    return {
        "asset": snapshot.asset, "wallet_balance": _text(snapshot.wallet_balance),
        "cross_wallet_balance": _text(snapshot.cross_wallet_balance),
        "available_balance": _text(snapshot.available_balance), "unrealized_pnl": _text(snapshot.unrealized_pnl),
        "update_time_ms": snapshot.update_time_ms,
    }


def reconciliation_payload(run) -> dict:
    return {
        "id": run.id, "account_id": run.account_id, "trigger": run.trigger, "status": run.status,
        "started_at": _iso(run.started_at), "finished_at": _iso(run.finished_at), "diffs": run.diffs,
        "error": run.error,
    }


def risk_payload(limits) -> dict:
    return {
        "max_leverage": limits.max_leverage, "max_position_notional": _text(limits.max_position_notional),
        "max_total_notional": _text(limits.max_total_notional), "max_open_positions": limits.max_open_positions,
        "max_orders_per_minute": limits.max_orders_per_minute, "daily_loss_limit": _text(limits.daily_loss_limit),
    }
