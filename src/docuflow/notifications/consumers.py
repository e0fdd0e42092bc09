"""Live status over WebSocket: ``/ws/documents/?token=<access JWT>``.

A signed-in member joins their tenant's group and receives one message per status
change they may see. Without a valid token the socket is accepted and closed at once
with code 4001, so browsers can tell "bad token" from a network error.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from docuflow.accounts.models import User
from docuflow.notifications import fanout
from docuflow.notifications.fanout import tenant_group

UNAUTHORIZED = 4001


@database_sync_to_async
def _user_for(token: str) -> User | None:
    try:
        claims = AccessToken(token)
    except TokenError:
        return None
    return (
        User.objects.filter(pk=claims.get("user_id"), is_active=True, tenant__isnull=False)
        .only("id", "tenant_id", "role")
        .first()
    )


class StatusConsumer(AsyncWebsocketConsumer):
    user: User | None = None
    group: str | None = None

    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        token = (query.get("token") or [""])[0]
        self.user = await _user_for(token) if token else None
        await self.accept()
        if self.user is None:
            await self.close(code=UNAUTHORIZED)
            return
        self.group = tenant_group(self.user.tenant_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        fanout.serve_on(asyncio.get_running_loop())

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is not None and text_data.strip() == "ping":
            await self.send(text_data="pong")

    async def status_event(self, message: dict) -> None:
        if not _may_see(self.user, message):
            return
        await self.send(text_data=json.dumps(message["payload"]))


def _may_see(user: User | None, message: dict) -> bool:
    if user is None:
        return False
    users, roles = message.get("users"), message.get("roles")
    if users is None and roles is None:
        return True
    return str(user.pk) in (users or []) or user.role in (roles or [])
