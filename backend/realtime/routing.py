from django.urls import path

from realtime.consumers import SignalsConsumer

websocket_urlpatterns = [path("ws/signals/", SignalsConsumer.as_asgi())]
