"""WebSocket routes (Channels)."""

from django.urls import path

from docuflow.notifications.consumers import StatusConsumer

websocket_urlpatterns = [path("ws/documents/", StatusConsumer.as_asgi())]
