"""Document analytics, computed by the database (the same on SQLite and PostgreSQL).

Counting rules (README "Analytics"): a document counts in the window it was uploaded
in; in the timeline, approvals and rejections count when they were decided
(``reviewed_at``) and failures when they happened (``updated_at``). ARCHIVED documents
were approved, so they count as approved.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, FloatField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncDay, TruncHour, TruncWeek

from docuflow.documents.models import Document
from docuflow.engine.models import Execution

APPROVED = (Document.Status.APPROVED, Document.Status.ARCHIVED)
REJECTED = (Document.Status.REJECTED,)
FAILED = (Document.Status.EXTRACTION_FAILED, Document.Status.VALIDATION_FAILED)
BUCKETS = {"hour": (TruncHour, timedelta(hours=1)), "day": (TruncDay, timedelta(days=1)),
           "week": (TruncWeek, timedelta(weeks=1))}  # fmt: skip


def _documents(tenant_id: str):
    return Document.objects.filter(tenant_id=tenant_id)


def summary(tenant_id: str, start: datetime, end: datetime) -> dict:
    documents = _documents(tenant_id).filter(created_at__gte=start, created_at__lte=end)
    by_status = dict(
        documents.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    by_type = dict(
        documents.values_list("document_type")
        .annotate(n=Count("pk"))
        .values_list("document_type", "n")
    )
    confidence = documents.aggregate(
        value=Avg(Cast(KeyTextTransform("confidence", "extracted_data"), FloatField()))
    )["value"]
    duration = Execution.objects.filter(
        tenant_id=tenant_id,
        arn__in=documents.exclude(workflow_arn="").values("workflow_arn"),
        stop_date__isnull=False,
    ).aggregate(
        value=Avg(ExpressionWrapper(F("stop_date") - F("start_date"), output_field=DurationField()))
    )["value"]
    approved = sum(by_status.get(status, 0) for status in APPROVED)
    decided = approved + sum(by_status.get(status, 0) for status in REJECTED)
    return {
        "tenant_id": tenant_id,
        "period_from": start,
        "period_to": end,
        "total_documents": sum(by_status.values()),
        "by_status": by_status,
        "by_type": by_type,
        "avg_extraction_confidence": round(confidence, 1) if confidence is not None else None,
        "avg_workflow_duration_hours": (
            round(duration.total_seconds() / 3600, 2) if duration is not None else None
        ),
        "approval_rate_pct": round(100 * approved / decided, 1) if decided else None,
    }


def _counts(query, field: str, trunc) -> dict[datetime, int]:
    rows = (
        query.annotate(bucket=trunc(field))
        .values("bucket")
        .annotate(n=Count("pk"))
        .values_list("bucket", "n")
    )
    return dict(rows)


def timeline(tenant_id: str, start: datetime, end: datetime, bucket: str) -> list[dict]:
    trunc, step = BUCKETS[bucket]
    documents = _documents(tenant_id)
    series = {
        "uploaded": _counts(
            documents.filter(created_at__gte=start, created_at__lte=end), "created_at", trunc
        ),
        "approved": _counts(
            documents.filter(status__in=APPROVED, reviewed_at__gte=start, reviewed_at__lte=end),
            "reviewed_at",
            trunc,
        ),
        "rejected": _counts(
            documents.filter(status__in=REJECTED, reviewed_at__gte=start, reviewed_at__lte=end),
            "reviewed_at",
            trunc,
        ),
        "failed": _counts(
            documents.filter(status__in=FAILED, updated_at__gte=start, updated_at__lte=end),
            "updated_at",
            trunc,
        ),
    }
    first = _truncate(start, bucket)
    rows = []
    moment = first
    while moment <= end:
        rows.append(
            {
                "bucket": _label(moment, bucket),
                **{name: counts.get(moment, 0) for name, counts in series.items()},
            }
        )
        moment += step
    return rows


def _truncate(moment: datetime, bucket: str) -> datetime:
    moment = moment.replace(minute=0, second=0, microsecond=0)
    if bucket == "hour":
        return moment
    moment = moment.replace(hour=0)
    if bucket == "week":
        moment -= timedelta(days=moment.weekday())  # weeks start on Monday, as TruncWeek
    return moment


def _label(moment: datetime, bucket: str) -> str:
    if bucket == "hour":
        return moment.strftime("%Y-%m-%dT%H:00:00Z")
    return moment.date().isoformat()
