"""Evaluating parsed expressions against an item: conditions, updates, projections.

Pure: no Django. Items are dicts of attribute name → canonical AttributeValue; the
functions here never mutate their input item.
"""

from __future__ import annotations

import copy
import decimal
from decimal import Decimal
from typing import Any

from docuflow.dynamo import types
from docuflow.dynamo.errors import ValidationException
from docuflow.dynamo.expressions import (
    Action,
    And,
    Arithmetic,
    Between,
    Compare,
    Function,
    IfNotExists,
    In,
    ListAppend,
    Not,
    Or,
    Path,
    Size,
    Value,
)

INVALID_PATH = "The document path provided in the update expression is invalid for update"
WRONG_TYPE = "An operand in the update expression has an incorrect data type"
MISSING = "The provided expression refers to an attribute that does not exist in the item"

_REMOVED = object()  # marks list elements REMOVE takes out, so indexes keep their meaning


# --- document paths -------------------------------------------------------------------------


def get(item: types.Item, path: Path) -> types.AttributeValue | None:
    """The value at ``path``, or None when any step of it is missing."""
    current: Any = {"M": item}
    for element in path.elements:
        if isinstance(element, str):
            if "M" not in current or element not in current["M"]:
                return None
            current = current["M"][element]
        else:
            if "L" not in current or element >= len(current["L"]):
                return None
            current = current["L"][element]
    return current


def _parent(item: types.Item, path: Path) -> types.AttributeValue | None:
    return get(item, Path(path.elements[:-1]))


def _assign(item: types.Item, path: Path, value: types.AttributeValue) -> None:
    parent = _parent(item, path)
    last = path.elements[-1]
    if parent is not None and isinstance(last, str) and "M" in parent:
        parent["M"][last] = value
    elif parent is not None and isinstance(last, int) and "L" in parent:
        elements = parent["L"]
        if last < len(elements):
            elements[last] = value
        else:  # DynamoDB appends when the index is past the end
            elements.append(value)
    else:
        raise ValidationException(INVALID_PATH)


# --- conditions -----------------------------------------------------------------------------


def operand(node: Any, item: types.Item) -> types.AttributeValue | None:
    if isinstance(node, Value):
        return node.value
    if isinstance(node, Path):
        return get(item, node)
    if isinstance(node, Size):
        return _size(get(item, node.path))
    raise TypeError(f"not an operand: {node!r}")


def _size(value: types.AttributeValue | None) -> types.AttributeValue | None:
    if value is None:
        return None
    kind = types.type_of(value)
    if kind == "S":
        return {"N": str(len(value["S"]))}
    if kind == "B":
        return {"N": str(len(types.binary(value["B"])))}
    if kind in ("M", "L") or kind in types.SETS:
        return {"N": str(len(value[kind]))}
    return None  # numbers, booleans and nulls have no size: the comparison is false


def check(node: Any, item: types.Item) -> bool:
    """Whether the condition holds for ``item`` (an empty dict when there is no item)."""
    if isinstance(node, And):
        return check(node.left, item) and check(node.right, item)
    if isinstance(node, Or):
        return check(node.left, item) or check(node.right, item)
    if isinstance(node, Not):
        return not check(node.condition, item)
    if isinstance(node, Compare):
        return _compare(node.op, operand(node.left, item), operand(node.right, item))
    if isinstance(node, Between):
        value = operand(node.operand, item)
        low, high = operand(node.low, item), operand(node.high, item)
        return (
            types.comparable(value, low)
            and types.comparable(value, high)
            and types.sort_key(low) <= types.sort_key(value) <= types.sort_key(high)
        )
    if isinstance(node, In):
        value = operand(node.operand, item)
        return any(types.equal(value, operand(choice, item)) for choice in node.choices)
    if isinstance(node, Function):
        return _function(node, item)
    raise TypeError(f"not a condition: {node!r}")


def _compare(
    op: str, left: types.AttributeValue | None, right: types.AttributeValue | None
) -> bool:
    if op == "=":
        return types.equal(left, right)
    if op == "<>":
        # A missing attribute is "not equal" to any value (so NOT (a = :v) and a <> :v agree).
        return not types.equal(left, right)
    if not types.comparable(left, right):
        return False
    x, y = types.sort_key(left), types.sort_key(right)
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def _function(node: Function, item: types.Item) -> bool:
    value = get(item, node.args[0])
    if node.name == "attribute_exists":
        return value is not None
    if node.name == "attribute_not_exists":
        return value is None
    if value is None:
        return False
    other = operand(node.args[1], item)
    if other is None:
        return False
    kind, other_kind = types.type_of(value), types.type_of(other)
    if node.name == "attribute_type":
        return other_kind == "S" and kind == other["S"]
    if node.name == "begins_with":
        if kind == other_kind == "S":
            return value["S"].startswith(other["S"])
        if kind == other_kind == "B":
            return types.binary(value["B"]).startswith(types.binary(other["B"]))
        return False
    # contains: a substring of a string, a member of a set, an element of a list
    if kind == other_kind == "S":
        return other["S"] in value["S"]
    if kind == other_kind == "B":
        return types.binary(other["B"]) in types.binary(value["B"])
    if kind in types.SETS:
        return other_kind == types.SETS[kind] and other[other_kind] in value[kind]
    if kind == "L":
        return any(types.equal(element, other) for element in value["L"])
    return False


