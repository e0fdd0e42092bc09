"""DynamoDB expressions: a tokenizer and recursive-descent parsers for update, condition
and projection expressions, producing a small AST (evaluated by ``evaluate``).

Pure: no Django, no ``eval``. Placeholders (``#name``, ``:value``) are resolved while
parsing through a ``Placeholders`` object, which also records which ones were used so
the request can reject unused ones, as DynamoDB does.

Condition grammar, loosest binding first (DynamoDB's precedence)::

    condition  := conjunct ( OR conjunct )*
    conjunct   := negation ( AND negation )*
    negation   := NOT negation | atom
    atom       := "(" condition ")" | function "(" operands ")"
                | operand ( comparator operand | BETWEEN operand AND operand
                          | IN "(" operand ( "," operand )* ")" )
    operand    := path | :value | size "(" path ")"

Update grammar::

    update     := ( SET set ("," set)* | REMOVE path ("," path)*
                  | ADD path :value ("," path :value)* | DELETE path :value (…)* )+
    set        := path "=" value ( ("+" | "-") value )?
    value      := path | :value | if_not_exists "(" path "," value ")"
                | list_append "(" value "," value ")"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from docuflow.dynamo import types
from docuflow.dynamo.errors import ValidationException

MAX_DEPTH = 32
MAX_EXPRESSION_BYTES = 4096
MAX_IN_OPERANDS = 100
COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
CONDITION_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
}
UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")
# The operand type names DynamoDB's messages use.
TYPE_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "BOOL": "BOOLEAN",
    "NULL": "NULL",
    "M": "MAP",
    "L": "LIST",
    "SS": "STRING_SET",
    "NS": "NUMBER_SET",
    "BS": "BINARY_SET",
}


# --- AST ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Path:
    """A document path: attribute names (str) and list indexes (int)."""

    elements: tuple[str | int, ...]

    def __str__(self) -> str:
        return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in self.elements) + "]"


@dataclass(frozen=True)
class Value:
    value: types.AttributeValue
    ref: str


@dataclass(frozen=True)
class Size:
    path: Path


@dataclass(frozen=True)
class IfNotExists:
    path: Path
    default: Any


@dataclass(frozen=True)
class ListAppend:
    first: Any
    second: Any


@dataclass(frozen=True)
class Arithmetic:
    op: str  # "+" | "-"
    left: Any
    right: Any


@dataclass(frozen=True)
class Compare:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Between:
    operand: Any
    low: Any
    high: Any


@dataclass(frozen=True)
class In:
    operand: Any
    choices: tuple[Any, ...]


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Not:
    condition: Any


@dataclass(frozen=True)
class And:
    left: Any
    right: Any


@dataclass(frozen=True)
class Or:
    left: Any
    right: Any


@dataclass(frozen=True)
class Action:
    clause: str  # SET | REMOVE | ADD | DELETE
    path: Path
    value: Any = None


# --- placeholders ---------------------------------------------------------------------------


@dataclass
class Placeholders:
    """ExpressionAttributeNames/Values of one request, and which ones the expressions use."""

    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, types.AttributeValue] = field(default_factory=dict)
    used_names: set[str] = field(default_factory=set)
    used_values: set[str] = field(default_factory=set)

    @classmethod
    def from_request(cls, names: Any, values: Any) -> Placeholders:
        if names is not None and not isinstance(names, dict):
            raise ValidationException("ExpressionAttributeNames must be a map of #name to name")
        if values is not None and not isinstance(values, dict):
            raise ValidationException("ExpressionAttributeValues must be a map of :value to value")
        for key, name in (names or {}).items():
            if not re.fullmatch(r"#[A-Za-z0-9_]+", key):
                raise ValidationException(
                    f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"'
                )
            if not isinstance(name, str) or not name:
                raise ValidationException(
                    f"ExpressionAttributeNames contains invalid value: Empty attribute name for key {key}"
                )
        checked = {}
        for key, value in (values or {}).items():
            if not re.fullmatch(r":[A-Za-z0-9_]+", key):
                raise ValidationException(
                    f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
                )
            try:
                checked[key] = types.canonical(value)
            except ValidationException as exc:
                raise ValidationException(
                    f"ExpressionAttributeValues contains invalid value: {exc.message} for key {key}"
                )
        return cls(names=dict(names or {}), values=checked)

    def name(self, ref: str, kind: str) -> str:
        if ref not in self.names:
            raise ValidationException(
                f"Invalid {kind}: An expression attribute name used in the document path is not "
                f"defined; attribute name: {ref}"
            )
        self.used_names.add(ref)
        return self.names[ref]

    def value(self, ref: str, kind: str) -> types.AttributeValue:
        if ref not in self.values:
            raise ValidationException(
                f"Invalid {kind}: An expression attribute value used in expression is not "
                f"defined; attribute value: {ref}"
            )
        self.used_values.add(ref)
        return self.values[ref]

    def check_all_used(self, any_expression: bool) -> None:
        """DynamoDB rejects placeholders that no expression of the request uses."""
        if self.names and not any_expression:
            raise ValidationException(
                "ExpressionAttributeNames can only be specified when using expressions"
            )
        if self.values and not any_expression:
            raise ValidationException(
                "ExpressionAttributeValues can only be specified when using expressions: "
                "UpdateExpression and ConditionExpression are null"
            )
        unused = sorted(set(self.names) - self.used_names)
        if unused:
            raise ValidationException(
                "Value provided in ExpressionAttributeNames unused in expressions: "
                f"keys: {{{', '.join(unused)}}}"
            )
        unused = sorted(set(self.values) - self.used_values)
        if unused:
            raise ValidationException(
                "Value provided in ExpressionAttributeValues unused in expressions: "
                f"keys: {{{', '.join(unused)}}}"
            )


# --- tokenizer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # name | name_ref | value_ref | int | op | punct | eof
    text: str
    start: int
    end: int


_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<name_ref>\#[A-Za-z0-9_]+)
  | (?P<value_ref>:[A-Za-z0-9_]+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<int>\d+)
  | (?P<op><>|<=|>=|=|<|>|\+|-)
  | (?P<punct>[()\[\],.])
    """,
    re.VERBOSE,
)


