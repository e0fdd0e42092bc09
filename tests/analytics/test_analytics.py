"""Analytics: summary and timeline by database aggregation, scoped to the tenant."""

from datetime import UTC, datetime, timedelta

import pytest

from docuflow.documents.models import Document
from docuflow.engine import services as engine

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/analytics/summary/"
TIMELINE = "/api/v1/analytics/timeline/"
FEB = datetime(2024, 2, 1, tzinfo=UTC)


def doc(tenant, status, *, day=0, kind="INVOICE", confidence=None, reviewed_day=None, **extra):
    document = Document.objects.create(
        tenant=tenant,
        title=f"{status} {day}",
        document_type=kind,
        status=status,
        created_at=FEB + timedelta(days=day, hours=10),
        extracted_data={"confidence": confidence} if confidence is not None else {},
        reviewed_at=FEB + timedelta(days=reviewed_day, hours=15)
        if reviewed_day is not None
        else None,
        **extra,
    )
    Document.objects.filter(pk=document.pk).update(updated_at=FEB + timedelta(days=day, hours=11))
    return document


@pytest.fixture
def documents(tenant, other_tenant):
    doc(tenant, "APPROVED", day=0, confidence=90.0, reviewed_day=0)
    doc(tenant, "ARCHIVED", day=0, kind="CONTRACT", confidence=80.0, reviewed_day=1)
    doc(tenant, "REJECTED", day=1, confidence=70.0, reviewed_day=1)
    doc(tenant, "VALIDATION_FAILED", day=2, kind="FORM")
    doc(tenant, "PENDING_APPROVAL", day=2)
    doc(tenant, "APPROVED", day=40)  # outside February
    doc(other_tenant, "APPROVED", day=0, confidence=10.0, reviewed_day=0)


def test_summary_counts_and_rates(api, users, documents):
    response = api(users["MANAGER"]).get(SUMMARY, {"from": "2024-02-01", "to": "2024-02-29"})
    assert response.status_code == 200
    body = response.json()
    assert body["tenant_id"] == "acme-corp"
    assert body["total_documents"] == 5
    assert body["by_status"] == {
        "APPROVED": 1, "ARCHIVED": 1, "REJECTED": 1, "VALIDATION_FAILED": 1, "PENDING_APPROVAL": 1
    }  # fmt: skip
    assert body["by_type"] == {"INVOICE": 3, "CONTRACT": 1, "FORM": 1}
    assert body["avg_extraction_confidence"] == 80.0
    assert body["approval_rate_pct"] == 66.7  # 2 approved (one archived) of 3 decided
    assert body["period_from"].startswith("2024-02-01T00:00:00")
    assert body["period_to"].startswith("2024-02-29T23:59:59")


def test_workflow_duration_averages_finished_executions(api, users, tenant):
    machine = engine.create_state_machine(
        tenant, "quick", '{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}', ""
    )
    for hours in (2, 4):
        execution = engine.start_execution(machine, "{}")
        execution.start_date = FEB
        execution.stop_date = FEB + timedelta(hours=hours)
        execution.save()
        doc(tenant, "APPROVED", workflow_arn=execution.arn)
    body = api(users["ADMIN"]).get(SUMMARY, {"from": "2024-02-01", "to": "2024-02-29"}).json()
    assert body["avg_workflow_duration_hours"] == 3.0


def test_empty_window_has_no_averages(api, users, documents):
    body = api(users["ADMIN"]).get(SUMMARY, {"from": "2030-01-01", "to": "2030-01-31"}).json()
    assert body["total_documents"] == 0
    assert body["avg_extraction_confidence"] is None
    assert body["approval_rate_pct"] is None


def test_timeline_by_day_fills_every_bucket(api, users, documents):
    rows = (
        api(users["MANAGER"])
        .get(TIMELINE, {"from": "2024-02-01", "to": "2024-02-04", "bucket": "day"})
        .json()
    )
    assert [row["bucket"] for row in rows] == [
        "2024-02-01",
        "2024-02-02",
        "2024-02-03",
        "2024-02-04",
    ]
    assert rows[0] == {
        "bucket": "2024-02-01",
        "uploaded": 2,
        "approved": 1,
        "rejected": 0,
        "failed": 0,
    }
    assert rows[1] == {
        "bucket": "2024-02-02",
        "uploaded": 1,
        "approved": 1,
        "rejected": 1,
        "failed": 0,
    }
    assert rows[2] == {
        "bucket": "2024-02-03",
        "uploaded": 2,
        "approved": 0,
        "rejected": 0,
        "failed": 1,
    }
    assert rows[3]["uploaded"] == 0


def test_timeline_by_hour_and_week(api, users, documents):
    hours = (
        api(users["MANAGER"])
        .get(
            TIMELINE,
            {"from": "2024-02-01T09:00:00Z", "to": "2024-02-01T11:59:59Z", "bucket": "hour"},
        )
        .json()
    )
    assert [(r["bucket"], r["uploaded"]) for r in hours] == [
        ("2024-02-01T09:00:00Z", 0), ("2024-02-01T10:00:00Z", 2), ("2024-02-01T11:00:00Z", 0)
    ]  # fmt: skip
    weeks = (
        api(users["MANAGER"])
        .get(TIMELINE, {"from": "2024-02-01", "to": "2024-02-29", "bucket": "week"})
        .json()
    )
    assert weeks[0]["bucket"] == "2024-01-29"  # the Monday of the first week
    assert sum(r["uploaded"] for r in weeks) == 5


def test_default_window_is_the_last_30_days(api, users, tenant):
    Document.objects.create(tenant=tenant, title="today", document_type="INVOICE")
    body = api(users["MANAGER"]).get(SUMMARY).json()
    assert body["total_documents"] == 1
    assert len(api(users["MANAGER"]).get(TIMELINE).json()) in (30, 31)


@pytest.mark.parametrize("role", ["UPLOADER", "REVIEWER"])
def test_only_managers_and_admins(api, users, role):
    assert api(users[role]).get(SUMMARY).status_code == 403
    assert api(users[role]).get(TIMELINE).status_code == 403


@pytest.mark.parametrize(
    "params",
    [
        {"from": "yesterday"},
        {"from": "2024-03-01", "to": "2024-02-01"},
        {"bucket": "minute"},
        {"from": "2000-01-01", "to": "2024-01-01", "bucket": "hour"},
    ],
)
def test_bad_windows_are_422(api, users, params):
    response = api(users["MANAGER"]).get(TIMELINE, params)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
