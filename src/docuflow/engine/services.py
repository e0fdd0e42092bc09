"""Engine operations: state machines, executions, callbacks, activities.

Every function takes the acting tenant and raises ``EngineError`` subclasses named as
AWS Step Functions names the same failures. The Step Functions API, the REST API and
other apps (documents, approvals) all call these.
"""

from __future__ import annotations

import functools
import json
import re
import time
import uuid
from typing import Any

from django.db import IntegrityError, connection, transaction

from docuflow.accounts.models import Tenant
from docuflow.asl import interpreter as asl
from docuflow.asl.validator import parse_json, validate
from docuflow.engine import arns, clock, errors, transitions
from docuflow.engine.models import (
    Activity,
    Execution,
    StateMachine,
    StateMachineRevision,
    TaskToken,
)
from docuflow.queries import one_or_none

MAX_PAYLOAD_BYTES = 262_144
MAX_TAGS = 50
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43,128}={0,2}$")


# --- Definitions -------------------------------------------------------------------------


def check_definition(definition: str) -> list[dict]:
    """Diagnostics of a definition (empty when valid), as ValidateStateMachineDefinition."""
    parsed, problems = parse_json(definition)
    if parsed is not None and not problems:
        problems = validate(parsed)
    return [problem.as_dict() for problem in problems]


def _require_valid(definition: str) -> None:
    if not isinstance(definition, str) or not definition.strip():
        raise errors.InvalidDefinition("Invalid State Machine Definition: the definition is empty")
    problems = check_definition(definition)
    if problems:
        listed = ", ".join(f"{p['code']}: {p['message']} at {p['location']}" for p in problems)
        raise errors.InvalidDefinition(f"Invalid State Machine Definition: '{listed}'")


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not arns.valid_name(name):
        raise errors.InvalidName(f"Invalid Name: '{name}'")


def _check_tags(tags: dict[str, str] | None) -> dict[str, str]:
    tags = dict(tags or {})
    if len(tags) > MAX_TAGS:
        raise errors.TooManyTags(f"A resource may have at most {MAX_TAGS} tags")
    return tags


# --- State machines ---------------------------------------------------------------------


def create_state_machine(
    tenant: Tenant,
    name: str,
    definition: str,
    role_arn: str = "",
    *,
    type: str = StateMachine.Type.STANDARD,
    region: str | None = None,
    tags: dict[str, str] | None = None,
    logging_configuration: dict | None = None,
    tracing_configuration: dict | None = None,
) -> StateMachine:
    _check_name(name)
    if type not in StateMachine.Type.values:
        raise errors.ValidationException(f"Invalid type: {type}")
    _require_valid(definition)
    tags = _check_tags(tags)
    region = region or arns.default_region()
    existing = (
        StateMachine.objects.filter(tenant=tenant, name=name).select_related("revision").first()
    )
    if existing is not None:
        # AWS: creating the same machine again is idempotent; a different one conflicts.
        if existing.definition == definition and existing.role_arn == (role_arn or ""):
            return existing
        raise errors.StateMachineAlreadyExists(f"State Machine Already Exists: '{existing.arn}'")
    now = clock.now()
    try:
        with transaction.atomic():
            machine = StateMachine.objects.create(
                tenant=tenant,
                name=name,
                arn=arns.state_machine(region, tenant.account_id, name),
                type=type,
                role_arn=role_arn or "",
                tags=tags,
                logging_configuration=logging_configuration or {},
                tracing_configuration=tracing_configuration or {},
                created_at=now,
                updated_at=now,
            )
            machine.revision = StateMachineRevision.objects.create(
                state_machine=machine, definition=definition, created_at=now
            )
            machine.save(update_fields=["revision"])
    except IntegrityError:
        raise errors.StateMachineAlreadyExists(f"State Machine Already Exists: '{name}'")
    return machine


