"""``/api/v1/analytics/summary/`` and ``/api/v1/analytics/timeline/`` (MANAGER, ADMIN)."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from docuflow.accounts.permissions import CanManage
from docuflow.analytics import selectors
from docuflow.api.fields import DateOrDateTimeField

DEFAULT_WINDOW = timedelta(days=30)
MAX_BUCKETS = 5000


class WindowSerializer(serializers.Serializer):
    to = DateOrDateTimeField(required=False, end_of_day=True)
    bucket = serializers.ChoiceField(choices=["hour", "day", "week"], default="day")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = DateOrDateTimeField(required=False)
        return fields

    def validate(self, attrs):
        end = attrs.get("to") or timezone.now()
        start = attrs.get("from") or end - DEFAULT_WINDOW
        if start > end:
            raise serializers.ValidationError({"from": ["Must not be after 'to'."]})
        step = selectors.BUCKETS[attrs["bucket"]][1]
        if (end - start) / step > MAX_BUCKETS:
            raise serializers.ValidationError(
                {
                    "bucket": [
                        f"Too many buckets: choose a wider bucket or a window under {MAX_BUCKETS}."
                    ]
                }
            )
        return {"start": start, "end": end, "bucket": attrs["bucket"]}


WINDOW_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATETIME, description="ISO 8601 date or date-time"),
    OpenApiParameter("to", OpenApiTypes.DATETIME, description="ISO 8601 date or date-time"),
]


def _window(request) -> dict:
    query = WindowSerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class SummaryView(APIView):
    permission_classes = [CanManage]

    @extend_schema(parameters=WINDOW_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        window = _window(request)
        return Response(selectors.summary(request.user.tenant_id, window["start"], window["end"]))


class TimelineView(APIView):
    permission_classes = [CanManage]

    @extend_schema(
        parameters=[
            *WINDOW_PARAMETERS,
            OpenApiParameter("bucket", str, enum=["hour", "day", "week"]),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        window = _window(request)
        rows = selectors.timeline(
            request.user.tenant_id, window["start"], window["end"], window["bucket"]
        )
        return Response(rows)
