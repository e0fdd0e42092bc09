"""Intrinsic functions of the Amazon States Language (``States.Format(...)`` and friends).

An intrinsic is parsed once into a small tree (cached) and evaluated against the state's
data. Arguments are string literals in single quotes, numbers, ``true``/``false``/``null``,
paths (``$...`` against the data, ``$$...`` against the context object) and nested
intrinsic calls. Inside string literals ``\\'``, ``\\{``, ``\\}`` and ``\\\\`` escape the reserved
characters; any other backslash is an error, as AWS documents.

Failures follow AWS: bad argument counts, types or values raise
``StatesError("States.IntrinsicFailure", …)``; a path argument that matches nothing raises
``StatesError("States.Runtime", …)`` naming the path and the field, like a payload template.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import math
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import INTRINSIC_FAILURE, RUNTIME, StatesError
from .paths import PathNotFoundError, compact_json, select, validate_path

__all__ = ["MAX_NESTING", "evaluate", "is_intrinsic", "parse", "validate_intrinsic"]

MAX_NESTING = 10  # "You can nest up to 10 intrinsic functions within a field."
MAX_STRING_INPUT = 10_000  # Base64Encode/Base64Decode/Hash input limit, in characters
MAX_RANGE_ITEMS = 1000  # States.ArrayRange output limit
HASH_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


# --------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any
    raw: str | None = None  # source text of a string literal, escapes kept (for Format)


@dataclass(frozen=True, slots=True)
class PathArg:
    path: str


@dataclass(frozen=True, slots=True)
class Call:
    name: str  # e.g. "States.Format"
    args: tuple[Any, ...]

    def depth(self) -> int:
        inner = [a.depth() for a in self.args if isinstance(a, Call)]
        return 1 + (max(inner) if inner else 0)


class IntrinsicSyntaxError(ValueError):
    pass


_NAME = re.compile(r"States\.[A-Za-z0-9]+")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_KEYWORDS = {"true": True, "false": False, "null": None}
_RESERVED_ESCAPES = "'{}\\"


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(f"{message} at position {self.pos} in '{self.text}'")

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def parse_call(self) -> Call:
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise self.fail("expected an intrinsic function name like States.Format")
        name = match.group()
        self.pos = match.end()
        if self.pos >= len(self.text) or self.text[self.pos] != "(":
            raise self.fail("expected '('")
        self.pos += 1
        args: list[Any] = []
        self.skip_spaces()
        if self.peek() == ")":
            self.pos += 1
            return Call(name, ())
        while True:
            self.skip_spaces()
            args.append(self.parse_arg())
            self.skip_spaces()
            ch = self.peek()
            if ch == ",":
                self.pos += 1
                continue
            if ch == ")":
                self.pos += 1
                return Call(name, tuple(args))
            raise self.fail("expected ',' or ')'")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def parse_arg(self) -> Any:
        ch = self.peek()
        if ch == "'":
            return self.parse_string()
        if ch == "$":
            return self.parse_path()
        if ch == "S" and self.text.startswith("States.", self.pos):
            return self.parse_call()
        number = _NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            token = number.group()
            is_int = not any(c in token for c in ".eE")
            return Literal(int(token) if is_int else float(token))
        for word, value in _KEYWORDS.items():
            end = self.pos + len(word)
            if self.text.startswith(word, self.pos) and not self.text[end : end + 1].isalnum():
                self.pos = end
                return Literal(value)
        raise self.fail("expected a string, number, boolean, null, path or intrinsic")

    def parse_string(self) -> Literal:
        start = self.pos + 1
        out: list[str] = []
        i = start
        while i < len(self.text):
            ch = self.text[i]
            if ch == "\\":
                nxt = self.text[i + 1 : i + 2]
                if not nxt or nxt not in _RESERVED_ESCAPES:
                    self.pos = i
                    raise self.fail("open escape backslash (only \\' \\{ \\} \\\\ are allowed)")
                out.append(nxt)
                i += 2
                continue
            if ch == "'":
                self.pos = i + 1
                return Literal("".join(out), self.text[start:i])
            out.append(ch)
            i += 1
        raise self.fail("unterminated string literal")

    def parse_path(self) -> PathArg:
        # A path runs to the next ',' or ')' outside brackets, parentheses and quotes.
        start = self.pos
        depth = 0
        quote = ""
        i = start
        while i < len(self.text):
            ch = self.text[i]
            if quote:
                if ch == "\\":
                    i += 2
                    continue
                if ch == quote:
                    quote = ""
            elif ch in "'\"":
                quote = ch
            elif ch in "[(":
                depth += 1
            elif ch in "])":
                if depth == 0:
                    break
                depth -= 1
            elif ch == "," and depth == 0:
                break
            i += 1
        path = self.text[start:i].rstrip()
        self.pos = i
        error = validate_path(path)
        if error:
            raise self.fail(f"invalid path argument: {error}")
        return PathArg(path)


_PARSE_CACHE: dict[str, Call | IntrinsicSyntaxError] = {}


def parse(expr: str) -> Call:
    """Parse an intrinsic invocation (cached). Raises IntrinsicSyntaxError."""
    cached = _PARSE_CACHE.get(expr)
    if cached is None:
        try:
            cached = _parse_uncached(expr)
        except IntrinsicSyntaxError as exc:
            cached = exc
        if len(_PARSE_CACHE) > 4096:
            _PARSE_CACHE.clear()
        _PARSE_CACHE[expr] = cached
    if isinstance(cached, IntrinsicSyntaxError):
        raise cached
    return cached


def _parse_uncached(expr: str) -> Call:
    parser = _Parser(expr.strip())
    call = parser.parse_call()
    parser.skip_spaces()
    if parser.pos != len(parser.text):
        raise parser.fail("unexpected text after the closing ')'")
    _check_static(call)
    return call


# --------------------------------------------------------------------------- static checks

# name -> (min args, max args or None for unbounded)
_ARITY: dict[str, tuple[int, int | None]] = {
    "States.Format": (1, None),
    "States.StringToJson": (1, 1),
    "States.JsonToString": (1, 1),
    "States.Array": (0, None),
    "States.ArrayPartition": (2, 2),
    "States.ArrayContains": (2, 2),
    "States.ArrayRange": (3, 3),
    "States.ArrayGetItem": (2, 2),
    "States.ArrayLength": (1, 1),
    "States.ArrayUnique": (1, 1),
    "States.Base64Encode": (1, 1),
    "States.Base64Decode": (1, 1),
    "States.Hash": (2, 2),
    "States.JsonMerge": (3, 3),
    "States.MathRandom": (2, 3),
    "States.MathAdd": (2, 2),
    "States.StringSplit": (2, 2),
    "States.UUID": (0, 0),
}


def _check_static(call: Call) -> None:
    if call.depth() > MAX_NESTING:
        raise IntrinsicSyntaxError(f"more than {MAX_NESTING} nested intrinsic functions")
    _check_call(call)


def _check_call(call: Call) -> None:
    arity = _ARITY.get(call.name)
    if arity is None:
        raise IntrinsicSyntaxError(f"unknown intrinsic function {call.name}")
    low, high = arity
    count = len(call.args)
    if count < low or (high is not None and count > high):
        expected = (
            f"{low}" if low == high else f"{low} or more" if high is None else f"{low}-{high}"
        )
        raise IntrinsicSyntaxError(f"{call.name} takes {expected} argument(s), {count} given")
    if call.name == "States.JsonToString" and not isinstance(call.args[0], PathArg):
        raise IntrinsicSyntaxError("States.JsonToString takes a single path argument")
    if call.name == "States.Format":
        first = call.args[0]
        if isinstance(first, Literal):
            if not isinstance(first.value, str):
                raise IntrinsicSyntaxError("the first argument of States.Format must be a string")
            placeholders = _count_placeholders(first.raw or "")
            if placeholders != count - 1:
                raise IntrinsicSyntaxError(
                    f"States.Format template has {placeholders} '{{}}' placeholder(s) "
                    f"but {count - 1} value argument(s)"
                )
    if call.name == "States.JsonMerge":
        flag = call.args[2]
        if isinstance(flag, Literal) and flag.value is not False:
            raise IntrinsicSyntaxError(
                "the third argument of States.JsonMerge must be false (deep merge is not supported)"
            )
    for arg in call.args:
        if isinstance(arg, Call):
            _check_call(arg)


def is_intrinsic(expr: str) -> bool:
    """True when ``expr`` looks like an intrinsic invocation (``States.Name(...)``)."""
    return isinstance(expr, str) and bool(_NAME.match(expr.lstrip())) and "(" in expr


def validate_intrinsic(expr: str) -> str | None:
    """Return an error message if ``expr`` is not a valid intrinsic invocation, else None."""
    if not isinstance(expr, str):
        return "an intrinsic function must be a string"
    try:
        parse(expr)
    except IntrinsicSyntaxError as exc:
        return str(exc)
    return None


# --------------------------------------------------------------------------- evaluation


class _Env:
    __slots__ = ("data", "context", "rng", "field", "variables")

    def __init__(self, data, context, rng, field, variables) -> None:
        self.data = data
        self.context = context
        self.rng = rng
        self.field = field
        self.variables = variables


def evaluate(
    expr: str,
    data: Any,
    context: dict | None,
    rng: random.Random,
    *,
    field: str | None = None,
    variables: dict | None = None,
) -> Any:
    """Evaluate an intrinsic invocation (``variables`` are what ``$name`` arguments read).

    ``field`` is the template key being resolved (e.g. ``"id.$"``); it only shapes the cause
    text of a ``States.Runtime`` error when a path argument matches nothing.
    """
    try:
        call = parse(expr)
    except IntrinsicSyntaxError as exc:
        raise StatesError(INTRINSIC_FAILURE, str(exc))
    return _eval_call(call, _Env(data, context, rng, field, variables))


def _eval_arg(arg: Any, env: _Env) -> Any:
    if isinstance(arg, Literal):
        return arg.value
    if isinstance(arg, PathArg):
        try:
            return select(arg.path, env.data, env.context, env.variables)
        except PathNotFoundError:
            source = env.context if arg.path.startswith("$$") else env.data
            field = env.field or "(intrinsic argument)"
            raise StatesError(
                RUNTIME,
                f"The JSONPath '{arg.path}' specified for the field '{field}' could not be found "
                f"in the input '{compact_json(source)}'",
            )
    return _eval_call(arg, env)


def _eval_call(call: Call, env: _Env) -> Any:
    impl = _FUNCTIONS[call.name]
    if call.name == "States.Format":
        return _format(call, env)
    return impl(call.name, [_eval_arg(a, env) for a in call.args], env.rng)


def _failure(name: str, message: str) -> StatesError:
    return StatesError(INTRINSIC_FAILURE, f"Invalid arguments in {name}: {message}")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _require(name: str, value: Any, kind: str, position: str) -> Any:
    if _json_type(value) != kind:
        raise _failure(name, f"the {position} argument must be a {kind}, got {_json_type(value)}")
    return value


def _require_int(name: str, value: Any, position: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _failure(name, f"the {position} argument must be an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise _failure(name, f"the {position} argument must be an integer, got {value}")
        value = int(value)
    return value


def _rounded_int(name: str, value: Any, position: str) -> int:
    """MathAdd/MathRandom: AWS rounds a non-integer number to the nearest integer (Java style)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _failure(name, f"the {position} argument must be a number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _failure(name, f"the {position} argument must be a finite number")
        return math.floor(value + 0.5)
    return value


def _json_key(value: Any) -> str:
    """Canonical text for JSON equality (so 1 and true, or 1 and 1.5 stay distinct)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


# --- States.Format


def _count_placeholders(raw: str) -> int:
    count = 0
    i = 0
    while i < len(raw):
        if raw[i] == "\\":
            i += 2
            continue
        if raw.startswith("{}", i):
            count += 1
            i += 2
            continue
        i += 1
    return count


@functools.lru_cache(maxsize=1024)
def _literal_template_pieces(raw: str) -> tuple[str, ...]:
    """Pieces of a literal template, cached: the same Format runs on every execution."""
    return tuple(_split_template(raw, escaped=True))


def _split_template(raw: str, escaped: bool) -> list[str]:
    """Split a template at its unescaped '{}' and unescape the pieces."""
    pieces: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if escaped and ch == "\\" and i + 1 < len(raw):
            current.append(raw[i + 1])
            i += 2
            continue
        if raw.startswith("{}", i):
            pieces.append("".join(current))
            current = []
            i += 2
            continue
        current.append(ch)
        i += 1
    pieces.append("".join(current))
    return pieces


def _format_value(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _format(call: Call, env: _Env) -> str:
    name = call.name
    first = call.args[0]
    if isinstance(first, Literal) and isinstance(first.value, str):
        pieces = _literal_template_pieces(first.raw or "")
    else:
        template = _eval_arg(first, env)
        if not isinstance(template, str):
            raise _failure(name, "the first argument must be a string")
        pieces = _split_template(template, escaped=False)
    values = [_eval_arg(a, env) for a in call.args[1:]]
    if len(pieces) - 1 != len(values):
        raise _failure(
            name,
            f"the template has {len(pieces) - 1} '{{}}' placeholder(s) "
            f"but {len(values)} value argument(s) were given",
        )
    out = [pieces[0]]
    for value, piece in zip(values, pieces[1:], strict=True):
        if isinstance(value, dict | list):
            raise _failure(name, "values must be strings, numbers, booleans or null")
        out.append(_format_value(value))
        out.append(piece)
    return "".join(out)


# --- the other functions: (name, evaluated args, rng) -> value


def _string_to_json(name, args, rng):
    text = _require(name, args[0], "string", "first")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise _failure(name, f"the argument is not valid JSON ({exc})")


def _json_to_string(name, args, rng):
    return compact_json(args[0])


def _array(name, args, rng):
    return list(args)


def _array_partition(name, args, rng):
    items = _require(name, args[0], "array", "first")
    size = _require_int(name, args[1], "second")
    if size <= 0:
        raise _failure(name, "the chunk size must be a positive integer")
    return [items[i : i + size] for i in range(0, len(items), size)]


def _array_contains(name, args, rng):
    items = _require(name, args[0], "array", "first")
    wanted = _json_key(args[1])
    return any(_json_key(item) == wanted for item in items)


def _array_range(name, args, rng):
    start = _require_int(name, args[0], "first")
    end = _require_int(name, args[1], "second")
    step = _require_int(name, args[2], "third")
    if step == 0:
        raise _failure(name, "the step must be a non-zero integer")
    stop = end + (1 if step > 0 else -1)  # the end value is included
    count = len(range(start, stop, step))
    if count > MAX_RANGE_ITEMS:
        raise _failure(name, f"the range would have {count} items; the limit is {MAX_RANGE_ITEMS}")
    return list(range(start, stop, step))


def _array_get_item(name, args, rng):
    items = _require(name, args[0], "array", "first")
    index = _require_int(name, args[1], "second")
    if not 0 <= index < len(items):
        raise _failure(name, f"index {index} is out of bounds for an array of {len(items)} items")
    return items[index]


def _array_length(name, args, rng):
    return len(_require(name, args[0], "array", "first"))


def _array_unique(name, args, rng):
    items = _require(name, args[0], "array", "first")
    seen: set[str] = set()
    out = []
    for item in items:
        key = _json_key(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _limited_string(name, value, what):
    text = _require(name, value, "string", "first")
    if len(text) > MAX_STRING_INPUT:
        raise _failure(name, f"{what} exceeds {MAX_STRING_INPUT} characters")
    return text


def _base64_encode(name, args, rng):
    text = _limited_string(name, args[0], "the input string")
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _base64_decode(name, args, rng):
    text = _limited_string(name, args[0], "the Base64 string")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise _failure(name, f"the argument is not valid Base64 ({exc})")


def _hash(name, args, rng):
    text = _limited_string(name, args[0], "the input data")
    algorithm = _require(name, args[1], "string", "second")
    digest_name = HASH_ALGORITHMS.get(algorithm)
    if digest_name is None:
        allowed = ", ".join(HASH_ALGORITHMS)
        raise _failure(name, f"unsupported algorithm '{algorithm}' (allowed: {allowed})")
    return hashlib.new(digest_name, text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _json_merge(name, args, rng):
    left = _require(name, args[0], "object", "first")
    right = _require(name, args[1], "object", "second")
    deep = _require(name, args[2], "boolean", "third")
    if deep:
        raise _failure(name, "deep merging is not supported; the third argument must be false")
    merged = dict(left)
    merged.update(right)
    return merged


def _math_random(name, args, rng):
    start = _rounded_int(name, args[0], "first")
    end = _rounded_int(name, args[1], "second")
    if end < start:
        raise _failure(name, "the end number must not be smaller than the start number")
    source = rng
    if len(args) == 3:
        seed = _rounded_int(name, args[2], "third")
        source = random.Random(seed)  # same seed -> same number, as AWS documents
    return source.randint(start, end)  # both bounds included


def _math_add(name, args, rng):
    return _rounded_int(name, args[0], "first") + _rounded_int(name, args[1], "second")


def _string_split(name, args, rng):
    text = _require(name, args[0], "string", "first")
    delimiters = _require(name, args[1], "string", "second")
    if not delimiters:
        raise _failure(name, "the delimiter must not be empty")
    # Every character of the second argument is a delimiter; empty pieces are dropped.
    pattern = "[" + re.escape(delimiters) + "]"
    return [piece for piece in re.split(pattern, text) if piece]


def _uuid(name, args, rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


_FUNCTIONS: dict[str, Callable[[str, list, random.Random], Any]] = {
    "States.Format": lambda name, args, rng: None,  # handled by _format (needs raw template)
    "States.StringToJson": _string_to_json,
    "States.JsonToString": _json_to_string,
    "States.Array": _array,
    "States.ArrayPartition": _array_partition,
    "States.ArrayContains": _array_contains,
    "States.ArrayRange": _array_range,
    "States.ArrayGetItem": _array_get_item,
    "States.ArrayLength": _array_length,
    "States.ArrayUnique": _array_unique,
    "States.Base64Encode": _base64_encode,
    "States.Base64Decode": _base64_decode,
    "States.Hash": _hash,
    "States.JsonMerge": _json_merge,
    "States.MathRandom": _math_random,
    "States.MathAdd": _math_add,
    "States.StringSplit": _string_split,
    "States.UUID": _uuid,
}

assert set(_FUNCTIONS) == set(_ARITY)
