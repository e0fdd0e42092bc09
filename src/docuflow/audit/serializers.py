from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from docuflow.audit.models import AuditEntry


@extend_schema_field(OpenApiTypes.STR)
class DateOrDateTimeField(serializers.Field):
    """An ISO 8601 date or date-time. A bare date means the start of that UTC day, or
    with ``end_of_day`` its last instant, so ``to=2024-02-29`` includes the whole day."""

    default_error_messages = {"invalid": "Use an ISO 8601 date (2024-02-01) or date-time."}

    def __init__(self, *, end_of_day: bool = False, **kwargs) -> None:
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = str(data).strip()
        try:
            # A bare date first: parse_datetime would read it as midnight.
            day = parse_date(text)
            moment = None if day is not None else parse_datetime(text.replace(" ", "+"))
        except ValueError:
            self.fail("invalid")
        if moment is None and day is None:
            self.fail("invalid")
        if moment is None:
            time = dt.time.max if self.end_of_day else dt.time.min
            moment = dt.datetime.combine(day, time)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, dt.UTC)
        return moment

    def to_representation(self, value):
        return value.isoformat()


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
