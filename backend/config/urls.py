from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from common.views import client_app

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/", include("health.urls")),
    path("api/", include("signals.api.urls")),
    path("api/", include("market.urls")),
    path("api/", include("accounts.urls")),
    # Everything else is the dashboard: React Router owns those paths.
    re_path(r"^(?!api/|admin/|static/|ws/).*$", client_app, name="client-app"),
]
