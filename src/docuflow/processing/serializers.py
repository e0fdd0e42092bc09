from __future__ import annotations

from rest_framework import serializers

from docuflow.processing.models import DocumentExtraction, ExtractionRuleSet


def _words(compact: list) -> list[dict]:
    """``[id, text, page, left, top, width, height, confidence]`` rows as objects."""
    return [
        {"id": w[0], "text": w[1], "page": w[2], "bbox": w[3:7], "confidence": w[7]}
        for w in compact
    ]


class ExtractionSerializer(serializers.ModelSerializer):
    """The full result for the review screen.

    Boxes are ``[left, top, width, height]`` as fractions of the page (0..1, origin top
    left, as Textract's ``BoundingBox``); confidences are 0..100.
    """

    document_id = serializers.UUIDField(read_only=True)
    pages = serializers.SerializerMethodField()
    key_values = serializers.SerializerMethodField()
    tables = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()
    words = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = DocumentExtraction
        fields = [
            "id",
            "document_id",
            "version",
            "status",
            "document_type",
            "content_type",
            "page_count",
            "confidence",
            "methods",
            "failure_reason",
            "validation",
            "key_values",
            "pages",
            "tables",
            "lines",
            "words",
            "warnings",
            "duration_ms",
            "created_at",
        ]
        read_only_fields = fields

    def get_pages(self, obj) -> list[dict]:
        return obj.result.get("pages", [])

    def get_key_values(self, obj) -> dict:
        return obj.result.get("key_values", {})

    def get_tables(self, obj) -> list[dict]:
        return obj.result.get("tables", [])

    def get_lines(self, obj) -> list[dict]:
        return obj.result.get("lines", [])

    def get_words(self, obj) -> list[dict]:
        return _words(obj.result.get("words", []))

    def get_warnings(self, obj) -> list[str]:
        return obj.result.get("warnings", [])


class RuleSetSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExtractionRuleSet
        fields = [
            "id",
            "document_type",
            "confidence_threshold",
            "settings",
            "rules",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class _AnyJSON(serializers.JSONField):
    """A JSON value whose shape the service checks (so every problem is listed at once)."""


class RuleSetInputSerializer(serializers.Serializer):
    document_type = serializers.CharField(max_length=50)
    confidence_threshold = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=100
    )
    settings = _AnyJSON(required=False)
    rules = _AnyJSON(required=False)


class RuleSetQuerySerializer(serializers.Serializer):
    document_type = serializers.CharField(required=False, max_length=50)


class EffectiveQuerySerializer(serializers.Serializer):
    document_type = serializers.CharField(max_length=50)


class EffectiveRulesSerializer(serializers.Serializer):
    document_type = serializers.CharField()
    customized = serializers.BooleanField()
    known_type = serializers.BooleanField()
    confidence_threshold = serializers.FloatField()
    settings = serializers.JSONField()
    rules = serializers.JSONField()
