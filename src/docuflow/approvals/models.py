"""Human tasks, certification requests, e-mail links and the tenant's approval settings.

A ``HumanTask`` is one waiting approval (the shape of Camunda's tasklist: candidates,
assignee, due date). It holds the engine's task token as a foreign key: the token is a
capability, so no ``__str__``, log line or e-mail ever shows it.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from docuflow.accounts.models import Tenant


class ApprovalSettings(models.Model):
    """Per-tenant approval rules (one row per tenant, created on first use)."""

    tenant = models.OneToOneField(
        Tenant, on_delete=models.CASCADE, primary_key=True, related_name="approval_settings"
    )
    # A certification request costing more than this needs a second approval by an ADMIN.
    certification_cost_limit = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("1000.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    # A first-stage task not decided within this time escalates to the next role up.
    escalate_after_seconds = models.PositiveIntegerField(
        default=2 * 24 * 3600, validators=[MinValueValidator(60)]
    )
    # How long an approve/reject link in an e-mail works.
    link_lifetime_seconds = models.PositiveIntegerField(
        default=7 * 24 * 3600, validators=[MinValueValidator(60)]
    )
    # Documents whose extracted Total Amount exceeds this need a MANAGER after the
    # REVIEWER (multi-stage review).
    second_stage_amount = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("10000.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    # Parallel review: the named approvers (user ids) and how many of them must approve.
    parallel_approvers = models.JSONField(default=list, blank=True)
    parallel_required_approvals = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1)]
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "approval settings"

    def __str__(self) -> str:
        return f"approval settings of {self.tenant_id}"


class HumanTask(models.Model):
    class Status(models.TextChoices):
        PENDING = "PENDING"
        APPROVED = "APPROVED"
        REJECTED = "REJECTED"
        ESCALATED = "ESCALATED"  # timed out and handed to the next role up
        EXPIRED = "EXPIRED"  # timed out
        CANCELLED = "CANCELLED"  # the workflow stopped waiting (execution stopped)

    class Subject(models.TextChoices):
        DOCUMENT = "document"
        CERTIFICATION = "certification"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="human_tasks")
    subject_type = models.CharField(max_length=20, choices=Subject.choices)
    subject_id = models.CharField(max_length=64)
    execution = models.ForeignKey(
        "engine.Execution", on_delete=models.CASCADE, related_name="human_tasks"
    )
    state_name = models.CharField(max_length=80)
    # The engine's task id within the execution (what cancel hooks name).
    engine_task_id = models.CharField(max_length=64)
    task_token = models.OneToOneField(
        "engine.TaskToken", on_delete=models.CASCADE, related_name="human_task"
    )
    # sha256 of the handler's idempotency key: a re-run handler finds its task.
    idempotency_key = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=300)
    # What the approver needs to see: {"lines": [[label, value], ...]}.
    details = models.JSONField(default=dict, blank=True)
    stage = models.CharField(max_length=40, blank=True, default="")
    # False for a stage another one may follow: its approval does not yet decide the subject.
    final = models.BooleanField(default=True)
    # Parallel review: the task completes when this many candidates approved (or when
    # so many rejected that the rest cannot reach it). None: the first decision counts.
    required_approvals = models.PositiveSmallIntegerField(null=True, blank=True)
    candidate_roles = models.JSONField(default=list, blank=True)
    # The lowest candidate role ("" when only named users may decide): members of this
    # role or above may decide. Kept as a column so the inbox is one indexed query.
    min_role = models.CharField(max_length=20, blank=True, default="")
    candidate_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="candidate_tasks"
    )
    # Who may never decide it (the requester, an earlier stage's approver).
    excluded_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="excluded_tasks"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="requested_tasks",
    )  # fmt: skip
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assigned_tasks",
    )  # fmt: skip
    claimed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    escalate_after = models.PositiveIntegerField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    escalated_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="escalations"
    )
    decision = models.CharField(max_length=10, blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="decided_tasks",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, default="")
    reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at"]),
            models.Index(fields=["tenant", "subject_type", "subject_id"]),
            models.Index(fields=["execution", "engine_task_id"]),
        ]

    def __str__(self) -> str:  # never the token
        return (
            f"{self.subject_type}:{self.subject_id} {self.stage or self.state_name} {self.status}"
        )

    def __repr__(self) -> str:
        return f"<HumanTask {self.pk} {self}>"


class TaskVote(models.Model):
    """One approver's vote on a parallel task (``required_approvals`` set)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.ForeignKey(HumanTask, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10)
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["task", "voter"], name="one_vote_per_voter")]

    def __str__(self) -> str:
        return f"{self.decision} on task {self.task_id}"


class CertificationRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "PENDING"
        APPROVED = "APPROVED"
        REJECTED = "REJECTED"
        CANCELLED = "CANCELLED"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="certification_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certification_requests"
    )
    name = models.CharField(max_length=200)
    course = models.CharField(max_length=200)
    cost = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    request_date = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    execution = models.OneToOneField(
        "engine.Execution", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="certification_request",
    )  # fmt: skip
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-request_date", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-request_date"]),
            models.Index(fields=["tenant", "requester", "-request_date"]),
        ]

    def __str__(self) -> str:
        return f"certification {self.pk} {self.status}"


class ApprovalLink(models.Model):
    """The nonce behind one recipient's approve/reject links for one task (single use)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.ForeignKey(HumanTask, on_delete=models.CASCADE, related_name="links")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="approval_links"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "recipient"], name="one_link_per_recipient")
        ]

    def __str__(self) -> str:
        return f"link for task {self.task_id} to {self.recipient_id}"


class OutboundEmail(models.Model):
    """An e-mail to send, queued in the transaction of its cause and sent after commit.

    ``key`` makes queuing idempotent (handlers run at least once). The body is rendered
    when sending, from ``kind`` and ``context``: no link or secret is stored here.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    to_address = models.EmailField()
    subject_type = models.CharField(max_length=20)
    subject_id = models.CharField(max_length=64)
    context = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_address}"
