"""The ``/sfn`` endpoint: AWS JSON 1.0 requests, signed with SigV4 by an access key.

``POST`` with ``X-Amz-Target: AWSStepFunctions.<Operation>``. The body is read once: the
signature covers its hash, and the same bytes are then parsed. Errors are answered as
AWS answers them, ``{"__type": name, "message": …}``: 400 for the operation's own
errors, 403 for authentication.

The view is synchronous on purpose: the ASGI server runs each such request in a thread
of its own, so a long poll (``GetActivityTask``) or a synchronous execution only ever
blocks its own caller, and neither holds a database transaction while it waits.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import Future
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from docuflow.engine.errors import EngineError
from docuflow.sfnapi import keys, protocol, sigv4
from docuflow.sfnapi.batching import BatchingPool, Work
from docuflow.sfnapi.operations import OPERATIONS, Caller
from docuflow.sfnapi.protocol import ApiError

log = logging.getLogger(__name__)

# Definitions may be 1 MiB, and JSON escaping can double that: never refuse less than this.
MIN_BODY_LIMIT = 4 * 1024 * 1024
_ACCEPTED_TYPES = {
    "",
    "application/x-amz-json-1.0",
    "application/x-amz-json-1.1",
    "application/json",
}


@dataclass(frozen=True)
class Call:
    """What the API needs of an HTTP request, whichever server path brought it."""

    method: str
    path: str
    query_string: str
    headers: Mapping[str, str]  # case-insensitive lookup

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    @property
    def target(self) -> str:
        return self.headers.get("X-Amz-Target", "").partition(".")[2]

    @classmethod
    def of(cls, request: HttpRequest) -> Call:
        return cls(
            request.method or "POST",
            request.path,
            request.META.get("QUERY_STRING", ""),
            request.headers,
        )


def body_limit() -> int:
    return max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0, MIN_BODY_LIMIT)


def _respond(status: int, body: dict, request_id: str) -> HttpResponse:
    response = HttpResponse(protocol.dumps(body), status=status, content_type=protocol.CONTENT_TYPE)
    response["x-amzn-RequestId"] = request_id
    return response


def _error(status: int, code: str, message: str, request_id: str, **extra) -> HttpResponse:
    body = {"__type": code, "message": message, **extra}
    response = _respond(status, body, request_id)
    response["x-amzn-ErrorType"] = code
    return response


def _read_body(request: HttpRequest) -> bytes:
    limit = body_limit()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise ApiError("RequestEntityTooLargeException", "The request body is too large", 413)
    body = request.read(limit + 1)
    if len(body) > limit:
        raise ApiError("RequestEntityTooLargeException", "The request body is too large", 413)
    return body


def _authenticate(call: Call, body: bytes) -> Caller:
    signed = sigv4.SignedRequest(
        method=call.method,
        path=call.path,
        query_string=call.query_string,
        headers=call.headers,
        body=body,
    )
    key, credential = sigv4.verify(signed, keys.active_key)
    user = key.user
    if user.tenant_id is None:
        raise sigv4.AuthError(
            "AccessDeniedException",
            f"User {user.email} is not a member of a tenant and cannot use the Step Functions API",
        )
    keys.touch(key)
    return Caller(user=user, tenant=user.tenant, region=credential.region)


def _operation_name(call: Call) -> str:
    target = call.headers.get("X-Amz-Target", "")
    prefix, _, name = target.partition(".")
    if prefix != protocol.TARGET_PREFIX or name not in OPERATIONS:
        raise ApiError(
            "UnknownOperationException",
            f"Unknown operation '{target}'" if target else "Missing the X-Amz-Target header",
        )
    content_type = call.content_type
    if content_type not in _ACCEPTED_TYPES:
        raise ApiError(
            "UnknownOperationException",
            f"Unsupported Content-Type '{content_type}': use {protocol.CONTENT_TYPE}",
        )
    return name


# --- Database threads -----------------------------------------------------------------------
#
# Under ASGI each request runs in a new thread, so it would open (and close) a database
# connection of its own: ~1 ms on SQLite, ~10 ms on PostgreSQL, often more than the call's
# own work. With ``DOCUFLOW_SFN_DB_THREADS`` > 0 (``docuflow serve`` sets it), the short
# operations run instead in that many long-lived threads, each keeping its connection
# across calls. Django's request cycle never sees those connections, so this module does
# its job: before each batch, ``close_if_unusable_or_obsolete`` (drops a connection after
# an unrecovered error, a changed autocommit, or past its age) and the health check at
# first use when ``CONN_HEALTH_CHECKS`` is on, unless the connection served a call without
# error in the last ``HEALTHY_SECONDS``; after it, a connection still inside a transaction
# is closed (rolled back). A connection lives ``DB_THREAD_CONNECTION_SECONDS``.
#
# Group commit: a thread runs the calls queued for it meanwhile (up to ``BATCH``) in one
# transaction, each call in a savepoint of its own, so a failing call rolls back alone,
# and commits once. Only then are the answers sent: a call's changes are durable before
# its caller hears of them, as with a transaction per call, at a fraction of the commits
# (on SQLite, writing a commit's WAL frames was up to a third of a StartExecution). If the
# commit fails, nothing of the batch was applied and every call in it is answered 503.
# Batches are taken on SQLite only, where one thread serves every call: on PostgreSQL
# eight threads run side by side, and two batches that lock the same executions in
# opposite orders would deadlock (and answer every call of the aborted batch 503).
# Long polls keep the request's own thread: they would hold a pool thread for up to a
# minute.

DB_THREAD_CONNECTION_SECONDS = 60.0
# A connection that served a call without error this recently is not health-checked
# (CONN_HEALTH_CHECKS, one more round trip on PostgreSQL) before the next call.
HEALTHY_SECONDS = 1.0
BATCH = 16
_INLINE = {"GetActivityTask", "StartSyncExecution"}
_pool: BatchingPool | None = None
_pool_lock = threading.Lock()


def _db_threads() -> int:
    try:
        return max(0, int(os.environ.get("DOCUFLOW_SFN_DB_THREADS", "0")))
    except ValueError:
        return 0


def thread_pool() -> BatchingPool | None:
    global _pool
    if _pool is None:
        count = _db_threads()
        if count == 0:
            return None
        with _pool_lock:
            if _pool is None:
                batch = BATCH if connection.vendor == "sqlite" else 1
                _pool = BatchingPool(
                    count, _run_batch, batch=batch, on_exit=connections.close_all, name="sfn-db"
                )
    return _pool


def shutdown_db_threads() -> None:
    """Finish the queued calls, close every pooled thread's connections, stop the threads."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown()


