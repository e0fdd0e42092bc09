"""``docuflow dynamo …`` management command."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from docuflow.dynamo import services


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("dynamo", *args, stdout=out)
    return out.getvalue()


def test_create_list_scan_delete(tenant):
    text = run(
        "create-table",
        "CertificationRequests",
        "--tenant",
        tenant.slug,
        "--partition-key",
        "requestId",
    )
    assert "partition key requestId (S)" in text
    services.execute(
        tenant.slug,
        "putItem",
        {
            "TableName": "CertificationRequests",
            "Item": {"requestId": {"S": "r1"}, "cost": {"N": "150"}},
        },
    )
    assert run("list-tables", "--tenant", tenant.slug).split("\t") == [
        "CertificationRequests",
        "requestId:S",
        "1 items\n",
    ]
    typed = json.loads(run("scan", "CertificationRequests", "--tenant", tenant.slug))
    assert typed == {"cost": {"N": "150"}, "requestId": {"S": "r1"}}
    plain = json.loads(run("scan", "CertificationRequests", "--tenant", tenant.slug, "--plain"))
    assert plain == {"cost": 150, "requestId": "r1"}
    run("delete-table", "CertificationRequests", "--tenant", tenant.slug)
    assert run("list-tables", "--tenant", tenant.slug) == ""


def test_sort_key_and_types(tenant):
    text = run(
        "create-table",
        "Events",
        "--tenant",
        tenant.slug,
        "--partition-key",
        "pk:S",
        "--sort-key",
        "at:n",
    )
    assert "sort key at (N)" in text
    table = services.get_table(tenant.slug, "Events")
    assert (table.sort_key, table.sort_key_type, table.inferred) == ("at", "N", False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("create-table", "T1x", "--tenant", "nobody", "--partition-key", "id"),
            "No tenant 'nobody'",
        ),
        (("create-table", "T1x", "--tenant", "acme-corp", "--partition-key", "id:X"), "NAME:TYPE"),
        (
            ("create-table", "x", "--tenant", "acme-corp", "--partition-key", "id"),
            "length between 3",
        ),
        (("scan", "Nope", "--tenant", "acme-corp"), "ResourceNotFoundException"),
    ],
)
def test_errors(tenant, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_existing_table(tenant):
    run("create-table", "Dup", "--tenant", tenant.slug, "--partition-key", "id")
    with pytest.raises(CommandError, match="ResourceInUseException: Table already exists: Dup"):
        run("create-table", "Dup", "--tenant", tenant.slug, "--partition-key", "id")
