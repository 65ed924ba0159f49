"""Routes of the strategies app under /api/ (strategies/api/views.py)."""
from django.urls import path

from strategies.api import runs, views

strategy = "strategies/<int:strategy_id>/"
urlpatterns = [
    path("strategies/catalogue/", views.CatalogueApi.as_view(), name="strategies-catalogue"),
    path("strategies/templates/", views.TemplateListApi.as_view(), name="strategies-templates"),
    path("strategies/validate/", views.ValidateApi.as_view(), name="strategies-validate"),
    path("strategies/", views.StrategyListApi.as_view(), name="strategies"),
    path(strategy, views.StrategyDetailApi.as_view(), name="strategy"),
    path(f"{strategy}versions/", views.VersionListApi.as_view(), name="strategy-versions"),
    path(f"{strategy}versions/<int:number>/", views.VersionDetailApi.as_view(), name="strategy-version"),
    path(f"{strategy}runs/", runs.RunStartApi.as_view(), name="strategy-runs"),
    path("strategies/runs/", runs.RunListApi.as_view(), name="strategy-run-list"),
    path("strategies/runs/<int:run_id>/", runs.RunDetailApi.as_view(), name="strategy-run"),
    *[path(f"strategies/runs/<int:run_id>/{t}/", runs.RunTriggerApi.as_view(trigger=t), name=f"strategy-run-{t}")
      for t in ("pause", "resume", "stop")],
    path("strategies/runs/<int:run_id>/logs/", runs.RunLogsApi.as_view(), name="strategy-run-logs"),
    path("strategies/runs/<int:run_id>/decisions/", runs.RunDecisionsApi.as_view(), name="strategy-run-decisions"),
]
