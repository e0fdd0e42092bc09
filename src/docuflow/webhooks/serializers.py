from __future__ import annotations

from rest_framework import serializers

from docuflow.approvals.models import CertificationRequest
from docuflow.documents.models import Document
from docuflow.webhooks.models import EventType, WebhookDelivery, WebhookEndpoint

KNOWN_STATUSES = sorted(set(Document.Status.values) | set(CertificationRequest.Status.values))


class WebhookInputSerializer(serializers.Serializer):
    url = serializers.CharField(
        max_length=2000,
        trim_whitespace=False,
        help_text="http or https. In production mode private and loopback addresses are "
        "refused unless DOCUFLOW_WEBHOOK_ALLOWLIST names them.",
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        required=False,
        max_length=len(EventType.choices),
        help_text="Only these event types (empty: all).",
    )
    statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=KNOWN_STATUSES),
        required=False,
        max_length=len(KNOWN_STATUSES),
        help_text="Only events whose new status is one of these (empty: all).",
    )
    active = serializers.BooleanField(required=False)


class WebhookSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "statuses",
            "active",
            "secret_hint",
            "created_by",
            "created_at",
            "updated_at",
            "secret_rotated_at",
        ]
        read_only_fields = fields


class WebhookWithSecretSerializer(WebhookSerializer):
    secret = serializers.SerializerMethodField(
        help_text="The signing secret. It is shown only in this answer."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields

    def get_secret(self, obj) -> str:
        return self.context["secret"]


class DeliveryQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices, required=False)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "payload",
            "status",
            "attempts",
            "max_attempts",
            "next_attempt_at",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "last_response",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields
