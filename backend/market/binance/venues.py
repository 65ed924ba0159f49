"""Where Binance is: base URLs of each environment (live, testnet, sandbox) and market (spot, USD-M).

The REST paths differ by market (`/api/v3/...` on spot, `/fapi/v1/...` on USD-M); stream
paths (`/ws/<stream>`, `/stream?streams=...`) are the same on both, under the market's stream
host. The sandbox serves both markets on one port: USD-M streams at the root, spot under `/spot`.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

ENVIRONMENTS = ("sandbox", "testnet", "live")
MARKETS = ("usdm", "spot")

_PUBLIC = {
    ("live", "usdm"): ("https://fapi.binance.com", "wss://fstream.binance.com"),
    ("live", "spot"): ("https://api.binance.com", "wss://stream.binance.com:9443"),
    ("testnet", "usdm"): ("https://demo-fapi.binance.com", "wss://fstream.binancefuture.com"),
    ("testnet", "spot"): ("https://testnet.binance.vision", "wss://stream.testnet.binance.vision"),
}
_API_PREFIX = {"usdm": "/fapi/v1", "spot": "/api/v3"}


@dataclass(frozen=True)
class Venue:
    environment: str
    market: str
    rest_url: str  # scheme://host[:port], no trailing slash
    ws_url: str

    @property
    def api_prefix(self) -> str:
        return _API_PREFIX[self.market]

    def path(self, name: str) -> str:
        """`path("klines")` -> "/fapi/v1/klines" on USD-M, "/api/v3/klines" on spot."""
        return f"{self.api_prefix}/{name}"

    @property
    def governor_scope(self) -> str:
        """Weight is counted per IP and per API host, so each host gets its own budget."""
        return f"{self.environment}:{self.market}:{urlsplit(self.rest_url).netloc}"


def venue_for(environment: str, market: str, *, sandbox_url: str = "http://127.0.0.1:8765",
              sandbox_ws_url: str = "") -> Venue:
    if environment not in ENVIRONMENTS:
        raise ValueError(f"environment must be one of {ENVIRONMENTS}, got {environment!r}")
    if market not in MARKETS:
        raise ValueError(f"market must be one of {MARKETS}, got {market!r}")
    if environment == "sandbox":
        rest = sandbox_url.rstrip("/")
        ws = sandbox_ws_url.rstrip("/") or "ws" + rest.removeprefix("http")
        return Venue(environment, market, rest, ws + ("/spot" if market == "spot" else ""))
    rest, ws = _PUBLIC[(environment, market)]
    return Venue(environment, market, rest, ws)
