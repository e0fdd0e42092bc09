from __future__ import annotations

import uuid

from rest_framework import serializers

from docuflow.api.fields import DateOrDateTimeField
from docuflow.audit.models import AuditEntry


class AuditQuerySerializer(serializers.Serializer):
    object = serializers.CharField(required=False, help_text="type:id, e.g. document:<uuid>")
    actor = serializers.UUIDField(required=False)
    action = serializers.CharField(required=False, max_length=64)
    to = DateOrDateTimeField(required=False, end_of_day=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = DateOrDateTimeField(required=False)  # a keyword in Python
        return fields

    def validate_object(self, value: str):
        kind, sep, ident = value.partition(":")
        if not sep or not kind or not ident:
            raise serializers.ValidationError("Use type:id, for example document:<uuid>.")
        if kind == "document":
            try:
                ident = str(uuid.UUID(ident))
            except ValueError:
                raise serializers.ValidationError("A document id is a UUID.")
        return kind, ident

    def validate(self, attrs):
        start, end = attrs.get("from"), attrs.get("to")
        if start and end and start > end:
            raise serializers.ValidationError({"from": ["'from' is after 'to'."]})
        return attrs


class AuditEntrySerializer(serializers.ModelSerializer):
    object = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "created_at",
            "action",
            "object",
            "object_type",
            "object_id",
            "version",
            "actor",
            "actor_email",
            "ip",
            "details",
        ]

    def get_object(self, entry) -> str:
        return f"{entry.object_type}:{entry.object_id}"
