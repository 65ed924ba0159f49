"""`/api/auth/...` and `/api/exchange-accounts/...`: each feature adds its routes here."""
from django.urls import path  # noqa: F401

urlpatterns: list = []
