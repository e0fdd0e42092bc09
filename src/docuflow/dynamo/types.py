"""DynamoDB's typed JSON (``{"S": "x"}``, ``{"N": "1"}`` …): validation, canonical form,
equality, ordering and conversion to plain Python values.

Pure: no Django. Every value that enters a table or an expression goes through
``canonical`` first, so the rest of the code may compare canonical forms directly:
numbers are decimal strings without exponent or trailing zeros (``"1E2"`` → ``"100"``),
binaries are standard base64, sets hold no duplicates (their order carries no meaning).
"""

from __future__ import annotations

import base64
import binascii
import decimal
import re
from decimal import Decimal
from typing import Any

from docuflow.dynamo.errors import ValidationException

SCALARS = ("S", "N", "B")
SETS = {"SS": "S", "NS": "N", "BS": "B"}
TYPES = ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS")
MAX_ITEM_BYTES = 400 * 1024
MAX_DEPTH = 32

# DynamoDB numbers: up to 38 significant digits, magnitude within 1E-130 .. 9.99…E+125.
# Wide enough for any sum of two valid numbers except a lossy one, which Inexact reports.
NUMBER_CONTEXT = decimal.Context(
    prec=300, Emax=999_999, Emin=-999_999, traps=[decimal.Inexact, decimal.InvalidOperation]
)
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_SET_NAMES = {"SS": "string set", "NS": "number set", "BS": "binary set"}

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]


def invalid(message: str) -> ValidationException:
    return ValidationException(f"One or more parameter values were invalid: {message}")


# --- numbers and binaries ----------------------------------------------------------------


def canonical_number(raw: Any) -> str:
    """The decimal string DynamoDB stores for ``raw``, or ValidationException."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise ValidationException(f"The parameter cannot be converted to a numeric value: {raw}")
    text = repr(raw) if isinstance(raw, float) else str(raw)
    if not _NUMBER_RE.match(text):
        raise ValidationException(f"The parameter cannot be converted to a numeric value: {text}")
    return format_number(Decimal(text))


def format_number(value: Decimal) -> str:
    if value.is_nan() or value.is_infinite():
        raise ValidationException(f"The parameter cannot be converted to a numeric value: {value}")
    if value.is_zero():
        return "0"
    value = value.normalize(NUMBER_CONTEXT)
    if len(value.as_tuple().digits) > 38:
        raise ValidationException("Attempting to store more than 38 significant digits in a Number")
    if value.adjusted() > 125:
        raise ValidationException(
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        )
    if value.adjusted() < -130:
        raise ValidationException(
            "Number underflow. Attempting to store a number with magnitude smaller than supported range"
        )
    return format(value, "f")


def number(value: str) -> Decimal:
    return Decimal(value)


def binary(value: str) -> bytes:
    return base64.b64decode(value)


def canonical_binary(raw: Any) -> str:
    if isinstance(raw, bytes | bytearray):
        return base64.b64encode(bytes(raw)).decode()
    if not isinstance(raw, str):
        raise ValidationException(f"Invalid binary value: expected a base64 string, got {raw!r}")
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationException(f"Invalid binary value: '{raw[:40]}' is not valid base64")
    return base64.b64encode(data).decode()


# --- validation --------------------------------------------------------------------------


def type_of(value: AttributeValue) -> str:
    return next(iter(value))


def canonical(value: Any, depth: int = 0) -> AttributeValue:
    """Check one AttributeValue and return its canonical form."""
    if depth > MAX_DEPTH:
        raise ValidationException("Nesting Levels have exceeded supported limits")
    if not isinstance(value, dict) or not value:
        raise ValidationException(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
        )
    if len(value) > 1:
        raise ValidationException(
            "Supplied AttributeValue has more than one datatypes set, "
            "must contain exactly one of the supported datatypes"
        )
    kind, raw = next(iter(value.items()))
    if kind == "S":
        if not isinstance(raw, str):
            raise ValidationException(f"Invalid value for S: expected a string, got {_show(raw)}")
        return {"S": raw}
    if kind == "N":
        return {"N": canonical_number(raw)}
    if kind == "B":
        return {"B": canonical_binary(raw)}
    if kind == "BOOL":
        if not isinstance(raw, bool):
            raise ValidationException(
                f"Invalid value for BOOL: expected true or false, got {_show(raw)}"
            )
        return {"BOOL": raw}
    if kind == "NULL":
        if raw is not True:
            raise invalid("Null attribute value types must have the value of true")
        return {"NULL": True}
    if kind == "M":
        if not isinstance(raw, dict):
            raise ValidationException(f"Invalid value for M: expected an object, got {_show(raw)}")
        return {"M": {_name(k): canonical(v, depth + 1) for k, v in raw.items()}}
    if kind == "L":
        if not isinstance(raw, list):
            raise ValidationException(f"Invalid value for L: expected a list, got {_show(raw)}")
        return {"L": [canonical(v, depth + 1) for v in raw]}
    if kind in SETS:
        return {kind: _canonical_set(kind, raw)}
    raise ValidationException(
        f"Supplied AttributeValue has an unknown datatype '{kind}'; "
        f"the supported datatypes are {', '.join(TYPES)}"
    )


def _canonical_set(kind: str, raw: Any) -> list[str]:
    if not isinstance(raw, list):
        raise ValidationException(f"Invalid value for {kind}: expected a list, got {_show(raw)}")
    if not raw:
        raise invalid(f"An {_SET_NAMES[kind]} may not be empty")
    element = SETS[kind]
    members = [canonical({element: member})[element] for member in raw]
    if len(set(members)) != len(members):
        raise invalid(f"Input collection [{', '.join(map(str, raw))}] contains duplicates.")
    return members


def _name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise invalid("An AttributeValue may not contain an empty attribute name")
    return name


def _show(raw: Any) -> str:
    text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "..."


def canonical_item(item: Any, what: str = "item") -> Item:
    if item is None:
        raise ValidationException(
            f"1 validation error detected: Value null at '{what}' failed to satisfy constraint: "
            "Member must not be null"
        )
    if not isinstance(item, dict):
        raise ValidationException(f"Invalid {what}: expected a map of attribute names to values")
    result = {_name(name): canonical(value) for name, value in item.items()}
    if item_size(result) > MAX_ITEM_BYTES:
        raise ValidationException("Item size has exceeded the maximum allowed size")
    return result


def item_size(item: Item) -> int:
    """An estimate of DynamoDB's item size: UTF-8 names plus value sizes."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def value_size(value: AttributeValue) -> int:
    kind, raw = next(iter(value.items()))
    if kind == "S":
        return len(raw.encode())
    if kind == "N":
        return len(raw.replace("-", "").replace(".", "")) // 2 + 2
    if kind == "B":
        return len(binary(raw))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in raw.items())
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in raw)
    return sum(value_size({SETS[kind]: member}) for member in raw)


