"""Choice rules: every operator, its Path form, type tests, nesting, AWS edge cases."""

from __future__ import annotations

import pytest

from docuflow.asl.choice import compile_rule, parse_timestamp
from docuflow.asl.definition import parse_definition
from docuflow.asl.errors import StatesError
from docuflow.asl.simulate import simulate


def matches(rule: dict, data) -> bool:
    return compile_rule({**rule, "Next": "X"}).matches(data, {})


@pytest.mark.parametrize(
    ("operator", "operand", "value", "expected"),
    [
        ("StringEquals", "abc", "abc", True),
        ("StringEquals", "abc", "abd", False),
        ("StringEquals", "1", 1, False),  # wrong type is simply false
        ("StringLessThan", "b", "a", True),
        ("StringLessThan", "b", "b", False),
        ("StringGreaterThan", "b", "c", True),
        ("StringLessThanEquals", "b", "b", True),
        ("StringGreaterThanEquals", "b", "a", False),
        ("NumericEquals", 3, 3.0, True),
        ("NumericEquals", 3, "3", False),
        ("NumericEquals", 1, True, False),  # booleans are not numbers
        ("NumericLessThan", 3, 2.5, True),
        ("NumericGreaterThan", 3, 4, True),
        ("NumericLessThanEquals", 3, 3, True),
        ("NumericGreaterThanEquals", 3, 2, False),
        ("BooleanEquals", True, True, True),
        ("BooleanEquals", False, 0, False),
        ("TimestampEquals", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00", True),
        ("TimestampLessThan", "2026-01-01T00:00:00Z", "2025-12-31T23:59:59.999Z", True),
        ("TimestampGreaterThan", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", True),
        ("TimestampLessThanEquals", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", True),
        ("TimestampGreaterThanEquals", "2026-01-01T00:00:00Z", "2025-01-01T00:00:00Z", False),
        ("TimestampEquals", "2026-01-01T00:00:00Z", "2026-01-01 00:00:00Z", False),
        ("TimestampEquals", "2026-01-01T00:00:00Z", "not a time", False),
    ],
)
def test_comparison_operators(operator, operand, value, expected):
    assert matches({"Variable": "$.v", operator: operand}, {"v": value}) is expected


@pytest.mark.parametrize(
    ("operator", "left", "right", "expected"),
    [
        ("StringEqualsPath", "x", "x", True),
        ("StringLessThanPath", "a", "b", True),
        ("NumericGreaterThanPath", 5, 4, True),
        ("NumericEqualsPath", 5, "5", False),
        ("BooleanEqualsPath", True, True, True),
        ("TimestampLessThanPath", "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z", True),
        ("StringGreaterThanEqualsPath", "b", "b", True),
        ("NumericLessThanEqualsPath", 1, 1, True),
        ("TimestampGreaterThanEqualsPath", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", False),
    ],
)
def test_path_operators_compare_two_values_of_the_input(operator, left, right, expected):
    assert matches({"Variable": "$.a", operator: "$.b"}, {"a": left, "b": right}) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("log-*.txt", "log-2026.txt", True),
        ("log-*.txt", "log-.txt", True),
        ("log-*.txt", "log-a.txt.gz", False),
        ("*", "", True),
        ("a*b*c", "aXXbYYc", True),
        ("exact", "exact", True),
        ("exact", "Exact", False),
        (r"star\*", "star*", True),
        (r"star\*", "starX", False),
        (r"back\\slash", "back\\slash", True),
        ("dots.are.literal", "dotsXareXliteral", False),
        ("*", 5, False),
    ],
)
def test_string_matches(pattern, value, expected):
    assert matches({"Variable": "$.v", "StringMatches": pattern}, {"v": value}) is expected


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("IsNull", None, True),
        ("IsNull", 0, False),
        ("IsNumeric", 1.5, True),
        ("IsNumeric", "1.5", False),
        ("IsNumeric", False, False),
        ("IsString", "", True),
        ("IsString", [], False),
        ("IsBoolean", False, True),
        ("IsBoolean", "true", False),
        ("IsTimestamp", "2026-01-01T10:00:00.123Z", True),
        ("IsTimestamp", "2026-01-01T10:00:00", False),
        ("IsTimestamp", "2026-01-01t10:00:00Z", False),
        ("IsTimestamp", 1700000000, False),
    ],
)
def test_type_tests(operator, value, expected):
    assert matches({"Variable": "$.v", operator: True}, {"v": value}) is expected
    assert matches({"Variable": "$.v", operator: False}, {"v": value}) is (not expected)


