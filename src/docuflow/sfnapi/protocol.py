"""The AWS JSON 1.0 protocol: input checked against botocore's Step Functions model.

botocore ships the service model AWS publishes (``stepfunctions/2016-11-23``); the
request members, their types and constraints (required, length, range, enum) come from
it, so what boto3 and the AWS CLI send is what is accepted. A wrong JSON type is a
``SerializationException`` and a broken constraint a ``ValidationException``, as AWS
answers them.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel, Shape

SERVICE_NAME = "stepfunctions"
TARGET_PREFIX = "AWSStepFunctions"
CONTENT_TYPE = "application/x-amz-json-1.0"


class ApiError(Exception):
    """An error answered as ``{"__type": code, "message": …}``."""

    def __init__(self, code: str, message: str = "", status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    loader = Loader()
    return ServiceModel(loader.load_service_model(SERVICE_NAME, "service-2"), SERVICE_NAME)


def operation_model(name: str) -> OperationModel:
    return service_model().operation_model(name)


def parse_body(body: bytes) -> dict:
    """The request's JSON object (an empty body is an empty object)."""
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError("SerializationException", f"The request body is not valid JSON: {exc}")
    if not isinstance(value, dict):
        raise ApiError("SerializationException", "The request body must be a JSON object")
    return value


# --- Validation against the model ------------------------------------------------------------

_JSON_KIND = {
    dict: "Start of structure or map",
    list: "Start of list",
    str: "STRING_VALUE",
    bool: "Boolean value",
    int: "NUMBER_VALUE",
    float: "NUMBER_VALUE",
}
_TARGET_KIND = {
    "string": "a String",
    "integer": "an Integer",
    "long": "a Long",
    "boolean": "a Boolean",
    "timestamp": "a Timestamp",
    "double": "a Double",
    "float": "a Float",
    "blob": "a Blob",
}


def _type_error(value: Any, shape: Shape, where: str) -> ApiError:
    found = _JSON_KIND.get(type(value), "Value")
    if shape.type_name in ("structure", "map", "list"):
        expected = {"structure": "structure", "map": "map", "list": "list"}[shape.type_name]
        return ApiError(
            "SerializationException",
            f"{found} found where {expected} was expected (at '{where}')",
        )
    return ApiError(
        "SerializationException",
        f"{found} can not be converted to {_TARGET_KIND.get(shape.type_name, 'this type')} "
        f"(at '{where}')",
    )


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"'{value if len(value) <= 64 else value[:61] + '...'}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return "[...]" if isinstance(value, list) else "{...}"
    return f"'{value}'"


def _pattern_ok(pattern: str, value: str) -> bool:
    if pattern == r"\p{ASCII}*":
        return value.isascii()
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:  # a Java-only construct: the server checks these values itself
        return True


def _check(value: Any, shape: Shape, where: str, problems: list[str]) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            raise _type_error(value, shape, where)
        for name in shape.required_members:
            if value.get(name) is None:
                problems.append(
                    f"Value null at '{where}{name}' failed to satisfy constraint: "
                    "Member must not be null"
                )
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _check(value[name], member, f"{where}{name}.", problems)
        return
    where = where.rstrip(".")
    if kind == "list":
        if not isinstance(value, list):
            raise _type_error(value, shape, where)
        _check_size(len(value), meta, value, where, "length", problems)
        for index, item in enumerate(value, start=1):
            if item is None:
                problems.append(
                    f"Value null at '{where}.{index}.member' failed to satisfy constraint: "
                    "Member must not be null"
                )
            else:
                _check(item, shape.member, f"{where}.{index}.member.", problems)
        return
    if kind == "map":
        if not isinstance(value, dict):
            raise _type_error(value, shape, where)
        for key, item in value.items():
            _check(key, shape.key, f"{where}.key.", problems)
            _check(item, shape.value, f"{where}.value.", problems)
        return
    if kind == "string":
        if not isinstance(value, str):
            raise _type_error(value, shape, where)
        _check_size(len(value), meta, value, where, "length", problems)
        enum = shape.enum
        if enum and value not in enum:
            problems.append(
                f"Value {_show(value)} at '{where}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(enum)}]"
            )
        pattern = meta.get("pattern")
        if pattern and not _pattern_ok(pattern, value):
            problems.append(
                f"Value {_show(value)} at '{where}' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {pattern}"
            )
        return
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _type_error(value, shape, where)
        if isinstance(value, float):
            if not value.is_integer():
                raise _type_error(value, shape, where)
            value = int(value)
        _check_size(value, meta, value, where, "value", problems)
        return
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _type_error(value, shape, where)
        return
    if kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _type_error(value, shape, where)
        return
    if kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise _type_error(value, shape, where)
        return


def _check_size(
    size: int, meta: dict, value: Any, where: str, what: str, problems: list[str]
) -> None:
    low, high = meta.get("min"), meta.get("max")
    if low is not None and size < low:
        problems.append(
            f"Value {_show(value)} at '{where}' failed to satisfy constraint: "
            f"Member must have {what} greater than or equal to {low}"
        )
    elif high is not None and size > high:
        problems.append(
            f"Value {_show(value)} at '{where}' failed to satisfy constraint: "
            f"Member must have {what} less than or equal to {high}"
        )


def validate(operation: OperationModel, params: dict) -> dict:
    """Raise for input the model rejects; return the known members (unknown ones dropped)."""
    shape = operation.input_shape
    if shape is None:
        return {}
    problems: list[str] = []
    _check(params, shape, "", problems)
    if problems:
        count = len(problems)
        plural = "error" if count == 1 else "errors"
        raise ApiError(
            "ValidationException",
            f"{count} validation {plural} detected: " + "; ".join(problems),
        )
    return {name: params[name] for name in shape.members if params.get(name) is not None}


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
