"""Condition, update and projection expressions: parsing, errors and evaluation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docuflow.dynamo import evaluate, expressions
from docuflow.dynamo.errors import ValidationException
from docuflow.dynamo.expressions import Placeholders

pytestmark = pytest.mark.pure

ITEM = {
    "id": {"S": "r-1"},
    "status": {"S": "PENDING"},
    "cost": {"N": "150"},
    "tags": {"SS": ["aws", "cert"]},
    "scores": {"NS": ["1", "2"]},
    "flag": {"BOOL": True},
    "nothing": {"NULL": True},
    "blob": {"B": "AAEC"},
    "history": {"L": [{"S": "created"}, {"N": "2"}, {"M": {"by": {"S": "bob"}}}]},
    "owner": {"M": {"name": {"S": "Alice"}, "address": {"M": {"city": {"S": "Paris"}}}}},
    "my-attr": {"S": "dashed"},
}


def holds(text: str, values: dict | None = None, names: dict | None = None, item=ITEM) -> bool:
    placeholders = Placeholders.from_request(names, values)
    return evaluate.check(expressions.parse_condition(text, placeholders), item)


def update(text: str, values: dict | None = None, names: dict | None = None, item=ITEM) -> dict:
    placeholders = Placeholders.from_request(names, values)
    return evaluate.apply_update(item, expressions.parse_update(text, placeholders))


S = lambda s: {"S": s}  # noqa: E731
N = lambda n: {"N": str(n)}  # noqa: E731


# --- conditions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("cost = :v", {":v": N(150)}, True),
        ("cost = :v", {":v": N("150.0")}, True),
        ("cost = :v", {":v": S("150")}, False),
        ("cost <> :v", {":v": N(1)}, True),
        ("cost < :v", {":v": N(151)}, True),
        ("cost <= :v", {":v": N(150)}, True),
        ("cost > :v", {":v": N(1000)}, False),
        ("cost >= :v", {":v": N(150)}, True),
        ("cost > :v", {":v": S("1")}, False),  # different types never order
        ("id < :v", {":v": S("r-2")}, True),
        ("cost BETWEEN :a AND :b", {":a": N(100), ":b": N(200)}, True),
        ("cost between :a and :b", {":a": N(151), ":b": N(200)}, False),
        ("status IN (:a, :b)", {":a": S("APPROVED"), ":b": S("PENDING")}, True),
        ("status IN (:a)", {":a": S("APPROVED")}, False),
        ("missing = :v", {":v": N(1)}, False),
        ("missing < :v", {":v": N(1)}, False),
        ("missing <> :v", {":v": N(1)}, True),
        ("tags = :v", {":v": {"SS": ["cert", "aws"]}}, True),
        ("owner.name = :v", {":v": S("Alice")}, True),
        ("owner.address.city = :v", {":v": S("Paris")}, True),
        ("history[0] = :v", {":v": S("created")}, True),
        ("history[2].by = :v", {":v": S("bob")}, True),
        ("history[9] = :v", {":v": S("created")}, False),
        ("size(tags) = :v", {":v": N(2)}, True),
        ("size(id) = :v", {":v": N(3)}, True),
        ("size(blob) = :v", {":v": N(3)}, True),
        ("size(history) > :v", {":v": N(2)}, True),
        ("size(owner) = :v", {":v": N(2)}, True),
        ("size(cost) = :v", {":v": N(3)}, False),
        ("begins_with(id, :p)", {":p": S("r-")}, True),
        ("begins_with(blob, :p)", {":p": {"B": "AAE="}}, True),
        ("begins_with(cost, :p)", {":p": S("1")}, False),
        ("contains(id, :p)", {":p": S("-1")}, True),
        ("contains(tags, :p)", {":p": S("aws")}, True),
        ("contains(scores, :p)", {":p": N("2.0")}, True),
        ("contains(tags, :p)", {":p": N(1)}, False),
        ("contains(history, :p)", {":p": N(2)}, True),
        ("attribute_type(nothing, :t)", {":t": S("NULL")}, True),
        ("attribute_type(cost, :t)", {":t": S("S")}, False),
        ("attribute_type(missing, :t)", {":t": S("S")}, False),
    ],
)
def test_conditions(text, values, expected):
    assert holds(text, values) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("attribute_exists(id)", True),
        ("attribute_not_exists(id)", False),
        ("attribute_not_exists(missing)", True),
        ("attribute_exists(owner.address.city)", True),
        ("attribute_exists(owner.address.zip)", False),
        ("attribute_exists(#d)", True),
        ("NOT attribute_exists(id)", False),
        ("not not attribute_exists(id)", True),
        # AND binds tighter than OR: true OR (false AND false)
        ("attribute_exists(id) OR attribute_exists(x) AND attribute_exists(y)", True),
        ("(attribute_exists(id) OR attribute_exists(x)) AND attribute_exists(y)", False),
        # NOT binds tighter than AND: (NOT false) AND true
        ("NOT attribute_exists(x) AND attribute_exists(id)", True),
        ("NOT (attribute_exists(x) OR attribute_exists(id))", False),
        ("((attribute_exists(id)))", True),
    ],
)
def test_boolean_structure(text, expected):
    names = {"#d": "my-attr"} if "#d" in text else None
    assert holds(text, names=names) is expected


def test_missing_item_is_an_empty_item():
    assert holds("attribute_not_exists(id)", item={})
    assert not holds("id = :v", {":v": S("r-1")}, item={})


@pytest.mark.parametrize(
    ("text", "values", "message"),
    [
        ("", {}, "Invalid ConditionExpression: The expression can not be empty;"),
        ("   ", {}, "The expression can not be empty"),
        ("cost = ", {":v": N(1)}, 'Syntax error; token: "<EOF>", near: "= "'),
        ("cost == :v", {":v": N(1)}, 'Syntax error; token: "=", near: "== :v"'),
        ("cost = :v AND", {":v": N(1)}, 'token: "<EOF>"'),
        ("(cost = :v", {":v": N(1)}, 'token: "<EOF>"'),
        ("cost = :v)", {":v": N(1)}, 'token: ")"'),
        ("cost @ :v", {":v": N(1)}, 'Syntax error; token: "@"'),
        ("cost = :nope", {}, "attribute value: :nope"),
        ("#nope = :v", {":v": N(1)}, "attribute name: #nope"),
        ("cost BETWEEN :a AND :b", {":a": N(5), ":b": N(1)}, "upper bound to be greater"),
        ("cost < :v", {":v": {"BOOL": True}}, "operator or function: <, operand type: BOOLEAN"),
        ("size(cost)", {}, "function: size"),
        ("foo(cost)", {}, "Invalid function name; function: foo"),
        ("ATTRIBUTE_EXISTS(cost)", {}, "Invalid function name; function: ATTRIBUTE_EXISTS"),
        ("attribute_exists(:v)", {":v": N(1)}, "requires a document path"),
        ("attribute_exists(a, b)", {}, "number of operands: 2"),
        ("attribute_type(cost, :t)", {":t": S("STRING")}, "Invalid attribute type name"),
        ("attribute_type(cost, :t)", {":t": N(1)}, "operand type: NUMBER"),
        ("begins_with(id, :p)", {":p": N(1)}, "operand type: NUMBER"),
        (":v = attribute_exists(id)", {":v": N(1)}, "not allowed to be used this way"),
        ("cost = if_not_exists(a, :v)", {":v": N(1)}, "function: if_not_exists"),
    ],
)
def test_condition_errors(text, values, message):
    with pytest.raises(ValidationException, match=_literal(message)):
        holds(text, values)


def test_expressions_are_at_most_4_kb():
    text = " OR ".join(["attribute_exists(a)"] * 200)
    with pytest.raises(ValidationException, match="Expression size has exceeded"):
        holds(text)


def test_in_accepts_at_most_100_operands():
    values = {f":v{i}": N(i) for i in range(101)}
    text = f"cost IN ({', '.join(values)})"
    with pytest.raises(ValidationException, match="too many operands"):
        holds(text, values)


def _literal(text: str) -> str:
    import re

    return re.escape(text)


# --- placeholders ---------------------------------------------------------------------------


def test_unused_and_malformed_placeholders():
    placeholders = Placeholders.from_request({"#a": "status", "#b": "x"}, {":v": S("x")})
    expressions.parse_condition("#a = :v", placeholders)
    with pytest.raises(
        ValidationException, match=r"ExpressionAttributeNames unused .*keys: \{#b\}"
    ):
        placeholders.check_all_used(True)
    with pytest.raises(ValidationException, match="can only be specified when using expressions"):
        Placeholders.from_request(None, {":v": S("x")}).check_all_used(False)
    with pytest.raises(ValidationException, match='invalid key: Syntax error; key: "v"'):
        Placeholders.from_request(None, {"v": S("x")})
    with pytest.raises(ValidationException, match="Empty attribute name for key #a"):
        Placeholders.from_request({"#a": ""}, None)
    with pytest.raises(ValidationException, match="invalid value: .* for key :v"):
        Placeholders.from_request(None, {":v": {"N": "x"}})


# --- updates --------------------------------------------------------------------------------


def test_set_with_names_and_values():
    new = update("SET #s = :status", {":status": S("APPROVED")}, {"#s": "status"})
    assert new["status"] == S("APPROVED")
    assert ITEM["status"] == S("PENDING")  # the input item is never changed


def test_set_arithmetic_and_functions():
    new = update(
        "SET cost = cost + :d, total = if_not_exists(total, :zero) - :d, "
        "history = list_append(history, :more), first = list_append(:more, :more)",
        {":d": N("0.5"), ":zero": N(0), ":more": {"L": [S("x")]}},
    )
    assert new["cost"] == N("150.5")
    assert new["total"] == N("-0.5")
    assert new["history"]["L"][-1] == S("x")
    assert new["first"] == {"L": [S("x"), S("x")]}


def test_values_come_from_the_item_before_the_update():
    item = {"a": N(1), "b": N(2)}
    assert update("SET a = b, b = a", item=item) == {"a": N(2), "b": N(1)}


def test_set_nested_paths_and_list_indexes():
    new = update(
        "SET owner.address.zip = :z, history[1] = :h, history[10] = :end, owner.#n = :n",
        {":z": S("75001"), ":h": S("second"), ":end": S("last"), ":n": S("Bob")},
        {"#n": "name"},
    )
    assert new["owner"]["M"]["address"]["M"]["zip"] == S("75001")
    assert new["owner"]["M"]["name"] == S("Bob")
    assert new["history"]["L"][1] == S("second")
    assert new["history"]["L"][-1] == S("last")  # past the end: appended


def test_set_under_a_missing_parent_is_invalid():
    with pytest.raises(ValidationException, match="document path provided in the update"):
        update("SET nope.child = :v", {":v": N(1)})
    with pytest.raises(ValidationException, match="document path provided in the update"):
        update("SET id[0] = :v", {":v": N(1)})


def test_remove():
    new = update("REMOVE tags, owner.address, history[0], history[2], missing, nope.deeper")
    assert "tags" not in new
    assert new["owner"] == {"M": {"name": S("Alice")}}
    assert new["history"] == {"L": [N(2)]}  # indexes refer to the list before the update


def test_add_numbers_and_sets():
    new = update(
        "ADD cost :n, counter :n, tags :t, fresh :t",
        {":n": N(5), ":t": {"SS": ["new", "aws"]}},
    )
    assert new["cost"] == N(155)
    assert new["counter"] == N(5)
    assert sorted(new["tags"]["SS"]) == ["aws", "cert", "new"]
    assert new["fresh"] == {"SS": ["new", "aws"]}


def test_delete_from_sets():
    new = update(
        "DELETE tags :t, scores :all, missing :t",
        {":t": {"SS": ["aws"]}, ":all": {"NS": ["1", "2"]}},
    )
    assert new["tags"] == {"SS": ["cert"]}
    assert "scores" not in new  # an emptied set is removed
    assert "missing" not in new


@pytest.mark.parametrize(
    ("text", "values", "message"),
    [
        ("SET a = :v SET b = :v", {":v": N(1)}, 'The "SET" section can only be used once'),
        ("SET a = :v, a = :v", {":v": N(1)}, "Two document paths conflict"),
        ("SET owner = :v REMOVE owner.name", {":v": N(1)}, "Two document paths overlap"),
        ("SET a = :v + :v + :v", {":v": N(1)}, 'Syntax error; token: "+"'),
        ("SET a :v", {":v": N(1)}, 'Syntax error; token: ":v"'),
        ("ADD tags :v", {":v": S("x")}, "operator: ADD, operand type: STRING"),
        ("DELETE cost :v", {":v": N(1)}, "operator: DELETE, operand type: NUMBER"),
        ("ADD tags cost", {}, 'Syntax error; token: "cost"'),
        ("UPSERT a = :v", {":v": N(1)}, 'Syntax error; token: "UPSERT"'),
        ("SET a = size(b)", {}, "not allowed in an update expression; function: size"),
        ("SET a = cost + id", {}, "incorrect data type"),
        ("SET a = missing", {}, "refers to an attribute that does not exist"),
        ("SET a = list_append(cost, :v)", {":v": {"L": []}}, "incorrect data type"),
        ("ADD tags :v", {":v": N(1)}, "incorrect data type"),
        ("DELETE tags :v", {":v": {"NS": ["1"]}}, "incorrect data type"),
        ("SET a = if_not_exists(:v, :v)", {":v": N(1)}, "requires a document path"),
    ],
)
def test_update_errors(text, values, message):
    with pytest.raises(ValidationException, match=_literal(message)):
        update(text, values)


def test_number_results_stay_within_38_digits():
    with pytest.raises(ValidationException, match="38 significant digits"):
        update("SET a = :x + :y", {":x": N("1" + "0" * 37), ":y": N("0.1")})
    with pytest.raises(ValidationException, match="38 significant digits"):
        update("SET a = :x + :y", {":x": N("1E125"), ":y": N("1E-130")})
    assert update("SET a = :x - :x", {":x": N("1E125")})["a"] == N(0)


# --- projections ----------------------------------------------------------------------------


def test_projection_keeps_only_the_named_parts():
    placeholders = Placeholders.from_request({"#s": "status"}, None)
    paths = expressions.parse_projection(
        "#s, owner.address.city, history[2], history[0], nope", placeholders
    )
    assert evaluate.project(ITEM, paths) == {
        "status": S("PENDING"),
        "owner": {"M": {"address": {"M": {"city": S("Paris")}}}},
        "history": {"L": [S("created"), {"M": {"by": S("bob")}}]},
    }
    with pytest.raises(
        ValidationException, match="Invalid ProjectionExpression: Two document paths overlap"
    ):
        expressions.parse_projection("owner, owner.name", Placeholders())


# --- hypothesis: printing a condition and parsing it back gives the same tree ---------------

VALUES = {f":v{i}": N(i) for i in range(4)}
paths = st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3).map(
    lambda names: expressions.Path(tuple(names))
)
operands = st.one_of(
    paths,
    st.sampled_from(sorted(VALUES)).map(lambda ref: expressions.Value(VALUES[ref], ref)),
    paths.map(expressions.Size),
)
comparisons = st.builds(
    expressions.Compare, st.sampled_from(expressions.COMPARATORS), operands, operands
)
functions = st.one_of(
    paths.map(lambda p: expressions.Function("attribute_exists", (p,))),
    paths.map(lambda p: expressions.Function("attribute_not_exists", (p,))),
    st.builds(
        lambda p, v: expressions.Function("contains", (p, v)),
        paths,
        st.sampled_from(sorted(VALUES)).map(lambda ref: expressions.Value(VALUES[ref], ref)),
    ),
)
conditions = st.recursive(
    st.one_of(comparisons, functions),
    lambda inner: st.one_of(
        st.builds(expressions.And, inner, inner),
        st.builds(expressions.Or, inner, inner),
        st.builds(expressions.Not, inner),
    ),
    max_leaves=8,
)


def render(node) -> str:
    if isinstance(node, expressions.Path):
        return ".".join(node.elements)
    if isinstance(node, expressions.Value):
        return node.ref
    if isinstance(node, expressions.Size):
        return f"size({render(node.path)})"
    if isinstance(node, expressions.Compare):
        return f"{render(node.left)} {node.op} {render(node.right)}"
    if isinstance(node, expressions.Function):
        return f"{node.name}({', '.join(render(a) for a in node.args)})"
    if isinstance(node, expressions.Not):
        return f"NOT ({render(node.condition)})"
    word = "AND" if isinstance(node, expressions.And) else "OR"
    return f"({render(node.left)}) {word} ({render(node.right)})"


@given(conditions)
def test_rendered_conditions_parse_back_to_the_same_tree(tree):
    placeholders = Placeholders.from_request(None, VALUES)
    assert expressions.parse_condition(render(tree), placeholders) == tree


@given(conditions, st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(0, 3).map(N)))
def test_not_is_the_negation(tree, item):
    placeholders = Placeholders.from_request(None, VALUES)
    parsed = expressions.parse_condition(f"NOT ({render(tree)})", placeholders)
    assert evaluate.check(parsed, item) is (not evaluate.check(tree, item))