# --- equality and order ------------------------------------------------------------------


def equal(a: AttributeValue | None, b: AttributeValue | None) -> bool:
    """DynamoDB's ``=``: same type and same value; sets compare without order."""
    if a is None or b is None:
        return False
    kind = type_of(a)
    if kind != type_of(b):
        return False
    x, y = a[kind], b[kind]
    if kind in SETS:
        return set(x) == set(y)
    if kind == "M":
        return x.keys() == y.keys() and all(equal(x[k], y[k]) for k in x)
    if kind == "L":
        return len(x) == len(y) and all(equal(p, q) for p, q in zip(x, y, strict=True))
    return x == y


def sort_key(value: AttributeValue) -> Any:
    """What ``<`` compares for N, S and B (strings by code point = UTF-8 byte order)."""
    kind = type_of(value)
    if kind == "N":
        return number(value["N"])
    if kind == "B":
        return binary(value["B"])
    return value[kind]


def comparable(a: AttributeValue | None, b: AttributeValue | None) -> bool:
    return a is not None and b is not None and type_of(a) in SCALARS and type_of(a) == type_of(b)


# --- plain Python values -----------------------------------------------------------------


def to_plain(value: AttributeValue) -> Any:
    """``{"N": "1.5"}`` → ``Decimal("1.5")``, ``{"SS": […]}`` → a set, and so on."""
    kind, raw = next(iter(value.items()))
    if kind == "N":
        return number(raw)
    if kind == "B":
        return binary(raw)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: to_plain(v) for k, v in raw.items()}
    if kind == "L":
        return [to_plain(v) for v in raw]
    if kind == "SS":
        return set(raw)
    if kind == "NS":
        return {number(member) for member in raw}
    if kind == "BS":
        return {binary(member) for member in raw}
    return raw  # S, BOOL


def from_plain(value: Any) -> AttributeValue:
    """The canonical AttributeValue for a plain Python value (the inverse of ``to_plain``)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float | Decimal):
        return {"N": canonical_number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes | bytearray):
        return {"B": canonical_binary(value)}
    if isinstance(value, dict):
        return {"M": {_name(k): from_plain(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [from_plain(v) for v in value]}
    if isinstance(value, set | frozenset):
        members = [from_plain(v) for v in value]
        kinds = {type_of(m) for m in members}
        if not members or len(kinds) != 1 or next(iter(kinds)) not in SCALARS:
            raise ValidationException("A set must hold one or more values of one type: S, N or B")
        kind = next(iter(kinds))
        return canonical({kind + "S": [m[kind] for m in members]})
    raise ValidationException(f"Cannot convert {type(value).__name__} to a DynamoDB value")


def item_to_plain(item: Item) -> dict[str, Any]:
    return {name: to_plain(value) for name, value in item.items()}


def to_json(value: AttributeValue) -> Any:
    """A JSON-friendly plain value: integral numbers as int, others as float, sets as lists."""
    kind, raw = next(iter(value.items()))
    if kind == "N":
        parsed = number(raw)
        return int(parsed) if parsed == parsed.to_integral_value() else float(parsed)
    if kind == "M":
        return {k: to_json(v) for k, v in raw.items()}
    if kind == "L":
        return [to_json(v) for v in raw]
    if kind == "NS":
        return [to_json({"N": member}) for member in raw]
    if kind in ("SS", "BS", "B", "S", "BOOL"):
        return list(raw) if kind in ("SS", "BS") else raw
    return None  # NULL


def item_to_json(item: Item) -> dict[str, Any]:
    return {name: to_json(value) for name, value in item.items()}
