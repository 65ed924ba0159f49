"""Market endpoints of the dashboard: the symbols we know and candles for charts."""
from __future__ import annotations

import asyncio

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.permissions import PublicMarketData
from market.binance.errors import BannedError, BinanceError, PermanentError, RateLimitedError
from market.models import Symbol

CHART_INTERVALS = ("1m", "5m", "15m", "1h", "4h", "1d")


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
    interval = serializers.ChoiceField(choices=CHART_INTERVALS, default="5m")
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=300)


class CandleSerializer(serializers.Serializer):
    t = serializers.IntegerField(help_text="Open time, epoch ms")
    o = serializers.FloatField()
    h = serializers.FloatField()
    l = serializers.FloatField()  # noqa: E741
    c = serializers.FloatField()
    v = serializers.FloatField()
    closed = serializers.BooleanField()


class KlinesApi(APIView):
    """Candles from the exchange through the shared weight governor; the last one is forming."""

    permission_classes = [PublicMarketData]

    @extend_schema(parameters=[KlinesQuerySerializer], responses=CandleSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = KlinesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            candles = asyncio.run(_fetch(**query.validated_data))
        except PermanentError as exc:
            return Response({"detail": f"{query.validated_data['symbol']}: {exc}"},
                            status=status.HTTP_400_BAD_REQUEST)
        except (RateLimitedError, BannedError) as exc:
            return Response({"detail": f"the exchange is rate limiting us: {exc}"}, status=status.HTTP_503_SERVICE_UNAVAILABLE,
                            headers={"Retry-After": "10"})
        except (BinanceError, OSError, asyncio.TimeoutError) as exc:
            return Response({"detail": f"the exchange did not answer: {type(exc).__name__}"},
                            status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response(candles)


async def _fetch(*, symbol: str, interval: str, limit: int) -> list[dict]:
    from market.binance.client import BinanceClient
    from market.binance.market_data import KlinesParams

    async with BinanceClient.from_settings() as client:
        k = await client.market_data.klines(KlinesParams(symbol, interval, limit))
    last = len(k) - 1
    return [
        {"t": int(k.open_time[i]), "o": float(k.open[i]), "h": float(k.high[i]), "l": float(k.low[i]),
         "c": float(k.close[i]), "v": float(k.volume[i]), "closed": i < last}
        for i in range(len(k))
    ]
