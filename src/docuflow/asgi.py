"""ASGI entry point: HTTP through Django (the Step Functions API ``/sfn`` through its own
fast path in front of it), WebSockets through Channels."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docuflow.settings")

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_application = get_asgi_application()

from docuflow.routing import websocket_urlpatterns  # noqa: E402
from docuflow.sfnapi.asgi import fast_path  # noqa: E402

application = ProtocolTypeRouter(
    {"http": fast_path(django_application), "websocket": URLRouter(websocket_urlpatterns)}
)
