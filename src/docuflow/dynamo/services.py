"""Tables and item operations. Each write is one transaction holding its item's row lock."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from docuflow.dynamo import operations, types
from docuflow.dynamo.errors import ResourceInUseException, ResourceNotFoundException
from docuflow.dynamo.models import AppliedWrite, DynamoItem, DynamoTable
from docuflow.dynamo.operations import Request

ACTIONS = ("putItem", "getItem", "updateItem", "deleteItem")
WRITE_ATTEMPTS = 3
APPLIED_WRITES_KEPT = timedelta(days=7)
PRUNE_ONE_WRITE_IN = 1000  # how often a write also forgets old applied-write records


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- tables ---------------------------------------------------------------------------------


def create_table(
    tenant_id: str,
    name: str,
    partition_key: str,
    partition_key_type: str = "S",
    sort_key: str = "",
    sort_key_type: str = "S",
) -> DynamoTable:
    operations.check_table_name(name)
    for key_name, kind in ((partition_key, partition_key_type), (sort_key, sort_key_type)):
        if key_name:
            operations.parse_key_spec(f"{key_name}:{kind}")
    if not partition_key:
        raise types.invalid("A table needs a partition key")
    try:
        with transaction.atomic():
            return DynamoTable.objects.create(
                tenant_id=tenant_id,
                name=name,
                partition_key=partition_key,
                partition_key_type=partition_key_type.upper(),
                sort_key=sort_key,
                sort_key_type=sort_key_type.upper() if sort_key else "",
            )
    except IntegrityError:
        raise ResourceInUseException(f"Table already exists: {name}")


def get_table(tenant_id: str, name: str) -> DynamoTable:
    table = DynamoTable.objects.filter(tenant_id=tenant_id, name=name).first()
    if table is None:
        raise ResourceNotFoundException()
    return table


def delete_table(tenant_id: str, name: str) -> None:
    get_table(tenant_id, name).delete()


def _table_for_put(tenant_id: str, name: str, item: types.Item) -> DynamoTable:
    """PutItem creates a missing table, its key inferred from the item (see the docs)."""
    table = DynamoTable.objects.filter(tenant_id=tenant_id, name=name).first()
    if table is not None:
        return table
    schema = operations.infer_key_schema(item)
    try:
        with transaction.atomic():
            return DynamoTable.objects.create(
                tenant_id=tenant_id,
                name=name,
                partition_key=schema.partition_key,
                partition_key_type=schema.partition_type,
                sort_key=schema.sort_key,
                sort_key_type=schema.sort_type,
                inferred=True,
            )
    except IntegrityError:  # another writer created it first
        return get_table(tenant_id, name)


# --- items ----------------------------------------------------------------------------------


def execute(tenant_id: str, action: str, params: dict, idempotency_key: str = "") -> dict:
    """Run one DynamoDB call for a tenant; returns DynamoDB's response body.

    Raises ``DynamoError`` subclasses (ValidationException, ResourceNotFoundException,
    ConditionalCheckFailedException …) as DynamoDB would.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown DynamoDB action {action}")
    request = operations.prepare(action, params)
    if action == "putItem":
        table = _table_for_put(tenant_id, request.table_name, request.item)
        key = table.schema.key_of_item(request.item)
    else:
        table = get_table(tenant_id, request.table_name)
        key = table.schema.key_of_request(request.key)
    if action == "updateItem":
        operations.check_update_keeps_key(request, table.schema)
    key_text = table.schema.key_string(key)
    if action == "getItem":
        row = DynamoItem.objects.filter(table=table, key_hash=digest(key_text)).first()
        return operations.run_get(request, row.item if row else None).response
    response = _write(table, request, key, key_text, idempotency_key)
    if idempotency_key and random.randrange(PRUNE_ONE_WRITE_IN) == 0:
        prune_applied_writes()
    return response


def _write(table: DynamoTable, request: Request, key: types.Item, key_text: str, idem: str) -> dict:
    applied = digest(idem) if idem else ""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with transaction.atomic():
                if applied:
                    done = AppliedWrite.objects.filter(key=applied).first()
                    if done is not None:
                        return done.response
                # The row lock serializes writers of one item (PostgreSQL); SQLite's
                # IMMEDIATE transactions serialize all writers anyway.
                row = (
                    DynamoItem.objects.select_for_update()
                    .filter(table=table, key_hash=digest(key_text))
                    .first()
                )
                outcome = _run(request, key, row.item if row else None)
                if outcome.write:
                    _store(table, row, key_text, outcome.new_item)
                if applied:
                    AppliedWrite.objects.create(key=applied, response=outcome.response)
                return outcome.response
        except IntegrityError:
            # Two writers created the same new item at once: the loser retries, and now
            # finds (and locks) the winner's row.
            if attempt == WRITE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _run(request: Request, key: types.Item, old: types.Item | None) -> operations.Outcome:
    if request.action == "putItem":
        return operations.run_put(request, old)
    if request.action == "updateItem":
        return operations.run_update(request, key, old)
    return operations.run_delete(request, old)


def _store(
    table: DynamoTable, row: DynamoItem | None, key_text: str, item: types.Item | None
) -> None:
    now = timezone.now()
    if item is None:
        if row is not None:
            row.delete()
    elif row is None:
        DynamoItem.objects.create(
            table=table,
            key=key_text,
            key_hash=digest(key_text),
            item=item,
            created_at=now,
            updated_at=now,
        )
    else:
        row.item = item
        row.updated_at = now
        row.save(update_fields=["item", "updated_at"])


def prune_applied_writes(older_than: timedelta = APPLIED_WRITES_KEPT) -> int:
    deleted, _ = AppliedWrite.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
