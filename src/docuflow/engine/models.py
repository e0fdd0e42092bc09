"""Durable state of the workflow engine.

An execution is a row holding the interpreter's JSON state; its history is an append-only
table; what it waits for is a ``TaskToken`` (a callback or activity) or a ``WorkItem``
(a handler to run or a timer to fire) with a due time. Nothing waits in memory.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from docuflow.accounts.models import Tenant


class StateMachine(models.Model):
    class Type(models.TextChoices):
        STANDARD = "STANDARD"
        EXPRESS = "EXPRESS"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="state_machines")
    name = models.CharField(max_length=80)
    arn = models.CharField(max_length=256, unique=True)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.STANDARD)
    role_arn = models.CharField(max_length=256, blank=True, default="")
    revision = models.ForeignKey(
        "StateMachineRevision", on_delete=models.PROTECT, related_name="+", null=True
    )
    logging_configuration = models.JSONField(default=dict, blank=True)
    tracing_configuration = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=dict, blank=True)
    description = models.CharField(max_length=256, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="state_machine_name_per_tenant")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.arn

    @property
    def definition(self) -> str:
        return self.revision.definition


class StateMachineRevision(models.Model):
    """A definition as it was: executions keep the revision they started with."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    state_machine = models.ForeignKey(
        StateMachine, on_delete=models.CASCADE, related_name="revisions"
    )
    definition = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)


class Execution(models.Model):
    class Status(models.TextChoices):
        RUNNING = "RUNNING"
        SUCCEEDED = "SUCCEEDED"
        FAILED = "FAILED"
        TIMED_OUT = "TIMED_OUT"
        ABORTED = "ABORTED"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="executions")
    state_machine = models.ForeignKey(
        StateMachine, on_delete=models.CASCADE, related_name="executions"
    )
    revision = models.ForeignKey(StateMachineRevision, on_delete=models.PROTECT, related_name="+")
    arn = models.CharField(max_length=512, unique=True)
    name = models.CharField(max_length=80)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    input = models.TextField(default="{}")
    output = models.TextField(null=True, blank=True)
    error = models.TextField(null=True, blank=True)
    cause = models.TextField(null=True, blank=True)
    start_date = models.DateTimeField(default=timezone.now)
    stop_date = models.DateTimeField(null=True, blank=True)
    # The interpreter's state (docuflow.asl.interpreter): all a paused execution is.
    state = models.JSONField(default=dict)
    # Name of the state the execution is in (for lists and the UI); "" when finished.
    current_state = models.CharField(max_length=80, blank=True, default="")
    trace_header = models.CharField(max_length=256, blank=True, default="")
    # Set once a task token exists, so ending an execution without any skips that cleanup.
    has_tokens = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["state_machine", "name"], name="execution_name_per_state_machine"
            )
        ]
        indexes = [
            models.Index(fields=["state_machine", "-start_date"]),
            models.Index(fields=["tenant", "status", "-start_date"]),
        ]
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return self.arn


class HistoryEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="events")
    event_id = models.PositiveIntegerField()
    previous_event_id = models.PositiveIntegerField(default=0)
    type = models.CharField(max_length=64)
    timestamp = models.DateTimeField()
    details = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["execution", "event_id"], name="event_id_per_execution")
        ]
        ordering = ["execution", "event_id"]


class Activity(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="activities")
    name = models.CharField(max_length=80)
    arn = models.CharField(max_length=256, unique=True)
    tags = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="activity_name_per_tenant")
        ]
        ordering = ["name"]


class TaskToken(models.Model):
    """A task waiting for an outside answer: a ``.waitForTaskToken`` callback or an activity.

    Created in the same transaction as the transition that scheduled the task, so a token
    is never handed out before it exists; closed exactly once.
    """

    class Status(models.TextChoices):
        OPEN = "OPEN"
        SUCCEEDED = "SUCCEEDED"
        FAILED = "FAILED"
        CLOSED = "CLOSED"  # timed out, execution ended, or superseded

    token = models.CharField(max_length=128, primary_key=True)
    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="tokens")
    task_id = models.CharField(max_length=64)
    state_name = models.CharField(max_length=80)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    # For activities: the input a worker receives, and who took it.
    input = models.TextField(null=True, blank=True)
    worker_name = models.CharField(max_length=80, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["activity", "status", "claimed_at", "created_at"]),
            models.Index(fields=["execution", "status"]),
        ]


class WorkItem(models.Model):
    """Work due at a time: run a task handler, or fire a timer. Claimed under a lease."""

    class Kind(models.TextChoices):
        INVOKE = "INVOKE"
        TIMER = "TIMER"

    id = models.BigAutoField(primary_key=True)
    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="work")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # task id (INVOKE) or timer id (TIMER), unique within the execution.
    key = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    due_at = models.DateTimeField(db_index=True)
    lease_owner = models.CharField(max_length=80, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["execution", "kind", "key"], name="work_key_per_execution")
        ]
        indexes = [models.Index(fields=["due_at", "lease_until"])]
