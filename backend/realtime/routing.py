from django.urls import path

from realtime.consumers import AccountConsumer, SignalsConsumer
from realtime.market_consumer import MarketConsumer

websocket_urlpatterns = [
    path("ws/signals/", SignalsConsumer.as_asgi()),
    path("ws/account/", AccountConsumer.as_asgi()),
    path("ws/market/", MarketConsumer.as_asgi()),
]
