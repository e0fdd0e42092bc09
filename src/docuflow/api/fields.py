"""Serializer fields shared by the API's query parameters."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


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
