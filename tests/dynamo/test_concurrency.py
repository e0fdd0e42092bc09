"""Concurrent writers of one item lose no update: each write locks the item's row."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from docuflow.dynamo import selectors, services
from tests.factories import TenantFactory

WRITERS = 6
ADDS_EACH = 10

postgres_only = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serializes every writer, so there is no race to test",
    ),
    pytest.mark.django_db(transaction=True),
]


def in_parallel(work) -> list[BaseException]:
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait()
            work(index)
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _marks(func):
    for mark in postgres_only:
        func = mark(func)
    return func


@_marks
def test_first_puts_racing_create_one_table():
    tenant = TenantFactory(slug="race-create")

    def put(index: int) -> None:
        item = {"id": {"S": f"item-{index}"}}
        services.execute(tenant.slug, "putItem", {"TableName": "Fresh", "Item": item})

    assert in_parallel(put) == []
    assert len(selectors.scan(tenant.slug, "Fresh")) == WRITERS


@_marks
def test_concurrent_add_updates_are_all_counted():
    tenant = TenantFactory(slug="race")
    params = {
        "TableName": "Counters",
        "Key": {"id": {"S": "hits"}},
        "UpdateExpression": "ADD hits :one, seen :me",
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    }
    services.create_table(tenant.slug, "Counters", "id")

    def writer(index: int) -> None:
        for n in range(ADDS_EACH):
            own = {**params["ExpressionAttributeValues"], ":me": {"SS": [f"{index}-{n}"]}}
            services.execute(
                tenant.slug, "updateItem", {**params, "ExpressionAttributeValues": own}
            )

    assert in_parallel(writer) == []
    item = selectors.get_item(tenant.slug, "Counters", {"id": "hits"})
    assert item["hits"] == {"N": str(WRITERS * ADDS_EACH)}
    assert len(item["seen"]["SS"]) == WRITERS * ADDS_EACH
