"""The dashboard (client/dist/index.html) for every non-API path, and the JSON 404 and 500 of /api/."""
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views.defaults import server_error as server_error_page


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


def api_not_found(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Any /api/ path no endpoint answers: a JSON 404, as every other API error, never a page.

    As Django's APPEND_SLASH would, a GET of an endpoint without its trailing slash is redirected.
    """
    path = request.path_info
    if request.method in ("GET", "HEAD") and not path.endswith("/"):
        try:
            match = resolve(path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
    return JsonResponse({"detail": f"No API endpoint at {path}; the list is at /api/docs/."}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: under /api/ a JSON body that names nothing internal; elsewhere Django's page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Internal server error: the failure was logged; please try again later."},
                            status=500)
    return server_error_page(request)
