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
import time
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from docuflow.engine.errors import EngineError
from docuflow.sfnapi import keys, protocol, sigv4
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


def _body_limit() -> int:
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
    limit = _body_limit()
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


def _authenticate(request: HttpRequest, body: bytes) -> Caller:
    signed = sigv4.SignedRequest(
        method=request.method or "POST",
        path=request.path,
        query_string=request.META.get("QUERY_STRING", ""),
        headers=request.headers,
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


def _operation_name(request: HttpRequest) -> str:
    target = request.headers.get("X-Amz-Target", "")
    prefix, _, name = target.partition(".")
    if prefix != protocol.TARGET_PREFIX or name not in OPERATIONS:
        raise ApiError(
            "UnknownOperationException",
            f"Unknown operation '{target}'" if target else "Missing the X-Amz-Target header",
        )
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type not in _ACCEPTED_TYPES:
        raise ApiError(
            "UnknownOperationException",
            f"Unsupported Content-Type '{content_type}': use {protocol.CONTENT_TYPE}",
        )
    return name


@csrf_exempt
def endpoint(request: HttpRequest) -> HttpResponse:
    request_id = str(uuid.uuid4())
    name = "?"
    started = time.monotonic()
    try:
        if request.method != "POST":
            response = _error(
                405, "UnknownOperationException", "Only POST is supported", request_id
            )
            response["Allow"] = "POST"
            return response
        body = _read_body(request)
        caller = _authenticate(request, body)
        name = _operation_name(request)
        params = protocol.validate(protocol.operation_model(name), protocol.parse_body(body))
        result = OPERATIONS[name](caller, params)
        response = _respond(200, result, request_id)
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
        log.exception("sfn %s failed on the database (request %s)", name, request_id)
        response = _error(
            503, "ServiceUnavailable", "The service is unavailable; try again", request_id
        )
    except Exception:
        log.exception("sfn %s failed (request %s)", name, request_id)
        response = _error(500, "InternalFailure", "The request processing has failed", request_id)
    log.debug(
        "sfn %s -> %s in %.1f ms (request %s)",
        name,
        response.status_code,
        (time.monotonic() - started) * 1000,
        request_id,
    )
    return response
