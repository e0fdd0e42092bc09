"""One error envelope for every API response: ``{detail, status_code, code, errors?}``.

DRF's exceptions are mapped to the codes the DocuFlow seed publishes (``validation_error``
is 422, not DRF's 400) plus the ones it misses (``parse_error``, ``payload_too_large``…).
Anything unexpected becomes ``internal_error`` with no internals in the body.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

log = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This resource is no longer available."
    default_code = "gone"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class UnprocessableEntity(exceptions.ValidationError):
    """A validation error raised by a service with a plain message or field errors."""


# DRF exception class -> (status, code). Codes not listed keep DRF's own code.
_CODES: dict[type[exceptions.APIException], tuple[int, str]] = {
    exceptions.ValidationError: (422, "validation_error"),
    exceptions.ParseError: (400, "parse_error"),
    exceptions.NotAuthenticated: (401, "not_authenticated"),
    exceptions.AuthenticationFailed: (401, "authentication_failed"),
    exceptions.PermissionDenied: (403, "permission_denied"),
    exceptions.NotFound: (404, "not_found"),
    exceptions.MethodNotAllowed: (405, "method_not_allowed"),
    exceptions.NotAcceptable: (406, "not_acceptable"),
    exceptions.UnsupportedMediaType: (415, "unsupported_media_type"),
    exceptions.Throttled: (429, "throttled"),
}


def envelope(status_code: int, code: str, detail: str, errors=None) -> dict:
    body = {"detail": detail, "status_code": status_code, "code": code}
    if errors:
        body["errors"] = errors
    return body


def _status_and_code(exc: exceptions.APIException) -> tuple[int, str]:
    for klass in type(exc).__mro__:
        if klass in _CODES:
            return _CODES[klass]
    code = exc.default_code if isinstance(exc.default_code, str) else "error"
    return exc.status_code, code


def _detail_text(detail) -> str:
    if isinstance(detail, list) and detail:
        return _detail_text(detail[0])
    if isinstance(detail, dict):
        return "Invalid input."
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()

    if not isinstance(exc, exceptions.APIException):
        log.exception("unhandled error in %s", context.get("view"))
        return Response(
            envelope(500, "internal_error", "An unexpected error occurred."), status=500
        )

    status_code, code = _status_and_code(exc)
    errors = exc.detail if isinstance(exc.detail, dict) else None
    detail = _detail_text(exc.detail)
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    return Response(envelope(status_code, code, detail, errors), status=status_code, headers=headers)


def json_error_view(status_code: int, code: str, detail: str):
    """Django-level handlers (unknown URL, crash) answer in the same envelope."""

    def view(request, exception=None):
        return JsonResponse(envelope(status_code, code, detail), status=status_code)

    return view
