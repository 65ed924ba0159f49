from django.urls import path

from market.api import KlinesApi, SymbolListApi

urlpatterns = [
    path("symbols/", SymbolListApi.as_view(), name="symbol-list"),
    path("klines/", KlinesApi.as_view(), name="klines"),
]
