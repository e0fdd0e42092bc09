"""Task resources this app registers with the engine, and its cancel hook.

* ``docuflow-human-task`` (``lambda:invoke.waitForTaskToken``): Payload ``{subject_type,
  subject_id, title?, candidate_roles?, candidate_users?, excluded_users?,
  escalate_after_seconds?, stage?, escalate?, final?, required_approvals?, task_token}``.
* ``sqs:sendMessage`` (``.waitForTaskToken``): the document workflow's WaitForApproval;
  ``MessageBody`` (object or JSON text) ``{document_id, tenant_id, task_token, …}`` plus
  the same optional keys. ``QueueUrl`` is accepted and ignored: the queue is the inbox.
* ``docuflow-certification-save`` / ``docuflow-certification-finish``: the certification
  workflow's SaveRequest and MarkApproved/MarkRejected.

Handlers run at least once: creating a task is idempotent (by the task token and the
context's idempotency key), and so are the certification steps.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from docuflow.approvals import document_review, services
from docuflow.engine import transitions
from docuflow.engine.resources import (
    TaskContext,
    TaskError,
    register_function,
    register_integration,
)

INVALID = "Approvals.InvalidTask"
SUBJECT_TYPES = ("document", "certification")


def _string_list(payload: dict, key: str) -> list[str] | None:
    value = payload.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise TaskError(INVALID, f"'{key}' must be a list of strings")
    return [str(v) for v in value if v not in ("", None)]


def _spec(payload: Any, ctx: TaskContext, defaults: dict) -> services.TaskSpec:
    if not isinstance(payload, dict):
        raise TaskError(INVALID, "The payload must be an object")
    token = payload.get("task_token", payload.get("taskToken"))
    if token is not None and token != ctx.task_token:
        raise TaskError(INVALID, "The payload's task token is not this task's token")
    subject_type = payload.get("subject_type", defaults.get("subject_type"))
    subject_id = payload.get("subject_id", defaults.get("subject_id"))
    if subject_type not in SUBJECT_TYPES:
        raise TaskError(INVALID, f"'subject_type' must be one of {', '.join(SUBJECT_TYPES)}")
    if not isinstance(subject_id, str | int) or not str(subject_id).strip():
        raise TaskError(INVALID, "'subject_id' is required")
    escalate_after = payload.get("escalate_after_seconds")
    if escalate_after is not None and (type(escalate_after) is not int or escalate_after <= 0):
        raise TaskError(INVALID, "'escalate_after_seconds' must be a positive integer")
    title = payload.get("title", "")
    if not isinstance(title, str):
        raise TaskError(INVALID, "'title' must be a string")
    stage = payload.get("stage", "")
    if not isinstance(stage, str):
        raise TaskError(INVALID, "'stage' must be a string")
    final = payload.get("final", True)
    if not isinstance(final, bool):
        raise TaskError(INVALID, "'final' must be true or false")
    required = payload.get("required_approvals")
    if required is not None and (type(required) is not int or not 1 <= required <= 100):
        raise TaskError(INVALID, "'required_approvals' must be an integer from 1 to 100")
    candidate_roles = _string_list(payload, "candidate_roles")
    if candidate_roles is None:
        candidate_roles = defaults.get("candidate_roles")
    return services.TaskSpec(
        subject_type=subject_type,
        subject_id=str(subject_id).strip()[:64],
        title=title,
        candidate_roles=candidate_roles,
        candidate_users=_string_list(payload, "candidate_users") or [],
        excluded_users=_string_list(payload, "excluded_users") or [],
        escalate_after=escalate_after,
        stage=stage,
        escalate=payload.get("escalate") is True,
        final=final,
        required_approvals=required,
    )


def human_task(payload: Any, ctx: TaskContext) -> dict:
    task = services.open_task(ctx, _spec(payload, ctx, {"candidate_roles": None}))
    # Never the token in a result: results land in the execution history.
    return {"taskId": str(task.pk) if task else None}


def sqs_send_message(payload: Any, ctx: TaskContext) -> dict:
    if not isinstance(payload, dict):
        raise TaskError(INVALID, "sqs:sendMessage needs Parameters with a MessageBody")
    body = payload.get("MessageBody")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            raise TaskError(INVALID, "MessageBody must be a JSON object")
    if not isinstance(body, dict):
        raise TaskError(INVALID, "MessageBody must be a JSON object")
    tenant_id = body.get("tenant_id")
    if tenant_id is not None and tenant_id != ctx.tenant_id:
        raise TaskError(INVALID, "MessageBody.tenant_id is not this execution's tenant")
    defaults = {
        "subject_type": "document",
        "subject_id": body.get("document_id"),
        # An escalation without roles of its own raises the previous task's roles.
        "candidate_roles": None if body.get("escalate") is True else ["REVIEWER"],
    }
    task = services.open_task(ctx, _spec(body, ctx, defaults))
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return {
        "MessageId": str(uuid.uuid5(uuid.NAMESPACE_URL, ctx.idempotency_key)),
        "MD5OfMessageBody": hashlib.md5(text.encode(), usedforsecurity=False).hexdigest(),
        "taskId": str(task.pk) if task else None,
    }


def _request_id(payload: Any) -> str:
    if not isinstance(payload, dict) or not isinstance(payload.get("requestId"), str):
        raise TaskError("Certification.InvalidInput", "'requestId' is required")
    return payload["requestId"]


def certification_save(payload: Any, ctx: TaskContext) -> dict:
    return services.certification_routing(ctx.tenant_id, _request_id(payload))


def certification_finish(payload: Any, ctx: TaskContext) -> dict:
    status = payload.get("status") if isinstance(payload, dict) else None
    return services.finish_certification(ctx.tenant_id, _request_id(payload), status)


def register() -> None:
    register_function("docuflow-human-task", human_task)
    register_integration("sqs:sendMessage", sqs_send_message)
    register_function("docuflow-certification-save", certification_save)
    register_function("docuflow-certification-finish", certification_finish)
    document_review.register()
    if services.on_task_cancelled not in transitions.cancel_hooks:
        transitions.cancel_hooks.append(services.on_task_cancelled)
