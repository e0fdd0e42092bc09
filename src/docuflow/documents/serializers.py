from __future__ import annotations

import copy

from rest_framework import serializers

from docuflow.accounts.roles import Role
from docuflow.api.fields import DateOrDateTimeField
from docuflow.documents import conf
from docuflow.documents.models import Document, DocumentVersion

ORDERINGS = ["created_at", "-created_at", "title", "-title"]


class DocumentSerializer(serializers.ModelSerializer):
    """The seed's document fields plus the vault's own (file, hash, version, access)."""

    uploaded_by = serializers.UUIDField(source="uploaded_by_id", read_only=True)
    reviewed_by = serializers.UUIDField(source="reviewed_by_id", read_only=True)
    tenant_id = serializers.CharField(read_only=True)
    allowed_roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    allowed_users = serializers.SerializerMethodField()
    upload_url = serializers.SerializerMethodField()
    failure_reason = serializers.SerializerMethodField(
        help_text="{code, message} when extraction failed, else null"
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "tenant_id",
            "title",
            "document_type",
            "status",
            "file_size",
            "filename",
            "content_type",
            "sha256",
            "version",
            "extracted_data",
            "workflow_arn",
            "visibility",
            "allowed_roles",
            "allowed_users",
            "uploaded_by",
            "reviewed_by",
            "reviewed_at",
            "review_notes",
            "created_at",
            "updated_at",
            "upload_url",
            "failure_reason",
        ]
        read_only_fields = fields

    def get_fields(self):
        # ModelSerializer builds the fields from the model for every instance (~1.4 ms
        # here, twice per uploaded document): built once per class, copied per instance
        # (as DRF copies declared fields), the same fields at half the cost.
        cls = type(self)
        if "_model_fields" not in cls.__dict__:
            cls._model_fields = super().get_fields()
        return copy.deepcopy(cls._model_fields)

    def get_failure_reason(self, doc) -> dict | None:
        data = doc.extracted_data if isinstance(doc.extracted_data, dict) else {}
        return data.get("failure_reason")

    def get_allowed_users(self, doc) -> list[str]:
        return sorted(str(user.pk) for user in doc.allowed_users.all())

    def get_upload_url(self, doc) -> str | None:
        # Only in answers about one document (create, detail): a list never mints URLs.
        return self.context.get("upload_urls", {}).get(doc.pk)


class AccessFields(serializers.Serializer):
    visibility = serializers.ChoiceField(choices=Document.Visibility.choices, required=False)
    allowed_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False, max_length=4
    )
    allowed_users = serializers.ListField(
        child=serializers.UUIDField(), required=False, max_length=1000
    )


class DocumentCreateSerializer(AccessFields):
    title = serializers.CharField(max_length=255, required=True)
    document_type = serializers.ChoiceField(
        choices=Document.DocumentType.choices, default=Document.DocumentType.GENERIC
    )


class DocumentUploadSerializer(AccessFields):
    """Multipart ``POST /documents/``: ``file`` plus optional metadata fields."""

    file = serializers.FileField(required=True)
    title = serializers.CharField(max_length=255, required=False)
    document_type = serializers.ChoiceField(
        choices=Document.DocumentType.choices, default=Document.DocumentType.GENERIC
    )

    def to_internal_value(self, data):
        # Lists in a form arrive as repeated fields; QueryDict.getlist keeps them all.
        if hasattr(data, "getlist"):
            plain = {key: data.get(key) for key in data}
            for key in ("allowed_roles", "allowed_users"):
                if key in data:
                    plain[key] = [
                        item for value in data.getlist(key) for item in value.split(",") if item
                    ]
            data = plain
        return super().to_internal_value(data)


class DocumentUpdateSerializer(AccessFields):
    title = serializers.CharField(max_length=255, required=False)
    document_type = serializers.ChoiceField(choices=Document.DocumentType.choices, required=False)


class DocumentQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Document.Status.choices, required=False)
    document_type = serializers.ChoiceField(choices=Document.DocumentType.choices, required=False)
    search = serializers.CharField(required=False, max_length=255)
    ordering = serializers.ChoiceField(choices=ORDERINGS, required=False, default="-created_at")
    created_after = DateOrDateTimeField(required=False)
    created_before = DateOrDateTimeField(required=False, end_of_day=True)


class DownloadUrlQuerySerializer(serializers.Serializer):
    expires_in = serializers.IntegerField(
        required=False,
        default=conf.DOWNLOAD_URL_DEFAULT_EXPIRES,
        min_value=1,
        max_value=conf.DOWNLOAD_URL_MAX_EXPIRES,
    )


class DownloadUrlSerializer(serializers.Serializer):
    url = serializers.URLField()
    expires_at = serializers.DateTimeField()
    expires_in = serializers.IntegerField()


class DocumentVersionSerializer(serializers.ModelSerializer):
    created_by = serializers.UUIDField(source="created_by_id", read_only=True)

    class Meta:
        model = DocumentVersion
        fields = [
            "number",
            "storage_key",
            "filename",
            "content_type",
            "size",
            "sha256",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields
