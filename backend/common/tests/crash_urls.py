"""The site's URLs plus one API view that crashes, to see what a 500 under /api/ shows."""
from django.urls import path

from config.urls import handler500, urlpatterns as site_urlpatterns  # noqa: F401 — handler500 is read from here


def crash(request):
    raise RuntimeError("password=hunter2 at postgres://db.internal:5432/scanner")


urlpatterns = [path("api/crash/", crash), path("elsewhere/crash/", crash), *site_urlpatterns]
