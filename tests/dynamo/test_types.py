"""Typed JSON: canonical forms, validation messages, equality and conversions."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docuflow.dynamo import types
from docuflow.dynamo.errors import ValidationException

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("150", "150"),
        ("1.50", "1.5"),
        ("01", "1"),
        ("1E2", "100"),
        ("1e-3", "0.001"),
        ("-0", "0"),
        ("0.000", "0"),
        ("+7", "7"),
        (".5", "0.5"),
        ("-12.3400", "-12.34"),
        (150, "150"),
        (2.5, "2.5"),
        ("9" * 38, "9" * 38),
        ("1E+125", "1" + "0" * 125),
        ("1E-130", "0." + "0" * 129 + "1"),
    ],
)
def test_numbers_are_stored_in_canonical_form(raw, canonical):
    assert types.canonical({"N": raw}) == {"N": canonical}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "The parameter cannot be converted to a numeric value: abc"),
        ("", "The parameter cannot be converted to a numeric value: "),
        ("NaN", "cannot be converted to a numeric value"),
        ("1 ", "cannot be converted to a numeric value"),
        (True, "cannot be converted to a numeric value"),
        ("1" * 39, "more than 38 significant digits"),
        ("1E126", "Number overflow"),
        ("1E-131", "Number underflow"),
    ],
)
def test_bad_numbers_are_validation_errors(raw, message):
    with pytest.raises(ValidationException, match=message.replace("(", r"\(")):
        types.canonical({"N": raw})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({}, "Supplied AttributeValue is empty"),
        ({"S": "a", "N": "1"}, "more than one datatypes"),
        ({"X": "a"}, "unknown datatype 'X'"),
        ({"S": 1}, "Invalid value for S"),
        ({"BOOL": "true"}, "Invalid value for BOOL"),
        ({"NULL": False}, "Null attribute value types must have the value of true"),
        ({"SS": []}, "An string set may not be empty"),
        ({"SS": ["a", "a"]}, r"Input collection \[a, a\] contains duplicates"),
        ({"NS": ["1", "1.0"]}, "contains duplicates"),
        ({"B": "not base64!"}, "is not valid base64"),
        ({"M": {"": {"S": "x"}}}, "empty attribute name"),
        ({"L": [{"S": "ok"}, {"N": "x"}]}, "cannot be converted"),
    ],
)
def test_malformed_values_are_rejected(value, message):
    with pytest.raises(ValidationException, match=message):
        types.canonical(value)


def test_equality_ignores_set_order_and_number_spelling():
    assert types.equal(types.canonical({"NS": ["1", "2.0"]}), types.canonical({"NS": ["2", "1"]}))
    assert types.equal({"SS": ["a", "b"]}, {"SS": ["b", "a"]})
    assert not types.equal({"S": "1"}, {"N": "1"})
    assert not types.equal({"L": [{"S": "a"}, {"S": "b"}]}, {"L": [{"S": "b"}, {"S": "a"}]})
    assert types.equal({"M": {"a": {"N": "1"}}}, {"M": {"a": {"N": "1"}}})
    assert not types.equal({"M": {"a": {"N": "1"}}}, {"M": {"a": {"N": "1"}, "b": {"NULL": True}}})
    assert not types.equal(None, {"S": "a"})


def test_ordering_is_numeric_for_numbers_and_bytewise_for_strings_and_binaries():
    assert types.sort_key({"N": "10"}) > types.sort_key({"N": "9"})
    assert types.sort_key({"S": "Z"}) < types.sort_key({"S": "a"})
    low, high = base64.b64encode(b"\x01").decode(), base64.b64encode(b"\xff").decode()
    assert types.sort_key({"B": low}) < types.sort_key({"B": high})
    assert not types.comparable({"N": "1"}, {"S": "1"})
    assert not types.comparable({"BOOL": True}, {"BOOL": True})


def test_plain_conversion():
    item = {
        "s": {"S": "x"},
        "n": {"N": "1.5"},
        "b": {"B": "AAE="},
        "t": {"BOOL": True},
        "z": {"NULL": True},
        "m": {"M": {"k": {"SS": ["a"]}}},
        "l": {"L": [{"NS": ["1", "2"]}, {"BS": ["AA=="]}]},
    }
    assert types.item_to_plain(item) == {
        "s": "x",
        "n": Decimal("1.5"),
        "b": b"\x00\x01",
        "t": True,
        "z": None,
        "m": {"k": {"a"}},
        "l": [{Decimal(1), Decimal(2)}, {b"\x00"}],
    }
    assert types.item_to_json({"cost": {"N": "150"}, "rate": {"N": "0.5"}}) == {
        "cost": 150,
        "rate": 0.5,
    }


def test_item_size_limit():
    with pytest.raises(ValidationException, match="Item size has exceeded"):
        types.canonical_item({"big": {"S": "x" * (400 * 1024)}})
    with pytest.raises(ValidationException, match="Value null at 'item'"):
        types.canonical_item(None)


# --- hypothesis: random typed values round-trip ---------------------------------------------

numbers = st.decimals(allow_nan=False, allow_infinity=False, places=6).filter(
    lambda d: abs(d) < Decimal("1E30")
)
scalars = st.one_of(
    st.text(max_size=20).map(lambda s: {"S": s}),
    numbers.map(lambda d: {"N": str(d)}),
    st.binary(max_size=20).map(lambda b: {"B": base64.b64encode(b).decode()}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.sets(st.text(max_size=5), min_size=1, max_size=5).map(lambda s: {"SS": sorted(s)}),
    st.sets(st.integers(-1000, 1000), min_size=1, max_size=5).map(
        lambda s: {"NS": [str(n) for n in sorted(s)]}
    ),
    st.sets(st.binary(max_size=4), min_size=1, max_size=4).map(
        lambda s: {"BS": [base64.b64encode(b).decode() for b in sorted(s)]}
    ),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda items: {"L": items}),
        st.dictionaries(st.text(min_size=1, max_size=8), children, max_size=4).map(
            lambda m: {"M": m}
        ),
    ),
    max_leaves=12,
)


@given(values)
def test_canonical_is_idempotent_and_equal_to_its_input(value):
    once = types.canonical(value)
    assert types.canonical(once) == once
    assert types.equal(once, types.canonical(value))


@given(values)
def test_plain_round_trip(value):
    canonical = types.canonical(value)
    assert types.equal(types.from_plain(types.to_plain(canonical)), canonical)


@given(numbers)
def test_number_canonical_form_keeps_the_value(number):
    text = types.canonical({"N": str(number)})["N"]
    assert Decimal(text) == number
    assert "E" not in text and "e" not in text
    assert not (("." in text) and text.endswith("0"))
