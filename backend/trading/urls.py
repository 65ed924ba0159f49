"""`/api/trading/...`: the trading API (trading/api/), private and owner-only."""
from django.urls import path

from trading.api import accounts, orders

account = "trading/accounts/<int:account_id>/"
urlpatterns = [
    path("trading/accounts/", accounts.TradingAccountListApi.as_view(), name="trading-accounts"),
    path(account, accounts.TradingAccountDetailApi.as_view(), name="trading-account"),
    path(f"{account}risk/", accounts.RiskLimitsApi.as_view(), name="trading-account-risk"),
    path(f"{account}position-mode/", accounts.PositionModeApi.as_view(), name="trading-account-position-mode"),
    path(f"{account}leverage/", accounts.LeverageApi.as_view(), name="trading-account-leverage"),
    path(f"{account}kill-switch/", accounts.KillSwitchApi.as_view(), name="trading-account-kill-switch"),
    path(f"{account}resume/", accounts.ResumeApi.as_view(), name="trading-account-resume"),
    path(f"{account}positions/close/", accounts.PositionCloseApi.as_view(), name="trading-account-position-close"),
    path(f"{account}reconcile/", accounts.ReconcileApi.as_view(), name="trading-account-reconcile"),
    path("trading/reconciliation-runs/", orders.ReconciliationRunListApi.as_view(), name="trading-reconciliation-runs"),
    path("trading/orders/", orders.OrderListApi.as_view(), name="trading-orders"),
    path("trading/orders/<int:order_id>/", orders.OrderDetailApi.as_view(), name="trading-order"),
    path("trading/orders/<int:order_id>/cancel/", orders.OrderCancelApi.as_view(), name="trading-order-cancel"),
    path("trading/fills/", orders.FillListApi.as_view(), name="trading-fills"),
]
