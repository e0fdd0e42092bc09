"""What the processing stage stores: each extraction's full result, and tenant rules."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from docuflow.accounts.models import Tenant


class DocumentExtraction(models.Model):
    """One run of extraction (and, when it got that far, validation) on one version.

    ``result`` is ``Extraction.to_dict()`` (words, lines, tables, key-values with boxes),
    empty when extraction failed; ``failure_reason`` is ``{code, message}`` then.
    """

    class Status(models.TextChoices):
        SUCCEEDED = "SUCCEEDED", "Succeeded"
        FAILED = "FAILED", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="extractions"
    )
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices)
    document_type = models.CharField(max_length=50)
    content_type = models.CharField(max_length=127, blank=True, default="")
    result = models.JSONField(default=dict, blank=True)
    page_count = models.PositiveIntegerField(default=0)
    confidence = models.FloatField(null=True, blank=True)
    methods = models.JSONField(default=list, blank=True)  # the method of each page, in order
    failure_reason = models.JSONField(null=True, blank=True)
    validation = models.JSONField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    # The task attempt that produced it: a handler run twice for one attempt writes once.
    idempotency_key = models.CharField(max_length=700, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["document", "version", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.version} {self.status}"


class ExtractionRuleSet(models.Model):
    """A tenant's rules for one document type, merged over the shipped defaults.

    ``rules`` is a document-type definition (``{required, fields, titles}``, see
    ``docuflow.extraction.rules``), ``settings`` the reading settings for that type
    (``date_order``, ``default_currency``), and ``confidence_threshold`` the validation
    threshold for the type (None: the default, 75).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="extraction_rules")
    document_type = models.CharField(max_length=50)
    rules = models.JSONField(default=dict, blank=True)
    settings = models.JSONField(default=dict, blank=True)
    confidence_threshold = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "document_type"], name="one_rule_set_per_tenant_and_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.document_type}"
