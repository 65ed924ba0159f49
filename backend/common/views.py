"""Serves the built dashboard (client/dist/index.html) for every non-API path."""
from django.conf import settings
from django.http import HttpRequest, HttpResponse


def client_app(request: HttpRequest) -> HttpResponse:
    index = settings.CLIENT_DIST / "index.html"
    if not index.is_file():
        return HttpResponse(
            "The dashboard is not built yet: run `make run` (or `cd client && npm run build`).",
            status=503,
            content_type="text/plain",
        )
    response = HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    # index.html names hashed assets, so it must never be cached; the assets can be.
    response["Cache-Control"] = "no-cache"
    return response
