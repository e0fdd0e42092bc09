"""JSONPath as the Amazon States Language uses it.

Two grammars matter:

* **Reference Paths** (ResultPath, ItemsPath, Choice ``Variable`` …) may only name one
  node: ``$``, ``$.a.b``, ``$['a b']``, ``$.a[0]``, ``$$.Execution.Id``.
* **Paths** (InputPath, OutputPath, ``.$`` template values …) accept the broader JSONPath
  of Step Functions: wildcards, filters ``[?(@.x > 1)]``, slices, unions, ``..``.

Both may start from a workflow variable instead of the data: ``$name.a[0]`` reads the
variable ``name`` (``$$`` stays the context object, ``$.``/``$[`` the data).

Reference paths are parsed by a small hand-written tokenizer into a tuple of steps and
walked directly; everything else goes through ``jsonpath_ng.ext``. Both parses are cached,
because the same few expressions are evaluated on every state transition.

Values returned by :func:`select` are the very objects inside ``data`` (no copies), and
:func:`apply_result_path` copies only the containers along the path it writes. Callers
must therefore treat state data as immutable, which is how the interpreter uses it.

Functions such as ``.length()`` are not supported: AWS documents that Step Functions
paths do not support JSONPath functions and rejects ``$.list.length()``.
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

from jsonpath_ng import jsonpath as jp
from jsonpath_ng.ext import parse as _ext_parse
from jsonpath_ng.ext.filter import Filter

from .errors import RESULT_PATH_MATCH_FAILURE, StatesError

__all__ = [
    "PathNotFoundError",
    "apply_result_path",
    "compact_json",
    "is_definite",
    "select",
    "validate_path",
]

Step = str | int


class PathNotFoundError(LookupError):
    """A definite path matched nothing in the data it was applied to."""

    def __init__(self, path: str, data: Any = None) -> None:
        super().__init__(f"The JSONPath '{path}' could not be found in the input")
        self.path = path
        self.data = data


class _InvalidPath(ValueError):
    pass


def compact_json(value: Any) -> str:
    """JSON text the way AWS prints inputs inside error causes (no spaces)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# --------------------------------------------------------------------------- reference paths

# A name after a dot: anything up to the next "." or "[", minus JSONPath operators.
_DOT_NAME = re.compile(r"[^.\[\]\s*@,:?()'\"`$]+")
_INDEX = re.compile(r"-?\d+")


def _parse_bracket_string(expr: str, pos: int) -> tuple[str, int]:
    """Parse a quoted name starting at expr[pos] (the quote); return (name, index after it)."""
    quote = expr[pos]
    out: list[str] = []
    i = pos + 1
    while i < len(expr):
        ch = expr[i]
        if ch == "\\" and i + 1 < len(expr):
            out.append(expr[i + 1])
            i += 2
            continue
        if ch == quote:
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise _InvalidPath(f"unterminated string in '{expr}'")


def _parse_reference_steps(expr: str, start: int) -> tuple[Step, ...]:
    """Tokenize the part of a reference path after its root ("$" or "$$")."""
    steps: list[Step] = []
    i, n = start, len(expr)
    while i < n:
        ch = expr[i]
        if ch == ".":
            match = _DOT_NAME.match(expr, i + 1)
            if not match:
                raise _InvalidPath(f"expected a field name at position {i + 1}")
            steps.append(match.group())
            i = match.end()
        elif ch == "[":
            if i + 1 < n and expr[i + 1] in "'\"":
                name, i = _parse_bracket_string(expr, i + 1)
                steps.append(name)
            else:
                match = _INDEX.match(expr, i + 1)
                if not match:
                    raise _InvalidPath(f"expected an index or a quoted name at position {i + 1}")
                steps.append(int(match.group()))
                i = match.end()
            if i >= n or expr[i] != "]":
                raise _InvalidPath(f"expected ']' at position {i}")
            i += 1
        else:
            raise _InvalidPath(f"unexpected character {ch!r} at position {i}")
    return tuple(steps)


class _Compiled:
    """A parsed path: either reference ``steps`` or a jsonpath-ng expression."""

    __slots__ = ("context", "steps", "general", "error", "variable")

    def __init__(
        self, context: bool, steps, general, error: str | None, variable: str | None = None
    ) -> None:
        self.context = context  # addresses the context object ("$$...")
        self.steps: tuple[Step, ...] | None = steps
        self.general = general
        self.error = error
        self.variable = variable  # the workflow variable it starts from ("$name...")

    @property
    def definite(self) -> bool:
        return self.steps is not None


# jsonpath-ng node types that Step Functions' JSONPath also has. Unions with "|", "where",
# arithmetic and named operators (`len`, `sorted`) are jsonpath-ng extensions AWS lacks.
_ALLOWED_NODES = (jp.Root, jp.Child, jp.Fields, jp.Index, jp.Slice, jp.Descendants, Filter)
_WILDCARD = getattr(jp, "Wildcard", None)
if _WILDCARD is not None:
    _ALLOWED_NODES = (*_ALLOWED_NODES, _WILDCARD)


def _check_general_ast(node) -> None:
    if not isinstance(node, _ALLOWED_NODES):
        raise _InvalidPath(f"unsupported JSONPath operator {type(node).__name__}")
    if isinstance(node, jp.Child | jp.Descendants):
        _check_general_ast(node.left)
        _check_general_ast(node.right)


_CACHE: dict[str, _Compiled] = {}
_CACHE_LIMIT = 8192


