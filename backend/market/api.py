"""Market endpoints of the dashboard: the symbols we know and candles for charts."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.permissions import PublicMarketData
from market.chart_feed import chart_intervals
from market.models import Symbol
from market.throttles import MarketAnonRateThrottle, MarketUserRateThrottle


class SymbolSerializer(serializers.ModelSerializer):
    class Meta:
        model = Symbol
        fields = ["symbol", "base", "quote", "tick_size", "step_size", "min_notional", "quote_volume",
                  "in_universe", "rank"]


class SymbolListApi(APIView):
    permission_classes = [PublicMarketData]

    @extend_schema(responses=SymbolSerializer(many=True))
    def get(self, request: Request) -> Response:
        from market.selectors import symbol_list

        return Response(SymbolSerializer(symbol_list(), many=True).data)


class KlinesQuerySerializer(serializers.Serializer):
    symbol = serializers.RegexField(r"^[A-Z0-9]{2,30}$", error_messages={"invalid": "an upper-case symbol such as BTCUSDT"})
    interval = serializers.CharField(default="5m", help_text="One of MARKET_STREAM_INTERVALS (default 5m, 15m, 1h, 4h)")
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=300)

    def validate_interval(self, value: str) -> str:
        if value not in chart_intervals():
            raise serializers.ValidationError(f"one of {', '.join(chart_intervals())} (the streamed intervals)")
        return value


class CandleSerializer(serializers.Serializer):
    t = serializers.IntegerField(help_text="Open time, epoch ms")
    o = serializers.FloatField()
    h = serializers.FloatField()
    l = serializers.FloatField()  # noqa: E741
    c = serializers.FloatField()
    v = serializers.FloatField()
    closed = serializers.BooleanField(help_text="Always true here (the store keeps closed candles); false on /ws/market/ for the forming one")


class KlinesApi(APIView):
    """Closed candles of a known symbol from the candle store, oldest first.

    Served only from the store that `stream_market` keeps (MARKET_STREAM_INTERVALS of the universe
    symbols): a request never reaches the exchange, however many charts ask. The forming candle
    arrives on `/ws/market/`. Another interval is a 400; when the store has fewer candles than
    `limit` (a symbol outside the universe, a store still filling) the answer holds what it has,
    possibly nothing.
    """

    permission_classes = [PublicMarketData]
    throttle_classes = [MarketAnonRateThrottle, MarketUserRateThrottle]

    @extend_schema(
        parameters=[KlinesQuerySerializer],
        responses=CandleSerializer(many=True),
        description=(
            "Closed candles from the candle store (never fetched from the exchange per request). The store keeps "
            "the MARKET_STREAM_INTERVALS (default 5m, 15m, 1h, 4h) of the universe symbols; another interval is a "
            "400, other symbols answer with what the store has, possibly an empty list. The forming candle comes "
            "from /ws/market/. Unknown symbols are a 400. Throttled per client IP (MARKET_API_RATE_ANON) and per user "
            "(MARKET_API_RATE_USER): 429 with Retry-After."
        ),
    )
    def get(self, request: Request) -> Response:
        from market.selectors import candles_last, symbol_status

        query = KlinesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        symbol, interval, limit = (query.validated_data[name] for name in ("symbol", "interval", "limit"))
        if symbol_status(symbol) is None:
            return Response({"detail": f"{symbol} is not a known symbol; /api/symbols/ lists them"},
                            status=status.HTTP_400_BAD_REQUEST)
        k = candles_last([symbol], interval, limit).get(symbol)
        if k is None:
            return Response([])
        return Response([
            {"t": int(k.open_time[i]), "o": float(k.open[i]), "h": float(k.high[i]), "l": float(k.low[i]),
             "c": float(k.close[i]), "v": float(k.volume[i]), "closed": True}
            for i in range(len(k))
        ])
