"""DRF glue shared by every API: one error shape, and no 500 for a client's mistake."""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

DATABASE_UNAVAILABLE = {"detail": "The database is unavailable; try again shortly.", "code": "database_unavailable"}
DATABASE_RETRY_AFTER_S = 5


def database_unavailable_response() -> JsonResponse:
    """503 with a JSON body and Retry-After: PostgreSQL is away, the request was not the problem."""
    response = JsonResponse(DATABASE_UNAVAILABLE, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
    return response


def database_unavailable_middleware(get_response):
    """The same 503 for views outside DRF (admin, health): a lost database is never a 500 page."""

    def middleware(request):
        return get_response(request)

    def process_exception(request, exc):
        if isinstance(exc, (OperationalError, InterfaceError)):
            return database_unavailable_response()
        return None

    middleware.process_exception = process_exception
    return middleware


def exception_handler(exc, context):
    """DRF's handler, plus Django's ValidationError mapped to 400 with its messages, and a lost
    database (OperationalError, InterfaceError) mapped to 503 with a clear body."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return Response(DATABASE_UNAVAILABLE, status=status.HTTP_503_SERVICE_UNAVAILABLE,
                        headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)})
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