def _compile(expr: str) -> _Compiled:
    compiled = _CACHE.get(expr)
    if compiled is not None:
        return compiled
    compiled = _compile_uncached(expr)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()  # crude but bounded; definitions use few distinct paths
    _CACHE[expr] = compiled
    return compiled


# A variable reference: "$" then a name (Unicode identifier characters), then steps.
_VARIABLE = re.compile(r"\$([^\W\d]\w*)")


def _compile_uncached(expr: str) -> _Compiled:
    if not isinstance(expr, str) or not expr.startswith("$"):
        return _Compiled(False, None, None, "a path must begin with '$'")
    variable = _VARIABLE.match(expr)
    if variable is not None:
        compiled = _compile_uncached("$" + expr[variable.end() :])
        compiled.variable = variable.group(1)
        return compiled
    is_context = expr.startswith("$$")
    root_end = 2 if is_context else 1
    try:
        return _Compiled(is_context, _parse_reference_steps(expr, root_end), None, None)
    except _InvalidPath as exc:
        reference_error = str(exc)
    general_text = "$" + expr[root_end:]
    if "`" in general_text or "()" in general_text:
        return _Compiled(is_context, None, None, "JSONPath functions are not supported")
    try:
        with warnings.catch_warnings():  # jsonpath-ng warns about operators we reject anyway
            warnings.simplefilter("ignore", DeprecationWarning)
            parsed = _ext_parse(general_text)
        _check_general_ast(parsed)
    except Exception as exc:  # jsonpath-ng raises lexer, parser and plain Python errors
        message = str(exc).splitlines()[0] if str(exc) else reference_error
        return _Compiled(is_context, None, None, message)
    return _Compiled(is_context, None, parsed, None)


# --------------------------------------------------------------------------- public API


def validate_path(expr: str, *, reference: bool = False, variables: bool = True) -> str | None:
    """Return an error message if ``expr`` is not a valid (Reference) Path, else None."""
    if not isinstance(expr, str):
        return "a path must be a string"
    compiled = _compile(expr)
    if compiled.error is not None:
        return f"'{expr}' is not a valid JSONPath: {compiled.error}"
    if compiled.variable is not None and not variables:
        return f"'{expr}' is not a valid JSONPath: variables cannot be used here"
    if reference and compiled.steps is None:
        return (
            f"'{expr}' is not a valid Reference Path: only '.name', \"['name']\" and '[index]' "
            "steps are allowed (no wildcards, filters, slices, unions or '..')"
        )
    return None


def is_definite(expr: str) -> bool:
    """True when ``expr`` can only name a single node (a valid Reference Path)."""
    return _compile(expr).steps is not None


def _walk(steps: tuple[Step, ...], data: Any, expr: str) -> Any:
    current = data
    for step in steps:
        if type(step) is str:
            if type(current) is dict or isinstance(current, dict):
                try:
                    current = current[step]
                    continue
                except KeyError:
                    pass
            raise PathNotFoundError(expr, data)
        if isinstance(current, list) and -len(current) <= step < len(current):
            current = current[step]
            continue
        raise PathNotFoundError(expr, data)
    return current


def select(expr: str, data: Any, context: dict | None = None, variables: dict | None = None) -> Any:
    """Evaluate ``expr`` against ``data`` (``context`` for ``$$``, ``variables`` for ``$name``).

    Definite paths return the single value or raise :class:`PathNotFoundError`;
    indefinite paths return the list of all matches, possibly empty. A variable that is
    not assigned raises :class:`PathNotFoundError` too.
    Raises ``ValueError`` for a syntactically invalid path.
    """
    compiled = _CACHE.get(expr) or _compile(expr)
    if compiled.variable is not None:
        if not variables or compiled.variable not in variables:
            raise PathNotFoundError(expr, data)
        target = variables[compiled.variable]
    else:
        target = (context if context is not None else {}) if compiled.context else data
    steps = compiled.steps
    if steps is not None:
        if not steps:
            return target
        return _walk(steps, target, expr)
    if compiled.general is None:
        raise ValueError(f"invalid JSONPath '{expr}': {compiled.error}")
    return [match.value for match in compiled.general.find(target)]


def apply_result_path(data: Any, result_path: str | None, result: Any) -> Any:
    """Place ``result`` into ``data`` as ResultPath does and return the new value.

    ``data`` is not modified: containers along the path are copied, the rest is shared.
    """
    if result_path is None:
        return data
    if result_path == "$":
        return result
    compiled = _compile(result_path)
    steps = compiled.steps
    if steps is None or compiled.context or compiled.variable is not None:
        raise StatesError(
            RESULT_PATH_MATCH_FAILURE, f"Invalid ResultPath '{result_path}': not a Reference Path"
        )
    return _place(data, steps, 0, result, result_path, data)


def _place(node: Any, steps: tuple[Step, ...], index: int, result: Any, expr: str, root: Any):
    step = steps[index]
    last = index == len(steps) - 1
    if isinstance(step, str):
        if node is _MISSING:
            node = {}
        elif not isinstance(node, dict):
            raise _match_failure(expr, root)
        copy = dict(node)
        copy[step] = (
            result
            if last
            else _place(node.get(step, _MISSING), steps, index + 1, result, expr, root)
        )
        return copy
    if not isinstance(node, list) or not -len(node) <= step < len(node):
        raise _match_failure(expr, root)
    copy = list(node)
    copy[step] = result if last else _place(node[step], steps, index + 1, result, expr, root)
    return copy


_MISSING = object()


def _match_failure(expr: str, data: Any) -> StatesError:
    return StatesError(
        RESULT_PATH_MATCH_FAILURE,
        f"Unable to apply ReferencePath {expr} to input {compact_json(data)}",
    )
