"""Exchange facts about symbols that signals need (tick size for formatting prices)."""
from __future__ import annotations

from collections.abc import Iterable


def tick_sizes_for(symbols: Iterable[str]) -> dict[str, str]:
    """Tick size (as the exchange writes it, e.g. "0.10") of each known symbol; unknown ones are left out."""
    symbols = list(symbols)
    if not symbols:
        return {}
    from market.models import Symbol

    rows = Symbol.objects.filter(symbol__in=symbols).values_list("symbol", "tick_size")
    return {symbol: _plain(tick) for symbol, tick in rows if tick is not None}


def _plain(tick) -> str:
    # Decimal("0.10000000") -> "0.1": the client counts decimals from this string.
    text = format(tick, "f") if not isinstance(tick, str) else tick
    return text.rstrip("0").rstrip(".") if "." in text else text
