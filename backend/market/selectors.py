"""Reads of market reference data."""
from __future__ import annotations

from market.models import Symbol


def universe_symbols() -> list[str]:
    """Symbols of the current universe, most traded first."""
    return list(Symbol.objects.filter(in_universe=True).order_by("rank", "symbol").values_list("symbol", flat=True))


def symbol_list():
    """Every known symbol, the universe first by rank."""
    return Symbol.objects.order_by("-in_universe", "rank", "symbol")
