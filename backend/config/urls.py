from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from common.metrics_view import metrics_view
from common.views import api_not_found, client_app

# Under /api/ errors are JSON: an unknown path is a JSON 404 (below), a crash a JSON 500.
handler500 = "common.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/", include("health.urls")),
    path("api/", include("signals.api.urls")),
    path("api/", include("market.urls")),
    path("api/", include("accounts.urls")),
    path("api/", include("trading.urls")),
    path("api/", include("strategies.urls")),
    path("api/", include("backtest.urls")),
    # Prometheus scrape of this host's processes; loopback, METRICS_ALLOW or METRICS_TOKEN only.
    path("metrics", metrics_view, name="metrics"),
    # Keep last of the api/ routes: any other /api/ path is a JSON 404, never the dashboard.
    re_path(r"^api/", api_not_found, name="api-not-found"),
    # Everything else is the dashboard: React Router owns those paths.
    re_path(r"^(?!api/|admin/|static/|ws/).*$", client_app, name="client-app"),
]