def update_state_machine(
    machine: StateMachine,
    *,
    definition: str | None = None,
    role_arn: str | None = None,
    logging_configuration: dict | None = None,
    tracing_configuration: dict | None = None,
) -> StateMachine:
    """New executions use the new definition; running ones keep theirs."""
    if (
        definition is None
        and role_arn is None
        and logging_configuration is None
        and tracing_configuration is None
    ):
        raise errors.ValidationException(
            "Either the definition, the role ARN, the logging or tracing configuration must be given"
        )
    now = clock.now()
    with transaction.atomic():
        if definition is not None:
            _require_valid(definition)
            if definition != machine.definition:
                machine.revision = StateMachineRevision.objects.create(
                    state_machine=machine, definition=definition, created_at=now
                )
        if role_arn is not None:
            machine.role_arn = role_arn
        if logging_configuration is not None:
            machine.logging_configuration = logging_configuration
        if tracing_configuration is not None:
            machine.tracing_configuration = tracing_configuration
        machine.updated_at = now
        machine.save()
    return machine


def delete_state_machine(machine: StateMachine) -> None:
    """Stops the machine's running executions, then deletes it and its history."""
    for execution in machine.executions.filter(status=Execution.Status.RUNNING).only("id"):
        transitions.apply(execution.pk, asl.StopExecution(None, "The state machine was deleted"))
    with transaction.atomic():  # revisions are PROTECTed by the machine and its executions
        StateMachine.objects.filter(pk=machine.pk).update(revision=None)
        machine.executions.all().delete()
        machine.delete()


def get_state_machine(tenant: Tenant, arn: str) -> StateMachine:
    if (
        not isinstance(arn, str)
        or arns.parse(arn) is None
        or arns.parse(arn).kind != "stateMachine"
    ):
        raise errors.InvalidArn(f"Invalid Arn: '{arn}'")
    machine = (
        StateMachine.objects.select_related("revision", "tenant")
        .filter(tenant=tenant, arn=arn)
        .first()
    )
    if machine is None:
        raise errors.StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
    return machine


_START_FIELDS = ("id", "tenant_id", "name", "arn", "type", "role_arn", "revision_id")


@functools.cache
def _start_query(vendor: str) -> tuple[str, list]:
    """The SELECT behind ``get_state_machine_to_start``, and its fields, per database."""
    meta = StateMachine._meta
    fields = [meta.get_field(name.removesuffix("_id")) for name in _START_FIELDS]
    quote = connection.ops.quote_name
    # Only quoted identifiers from the model's metadata are spliced in; values are params.
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(meta.db_table)
    arn_column = quote(meta.get_field("arn").column)
    tenant_column = quote(meta.get_field("tenant").column)
    sql = f"SELECT {columns} FROM {table} WHERE {arn_column} = %s AND {tenant_column} = %s"  # noqa: S608
    return sql, fields


def get_state_machine_to_start(tenant: Tenant, arn: str) -> StateMachine:
    """What starting an execution needs of a machine: one indexed query, no joins.

    The current revision id is read from the machine's row on every call (nothing is
    cached across requests), so a start that follows a returned ``UpdateStateMachine``
    always uses the new definition, whichever process served the update. The other
    fields are deferred: they load on access, as with ``.only()``.
    """
    parsed = arns.parse(arn) if isinstance(arn, str) else None
    if parsed is None or parsed.kind != "stateMachine":
        raise errors.InvalidArn(f"Invalid Arn: '{arn}'")
    sql, fields = _start_query(connection.vendor)
    with connection.cursor() as cursor:  # plain SQL: the ORM's compiler costs ~30x more
        cursor.execute(sql, [arn, tenant.pk])
        row = cursor.fetchone()
    if row is None:
        raise errors.StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
    values = [
        field.target_field.to_python(value) if field.is_relation else field.to_python(value)
        for field, value in zip(fields, row, strict=True)
    ]
    machine = StateMachine.from_db(connection.alias, _START_FIELDS, values)
    machine.tenant = tenant
    return machine


# --- Executions ---------------------------------------------------------------------------


def _parse_input(raw: Any) -> tuple[str, Any]:
    if raw is None:
        return "{}", {}
    if not isinstance(raw, str):
        raise errors.InvalidExecutionInput("Invalid execution input: must be a JSON string")
    if len(raw.encode()) > MAX_PAYLOAD_BYTES:
        raise errors.InvalidExecutionInput(
            f"Invalid execution input: larger than {MAX_PAYLOAD_BYTES} bytes"
        )
    try:
        return raw, json.loads(raw)
    except ValueError as exc:
        raise errors.InvalidExecutionInput(f"Invalid execution input: {exc}")