def test_is_present_never_raises():
    assert matches({"Variable": "$.v", "IsPresent": True}, {"v": None}) is True
    assert matches({"Variable": "$.v", "IsPresent": True}, {}) is False
    assert matches({"Variable": "$.a.b.c", "IsPresent": False}, {"a": 1}) is True


def test_missing_variable_is_a_runtime_error():
    with pytest.raises(StatesError) as info:
        matches({"Variable": "$.missing", "StringEquals": "x"}, {})
    assert info.value.error == "States.Runtime"
    with pytest.raises(StatesError):
        matches({"Variable": "$.a", "StringEqualsPath": "$.missing"}, {"a": "x"})


def test_and_or_not_to_any_depth():
    rule = {
        "And": [
            {"Variable": "$.type", "StringEquals": "Private"},
            {
                "Or": [
                    {"Variable": "$.value", "NumericLessThan": 20},
                    {
                        "Not": {
                            "And": [
                                {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                                {"Not": {"Variable": "$.vip", "BooleanEquals": True}},
                            ]
                        }
                    },
                ]
            },
        ]
    }
    assert matches(rule, {"type": "Private", "value": 10, "vip": False})
    assert matches(rule, {"type": "Private", "value": 50, "vip": True})
    assert not matches(rule, {"type": "Private", "value": 50, "vip": False})
    assert not matches(rule, {"type": "Public", "value": 1, "vip": True})


def test_or_short_circuits_before_a_missing_path():
    rule = {
        "Or": [
            {"Variable": "$.a", "IsPresent": False},
            {"Variable": "$.a", "NumericEquals": 1},
        ]
    }
    assert matches(rule, {}) is True


def test_context_variable():
    rule = compile_rule(
        {"Variable": "$$.Execution.Name", "StringMatches": "nightly-*", "Next": "X"}
    )
    assert rule.matches({}, {"Execution": {"Name": "nightly-42"}})


def test_choice_state_example_from_the_aws_docs():
    # "Choice state" page: the first matching rule wins, Default otherwise.
    definition = {
        "StartAt": "ChoiceStateX",
        "States": {
            "ChoiceStateX": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Not": {"Variable": "$.type", "StringEquals": "Private"},
                        "Next": "Public",
                    },
                    {
                        "And": [
                            {"Variable": "$.value", "IsPresent": True},
                            {"Variable": "$.value", "IsNumeric": True},
                            {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                            {"Variable": "$.value", "NumericLessThan": 30},
                        ],
                        "Next": "ValueInTwenties",
                    },
                    {
                        "Variable": "$.rating",
                        "NumericGreaterThanPath": "$.auditThreshold",
                        "Next": "StartAudit",
                    },
                ],
                "Default": "DefaultState",
            },
            "Public": {"Type": "Pass", "Result": "Public", "End": True},
            "ValueInTwenties": {"Type": "Pass", "Result": "Twenties", "End": True},
            "StartAudit": {"Type": "Pass", "Result": "Audit", "End": True},
            "DefaultState": {"Type": "Pass", "Result": "Default", "End": True},
        },
    }
    machine = parse_definition(definition)
    assert simulate(machine, {"type": "Public"}).output == "Public"
    assert simulate(machine, {"type": "Private", "value": 25}).output == "Twenties"
    assert (
        simulate(machine, {"type": "Private", "value": 5, "rating": 9, "auditThreshold": 8}).output
        == "Audit"
    )
    assert (
        simulate(machine, {"type": "Private", "value": 5, "rating": 1, "auditThreshold": 8}).output
        == "Default"
    )


def test_parse_timestamp_precision_and_offsets():
    stamp = parse_timestamp("2026-01-01T00:00:00.123456789+02:00")
    assert stamp is not None and stamp.microsecond == 123456
    assert parse_timestamp("2026-13-01T00:00:00Z") is None
