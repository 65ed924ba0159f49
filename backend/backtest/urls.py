"""Routes of the backtest app under /api/."""
from django.urls import path

from backtest.api import views

urlpatterns = [
    path("backtests/", views.BacktestListView.as_view(), name="backtest-list"),
    path("backtests/compare/", views.BacktestCompareView.as_view(), name="backtest-compare"),
    path("backtests/<int:run_id>/", views.BacktestDetailView.as_view(), name="backtest-detail"),
    path("backtests/<int:run_id>/cancel/", views.BacktestCancelView.as_view(), name="backtest-cancel"),
    path("backtests/<int:run_id>/candles/", views.BacktestCandlesView.as_view(), name="backtest-candles"),
    path("backtests/<int:run_id>/trades.csv", views.BacktestTradesCsvView.as_view(), name="backtest-trades-csv"),
]
