"""The Step Functions operations: one function per ``X-Amz-Target``.

Each takes the caller (user, tenant, signing region) and the validated input members,
calls the engine's services, and returns the output members shaped as botocore's model
for the operation (dates as epoch seconds). Engine errors pass through: they already
carry the names AWS uses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from docuflow.accounts.models import Tenant, User
from docuflow.asl.variables import variable_references
from docuflow.engine import errors, services
from docuflow.engine.models import Execution, StateMachine
from docuflow.sfnapi import pagination, selectors
from docuflow.sfnapi import services as tagging
from docuflow.sfnapi.protocol import ApiError

# AWS holds an activity poll up to 60 s and asks workers for a 65 s socket timeout; boto3
# and the AWS CLI read with a 60 s timeout by default, and a poll that outlives its client
# would hand a task to nobody. Answering a little sooner keeps default clients safe.
ACTIVITY_WAIT_SECONDS = 55


@dataclass(frozen=True)
class Caller:
    user: User
    tenant: Tenant
    region: str


Operation = Callable[[Caller, dict], dict]
OPERATIONS: dict[str, Operation] = {}


def operation(func: Operation) -> Operation:
    name = "".join(part.title() for part in func.__name__.split("_"))
    OPERATIONS[name] = func
    return func


# --- Helpers ---------------------------------------------------------------------------------


def epoch(moment: datetime | None) -> float | None:
    return None if moment is None else round(moment.timestamp(), 3)


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _tags_in(items: list[dict] | None) -> dict[str, str]:
    tags = {}
    for index, item in enumerate(items or [], start=1):
        if item.get("key") is None:
            raise errors.ValidationException(
                f"1 validation error detected: Value null at 'tags.{index}.member.key' "
                "failed to satisfy constraint: Member must not be null"
            )
        tags[item["key"]] = item.get("value", "")
    return tags


def _tags_out(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in tags.items()]


def _check_role_arn(value: str) -> None:
    parts = value.split(":")
    if len(parts) < 6 or parts[0] != "arn" or not parts[2]:
        raise errors.InvalidArn(f"Invalid Arn: '{value}'")


def _check_unsupported(params: dict) -> None:
    if params.get("publish"):
        raise errors.ValidationException(
            "Publishing state machine versions is not supported by DocuFlow"
        )
    encryption = params.get("encryptionConfiguration")
    if encryption and encryption.get("type") != "AWS_OWNED_KEY":
        raise ApiError(
            "InvalidEncryptionConfiguration",
            "Only AWS_OWNED_KEY encryption is supported: DocuFlow has no KMS",
        )


def _check_logging(config: dict | None) -> dict | None:
    if config is None:
        return None
    level = config.get("level", "OFF")
    destinations = config.get("destinations") or []
    if level != "OFF" and len(destinations) != 1:
        raise errors.InvalidLoggingConfiguration(
            "Invalid Logging Configuration: Must specify exactly one Log Destination "
            "if logging level is not OFF."
        )
    if len(destinations) > 1:
        raise errors.InvalidLoggingConfiguration(
            "Invalid Logging Configuration: Must specify at most one Log Destination."
        )
    return {"level": level, "includeExecutionData": bool(config.get("includeExecutionData"))} | (
        {"destinations": destinations} if destinations else {}
    )


def _logging_out(machine: StateMachine) -> dict:
    return {"level": "OFF", "includeExecutionData": False, **(machine.logging_configuration or {})}


def _tracing_out(machine: StateMachine) -> dict:
    return {"enabled": False, **(machine.tracing_configuration or {})}


def _machine(caller: Caller, params: dict) -> StateMachine:
    return services.get_state_machine(caller.tenant, params["stateMachineArn"])


def _execution(caller: Caller, params: dict) -> Execution:
    return services.get_execution(caller.tenant, params["executionArn"])


def _includes_data(params: dict) -> bool:
    return params.get("includedData", "ALL_DATA") != "METADATA_ONLY"


# --- State machines --------------------------------------------------------------------------


@operation
def create_state_machine(caller: Caller, p: dict) -> dict:
    _check_unsupported(p)
    _check_role_arn(p["roleArn"])
    machine = services.create_state_machine(
        caller.tenant,
        p["name"],
        p["definition"],
        p["roleArn"],
        type=p.get("type", StateMachine.Type.STANDARD),
        region=caller.region,
        tags=_tags_in(p.get("tags")),
        logging_configuration=_check_logging(p.get("loggingConfiguration")),
        tracing_configuration=p.get("tracingConfiguration"),
    )
    return {"stateMachineArn": machine.arn, "creationDate": epoch(machine.created_at)}


@operation
def update_state_machine(caller: Caller, p: dict) -> dict:
    _check_unsupported(p)
    if "roleArn" in p:
        _check_role_arn(p["roleArn"])
    machine = _machine(caller, p)
    machine = services.update_state_machine(
        machine,
        definition=p.get("definition"),
        role_arn=p.get("roleArn"),
        logging_configuration=_check_logging(p.get("loggingConfiguration")),
        tracing_configuration=p.get("tracingConfiguration"),
    )
    return {"updateDate": epoch(machine.updated_at), "revisionId": str(machine.revision_id)}


@operation
def delete_state_machine(caller: Caller, p: dict) -> dict:
    try:
        machine = _machine(caller, p)
    except errors.StateMachineDoesNotExist:
        return {}  # AWS: deleting what is not there succeeds
    services.delete_state_machine(machine)
    return {}


@operation
def describe_state_machine(caller: Caller, p: dict) -> dict:
    machine = _machine(caller, p)
    return {
        "stateMachineArn": machine.arn,
        "name": machine.name,
        "status": "ACTIVE",
        "definition": machine.definition,
        "roleArn": machine.role_arn,
        "type": machine.type,
        "creationDate": epoch(machine.created_at),
        "loggingConfiguration": _logging_out(machine),
        "tracingConfiguration": _tracing_out(machine),
        "revisionId": str(machine.revision_id),
        **_variable_references(machine.definition),
    }


def _variable_references(definition: str) -> dict:
    """``variableReferences`` (state -> variables it reads), left out when there are none."""
    try:
        references = variable_references(json.loads(definition))
    except (ValueError, TypeError, AttributeError):
        return {}
    return {"variableReferences": references} if references else {}


@operation
def list_state_machines(caller: Caller, p: dict) -> dict:
    size = pagination.page_size(p)
    after = pagination.read_token("ListStateMachines", caller.tenant.pk, {}, p.get("nextToken"))
    query = selectors.state_machines(caller.tenant)
    if after is not None:
        query = query.filter(name__gt=after)
    rows = list(query[: size + 1])
    out: dict[str, Any] = {
        "stateMachines": [
            {
                "stateMachineArn": machine.arn,
                "name": machine.name,
                "type": machine.type,
                "creationDate": epoch(machine.created_at),
            }
            for machine in rows[:size]
        ]
    }
    if len(rows) > size:
        out["nextToken"] = pagination.make_token(
            "ListStateMachines", caller.tenant.pk, {}, rows[size - 1].name
        )
    return out


@operation
def validate_state_machine_definition(caller: Caller, p: dict) -> dict:
    diagnostics = services.check_definition(p["definition"])
    failed = any(d["severity"] == "ERROR" for d in diagnostics)
    if p.get("severity", "ERROR") == "ERROR":
        diagnostics = [d for d in diagnostics if d["severity"] == "ERROR"]
    limit = p.get("maxResults") or 100
    return {
        "result": "FAIL" if failed else "OK",
        "diagnostics": [_compact(d) for d in diagnostics[:limit]],
        "truncated": len(diagnostics) > limit,
    }


# --- Executions ------------------------------------------------------------------------------


@operation
def start_execution(caller: Caller, p: dict) -> dict:
    machine = services.get_state_machine_to_start(caller.tenant, p["stateMachineArn"])
    execution = services.start_execution(
        machine, p.get("input"), p.get("name"), trace_header=p.get("traceHeader", "")
    )
    return {"executionArn": execution.arn, "startDate": epoch(execution.start_date)}


@operation
def start_sync_execution(caller: Caller, p: dict) -> dict:
    machine = services.get_state_machine_to_start(caller.tenant, p["stateMachineArn"])
    timeout = getattr(settings, "DOCUFLOW_SFN_SYNC_TIMEOUT_SECONDS", 300)
    execution = services.start_sync_execution(
        machine, p.get("input"), p.get("name"), timeout=timeout
    )
    status = execution.status
    if status == Execution.Status.RUNNING:
        status = "TIMED_OUT"  # still running when the synchronous wait ended
    elif status == Execution.Status.ABORTED:
        status = "FAILED"
    data = _includes_data(p)
    return _compact(
        {
            "executionArn": execution.arn,
            "stateMachineArn": machine.arn,
            "name": execution.name,
            "startDate": epoch(execution.start_date),
            "stopDate": epoch(execution.stop_date or timezone.now()),
            "status": status,
            "error": execution.error,
            "cause": execution.cause,
            "input": execution.input if data else None,
            "inputDetails": {"included": data},
            "output": execution.output if data else None,
            "outputDetails": {"included": data} if execution.output is not None else None,
            "traceHeader": execution.trace_header or None,
            "billingDetails": {"billedMemoryUsedInMB": 0, "billedDurationInMilliseconds": 0},
        }
    )


@operation
def stop_execution(caller: Caller, p: dict) -> dict:
    execution = services.stop_execution(_execution(caller, p), p.get("error"), p.get("cause"))
    return {"stopDate": epoch(execution.stop_date or timezone.now())}


@operation
def describe_execution(caller: Caller, p: dict) -> dict:
    execution = _execution(caller, p)
    data = _includes_data(p)
    finished = execution.status != Execution.Status.RUNNING
    return _compact(
        {
            "executionArn": execution.arn,
            "stateMachineArn": execution.state_machine.arn,
            "name": execution.name,
            "status": execution.status,
            "startDate": epoch(execution.start_date),
            "stopDate": epoch(execution.stop_date),
            "input": execution.input if data else None,
            "inputDetails": {"included": data},
            "output": execution.output if data else None,
            "outputDetails": {"included": data} if execution.output is not None else None,
            "traceHeader": execution.trace_header or None,
            "error": execution.error,
            "cause": execution.cause,
            "redriveCount": 0,
            "redriveStatus": "NOT_REDRIVABLE",
            "redriveStatusReason": (
                "Redriving executions is not supported by DocuFlow"
                if finished
                else "Execution is RUNNING and cannot be redriven"
            ),
        }
    )


@operation
def list_executions(caller: Caller, p: dict) -> dict:
    if p.get("mapRunArn"):
        if p.get("stateMachineArn"):
            raise errors.ValidationException(
                "Only one of stateMachineArn and mapRunArn may be given"
            )
        raise errors.ResourceNotFound(f"Map Run Does Not Exist: '{p['mapRunArn']}'")
    if not p.get("stateMachineArn"):
        raise errors.ValidationException("Must provide a StateMachine ARN or a MapRun ARN")
    machine = _machine(caller, p)
    status = p.get("statusFilter")
    filters = {"machine": machine.arn, "status": status, "redrive": p.get("redriveFilter")}
    size = pagination.page_size(p)
    after = pagination.read_token("ListExecutions", caller.tenant.pk, filters, p.get("nextToken"))
    if status == "PENDING_REDRIVE" or p.get("redriveFilter") == "REDRIVEN":
        return {"executions": []}  # nothing is ever redriven here
    query = selectors.executions(machine, status)
    if after is not None:
        start = parse_datetime(after[0]) if isinstance(after, list) and len(after) == 2 else None
        if start is None:
            raise errors.InvalidToken("Invalid Token: the pagination token is not valid")
        query = query.filter(Q(start_date__lt=start) | Q(start_date=start, id__lt=after[1]))
    rows = list(query[: size + 1])
    out: dict[str, Any] = {
        "executions": [
            _compact(
                {
                    "executionArn": execution.arn,
                    "stateMachineArn": machine.arn,
                    "name": execution.name,
                    "status": execution.status,
                    "startDate": epoch(execution.start_date),
                    "stopDate": epoch(execution.stop_date),
                }
            )
            for execution in rows[:size]
        ]
    }
    if len(rows) > size:
        last = rows[size - 1]
        out["nextToken"] = pagination.make_token(
            "ListExecutions",
            caller.tenant.pk,
            filters,
            [last.start_date.isoformat(), str(last.pk)],
        )
    return out


# History details members that carry execution data (inputs, outputs, task parameters).
_DATA_MEMBERS = ("input", "inputDetails", "output", "outputDetails", "assignedVariables")


@operation
def get_execution_history(caller: Caller, p: dict) -> dict:
    execution = _execution(caller, p)
    reverse = bool(p.get("reverseOrder"))
    with_data = p.get("includeExecutionData", True)
    filters = {"execution": execution.arn, "reverse": reverse}
    size = pagination.page_size(p)
    after = pagination.read_token(
        "GetExecutionHistory", caller.tenant.pk, filters, p.get("nextToken")
    )
    query = selectors.history(execution)
    if after is not None:
        if not isinstance(after, int):
            raise errors.InvalidToken("Invalid Token: the pagination token is not valid")
        query = query.filter(event_id__lt=after) if reverse else query.filter(event_id__gt=after)
    query = query.order_by("-event_id" if reverse else "event_id")
    rows = list(query[: size + 1])
    events = []
    for row in rows[:size]:
        event: dict[str, Any] = {
            "timestamp": epoch(row.timestamp),
            "type": row.type,
            "id": row.event_id,
            "previousEventId": row.previous_event_id,
        }
        for key, details in (row.details or {}).items():
            if not with_data and isinstance(details, dict):
                details = {k: v for k, v in details.items() if k not in _DATA_MEMBERS}
            event[key] = details
        events.append(event)
    out: dict[str, Any] = {"events": events}
    if len(rows) > size:
        out["nextToken"] = pagination.make_token(
            "GetExecutionHistory", caller.tenant.pk, filters, rows[size - 1].event_id
        )
    return out


@operation
def describe_state_machine_for_execution(caller: Caller, p: dict) -> dict:
    execution = _execution(caller, p)
    machine = execution.state_machine
    revision = execution.revision
    return {
        "stateMachineArn": machine.arn,
        "name": machine.name,
        "definition": revision.definition,
        "roleArn": machine.role_arn,
        "updateDate": epoch(revision.created_at),
        "loggingConfiguration": _logging_out(machine),
        "tracingConfiguration": _tracing_out(machine),
        "revisionId": str(revision.pk),
        **_variable_references(revision.definition),
    }


# --- Callbacks -------------------------------------------------------------------------------


@operation
def send_task_success(caller: Caller, p: dict) -> dict:
    services.send_task_success(caller.tenant, p["taskToken"], p["output"])
    return {}


@operation
def send_task_failure(caller: Caller, p: dict) -> dict:
    services.send_task_failure(caller.tenant, p["taskToken"], p.get("error"), p.get("cause"))
    return {}


@operation
def send_task_heartbeat(caller: Caller, p: dict) -> dict:
    services.send_task_heartbeat(caller.tenant, p["taskToken"])
    return {}


# --- Activities ------------------------------------------------------------------------------


@operation
def create_activity(caller: Caller, p: dict) -> dict:
    _check_unsupported(p)
    activity = services.create_activity(
        caller.tenant, p["name"], region=caller.region, tags=_tags_in(p.get("tags"))
    )
    return {"activityArn": activity.arn, "creationDate": epoch(activity.created_at)}


@operation
def delete_activity(caller: Caller, p: dict) -> dict:
    try:
        activity = services.get_activity(caller.tenant, p["activityArn"])
    except errors.ActivityDoesNotExist:
        return {}
    services.delete_activity(activity)
    return {}


@operation
def describe_activity(caller: Caller, p: dict) -> dict:
    activity = services.get_activity(caller.tenant, p["activityArn"])
    return {
        "activityArn": activity.arn,
        "name": activity.name,
        "creationDate": epoch(activity.created_at),
    }


@operation
def list_activities(caller: Caller, p: dict) -> dict:
    size = pagination.page_size(p)
    after = pagination.read_token("ListActivities", caller.tenant.pk, {}, p.get("nextToken"))
    query = selectors.activities(caller.tenant)
    if after is not None:
        query = query.filter(name__gt=after)
    rows = list(query[: size + 1])
    out: dict[str, Any] = {
        "activities": [
            {
                "activityArn": activity.arn,
                "name": activity.name,
                "creationDate": epoch(activity.created_at),
            }
            for activity in rows[:size]
        ]
    }
    if len(rows) > size:
        out["nextToken"] = pagination.make_token(
            "ListActivities", caller.tenant.pk, {}, rows[size - 1].name
        )
    return out


@operation
def get_activity_task(caller: Caller, p: dict) -> dict:
    """Long poll: the view is synchronous and each claim is its own short transaction, so
    waiting holds no transaction and no lock (the ASGI server runs it in its own thread)."""
    activity = services.get_activity(caller.tenant, p["activityArn"])
    wait = getattr(settings, "DOCUFLOW_SFN_ACTIVITY_WAIT_SECONDS", ACTIVITY_WAIT_SECONDS)
    task = services.get_activity_task(activity, p.get("workerName", ""), wait_seconds=wait)
    if task is None:
        return {}
    return {"taskToken": task.token, "input": task.input if task.input is not None else "{}"}


# --- Tags ------------------------------------------------------------------------------------


@operation
def tag_resource(caller: Caller, p: dict) -> dict:
    tagging.tag_resource(caller.tenant, p["resourceArn"], _tags_in(p["tags"]))
    return {}


@operation
def untag_resource(caller: Caller, p: dict) -> dict:
    tagging.untag_resource(caller.tenant, p["resourceArn"], p["tagKeys"])
    return {}


@operation
def list_tags_for_resource(caller: Caller, p: dict) -> dict:
    return {"tags": _tags_out(tagging.list_tags(caller.tenant, p["resourceArn"]))}
