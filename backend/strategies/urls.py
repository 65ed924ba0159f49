"""Routes of the strategies app under /api/."""
from django.urls import path  # noqa: F401

urlpatterns: list = []
