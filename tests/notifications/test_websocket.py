"""Live status over WebSocket: authentication, ping, tenant and visibility filtering."""

import json
from datetime import UTC, datetime

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from docuflow.accounts.services import issue_tokens
from docuflow.asgi import application
from docuflow.notifications import fanout
from docuflow.notifications.events import StatusEvent

pytestmark = pytest.mark.django_db(transaction=True)

WHEN = datetime(2026, 2, 15, 11, 30, tzinfo=UTC)


def event(tenant_id="acme-corp", status="APPROVED", **visibility) -> StatusEvent:
    return StatusEvent(
        tenant_id, "document", "doc-1", status, "PENDING_APPROVAL", WHEN, **visibility
    )


async def _connect(token: str | None):
    path = "/ws/documents/" + (f"?token={token}" if token is not None else "")
    socket = WebsocketCommunicator(application, path)
    connected, _ = await socket.connect()
    return socket, connected


def run(coroutine_function):
    return async_to_sync(coroutine_function)()


@pytest.mark.parametrize("token", [None, "", "garbage", "eyJhbGciOiJIUzI1NiJ9.e30.x"])
def test_without_a_valid_token_the_socket_closes_with_4001(db, token):
    async def scenario():
        socket, connected = await _connect(token)
        assert connected  # accepted first, so the client sees the close code
        closed = await socket.receive_output(timeout=2)
        assert closed == {"type": "websocket.close", "code": 4001}

    run(scenario)


def test_ping_pong_and_a_status_update(users):
    token = issue_tokens(users["UPLOADER"])["access"]

    async def scenario():
        socket, _ = await _connect(token)
        await socket.send_to(text_data="ping")
        assert await socket.receive_from(timeout=2) == "pong"
        await _send(event())
        message = json.loads(await socket.receive_from(timeout=2))
        assert message == {
            "type": "DOCUMENT_STATUS_UPDATE",
            "document_id": "doc-1",
            "status": "APPROVED",
            "updated_at": "2026-02-15T11:30:00Z",
        }
        await socket.disconnect()

    run(scenario)


async def _send(status_event):
    from channels.db import database_sync_to_async

    await database_sync_to_async(fanout.send_to_group)(status_event)


def test_other_tenants_and_restricted_documents_are_not_pushed(users, outsider):
    uploader = issue_tokens(users["UPLOADER"])["access"]
    admin = issue_tokens(users["ADMIN"])["access"]
    foreign = issue_tokens(outsider)["access"]

    async def scenario():
        mine, _ = await _connect(uploader)
        boss, _ = await _connect(admin)
        theirs, _ = await _connect(foreign)
        await _send(
            event(
                status="REJECTED",
                visible_to_users=frozenset(),
                visible_to_roles=frozenset({"ADMIN"}),
            )
        )
        await _send(event(status="ARCHIVED"))
        # The uploader only gets the unrestricted one; the admin gets both, in order.
        assert json.loads(await mine.receive_from(timeout=2))["status"] == "ARCHIVED"
        assert json.loads(await boss.receive_from(timeout=2))["status"] == "REJECTED"
        assert json.loads(await boss.receive_from(timeout=2))["status"] == "ARCHIVED"
        assert await theirs.receive_nothing(timeout=0.3)
        assert await mine.receive_nothing(timeout=0.3)
        for socket in (mine, boss, theirs):
            await socket.disconnect()

    run(scenario)


def test_a_deactivated_user_cannot_connect(users):
    token = issue_tokens(users["REVIEWER"])["access"]
    users["REVIEWER"].is_active = False
    users["REVIEWER"].save()

    async def scenario():
        socket, _ = await _connect(token)
        assert (await socket.receive_output(timeout=2))["code"] == 4001

    run(scenario)
