"""Read queries over a tenant's tables (for the CLI and other apps, e.g. request status)."""

from __future__ import annotations

from typing import Any

from docuflow.dynamo import types
from docuflow.dynamo.models import DynamoItem, DynamoTable
from docuflow.dynamo.services import digest, get_table


def tables(tenant_id: str):
    return DynamoTable.objects.filter(tenant_id=tenant_id).order_by("name")


def get_item(tenant_id: str, table_name: str, key: dict[str, Any]) -> types.Item | None:
    """The typed item under ``key``; ``key`` may be typed ({"id": {"S": "1"}}) or plain."""
    table = get_table(tenant_id, table_name)
    typed = {
        name: types.canonical(value) if _is_typed(value) else types.from_plain(value)
        for name, value in key.items()
    }
    key_text = table.schema.key_string(table.schema.key_of_request(typed))
    row = DynamoItem.objects.filter(table=table, key_hash=digest(key_text)).first()
    return row.item if row else None


def scan(tenant_id: str, table_name: str, limit: int | None = None) -> list[types.Item]:
    rows = get_table(tenant_id, table_name).items.order_by("key").values_list("item", flat=True)
    return list(rows[:limit] if limit else rows)


def _is_typed(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in types.TYPES
