"""DynamoDB tables kept in DocuFlow's own database, one namespace per tenant."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from docuflow.accounts.models import Tenant
from docuflow.dynamo.operations import KeySchema


class DynamoTable(models.Model):
    class KeyType(models.TextChoices):
        S = "S", "String"
        N = "N", "Number"
        B = "B", "Binary"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="dynamo_tables")
    name = models.CharField(max_length=255)
    partition_key = models.CharField(max_length=255)
    partition_key_type = models.CharField(max_length=1, choices=KeyType.choices)
    sort_key = models.CharField(max_length=255, blank=True, default="")
    sort_key_type = models.CharField(max_length=1, choices=KeyType.choices, blank=True, default="")
    # True when the first putItem created the table and its key was inferred.
    inferred = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="dynamo_table_name_per_tenant")
        ]
        ordering = ["tenant", "name"]

    def __str__(self) -> str:
        return f"{self.tenant_id}/{self.name}"

    @property
    def schema(self) -> KeySchema:
        return KeySchema(
            self.partition_key, self.partition_key_type, self.sort_key, self.sort_key_type
        )


class DynamoItem(models.Model):
    id = models.BigAutoField(primary_key=True)
    table = models.ForeignKey(DynamoTable, on_delete=models.CASCADE, related_name="items")
    # The key attributes' canonical JSON; unique through its digest, because a key may be
    # longer (2 KB partition + 1 KB sort key, base64 for binaries) than an index entry.
    key = models.TextField()
    key_hash = models.CharField(max_length=64)
    item = models.JSONField()  # the whole item in typed form, {"name": {"S": "…"}, …}
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["table", "key_hash"], name="dynamo_item_key_per_table")
        ]
        ordering = ["table", "key"]


class AppliedWrite(models.Model):
    """A write done for one task attempt, kept so a re-run attempt does not repeat it.

    The engine runs handlers at least once; a worker that dies after the write but before
    recording the task's result runs it again with the same idempotency key.
    """

    key = models.CharField(max_length=64, primary_key=True)  # sha256 of the idempotency key
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
