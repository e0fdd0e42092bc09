"""Documents, their versions, who may see them, and which workflow each type starts.

A document row is public metadata; its content lives in the storage backend under
``tenants/<tenant>/documents/<id>/v<n>``, one blob per ``DocumentVersion``. A document
created without content yet has ``version`` 0 and ``file_size`` 0.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from docuflow.accounts.models import Tenant
from docuflow.accounts.roles import Role


class Document(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "UPLOADED", "Uploaded"
        EXTRACTING = "EXTRACTING", "Extracting"
        VALIDATING = "VALIDATING", "Validating"
        PENDING_APPROVAL = "PENDING_APPROVAL", "Pending Approval"
        APPROVED = "APPROVED", "Approved"
        REJECTED = "REJECTED", "Rejected"
        ARCHIVED = "ARCHIVED", "Archived"
        EXTRACTION_FAILED = "EXTRACTION_FAILED", "Extraction Failed"
        VALIDATION_FAILED = "VALIDATION_FAILED", "Validation Failed"

    class DocumentType(models.TextChoices):
        INVOICE = "INVOICE", "Invoice"
        CONTRACT = "CONTRACT", "Contract"
        REPORT = "REPORT", "Report"
        FORM = "FORM", "Form"
        RECEIPT = "RECEIPT", "Receipt"
        GENERIC = "GENERIC", "Generic"

    class Visibility(models.TextChoices):
        TENANT = "TENANT", "Every member of the tenant"
        RESTRICTED = "RESTRICTED", "Only the allowed roles and users"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=255)
    document_type = models.CharField(
        max_length=30, choices=DocumentType.choices, default=DocumentType.GENERIC
    )
    status = models.CharField(
        max_length=30, choices=Status.choices, default=Status.UPLOADED, db_index=True
    )
    # Current content: a copy of the newest DocumentVersion's facts (0 / "" before any).
    version = models.PositiveIntegerField(default=0)
    # The number the next upload will take (reserved before its blob is written).
    next_version = models.PositiveIntegerField(default=1, editable=False)
    filename = models.CharField(max_length=255, blank=True, default="")
    content_type = models.CharField(max_length=127, blank=True, default="")
    file_size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    extracted_data = models.JSONField(default=dict, blank=True)
    workflow_arn = models.CharField(max_length=2048, blank=True, default="")
    visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.TENANT
    )
    allowed_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="granted_documents"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="uploaded_documents",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_documents",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_notes = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["tenant", "status"]),
            models.Index(fields=["tenant", "document_type"]),
            models.Index(fields=["tenant", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    @property
    def tenant_slug(self) -> str:
        return self.tenant_id

    @property
    def has_content(self) -> bool:
        return self.version > 0

    @property
    def allowed_roles(self) -> list[str]:
        return sorted(grant.role for grant in self.role_grants.all())


class DocumentRoleGrant(models.Model):
    """A role that may see a RESTRICTED document (a table, so SQLite can filter on it)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "role"], name="one_grant_per_role")
        ]


class DocumentVersion(models.Model):
    """One upload of content. Immutable once written."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    storage_key = models.CharField(max_length=512)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # SHA-256 of each CHUNK-sized block, so any byte range can be verified before it is sent.
    block_size = models.PositiveIntegerField()
    block_hashes = models.JSONField(default=list)
    content_type = models.CharField(max_length=127)
    filename = models.CharField(max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="version_number_per_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class DocumentWorkflow(models.Model):
    """Which state machine a tenant's documents of a type start (type empty: every type)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="document_workflows")
    document_type = models.CharField(
        max_length=30, choices=Document.DocumentType.choices, null=True, blank=True
    )
    state_machine = models.ForeignKey(
        "engine.StateMachine", on_delete=models.CASCADE, related_name="document_bindings"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "document_type"], name="one_workflow_per_tenant_and_type"
            ),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(document_type__isnull=True),
                name="one_default_workflow_per_tenant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.document_type or '*'} -> {self.state_machine_id}"