def start_execution(
    machine: StateMachine,
    input: str | None = None,
    name: str | None = None,
    *,
    trace_header: str = "",
) -> Execution:
    """Create an execution and run it until it first waits, in one transaction."""
    name = name if name is not None else str(uuid.uuid4())
    _check_name(name)
    text, value = _parse_input(input)
    machine_arn = arns.parse(machine.arn)
    arn = arns.execution(machine_arn.region, machine_arn.account, machine.name, name)
    now = clock.now()
    execution = Execution(
        tenant_id=machine.tenant_id,
        state_machine=machine,
        revision_id=machine.revision_id,
        arn=arn,
        name=name,
        input=text,
        start_date=now,
        trace_header=trace_header or "",
    )
    start = asl.StartExecution(
        input=value,
        execution_arn=arn,
        execution_name=name,
        state_machine_arn=machine.arn,
        state_machine_name=machine.name,
        role_arn=machine.role_arn,
        start_time=now,
    )
    # No savepoint: a taken name does not raise inside (see transitions._persist), and
    # SAVEPOINT and RELEASE were two of a start's statements (round trips on PostgreSQL).
    with transaction.atomic(savepoint=False):
        started = transitions.begin(execution, start)
    if not started:
        # The name is taken (the unique constraint decides, race-free). AWS: starting the
        # same name with the same input while it runs is idempotent.
        existing = Execution.objects.filter(state_machine=machine, name=name).first()
        if existing and existing.status == Execution.Status.RUNNING and existing.input == text:
            return existing
        raise errors.ExecutionAlreadyExists(f"Execution Already Exists: '{arn}'")
    return execution


def start_sync_execution(
    machine: StateMachine,
    input: str | None = None,
    name: str | None = None,
    *,
    timeout: float = 300,
) -> Execution:
    """Start and wait for the end (for Express machines, as AWS allows)."""
    if machine.type != StateMachine.Type.EXPRESS:
        raise errors.StateMachineTypeNotSupported(
            "This operation is only supported by EXPRESS state machines"
        )
    execution = start_execution(machine, input, name)
    deadline = time.monotonic() + timeout
    while execution.status == Execution.Status.RUNNING and time.monotonic() < deadline:
        time.sleep(0.02)
        execution.refresh_from_db()
    return execution


def get_execution(tenant: Tenant, arn: str) -> Execution:
    parsed = arns.parse(arn) if isinstance(arn, str) else None
    if parsed is None or parsed.kind not in ("execution", "express"):
        raise errors.InvalidArn(f"Invalid Arn: '{arn}'")
    execution = (
        Execution.objects.select_related("state_machine", "revision")
        .filter(tenant=tenant, arn=arn)
        .first()
    )
    if execution is None:
        raise errors.ExecutionDoesNotExist(f"Execution Does Not Exist: '{arn}'")
    return execution


def stop_execution(
    execution: Execution, error: str | None = None, cause: str | None = None
) -> Execution:
    transitions.apply(execution.pk, asl.StopExecution(error, cause))
    execution.refresh_from_db()
    return execution


# --- Callbacks ---------------------------------------------------------------------------