def submit(call: Call, body: bytes, request_id: str) -> Future:
    """Queue a call for the database threads; its future gives the response."""
    return thread_pool().submit(handle, call, body, request_id)


def _run_batch(batch: list[Work]) -> None:
    """One transaction for the calls of a batch (see above); answers after the commit.

    Each queued function (``handle``) is called with ``batch_size``: a call alone in the
    transaction needs no savepoint of its own.
    """
    done: list[tuple[Future, HttpResponse]] = []
    _before_calls()
    try:
        with transaction.atomic():
            for future, func, args in batch:
                if future.set_running_or_notify_cancel():
                    done.append((future, func(*args, batch_size=len(batch))))
    except Exception as exc:
        log.exception("sfn: a batch of %d calls did not commit", len(batch))
        for future, _, _ in batch:
            if not future.done():
                future.set_exception(exc)
        return
    finally:
        _after_calls()
    for future, response in done:
        future.set_result(response)


def _before_calls() -> None:
    started = time.monotonic()
    for conn in connections.all(initialized_only=True):
        conn.close_if_unusable_or_obsolete()
        if (
            conn.connection is not None
            and started - getattr(conn, "_sfn_last_ok", 0.0) < HEALTHY_SECONDS
        ):
            conn.health_check_done = True  # it just worked: skip the round trip of a check


