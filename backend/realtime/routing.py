from django.urls import path

from realtime.consumers import SignalsConsumer
from realtime.market_consumer import MarketConsumer

websocket_urlpatterns = [
    path("ws/signals/", SignalsConsumer.as_asgi()),
    path("ws/market/", MarketConsumer.as_asgi()),
]
