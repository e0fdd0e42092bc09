"""Listing: filters, search, ordering, dates, pagination, pending."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from docuflow.documents.models import Document
from tests.documents.conftest import DOCS

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(users, tenant, other_tenant):
    def make(title, document_type, status, day, tenant=tenant):
        return Document.objects.create(
            tenant=tenant,
            title=title,
            document_type=document_type,
            status=status,
            uploaded_by=users["UPLOADER"],
            created_at=datetime(2024, 2, day, 10, tzinfo=UTC),
        )

    make("Invoice Alpha", "INVOICE", "PENDING_APPROVAL", 1)
    make("Contract Beta", "CONTRACT", "APPROVED", 2)
    make("invoice gamma", "INVOICE", "UPLOADED", 3)
    make("Report Delta", "REPORT", "PENDING_APPROVAL", 4)
    make("Foreign invoice", "INVOICE", "PENDING_APPROVAL", 2, tenant=other_tenant)


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [doc["title"] for doc in response.json()["results"]]


def test_filters_search_and_ordering(users, api, catalogue):
    client = api(users["REVIEWER"])
    assert titles(client.get(DOCS)) == [
        "Report Delta",
        "invoice gamma",
        "Contract Beta",
        "Invoice Alpha",
    ]
    assert titles(client.get(DOCS, {"status": "PENDING_APPROVAL"})) == [
        "Report Delta",
        "Invoice Alpha",
    ]
    assert titles(client.get(DOCS, {"document_type": "INVOICE"})) == [
        "invoice gamma",
        "Invoice Alpha",
    ]
    assert titles(client.get(DOCS, {"search": "INVOICE"})) == ["invoice gamma", "Invoice Alpha"]
    assert titles(client.get(DOCS, {"ordering": "created_at"}))[0] == "Invoice Alpha"
    # Case order follows the database's collation, so only compare same-case titles.
    by_title = titles(client.get(DOCS, {"ordering": "title"}))
    assert by_title[0] == "Contract Beta"
    assert by_title.index("Invoice Alpha") < by_title.index("Report Delta")
    assert titles(client.get(DOCS, {"ordering": "-title"}))[-1] == "Contract Beta"


def test_date_filters_take_dates_and_datetimes(users, api, catalogue):
    client = api(users["UPLOADER"])
    assert titles(client.get(DOCS, {"created_after": "2024-02-03"})) == [
        "Report Delta",
        "invoice gamma",
    ]
    assert titles(client.get(DOCS, {"created_before": "2024-02-02"})) == [
        "Contract Beta",
        "Invoice Alpha",
    ]
    assert titles(
        client.get(
            DOCS,
            {
                "created_after": "2024-02-02T10:00:00Z",
                "created_before": "2024-02-03T09:00:00+00:00",
            },
        )
    ) == ["Contract Beta"]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "LOST"},
        {"document_type": "MEMO"},
        {"ordering": "password"},
        {"created_after": "yesterday"},
        {"created_before": "2024-13-45"},
        {"page_size": "0"},
    ],
)
def test_bad_query_parameters_are_422_or_clamped(params, users, api, catalogue):
    response = api(users["UPLOADER"]).get(DOCS, params)
    if "page_size" in params:
        assert response.status_code == 200  # DRF falls back to the default page size
        return
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert set(response.json()["errors"]) == set(params)


def test_pagination(users, api, catalogue):
    client = api(users["UPLOADER"])
    page = client.get(DOCS, {"page_size": 3}).json()
    assert (
        page["count"] == 4
        and len(page["results"]) == 3
        and page["next"]
        and page["previous"] is None
    )
    second = client.get(DOCS, {"page_size": 3, "page": 2}).json()
    assert len(second["results"]) == 1
    assert client.get(DOCS, {"page": 9}).status_code == 404
    assert client.get(DOCS, {"page_size": 500}).json()["count"] == 4


def test_pending_lists_only_this_tenants_pending_documents(users, api, catalogue):
    response = api(users["REVIEWER"]).get(f"{DOCS}pending/")
    assert response.json()["count"] == 2
    assert titles(response) == ["Report Delta", "Invoice Alpha"]


def test_a_list_never_mints_upload_urls(users, api):
    client = api(users["UPLOADER"])
    created = client.post(DOCS, {"title": "Waiting"}, format="json").json()
    assert created["upload_url"]
    assert client.get(DOCS).json()["results"][0]["upload_url"] is None
    assert client.get(f"{DOCS}{created['id']}/").json()["upload_url"]
