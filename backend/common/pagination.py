"""The API's page-number pagination: a bad `page` or `page_size` is a 400 that says why.

DRF's own class answers 404 "Invalid page." for `page=abc` and silently ignores a bad
`page_size`; a client deserves to learn what it sent wrong.
"""
from __future__ import annotations

from rest_framework import pagination
from rest_framework.exceptions import ValidationError


def _whole_number(name: str, raw: str, *, maximum: int | None = None) -> int:
    bound = f" from 1 to {maximum}" if maximum else " of at least 1"
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if number < 1 or (maximum is not None and number > maximum):
        raise ValidationError({name: [f"must be a whole number{bound}, got {raw!r}"]})
    return number


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_page_message = "Page {page_number} does not exist: {message}"

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        return _whole_number(self.page_size_query_param, raw, maximum=self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw not in (None, "") and raw not in self.last_page_strings:
            _whole_number(self.page_query_param, raw)
        return super().paginate_queryset(queryset, request, view)