def _open_token(tenant: Tenant, token: str) -> TaskToken:
    """Lock the token's row and its execution's, and check the token may still be
    answered (caller holds the transaction). ``row.execution`` is then the locked,
    current execution: callers apply their event to it without reading it again."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        raise errors.InvalidToken("Invalid Token: the task token is malformed")
    row = one_or_none(  # FOR UPDATE on a join locks the rows of both tables
        TaskToken.objects.select_for_update()
        .select_related("execution")
        .filter(token=token, execution__tenant=tenant)
    )
    if row is None:
        raise errors.TaskDoesNotExist("Task Does Not Exist: the task token is not known")
    if row.status != TaskToken.Status.OPEN or row.execution.status != Execution.Status.RUNNING:
        raise errors.TaskTimedOut("Task Timed Out: the task is closed")
    return row


def _answer(tenant: Tenant, token: str, event_for, status: str) -> TaskToken:
    with transaction.atomic():
        row = _open_token(tenant, token)
        # The conditional update is the race's referee: of many concurrent answers
        # with one token, exactly one changes the row from OPEN.
        won = TaskToken.objects.filter(token=token, status=TaskToken.Status.OPEN).update(
            status=status, closed_at=clock.now()
        )
        if not won:
            raise errors.TaskTimedOut("Task Timed Out: the task is closed")
        transitions.apply_locked(row.execution, event_for(row.task_id))
    return row


def send_task_success(tenant: Tenant, token: str, output: str) -> TaskToken:
    if not isinstance(output, str):
        raise errors.InvalidOutput("Invalid output: must be a JSON string")
    if len(output.encode()) > MAX_PAYLOAD_BYTES:
        raise errors.InvalidOutput(f"Invalid output: larger than {MAX_PAYLOAD_BYTES} bytes")
    try:
        value = json.loads(output)
    except ValueError as exc:
        raise errors.InvalidOutput(f"Invalid output: {exc}")
    return _answer(
        tenant, token, lambda task_id: asl.TaskSucceeded(task_id, value), TaskToken.Status.SUCCEEDED
    )


def send_task_failure(
    tenant: Tenant, token: str, error: str | None = None, cause: str | None = None
) -> TaskToken:
    return _answer(
        tenant,
        token,
        lambda task_id: asl.TaskFailed(task_id, error, cause),
        TaskToken.Status.FAILED,
    )


def send_task_heartbeat(tenant: Tenant, token: str) -> None:
    with transaction.atomic():
        row = _open_token(tenant, token)
        transitions.apply_locked(row.execution, asl.TaskHeartbeat(row.task_id))


# --- Activities --------------------------------------------------------------------------


def create_activity(
    tenant: Tenant, name: str, *, region: str | None = None, tags: dict | None = None
) -> Activity:
    _check_name(name)
    tags = _check_tags(tags)
    arn = arns.activity(region or arns.default_region(), tenant.account_id, name)
    activity, _ = Activity.objects.get_or_create(
        tenant=tenant, name=name, defaults={"arn": arn, "tags": tags, "created_at": clock.now()}
    )
    return activity


def get_activity(tenant: Tenant, arn: str) -> Activity:
    parsed = arns.parse(arn) if isinstance(arn, str) else None
    if parsed is None or parsed.kind != "activity":
        raise errors.InvalidArn(f"Invalid Arn: '{arn}'")
    activity = Activity.objects.filter(tenant=tenant, arn=arn).first()
    if activity is None:
        raise errors.ActivityDoesNotExist(f"Activity Does Not Exist: '{arn}'")
    return activity


def delete_activity(activity: Activity) -> None:
    activity.delete()


def claim_activity_task(activity: Activity, worker_name: str = "") -> TaskToken | None:
    """Hand the oldest waiting task of an activity to one worker (no waiting)."""
    waiting = TaskToken.objects.filter(
        activity=activity, status=TaskToken.Status.OPEN, claimed_at__isnull=True
    )
    if not waiting.exists():  # a read first: idle pollers never take the write lock
        return None
    with transaction.atomic():
        query = TaskToken.objects.filter(
            activity=activity, status=TaskToken.Status.OPEN, claimed_at__isnull=True
        ).order_by("created_at")
        if connection.features.has_select_for_update_skip_locked:
            query = query.select_for_update(skip_locked=True)
        row = query.first()
        if row is None:
            return None
        now = clock.now()
        claimed = TaskToken.objects.filter(token=row.token, claimed_at__isnull=True).update(
            claimed_at=now, worker_name=(worker_name or "")[:80]
        )
        if not claimed:
            return None
        execution = Execution.objects.select_for_update().get(pk=row.execution_id)
        transitions.apply_locked(execution, asl.TaskStarted(row.task_id, worker_name or None))
    return row


def get_activity_task(
    activity: Activity, worker_name: str = "", wait_seconds: float = 60
) -> TaskToken | None:
    """Long poll: wait up to ``wait_seconds`` for a task of this activity."""
    deadline = time.monotonic() + wait_seconds
    while True:
        row = claim_activity_task(activity, worker_name)
        if row is not None or time.monotonic() >= deadline:
            return row
        time.sleep(0.2)
