"""Routes of the strategies app under /api/ (strategies/api/views.py)."""
from django.urls import path

from strategies.api import views

strategy = "strategies/<int:strategy_id>/"
urlpatterns = [
    path("strategies/catalogue/", views.CatalogueApi.as_view(), name="strategies-catalogue"),
    path("strategies/templates/", views.TemplateListApi.as_view(), name="strategies-templates"),
    path("strategies/validate/", views.ValidateApi.as_view(), name="strategies-validate"),
    path("strategies/", views.StrategyListApi.as_view(), name="strategies"),
    path(strategy, views.StrategyDetailApi.as_view(), name="strategy"),
    path(f"{strategy}versions/", views.VersionListApi.as_view(), name="strategy-versions"),
    path(f"{strategy}versions/<int:number>/", views.VersionDetailApi.as_view(), name="strategy-version"),
]
