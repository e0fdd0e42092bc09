"""Where a Task's ``Resource`` goes: registered Python handlers, activities, integrations.

Apps register handlers at start-up (``register_function`` for Lambda-style functions,
``register_integration`` for ``arn:aws:states:::<service>:<action>`` resources). A
handler receives the task's resolved input and a ``TaskContext`` and returns the result,
or raises ``TaskError`` (or any exception) to fail the task.
"""

from __future__ import annotations

import json
import logging
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)


class TaskError(Exception):
    """Fail the task with this ASL error name and cause (Retry/Catch match the name)."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


@dataclass(frozen=True)
class TaskContext:
    tenant_id: str
    execution_arn: str
    state_name: str
    task_id: str
    attempt: int
    task_token: str | None
    # Stable across re-runs of the same attempt: use it to make side effects idempotent.
    idempotency_key: str
    now: datetime


Handler = Callable[[Any, TaskContext], Any]

_functions: dict[str, Handler] = {}
_integrations: dict[str, Handler] = {}


def register_function(name: str, handler: Handler) -> None:
    """A Lambda-style function, reachable as a function ARN or through lambda:invoke."""
    _functions[name] = handler


def register_integration(service_action: str, handler: Handler) -> None:
    """A service integration such as ``dynamodb:putItem`` (``arn:aws:states:::…``)."""
    _integrations[service_action] = handler


def function(name: str) -> Handler | None:
    return _functions.get(name)


@dataclass(frozen=True)
class Route:
    kind: str  # "function" | "lambda-invoke" | "integration" | "activity" | "unknown"
    handler: Handler | None = None
    name: str = ""


def function_name(value: str) -> str:
    """``name``, ``name:alias`` or ``arn:aws:lambda:region:account:function:name[:qualifier]``."""
    if value.startswith("arn:"):
        parts = value.split(":")
        return parts[6] if len(parts) > 6 else ""
    return value.split(":")[0]


def route(resource: str) -> Route:
    base = resource.removesuffix(".waitForTaskToken").removesuffix(".sync:2").removesuffix(".sync")
    if base.startswith("arn:aws:lambda:"):
        name = function_name(base)
        return Route("function", _functions.get(name), name)
    if base.startswith("arn:aws:states:::"):
        service_action = base[len("arn:aws:states:::"):]
        if service_action == "lambda:invoke":
            return Route("lambda-invoke")
        return Route("integration", _integrations.get(service_action), service_action)
    if ":activity:" in base and base.startswith("arn:aws:states:"):
        return Route("activity", name=base)
    return Route("unknown", name=resource)


def lambda_invoke_result(payload: Any, now: datetime) -> dict:
    """The shape ``arn:aws:states:::lambda:invoke`` returns on AWS."""
    body_length = str(len(json.dumps(payload, separators=(",", ":")).encode()))
    request_id = str(uuid.uuid4())
    date = now.strftime("%a, %d %b %Y %H:%M:%S GMT")
    headers = {
        "Connection": "keep-alive",
        "Content-Length": body_length,
        "Content-Type": "application/json",
        "Date": date,
        "X-Amz-Executed-Version": "$LATEST",
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": request_id,
    }
    return {
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {key: [value] for key, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }


def _failure(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, TaskError):
        return exc.error, exc.cause
    # Like a Lambda function error: the type is the error name, the cause a JSON report.
    cause = json.dumps(
        {
            "errorMessage": str(exc),
            "errorType": type(exc).__name__,
            "stackTrace": traceback.format_exception(exc)[-3:],
        }
    )
    return type(exc).__name__, cause


@dataclass(frozen=True)
class Outcome:
    ok: bool
    output: Any = None
    error: str = ""
    cause: str = ""


def invoke(resource: str, payload: Any, ctx: TaskContext) -> Outcome:
    """Run the handler for ``resource``. Never raises: every failure is an Outcome."""
    target = route(resource)
    try:
        if target.kind == "lambda-invoke":
            if not isinstance(payload, dict) or not isinstance(payload.get("FunctionName"), str):
                raise TaskError(
                    "States.TaskFailed", "lambda:invoke needs a FunctionName string parameter"
                )
            name = function_name(payload["FunctionName"])
            handler = _functions.get(name)
            if handler is None:
                raise TaskError(
                    "Lambda.ResourceNotFoundException", f"Function not found: {payload['FunctionName']}"
                )
            result = handler(payload.get("Payload"), ctx)
            return Outcome(True, lambda_invoke_result(result, ctx.now))
        if target.handler is None:
            raise TaskError(
                "DocuFlow.ResourceNotFound",
                f"No handler is registered for resource '{resource}'",
            )
        return Outcome(True, target.handler(payload, ctx))
    except Exception as exc:  # a handler's failure is the task's failure, never the worker's
        if not isinstance(exc, TaskError):
            log.warning("task handler for %s failed: %s", resource, exc)
        error, cause = _failure(exc)
        return Outcome(False, error=error, cause=cause)
