"""Webhook endpoints and their deliveries (the outbox)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from docuflow.accounts.models import Tenant


class EventType(models.TextChoices):
    DOCUMENT_STATUS_CHANGED = "document.status_changed"
    CERTIFICATION_STATUS_CHANGED = "certification.status_changed"


#: The ``subject`` of a ``StatusEvent`` → the event type receivers see.
EVENT_TYPE_OF_SUBJECT = {
    "document": EventType.DOCUMENT_STATUS_CHANGED.value,
    "certification": EventType.CERTIFICATION_STATUS_CHANGED.value,
}
PING = "ping"


class WebhookEndpoint(models.Model):
    """Where a tenant wants its status events sent.

    ``event_types`` and ``statuses`` filter the events (empty: all). The secret is
    sealed (``crypto``), not hashed: signing needs the secret itself.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True, default="")
    secret_sealed = models.CharField(max_length=300)
    # The first characters of the secret, to tell which one a receiver holds.
    secret_hint = models.CharField(max_length=20, blank=True, default="")
    event_types = models.JSONField(default=list, blank=True)
    statuses = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "active"])]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str, status: str) -> bool:
        return (not self.event_types or event_type in self.event_types) and (
            not self.statuses or status in self.statuses
        )


class WebhookDelivery(models.Model):
    """One event for one endpoint: written with the status change, sent after commit.

    A sender claims a due PENDING row by stamping a lease (``lease_owner``,
    ``lease_until``) and counting the attempt; the outcome is recorded only by the
    lease holder. A failed attempt sets ``next_attempt_at`` by the back-off schedule;
    after ``max_attempts`` the delivery is FAILED.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING"
        DELIVERED = "DELIVERED"
        FAILED = "FAILED"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=60)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=6)
    next_attempt_at = models.DateTimeField()
    lease_owner = models.CharField(max_length=100, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    last_response = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["endpoint", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint_id} ({self.status})"
