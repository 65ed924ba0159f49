from django.urls import path

from signals.api import views
from signals.api.calibration import SignalCalibrationApi

urlpatterns = [
    path("signals/", views.SignalListApi.as_view(), name="signal-list"),
    path("signals/stats/", views.SignalStatsApi.as_view(), name="signal-stats"),
    path("signals/performance/", views.SignalPerformanceApi.as_view(), name="signal-performance"),
    path("signals/calibration/", SignalCalibrationApi.as_view(), name="signal-calibration"),
    path("scanner/status/", views.ScannerStatusApi.as_view(), name="scanner-status"),
    path("signals/<int:signal_id>/", views.SignalDetailApi.as_view(), name="signal-detail"),
]