# --- updates --------------------------------------------------------------------------------


def apply_update(item: types.Item, actions: list[Action]) -> types.Item:
    """The item after the update. Every value is computed from the item as it was before."""
    old = item
    new = copy.deepcopy(item)
    values = [
        _set_value(action.value, old) if action.clause == "SET" else None for action in actions
    ]
    for action, value in zip(actions, values, strict=True):
        if action.clause == "SET":
            _assign(new, action.path, value)
    touched_lists: list[list] = []
    for action in actions:
        if action.clause == "REMOVE":
            _remove(new, action.path, touched_lists)
    for elements in touched_lists:
        elements[:] = [e for e in elements if e is not _REMOVED]
    for action in actions:
        if action.clause == "ADD":
            _add(new, action.path, action.value.value)
        elif action.clause == "DELETE":
            _delete(new, action.path, action.value.value)
    if types.item_size(new) > types.MAX_ITEM_BYTES:
        raise ValidationException("Item size to update has exceeded the maximum allowed size")
    return new


def _set_value(node: Any, item: types.Item) -> types.AttributeValue:
    if isinstance(node, Value):
        return node.value
    if isinstance(node, Path):
        value = get(item, node)
        if value is None:
            raise ValidationException(MISSING)
        return copy.deepcopy(value)
    if isinstance(node, IfNotExists):
        value = get(item, node.path)
        return copy.deepcopy(value) if value is not None else _set_value(node.default, item)
    if isinstance(node, ListAppend):
        first, second = _set_value(node.first, item), _set_value(node.second, item)
        if "L" not in first or "L" not in second:
            raise ValidationException(WRONG_TYPE)
        return {"L": first["L"] + second["L"]}
    if isinstance(node, Arithmetic):
        left, right = _set_value(node.left, item), _set_value(node.right, item)
        if "N" not in left or "N" not in right:
            raise ValidationException(WRONG_TYPE)
        return {"N": _arithmetic(node.op, types.number(left["N"]), types.number(right["N"]))}
    raise TypeError(f"not an update value: {node!r}")


def _arithmetic(op: str, left: Decimal, right: Decimal) -> str:
    context = types.NUMBER_CONTEXT
    try:
        result = context.add(left, right) if op == "+" else context.subtract(left, right)
    except decimal.Inexact:
        raise ValidationException("Attempting to store more than 38 significant digits in a Number")
    return types.format_number(result)


def _remove(item: types.Item, path: Path, touched_lists: list[list]) -> None:
    parent = _parent(item, path)
    last = path.elements[-1]
    if parent is None:
        return
    if isinstance(last, str) and "M" in parent:
        parent["M"].pop(last, None)
    elif isinstance(last, int) and "L" in parent and last < len(parent["L"]):
        parent["L"][last] = _REMOVED
        if not any(elements is parent["L"] for elements in touched_lists):
            touched_lists.append(parent["L"])


def _add(item: types.Item, path: Path, value: types.AttributeValue) -> None:
    current = get(item, path)
    kind = types.type_of(value)
    if current is None:
        _assign(item, path, copy.deepcopy(value))
    elif kind == "N" and "N" in current:
        current["N"] = _arithmetic("+", types.number(current["N"]), types.number(value["N"]))
    elif kind in types.SETS and kind in current:
        current[kind] = current[kind] + [m for m in value[kind] if m not in current[kind]]
    else:
        raise ValidationException(WRONG_TYPE)


def _delete(item: types.Item, path: Path, value: types.AttributeValue) -> None:
    current = get(item, path)
    kind = types.type_of(value)
    if current is None:
        return
    if kind not in current:
        raise ValidationException(WRONG_TYPE)
    remaining = [m for m in current[kind] if m not in value[kind]]
    if remaining:
        current[kind] = remaining
    else:  # DynamoDB has no empty sets: the attribute goes away
        _remove(item, path, [])


# --- projections ----------------------------------------------------------------------------


class _Branch(dict):
    """An inner node of a projection: attribute names or list indexes to what lies below."""


def project(item: types.Item, paths: list[Path]) -> types.Item:
    """Only the parts of ``item`` at ``paths`` (lists keep their selected elements in order)."""
    tree = _Branch()
    for path in paths:
        value = get(item, path)
        if value is None:
            continue
        node = tree
        for element in path.elements[:-1]:
            node = node.setdefault(element, _Branch())
        node[path.elements[-1]] = copy.deepcopy(value)
    return {name: _build(value) for name, value in tree.items()}


def _build(node: Any) -> types.AttributeValue:
    if not isinstance(node, _Branch):
        return node
    if all(isinstance(key, int) for key in node):
        return {"L": [_build(node[key]) for key in sorted(node)]}
    return {"M": {key: _build(value) for key, value in node.items()}}
