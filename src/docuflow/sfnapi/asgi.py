"""``/sfn`` straight from the ASGI server, in front of Django.

Step Functions clients sign every request (SigV4), so Django's middleware (sessions,
CSRF, authentication, static files) has nothing to do for them. Under ASGI that stack is
also where most of a call's CPU went: each synchronous middleware and the view cost a
hop between the event loop and a thread. Here the body is read on the event loop and
the call runs once in a pooled database thread (``views.handle``), the same code the
Django view runs, so both paths answer alike. Everything else goes on to Django.
"""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

from django.db import connections
from django.utils.datastructures import CaseInsensitiveMapping

from docuflow.sfnapi import views

PATHS = ("/sfn", "/sfn/")
# Long polls (GetActivityTask waits up to a minute) each hold a thread of this pool.
_long_polls = ThreadPoolExecutor(64, thread_name_prefix="sfn-poll")


class _Gone(Exception):
    """The client disconnected before its body arrived."""


def _headers(scope) -> CaseInsensitiveMapping:
    found: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        found[name] = f"{found[name]},{value}" if name in found else value
    return CaseInsensitiveMapping(found)


async def _body(receive, limit: int) -> bytes | None:
    """The whole body, or None past ``limit`` (the rest is not read)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Gone()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _inline(call, body: bytes, request_id: str):
    """A long poll in a thread of its own, which closes its connections after."""
    try:
        return views.handle(call, body, request_id)
    finally:
        connections.close_all()


async def _send(send, response) -> None:
    headers = [(b"content-length", str(len(response.content)).encode())]
    headers += [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in response.items()
    ]
    headers.append((b"x-content-type-options", b"nosniff"))
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": response.content})


def fast_path(application):
    """Wrap an ASGI ``application``: ``POST /sfn`` is answered here when the database
    threads are on (``docuflow serve`` turns them on), the rest goes to ``application``."""

    async def app(scope, receive, send):
        if scope["type"] != "http" or scope["path"] not in PATHS or views.thread_pool() is None:
            return await application(scope, receive, send)
        # From here on the answer is ours, errors included, as AWS shapes them.
        request_id = str(uuid.uuid4())
        if scope["method"] != "POST":
            return await _send(send, views.refuse_method(request_id))
        headers = _headers(scope)
        limit = views.body_limit()
        try:
            declared = int(headers.get("Content-Length") or 0)
        except ValueError:
            declared = 0
        try:
            body = None if declared > limit else await _body(receive, limit)
        except _Gone:
            return None
        if body is None:
            return await _send(send, views.too_large(request_id))
        call = views.Call(
            scope["method"],
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            headers,
        )
        if views.runs_in_pool(call):
            try:
                response = await asyncio.wrap_future(views.submit(call, body, request_id))
            except Exception:  # its batch did not commit
                response = views.unavailable(request_id)
        else:
            loop = asyncio.get_running_loop()
            response = await loop.run_in_executor(_long_polls, _inline, call, body, request_id)
        await _send(send, response)

    return app
