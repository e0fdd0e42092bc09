"""PutItem, GetItem, UpdateItem and DeleteItem as pure functions of a request and the item
stored under its key: ``prepare_*`` checks a request's parameters and parses its
expressions; ``run_*`` turns the old item into the new one and the API response.

Pure: no Django. The service layer finds the table, locks the row and saves the result.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from docuflow.dynamo import evaluate, expressions, types
from docuflow.dynamo.errors import ConditionalCheckFailedException, ValidationException

TABLE_NAME_RE = re.compile(r"^[a-zA-Z0-9_.-]+$")
KEY_TYPES = ("S", "N", "B")
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024

COMMON = {"TableName", "ReturnConsumedCapacity"}
ALLOWED = {
    "putItem": COMMON
    | {
        "Item",
        "ConditionExpression",
        "ExpressionAttributeNames",
        "ExpressionAttributeValues",
        "ReturnValues",
        "ReturnItemCollectionMetrics",
        "ReturnValuesOnConditionCheckFailure",
    },
    "getItem": COMMON
    | {"Key", "ProjectionExpression", "ExpressionAttributeNames", "ConsistentRead"},
    "updateItem": COMMON
    | {
        "Key",
        "UpdateExpression",
        "ConditionExpression",
        "ExpressionAttributeNames",
        "ExpressionAttributeValues",
        "ReturnValues",
        "ReturnItemCollectionMetrics",
        "ReturnValuesOnConditionCheckFailure",
    },
    "deleteItem": COMMON
    | {
        "Key",
        "ConditionExpression",
        "ExpressionAttributeNames",
        "ExpressionAttributeValues",
        "ReturnValues",
        "ReturnItemCollectionMetrics",
        "ReturnValuesOnConditionCheckFailure",
    },
}
LEGACY = {"Expected", "ConditionalOperator", "AttributesToGet", "AttributeUpdates"}
UPDATE_RETURN_VALUES = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")
RETURN_VALUES_ENUM = ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"]  # AWS's order


# --- key schema -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KeySchema:
    partition_key: str
    partition_type: str
    sort_key: str = ""
    sort_type: str = ""

    @property
    def attributes(self) -> list[tuple[str, str]]:
        pairs = [(self.partition_key, self.partition_type)]
        if self.sort_key:
            pairs.append((self.sort_key, self.sort_type))
        return pairs

    def names(self) -> set[str]:
        return {name for name, _ in self.attributes}

    def key_of_item(self, item: types.Item) -> types.Item:
        """The key attributes of a whole item (PutItem)."""
        key = {}
        for name, kind in self.attributes:
            if name not in item:
                raise types.invalid(f"Missing the key {name} in the item")
            key[name] = _check_key_value(name, kind, item[name])
        return key

    def key_of_request(self, raw: Any) -> types.Item:
        """The ``Key`` parameter: exactly the key attributes with the right types."""
        key = types.canonical_item(raw, "key")
        if set(key) != self.names():
            raise ValidationException("The provided key element does not match the schema")
        return {name: _check_key_value(name, kind, key[name]) for name, kind in self.attributes}

    def key_string(self, key: types.Item) -> str:
        """The canonical text of a key (the row's identity within its table)."""
        return json.dumps([key[name] for name, _ in self.attributes], separators=(",", ":"))


def _check_key_value(name: str, kind: str, value: types.AttributeValue) -> types.AttributeValue:
    actual = types.type_of(value)
    if actual != kind:
        raise types.invalid(f"Type mismatch for key {name} expected: {kind} actual: {actual}")
    if kind == "S" and value["S"] == "" or kind == "B" and value["B"] == "":
        described = "an empty string value" if kind == "S" else "an empty binary value"
        raise ValidationException(
            "One or more parameter values are not valid. The AttributeValue for a key "
            f"attribute cannot contain {described}. Key: {name}"
        )
    return value


def parse_key_spec(spec: str) -> tuple[str, str]:
    """``requestId`` or ``requestId:S`` → (name, type); the type defaults to S."""
    name, _, kind = spec.partition(":")
    kind = (kind or "S").upper()
    if not name or kind not in KEY_TYPES:
        raise ValidationException(
            f"Invalid key attribute '{spec}': use NAME or NAME:TYPE with TYPE one of S, N, B"
        )
    return name, kind


# Names that, on their own, say "I am this item's identifier".
_ID_NAMES = {"id", "pk", "key", "partitionkey", "hashkey"}
_ID_SUFFIXES = ("Id", "ID", "_id", "_key", "Key", "PK", "_pk")


def infer_key_schema(item: types.Item) -> KeySchema:
    """The key of a table created by its first PutItem, from the item's attribute names.

    The order of an item's attributes cannot be used: PostgreSQL's jsonb (which carries
    task input) does not keep it. So the partition key is the one attribute that looks
    like an identifier (``id``, ``pk``, ``requestId``, ``order_id`` …) holding a string,
    number or binary; a ``pk`` partition key takes an ``sk`` attribute as sort key.
    """
    scalar = {name for name, value in item.items() if types.type_of(value) in KEY_TYPES}
    exact = sorted(name for name in scalar if name.lower() in _ID_NAMES)
    suffixed = sorted(name for name in scalar if name.endswith(_ID_SUFFIXES))
    candidates = exact if len(exact) == 1 else exact or suffixed
    if len(scalar) == 1 and not candidates:
        candidates = sorted(scalar)
    if len(candidates) != 1:
        found = ", ".join(candidates) if candidates else "none"
        raise ValidationException(
            "Cannot infer the key of a new table from this item (identifier-like attributes: "
            f"{found}). Create the table first: "
            "docuflow dynamo create-table NAME --tenant SLUG --partition-key NAME[:S|N|B]"
        )
    name = candidates[0]
    schema = KeySchema(name, types.type_of(item[name]))
    if name.lower() == "pk":
        sort = next((n for n in ("sk", "SK", "Sk") if n in scalar), "")
        if sort:
            schema = KeySchema(name, schema.partition_type, sort, types.type_of(item[sort]))
    return schema


# --- requests -------------------------------------------------------------------------------


@dataclass
class Request:
    action: str
    table_name: str
    item: types.Item | None = None  # putItem
    key: Any = None  # the raw Key parameter, checked against the table's schema later
    condition: Any = None
    actions: list[expressions.Action] = field(default_factory=list)
    projection: list[expressions.Path] | None = None
    return_values: str = "NONE"
    consumed_capacity: bool = False


def check_table_name(name: Any) -> str:
    """A table name, or the table's ARN (``arn:aws:dynamodb:…:table/NAME``) as AWS allows."""
    if isinstance(name, str) and name.startswith("arn:") and ":table/" in name:
        name = name.split(":table/", 1)[1]
    if not isinstance(name, str):
        raise ValidationException(
            "1 validation error detected: Value null at 'tableName' failed to satisfy "
            "constraint: Member must not be null"
        )
    if not 3 <= len(name) <= 255:
        raise ValidationException(
            f"1 validation error detected: Value '{name}' at 'tableName' failed to satisfy "
            "constraint: Member must have length between 3 and 255"
        )
    if not TABLE_NAME_RE.match(name):
        raise ValidationException(
            f"1 validation error detected: Value '{name}' at 'tableName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        )
    return name


def prepare(action: str, params: Any) -> Request:
    """Check the parameters of ``action`` (putItem, getItem, updateItem, deleteItem)."""
    if not isinstance(params, dict):
        raise ValidationException(f"The parameters of dynamodb:{action} must be an object")
    for name in params:
        if name in LEGACY:
            raise ValidationException(
                f"The legacy parameter {name} is not supported; use expressions instead"
            )
        if name not in ALLOWED[action]:
            raise ValidationException(f"The field '{name}' is not supported by dynamodb:{action}")
    request = Request(action, check_table_name(params.get("TableName")))
    capacity = params.get("ReturnConsumedCapacity", "NONE")
    if capacity not in ("NONE", "TOTAL", "INDEXES"):
        raise _enum_error(capacity, "returnConsumedCapacity", ["INDEXES", "TOTAL", "NONE"])
    request.consumed_capacity = capacity != "NONE"
    request.return_values = _return_values(action, params.get("ReturnValues", "NONE"))
    placeholders = expressions.Placeholders.from_request(
        params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues")
    )
    if action == "putItem":
        request.item = types.canonical_item(params.get("Item"), "item")
    else:
        request.key = params.get("Key")
        if request.key is None:
            raise ValidationException(
                "1 validation error detected: Value null at 'key' failed to satisfy "
                "constraint: Member must not be null"
            )
    used = False
    if params.get("UpdateExpression") is not None:
        request.actions = expressions.parse_update(params["UpdateExpression"], placeholders)
        used = True
    if params.get("ConditionExpression") is not None:
        request.condition = expressions.parse_condition(params["ConditionExpression"], placeholders)
        used = True
    if params.get("ProjectionExpression") is not None:
        request.projection = expressions.parse_projection(
            params["ProjectionExpression"], placeholders
        )
        used = True
    placeholders.check_all_used(used)
    return request


def _return_values(action: str, value: Any) -> str:
    if action == "getItem":
        return "NONE"
    if action == "updateItem":
        if value not in UPDATE_RETURN_VALUES:
            raise _enum_error(value, "returnValues", RETURN_VALUES_ENUM)
        return value
    if value not in ("NONE", "ALL_OLD"):
        if value in UPDATE_RETURN_VALUES:
            raise ValidationException("Return values set to invalid value")
        raise _enum_error(value, "returnValues", RETURN_VALUES_ENUM)
    return value


def _enum_error(value: Any, member: str, allowed: list[str]) -> ValidationException:
    return ValidationException(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]"
    )


def check_update_keeps_key(request: Request, schema: KeySchema) -> None:
    for action in request.actions:
        top = action.path.elements[0]
        if top in schema.names():
            raise types.invalid(f"Cannot update attribute {top}. This attribute is part of the key")


# --- running --------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a request does: the item to store (None: delete it) and the API response."""

    response: dict
    new_item: types.Item | None = None
    write: bool = False


def _require(condition: Any, old: types.Item | None) -> None:
    if condition is not None and not evaluate.check(condition, old or {}):
        raise ConditionalCheckFailedException()


def _with_capacity(request: Request, response: dict, units: float) -> dict:
    if request.consumed_capacity:
        response["ConsumedCapacity"] = {"CapacityUnits": units, "TableName": request.table_name}
    return response


def run_put(request: Request, old: types.Item | None) -> Outcome:
    _require(request.condition, old)
    response = {}
    if request.return_values == "ALL_OLD" and old is not None:
        response["Attributes"] = old
    return Outcome(_with_capacity(request, response, 1.0), request.item, write=True)


def run_get(request: Request, old: types.Item | None) -> Outcome:
    response = {}
    if old is not None:
        item = evaluate.project(old, request.projection) if request.projection else old
        response["Item"] = item
    return Outcome(_with_capacity(request, response, 0.5))


def run_update(request: Request, key: types.Item, old: types.Item | None) -> Outcome:
    """UpdateItem creates the item when it does not exist (with its key attributes)."""
    _require(request.condition, old)
    base = old if old is not None else dict(key)
    new = evaluate.apply_update(base, request.actions) if request.actions else base
    response = {}
    paths = [action.path for action in request.actions]
    attributes = {
        "ALL_OLD": old,
        "ALL_NEW": new,
        "UPDATED_OLD": evaluate.project(old, paths) if old is not None else None,
        "UPDATED_NEW": evaluate.project(new, paths),
        "NONE": None,
    }[request.return_values]
    if attributes:
        response["Attributes"] = attributes
    return Outcome(_with_capacity(request, response, 1.0), new, write=True)


def run_delete(request: Request, old: types.Item | None) -> Outcome:
    _require(request.condition, old)
    response = {}
    if request.return_values == "ALL_OLD" and old is not None:
        response["Attributes"] = old
    return Outcome(_with_capacity(request, response, 1.0), None, write=old is not None)