def _after_calls() -> None:
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        if conn.in_atomic_block or conn.get_autocommit() != conn.settings_dict["AUTOCOMMIT"]:
            conn.close()  # never leave a transaction open in a pooled thread
            continue
        if getattr(conn, "_sfn_pooled", None) is not conn.connection:
            # Django stamps CONN_MAX_AGE (0 here) at connect: give it this pool's age.
            conn._sfn_pooled = conn.connection
            conn.close_at = time.monotonic() + DB_THREAD_CONNECTION_SECONDS
        conn._sfn_last_ok = 0.0 if conn.errors_occurred else time.monotonic()


def _operation(call: Call, body: bytes, request_id: str, out: list) -> HttpResponse:
    caller = _authenticate(call, body)
    name = out[0] = _operation_name(call)
    params = protocol.validate(protocol.operation_model(name), protocol.parse_body(body))
    return _respond(200, OPERATIONS[name](caller, params), request_id)


def handle(call: Call, body: bytes, request_id: str, *, batch_size: int = 0) -> HttpResponse:
    """Answer one call whose body was read: authenticate, run the operation, map errors.

    Runs in the thread that owns the database connection (a pooled one, see above).
    Inside a batch's transaction (``batch_size`` > 0) a failing call undoes only its own
    work: in a savepoint of its own when other calls share the transaction; alone in it,
    by marking the transaction for rollback, which saves the SAVEPOINT and RELEASE
    statements (two round trips on PostgreSQL, where every call is alone).
    """
    name = "?"
    started = time.monotonic()
    out = [name]
    block = transaction.atomic(savepoint=batch_size > 1) if batch_size else nullcontext()
    try:
        with block:
            response = _operation(call, body, request_id, out)
    except sigv4.AuthError as exc:
        response = _error(exc.status, exc.code, exc.message, request_id)
    except ApiError as exc:
        response = _error(exc.status, exc.code, exc.message, request_id, **exc.extra)
    except EngineError as exc:
        extra = {}
        if getattr(exc, "resource_name", None):
            extra["resourceName"] = exc.resource_name
        response = _error(exc.status, exc.code, exc.message, request_id, **extra)
    except (OperationalError, InterfaceError):  # busy or unreachable: worth a retry
        log.exception("sfn %s failed on the database (request %s)", out[0], request_id)
        response = unavailable(request_id)
    except Exception:
        log.exception("sfn %s failed (request %s)", out[0], request_id)
        response = _error(500, "InternalFailure", "The request processing has failed", request_id)
    log.debug(
        "sfn %s -> %s in %.1f ms (request %s)",
        out[0],
        response.status_code,
        (time.monotonic() - started) * 1000,
        request_id,
    )
    return response


def unavailable(request_id: str) -> HttpResponse:
    return _error(503, "ServiceUnavailable", "The service is unavailable; try again", request_id)


def refuse_method(request_id: str) -> HttpResponse:
    response = _error(405, "UnknownOperationException", "Only POST is supported", request_id)
    response["Allow"] = "POST"
    return response


def too_large(request_id: str) -> HttpResponse:
    return _error(
        413, "RequestEntityTooLargeException", "The request body is too large", request_id
    )


def runs_in_pool(call: Call) -> bool:
    """Short operations go to the pooled database threads; long polls keep their own."""
    return thread_pool() is not None and call.target not in _INLINE


@csrf_exempt
def endpoint(request: HttpRequest) -> HttpResponse:
    """``/sfn`` through Django (tests, and servers without the ASGI fast path)."""
    request_id = str(uuid.uuid4())
    if request.method != "POST":
        return refuse_method(request_id)
    try:
        body = _read_body(request)
    except ApiError:
        return too_large(request_id)
    call = Call.of(request)
    if runs_in_pool(call):
        try:
            return submit(call, body, request_id).result()
        except Exception:  # its batch did not commit
            return unavailable(request_id)
    return handle(call, body, request_id)
