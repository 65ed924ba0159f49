"""The USD-M trading routes and their IP weights (docs/usdm_futures/endpoints/*.md, LIMITS.md; the
algo order weights are the ones ccxt records, their pages not being in the docs)."""

from __future__ import annotations

from . import account_payloads as views
from .account_routes import (account_view, api_restrictions, get_position_mode, income_history, leverage_brackets,
                             listen_key_close, listen_key_keepalive, listen_key_start, set_leverage,
                             set_margin_type, set_position_mode)
from .algo_routes import (all_algo_orders, cancel_algo_order, cancel_all_algo_orders, new_algo_order,
                          open_algo_orders, query_algo_order)
from .order_routes import (all_orders, cancel_all, cancel_batch, cancel_order, countdown_cancel_all, new_order,
                           open_orders, place_batch, query_open_order, query_order, user_trades)


def _per_symbol(with_symbol: int, without: int):
    return lambda request: with_symbol if request.query.get("symbol") else without


ROUTES = [
    # (method, path, handler, IP weight: a number, or a callable of the request)
    ("POST", "/fapi/v1/order", new_order, 0),   # counts on the ORDERS limits instead
    ("GET", "/fapi/v1/order", query_order, 1),
    ("DELETE", "/fapi/v1/order", cancel_order, 1),
    ("POST", "/fapi/v1/batchOrders", place_batch, 5),
    ("DELETE", "/fapi/v1/batchOrders", cancel_batch, 1),
    ("GET", "/fapi/v1/openOrder", query_open_order, 1),
    ("GET", "/fapi/v1/openOrders", open_orders, _per_symbol(1, 40)),
    ("DELETE", "/fapi/v1/allOpenOrders", cancel_all, 1),
    ("GET", "/fapi/v1/allOrders", all_orders, 5),
    ("GET", "/fapi/v1/userTrades", user_trades, 5),
    ("POST", "/fapi/v1/countdownCancelAll", countdown_cancel_all, 10),
    ("GET", "/fapi/v1/income", income_history, 30),
    ("POST", "/fapi/v1/algoOrder", new_algo_order, 0),
    ("DELETE", "/fapi/v1/algoOrder", cancel_algo_order, 1),
    ("GET", "/fapi/v1/algoOrder", query_algo_order, 1),
    ("GET", "/fapi/v1/openAlgoOrders", open_algo_orders, _per_symbol(1, 40)),
    ("GET", "/fapi/v1/allAlgoOrders", all_algo_orders, 5),
    ("DELETE", "/fapi/v1/algoOpenOrders", cancel_all_algo_orders, 1),
    ("GET", "/fapi/v1/positionSide/dual", get_position_mode, 30),
    ("POST", "/fapi/v1/positionSide/dual", set_position_mode, 1),
    ("POST", "/fapi/v1/leverage", set_leverage, 1),
    ("POST", "/fapi/v1/marginType", set_margin_type, 1),
    ("GET", "/fapi/v1/leverageBracket", leverage_brackets, 1),
    ("GET", "/fapi/v2/positionRisk", account_view(views.position_risk_v2, with_symbol=True), 5),
    ("GET", "/fapi/v3/positionRisk", account_view(views.position_risk_v3, with_symbol=True), 5),
    ("GET", "/fapi/v2/account", account_view(views.account_v2, with_symbol=False), 5),
    ("GET", "/fapi/v3/account", account_view(views.account_v3, with_symbol=False), 5),
    ("GET", "/fapi/v2/balance", account_view(views.balance_v2, with_symbol=False), 5),
    ("GET", "/fapi/v3/balance", account_view(views.balance_v2, with_symbol=False), 5),
    ("POST", "/fapi/v1/listenKey", listen_key_start, 1),
    ("PUT", "/fapi/v1/listenKey", listen_key_keepalive, 1),
    ("DELETE", "/fapi/v1/listenKey", listen_key_close, 1),
    # Wallet (SAPI) on the spot host: counted on the spot budget, weight 1 as documented.
    ("GET", "/sapi/v1/account/apiRestrictions", api_restrictions, 1),
]