def tokenize(text: str, kind: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match is None:
            bad = Token("error", text[position], position, position + 1)
            raise _syntax_error(kind, text, tokens + [bad], len(tokens))
        if match.lastgroup != "space":
            tokens.append(Token(match.lastgroup, match.group(), match.start(), match.end()))
        position = match.end()
    tokens.append(Token("eof", "<EOF>", len(text), len(text)))
    return tokens


def _syntax_error(kind: str, text: str, tokens: list[Token], index: int) -> ValidationException:
    token = tokens[index]
    # Like DynamoDB, show the offending token with its neighbours.
    first = tokens[max(index - 1, 0)].start
    last = tokens[min(index + 1, len(tokens) - 1)].end
    near = text[first:last] if token.kind != "eof" else text[tokens[max(index - 1, 0)].start :]
    return ValidationException(
        f'Invalid {kind}: Syntax error; token: "{token.text}", near: "{near}"'
    )


# --- parser ---------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: Any, kind: str, placeholders: Placeholders) -> None:
        if not isinstance(text, str):
            raise ValidationException(f"Invalid {kind}: the expression must be a string")
        if not text.strip():
            raise ValidationException(f"Invalid {kind}: The expression can not be empty;")
        size = len(text.encode())
        if size > MAX_EXPRESSION_BYTES:
            raise ValidationException(
                f"Invalid {kind}: Expression size has exceeded the maximum allowed size; "
                f"expression size: {size}"
            )
        self.text = text
        self.kind = kind
        self.placeholders = placeholders
        self.tokens = tokenize(text, kind)
        self.index = 0

    # token helpers
    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.token
        if token.kind != "eof":
            self.index += 1
        return token

    def error(self) -> ValidationException:
        return _syntax_error(self.kind, self.text, self.tokens, self.index)

    def expect(self, text: str) -> Token:
        if self.token.text != text or self.token.kind not in ("op", "punct"):
            raise self.error()
        return self.advance()

    def keyword(self, word: str) -> bool:
        return self.token.kind == "name" and self.token.text.upper() == word

    def invalid(self, message: str) -> ValidationException:
        return ValidationException(f"Invalid {self.kind}: {message}")

    def end(self) -> None:
        if self.token.kind != "eof":
            raise self.error()

    # paths
    def path(self) -> Path:
        elements: list[str | int] = [self.name_element()]
        while True:
            if self.token.text == "." and self.token.kind == "punct":
                self.advance()
                elements.append(self.name_element())
            elif self.token.text == "[" and self.token.kind == "punct":
                self.advance()
                if self.token.kind != "int":
                    raise self.error()
                elements.append(int(self.advance().text))
                self.expect("]")
            else:
                break
        if len(elements) > MAX_DEPTH:
            raise self.invalid(
                f"The document path has too many nesting levels; nesting levels: {len(elements)}"
            )
        return Path(tuple(elements))

    def name_element(self) -> str:
        token = self.token
        if token.kind == "name_ref":
            self.advance()
            return self.placeholders.name(token.text, self.kind)
        if token.kind == "name":
            self.advance()
            return token.text
        raise self.error()

    def is_call(self) -> bool:
        return self.token.kind == "name" and self.peek().text == "("

    def arguments(self, parse_one) -> list[Any]:
        self.expect("(")
        args = [parse_one()]
        while self.token.text == ",":
            self.advance()
            args.append(parse_one())
        self.expect(")")
        return args

    def value_ref(self) -> Value:
        token = self.advance()
        return Value(self.placeholders.value(token.text, self.kind), token.text)

    # conditions
    def condition(self) -> Any:
        node = self.conjunct()
        while self.keyword("OR"):
            self.advance()
            node = Or(node, self.conjunct())
        return node

    def conjunct(self) -> Any:
        node = self.negation()
        while self.keyword("AND"):
            self.advance()
            node = And(node, self.negation())
        return node

    def negation(self) -> Any:
        if self.keyword("NOT"):
            self.advance()
            return Not(self.negation())
        return self.atom()

    def atom(self) -> Any:
        if self.token.text == "(" and self.token.kind == "punct":
            self.advance()
            node = self.condition()
            self.expect(")")
            return node
        if self.is_call() and self.token.text in CONDITION_FUNCTIONS:
            return self.condition_function()
        left = self.operand()
        if self.token.kind == "op" and self.token.text in COMPARATORS:
            op = self.advance().text
            right = self.operand()
            for side in (left, right):
                self.check_ordered(op, side)
            return Compare(op, left, right)
        if self.keyword("BETWEEN"):
            self.advance()
            low = self.operand()
            if not self.keyword("AND"):
                raise self.error()
            self.advance()
            high = self.operand()
            for side in (left, low, high):
                self.check_ordered("BETWEEN", side)
            if (
                isinstance(low, Value)
                and isinstance(high, Value)
                and types.comparable(low.value, high.value)
            ):
                if types.sort_key(low.value) > types.sort_key(high.value):
                    raise self.invalid(
                        "The BETWEEN operator requires upper bound to be greater than or equal "
                        f"to lower bound; lower bound operand: AttributeValue: {_show(low.value)}, "
                        f"upper bound operand: AttributeValue: {_show(high.value)}"
                    )
            return Between(left, low, high)
        if self.keyword("IN"):
            self.advance()
            choices = self.arguments(self.operand)
            if len(choices) > MAX_IN_OPERANDS:
                raise self.invalid(
                    "The IN operator is provided with too many operands; "
                    f"number of operands: {len(choices)}"
                )
            return In(left, tuple(choices))
        if isinstance(left, Size):
            raise self.invalid(
                "The function is not allowed to be used this way in an expression; function: size"
            )
        raise self.error()

    def check_ordered(self, op: str, operand: Any) -> None:
        """Literal operands of <, <=, >, >=, BETWEEN must be a number, string or binary."""
        if op in ("=", "<>") or not isinstance(operand, Value):
            return
        kind = types.type_of(operand.value)
        if kind not in types.SCALARS:
            raise self.invalid(
                "Incorrect operand type for operator or function; "
                f"operator or function: {op}, operand type: {TYPE_NAMES[kind]}"
            )

    def operand(self) -> Any:
        token = self.token
        if token.kind == "value_ref":
            return self.value_ref()
        if self.is_call():
            name = token.text
            if name in CONDITION_FUNCTIONS or name in UPDATE_FUNCTIONS:
                raise self.invalid(
                    "The function is not allowed to be used this way in an expression; "
                    f"function: {name}"
                )
            if name != "size":
                raise self.invalid(f"Invalid function name; function: {name}")
            self.advance()
            args = self.arguments(self.operand)
            self.check_arity("size", args, 1)
            return Size(self.require_path("size", args[0]))
        if token.kind in ("name", "name_ref"):
            return self.path()
        raise self.error()

    def condition_function(self) -> Function:
        name = self.advance().text
        args = self.arguments(self.operand)
        self.check_arity(name, args, CONDITION_FUNCTIONS[name])
        self.require_path(name, args[0])
        if name == "attribute_type":
            self.check_type_name(args[1])
        if name == "begins_with" and isinstance(args[1], Value):
            kind = types.type_of(args[1].value)
            if kind not in ("S", "B"):
                raise self.invalid(
                    "Incorrect operand type for operator or function; "
                    f"operator or function: begins_with, operand type: {TYPE_NAMES[kind]}"
                )
        return Function(name, tuple(args))

    def check_arity(self, name: str, args: list[Any], count: int) -> None:
        if len(args) != count:
            raise self.invalid(
                "Incorrect number of operands for operator or function; "
                f"operator or function: {name}, number of operands: {len(args)}"
            )

    def require_path(self, name: str, operand: Any) -> Path:
        if not isinstance(operand, Path):
            raise self.invalid(
                f"Operator or function requires a document path; operator or function: {name}"
            )
        return operand

    def check_type_name(self, operand: Any) -> None:
        if not isinstance(operand, Value) or types.type_of(operand.value) != "S":
            kind = (
                TYPE_NAMES[types.type_of(operand.value)] if isinstance(operand, Value) else "PATH"
            )
            raise self.invalid(
                "Incorrect operand type for operator or function; "
                f"operator or function: attribute_type, operand type: {kind}"
            )
        if operand.value["S"] not in types.TYPES:
            raise self.invalid(
                f"Invalid attribute type name found; type: {operand.value['S']}, "
                "valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }"
            )

    # updates
    def update(self) -> list[Action]:
        actions: list[Action] = []
        seen: set[str] = set()
        while self.token.kind != "eof":
            clause = self.token.text.upper() if self.token.kind == "name" else ""
            if clause not in CLAUSES:
                raise self.error()
            if clause in seen:
                raise self.invalid(
                    f'The "{clause}" section can only be used once in an update expression;'
                )
            seen.add(clause)
            self.advance()
            actions.append(self.update_action(clause))
            while self.token.text == "," and self.token.kind == "punct":
                self.advance()
                actions.append(self.update_action(clause))
        return actions

    def update_action(self, clause: str) -> Action:
        path = self.path()
        if clause == "REMOVE":
            return Action(clause, path)
        if clause == "SET":
            self.expect("=")
            value = self.set_value()
            return Action(clause, path, value)
        if self.token.kind != "value_ref":
            raise self.error()
        value = self.value_ref()
        kind = types.type_of(value.value)
        allowed = ("N", *types.SETS) if clause == "ADD" else tuple(types.SETS)
        if kind not in allowed:
            raise self.invalid(
                "Incorrect operand type for operator or function; "
                f"operator: {clause}, operand type: {TYPE_NAMES[kind]}"
            )
        return Action(clause, path, value)

    def set_value(self) -> Any:
        left = self.set_operand()
        if self.token.kind == "op" and self.token.text in ("+", "-"):
            op = self.advance().text
            return Arithmetic(op, left, self.set_operand())
        return left

    def set_operand(self) -> Any:
        token = self.token
        if token.kind == "value_ref":
            return self.value_ref()
        if self.is_call():
            name = token.text
            if name not in UPDATE_FUNCTIONS:
                if name in CONDITION_FUNCTIONS or name == "size":
                    raise self.invalid(
                        f"The function is not allowed in an update expression; function: {name}"
                    )
                raise self.invalid(f"Invalid function name; function: {name}")
            self.advance()
            args = self.arguments(self.set_value)
            self.check_arity(name, args, UPDATE_FUNCTIONS[name])
            if name == "if_not_exists":
                return IfNotExists(self.require_path(name, args[0]), args[1])
            return ListAppend(args[0], args[1])
        if token.kind in ("name", "name_ref"):
            return self.path()
        raise self.error()


def _show(value: types.AttributeValue) -> str:
    kind = types.type_of(value)
    return f"{{{kind}:{value[kind]}}}"


# --- entry points ---------------------------------------------------------------------------


def parse_condition(text: Any, placeholders: Placeholders) -> Any:
    parser = _Parser(text, "ConditionExpression", placeholders)
    node = parser.condition()
    parser.end()
    return node


def parse_update(text: Any, placeholders: Placeholders) -> list[Action]:
    parser = _Parser(text, "UpdateExpression", placeholders)
    actions = parser.update()
    parser.end()
    _check_overlaps([action.path for action in actions], "UpdateExpression")
    return actions


def parse_projection(text: Any, placeholders: Placeholders) -> list[Path]:
    parser = _Parser(text, "ProjectionExpression", placeholders)
    paths = [parser.path()]
    while parser.token.text == "," and parser.token.kind == "punct":
        parser.advance()
        paths.append(parser.path())
    parser.end()
    _check_overlaps(paths, "ProjectionExpression")
    return paths


def _check_overlaps(paths: list[Path], kind: str) -> None:
    for i, first in enumerate(paths):
        for second in paths[i + 1 :]:
            shorter = min(len(first.elements), len(second.elements))
            if first.elements[:shorter] != second.elements[:shorter]:
                continue
            how = "conflict" if first == second else "overlap"
            raise ValidationException(
                f"Invalid {kind}: Two document paths {how} with each other; "
                "must remove or rewrite one of these paths; "
                f"path one: {first}, path two: {second}"
            )
