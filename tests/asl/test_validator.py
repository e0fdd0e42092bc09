"""Definition validation, diagnostics shaped like AWS ValidateStateMachineDefinition."""

import copy
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docuflow.asl.validator import (
    DUPLICATE_STATE_NAME,
    INTERNAL_ERROR_MESSAGE,
    INVALID_JSON_DESCRIPTION,
    INVALID_RESOURCE,
    INVALID_STATE_NAME,
    MISSING_DESCRIPTION,
    MISSING_END_STATE,
    MISSING_TRANSITION_TARGET,
    SCHEMA_VALIDATION_FAILED,
    parse_json,
    validate,
    validate_text,
)

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:HelloWorld"


def machine(**states):
    first = next(iter(states))
    return {"StartAt": first, "States": states}


def task(**fields):
    return {"Type": "Task", "Resource": LAMBDA, **fields}


def found(definition):
    return {(d.code, d.location) for d in validate(definition)}


def messages(definition):
    return [d.message for d in validate(definition)]


def only(definition):
    diagnostics = validate(definition)
    assert len(diagnostics) == 1, diagnostics
    return diagnostics[0]


# --------------------------------------------------------------------------- valid definitions

HELLO_WORLD = {
    "Comment": "A Hello World example of the Amazon States Language using a Pass state",
    "StartAt": "HelloWorld",
    "States": {"HelloWorld": {"Type": "Pass", "Result": "Hello World!", "End": True}},
}

EVERYTHING = {
    "Comment": "Uses every state type and most fields",
    "Version": "1.0",
    "TimeoutSeconds": 3600,
    "QueryLanguage": "JSONPath",
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "Parameters": {"items.$": "$.items", "id.$": "States.UUID()", "static": [1, 2]},
            "ResultPath": "$.prepared",
            "Next": "Work",
        },
        "Work": task(
            InputPath="$.prepared",
            Parameters={"Payload.$": "$", "Token.$": "$$.Task.Token"},
            ResultSelector={"body.$": "$.Payload"},
            ResultPath="$.work",
            OutputPath="$",
            TimeoutSeconds=300,
            HeartbeatSeconds=60,
            Retry=[
                {
                    "ErrorEquals": ["Lambda.ServiceException"],
                    "IntervalSeconds": 2,
                    "MaxAttempts": 3,
                    "BackoffRate": 2,
                    "MaxDelaySeconds": 10,
                    "JitterStrategy": "FULL",
                },
                {"ErrorEquals": ["States.ALL"]},
            ],
            Catch=[
                {"ErrorEquals": ["States.Timeout"], "Next": "Failed"},
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"},
            ],
            Next="Decide",
        ),
        "Decide": {
            "Type": "Choice",
            "Choices": [
                {
                    "Not": {"Variable": "$.type", "StringEquals": "Private"},
                    "Next": "Fan out",
                },
                {
                    "And": [
                        {"Variable": "$.value", "IsPresent": True},
                        {"Variable": "$.value", "IsNumeric": True},
                        {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                        {"Variable": "$.value", "NumericLessThan": 30.5},
                    ],
                    "Next": "Pause",
                },
                {
                    "Variable": "$.when",
                    "TimestampLessThan": "2016-03-14T01:59:00Z",
                    "Next": "Pause",
                },
                {"Variable": "$.a", "NumericEqualsPath": "$.b", "Next": "Pause"},
                {"Variable": "$.name", "StringMatches": "log-*.txt", "Next": "Done"},
            ],
            "Default": "Failed",
        },
        "Fan out": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}},
                {
                    "StartAt": "B2",
                    "States": {
                        "B2": {"Type": "Wait", "Seconds": 1, "Next": "B3"},
                        "B3": {"Type": "Succeed"},
                    },
                },
            ],
            "ResultSelector": {"first.$": "$[0]"},
            "Next": "Each",
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
            "MaxConcurrency": 2,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Inner",
                "States": {"Inner": task(End=True)},
            },
            "Next": "Pause",
        },
        "Pause": {"Type": "Wait", "TimestampPath": "$.until", "Next": "Done"},
        "Done": {"Type": "Succeed"},
        "Failed": {
            "Type": "Fail",
            "ErrorPath": "$.error.Error",
            "CausePath": "States.Format('x {}', $.c)",
        },
    },
}


class TestValidDefinitions:
    def test_hello_world(self):
        assert validate(HELLO_WORLD) == []

    def test_definition_using_every_state_type(self):
        assert validate(EVERYTHING) == []

    @pytest.mark.parametrize("name", ["certification-approval", "docuflow-document-workflow"])
    def test_reference_workflows_are_valid_once_resources_are_substituted(self, name):
        # Byte-identical copies of shared/reference/ (the seeds' original machines).
        path = Path(__file__).parent / "fixtures" / f"{name}.asl.json"
        # The seeds carry CloudFormation placeholders such as ${ArchiveLambdaArn}.
        text = re.sub(
            r"\$\{(\w+)\}", r"arn:aws:lambda:us-east-1:123456789012:function:\1", path.read_text()
        )
        definition, diagnostics = parse_json(text)
        assert diagnostics == []
        assert validate(definition) == []

    def test_placeholder_resources_are_invalid(self):
        diagnostic = only(machine(T=task(Resource="${ArchiveLambdaArn}", End=True)))
        assert (diagnostic.code, diagnostic.location) == (INVALID_RESOURCE, "/States/T/Resource")

    def test_legacy_map_iterator_and_parameters(self):
        definition = machine(
            M={
                "Type": "Map",
                "InputPath": "$.detail",
                "ItemsPath": "$.shipped",
                "MaxConcurrency": 0,
                "Parameters": {"parcel.$": "$$.Map.Item.Value", "courier.$": "$.delivery-partner"},
                "Iterator": {"StartAt": "Validate", "States": {"Validate": task(End=True)}},
                "ResultPath": "$.detail.shipped",
                "End": True,
            }
        )
        assert validate(definition) == []

    def test_distributed_map(self):
        definition = machine(
            M={
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "I",
                    "States": {"I": {"Type": "Pass", "End": True}},
                },
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "CSV"},
                    "Parameters": {"Bucket": "b", "Key.$": "$.key"},
                },
                "ItemBatcher": {"MaxItemsPerBatch": 10, "BatchInput": {"run.$": "$$.Execution.Id"}},
                "ToleratedFailurePercentage": 5,
                "ToleratedFailureCount": 3,
                "Label": "files",
                "End": True,
            }
        )
        assert validate(definition) == []

    def test_non_arn_uris_are_accepted_as_resources(self):
        assert validate(machine(T=task(Resource="docuflow:extract", End=True))) == []


# --------------------------------------------------------------------------- structure


class TestStructure:
    def test_missing_start_at_and_states(self):
        assert found({}) == {(SCHEMA_VALIDATION_FAILED, "")}
        assert len(validate({})) == 2

    def test_empty_states(self):
        assert (SCHEMA_VALIDATION_FAILED, "/States") in found({"StartAt": "A", "States": {}})

    def test_start_at_unknown_state(self):
        definition = {"StartAt": "Nope", "States": {"A": {"Type": "Succeed"}}}
        assert (MISSING_TRANSITION_TARGET, "/StartAt") in found(definition)

    def test_next_to_unknown_state(self):
        definition = machine(A={"Type": "Pass", "Next": "NOPE"}, B={"Type": "Succeed"})
        diagnostics = validate(definition)
        assert diagnostics[0].code == MISSING_TRANSITION_TARGET
        assert diagnostics[0].message == "Missing 'Next' target: NOPE"
        assert diagnostics[0].location == "/States/A/Next"

    def test_dangling_default_choice_and_catch_targets(self):
        definition = machine(
            C={
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "X1"}],
                "Default": "X2",
            },
            T=task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "X3"}], End=True),
        )
        missing = {
            d.location for d in validate(definition) if d.message.startswith("Missing 'Next'")
        }
        assert missing == {
            "/States/C/Choices/0/Next",
            "/States/C/Default",
            "/States/T/Catch/0/Next",
        }

    def test_loop_without_terminal_state(self):
        definition = machine(A={"Type": "Pass", "Next": "B"}, B={"Type": "Pass", "Next": "A"})
        diagnostic = only(definition)
        assert diagnostic.code == MISSING_END_STATE
        assert diagnostic.message == "Workflow has no terminal state"

    def test_missing_end_state_suppresses_the_reachability_walk(self):
        definition = machine(
            A={"Type": "Pass", "Next": "B"},
            B={"Type": "Pass", "Next": "A"},
            Island={"Type": "Pass", "Next": "A"},
        )
        assert only(definition).code == MISSING_END_STATE

    def test_unreachable_state(self):
        definition = machine(
            A={"Type": "Pass", "Next": "B"},
            B={"Type": "Pass", "Next": "A"},
            C={"Type": "Pass", "End": True},
        )
        diagnostic = only(definition)
        assert diagnostic.code == MISSING_TRANSITION_TARGET
        assert diagnostic.message == 'State "C" is not reachable.'
        assert diagnostic.location == "/States/C"

    def test_states_reached_through_catch_and_default_are_reachable(self):
        definition = machine(
            T=task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handler"}], Next="C"),
            C={
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "Done"}],
                "Default": "Other",
            },
            Handler={"Type": "Fail"},
            Other={"Type": "Succeed"},
            Done={"Type": "Succeed"},
        )
        assert validate(definition) == []

    def test_unknown_type_and_missing_type(self):
        definition = machine(A={"Type": "Magic", "End": True}, B={"End": True})
        assert found(definition) >= {
            (SCHEMA_VALIDATION_FAILED, "/States/A/Type"),
            (SCHEMA_VALIDATION_FAILED, "/States/B"),
        }

    def test_state_must_be_an_object(self):
        assert (SCHEMA_VALIDATION_FAILED, "/States/A") in found(
            {"StartAt": "A", "States": {"A": 3}}
        )

    def test_unknown_top_level_field(self):
        definition = {**HELLO_WORLD, "Extra": 1}
        assert only(definition).message == "Field 'Extra' is not supported"

    @pytest.mark.parametrize("value", [0, -1, 1.5, "10", True])
    def test_top_level_timeout_must_be_a_positive_integer(self, value):
        assert only({**HELLO_WORLD, "TimeoutSeconds": value}).location == "/TimeoutSeconds"

    def test_version(self):
        assert validate({**HELLO_WORLD, "Version": "1.0"}) == []
        assert only({**HELLO_WORLD, "Version": "2.0"}).location == "/Version"

    def test_state_name_length(self):
        long_name = "x" * 81
        diagnostic = only({"StartAt": long_name, "States": {long_name: {"Type": "Succeed"}}})
        assert diagnostic.code == INVALID_STATE_NAME
        ok = "y" * 80
        assert validate({"StartAt": ok, "States": {ok: {"Type": "Succeed"}}}) == []

    def test_locations_escape_slashes_in_state_names(self):
        definition = machine(**{"a/b": {"Type": "Pass", "Next": "nope"}, "z": {"Type": "Succeed"}})
        definition["StartAt"] = "a/b"
        assert (MISSING_TRANSITION_TARGET, "/States/a~1b/Next") in found(definition)

    def test_definition_must_be_an_object(self):
        assert found([1, 2]) == {(SCHEMA_VALIDATION_FAILED, "/")}
        assert found(None) == {(SCHEMA_VALIDATION_FAILED, "/")}


class TestQueryLanguage:
    def test_jsonpath_is_accepted(self):
        assert validate({**HELLO_WORLD, "QueryLanguage": "JSONPath"}) == []

    def test_jsonata_machine_is_accepted(self):
        definition = {
            "QueryLanguage": "JSONata",
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}},
        }
        assert validate(definition) == []

    def test_state_level_jsonata_is_accepted(self):
        definition = machine(A={"Type": "Pass", "QueryLanguage": "JSONata", "End": True})
        assert validate(definition) == []

    def test_jsonata_only_field_in_a_jsonpath_state(self):
        diagnostic = only(machine(A={"Type": "Pass", "Output": {}, "End": True}))
        assert diagnostic.message == (
            "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported "
            "for the 'JSONata' QueryLanguage"
        )
        assert diagnostic.location == "/States/A"

    def test_unknown_query_language(self):
        assert only({**HELLO_WORLD, "QueryLanguage": "XPath"}).location == "/QueryLanguage"


# --------------------------------------------------------------------------- fields per state type


class TestFieldsPerType:
    @pytest.mark.parametrize(
        ("state", "field"),
        [
            ({"Type": "Pass", "End": True, "Catch": []}, "Catch"),
            ({"Type": "Pass", "End": True, "Retry": []}, "Retry"),
            ({"Type": "Pass", "End": True, "ResultSelector": {}}, "ResultSelector"),
            ({"Type": "Pass", "End": True, "Resource": LAMBDA}, "Resource"),
            ({"Type": "Succeed", "Next": "A"}, "Next"),
            ({"Type": "Succeed", "ResultPath": "$"}, "ResultPath"),
            ({"Type": "Fail", "End": True}, "End"),
            ({"Type": "Fail", "InputPath": "$"}, "InputPath"),
            ({"Type": "Wait", "Seconds": 1, "End": True, "Parameters": {}}, "Parameters"),
            (
                {
                    "Type": "Map",
                    "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
                    "End": True,
                    "TimeoutSeconds": 1,
                },
                "TimeoutSeconds",
            ),
            (
                {
                    "Type": "Parallel",
                    "Branches": [{"StartAt": "I2", "States": {"I2": {"Type": "Succeed"}}}],
                    "End": True,
                    "TimeoutSeconds": 1,
                },
                "TimeoutSeconds",
            ),
        ],
    )
    def test_field_not_allowed_on_state_type(self, state, field):
        diagnostics = validate({"StartAt": "A", "States": {"A": state}})
        assert any(
            d.message == f"Field '{field}' is not supported" and d.location == "/States/A"
            for d in diagnostics
        ), diagnostics

    def test_next_and_end_together(self):
        definition = machine(A={"Type": "Pass", "Next": "B", "End": True}, B={"Type": "Succeed"})
        assert (SCHEMA_VALIDATION_FAILED, "/States/A") in found(definition)

    def test_neither_next_nor_end(self):
        assert (SCHEMA_VALIDATION_FAILED, "/States/A") in found(machine(A={"Type": "Pass"}))

    def test_end_false_counts_as_no_end(self):
        assert (SCHEMA_VALIDATION_FAILED, "/States/A") in found(
            machine(A={"Type": "Pass", "End": False})
        )

    def test_end_must_be_boolean(self):
        assert (SCHEMA_VALIDATION_FAILED, "/States/A/End") in found(
            machine(A={"Type": "Pass", "End": "yes"})
        )


class TestPaths:
    @pytest.mark.parametrize("field", ["InputPath", "OutputPath"])
    def test_invalid_io_path(self, field):
        assert (
            only(machine(A={"Type": "Pass", field: "$.a[", "End": True})).location
            == f"/States/A/{field}"
        )

    def test_io_paths_may_be_null_and_general(self):
        state = {"Type": "Pass", "InputPath": None, "OutputPath": "$.a[*]", "End": True}
        assert validate(machine(A=state)) == []

    def test_result_path_must_be_a_reference_path(self):
        assert only(machine(A={"Type": "Pass", "ResultPath": "$.a[*]", "End": True})).location == (
            "/States/A/ResultPath"
        )
        assert validate(machine(A={"Type": "Pass", "ResultPath": None, "End": True})) == []

    def test_result_path_cannot_target_the_context(self):
        assert only(machine(A={"Type": "Pass", "ResultPath": "$$.x", "End": True})).location == (
            "/States/A/ResultPath"
        )

    def test_path_must_be_a_string(self):
        assert (
            only(machine(A={"Type": "Pass", "InputPath": 5, "End": True})).location
            == "/States/A/InputPath"
        )

    def test_catcher_result_path(self):
        definition = machine(
            A=task(
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "A", "ResultPath": "x"}], End=True
            )
        )
        assert (SCHEMA_VALIDATION_FAILED, "/States/A/Catch/0/ResultPath") in found(definition)


class TestTemplates:
    def test_bad_dynamic_values(self):
        state = {
            "Type": "Pass",
            "Parameters": {"a.$": 1, "b.$": "text", "c": {"d.$": "States.Format('{}')"}},
            "End": True,
        }
        assert found(machine(A=state)) == {
            (SCHEMA_VALIDATION_FAILED, "/States/A/Parameters/a.$"),
            (SCHEMA_VALIDATION_FAILED, "/States/A/Parameters/b.$"),
            (SCHEMA_VALIDATION_FAILED, "/States/A/Parameters/c/d.$"),
        }

    def test_result_selector_and_item_selector_are_checked(self):
        definition = machine(
            T=task(ResultSelector={"x.$": "$.["}, Next="M"),
            M={
                "Type": "Map",
                "ItemSelector": {"y.$": "States.Nope()"},
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
                "End": True,
            },
        )
        assert found(definition) == {
            (SCHEMA_VALIDATION_FAILED, "/States/T/ResultSelector/x.$"),
            (SCHEMA_VALIDATION_FAILED, "/States/M/ItemSelector/y.$"),
        }

    def test_parameters_must_be_an_object(self):
        assert (
            only(machine(A={"Type": "Pass", "Parameters": [1], "End": True})).location
            == "/States/A/Parameters"
        )


class TestTask:
    def test_resource_required_and_string(self):
        assert (SCHEMA_VALIDATION_FAILED, "/States/A") in found(
            machine(A={"Type": "Task", "End": True})
        )
        assert (SCHEMA_VALIDATION_FAILED, "/States/A/Resource") in found(
            machine(A=task(Resource=5, End=True))
        )

    def test_resource_must_be_a_uri(self):
        diagnostic = only(machine(A=task(Resource="createToken", End=True)))
        assert (diagnostic.code, diagnostic.location) == (INVALID_RESOURCE, "/States/A/Resource")

    def test_heartbeat_must_be_smaller_than_timeout(self):
        diagnostic = only(machine(A=task(TimeoutSeconds=10, HeartbeatSeconds=10, End=True)))
        assert diagnostic.location == "/States/A/HeartbeatSeconds"
        assert validate(machine(A=task(TimeoutSeconds=10, HeartbeatSeconds=9, End=True))) == []

    def test_timeout_and_timeout_path_are_exclusive(self):
        definition = machine(A=task(TimeoutSeconds=10, TimeoutSecondsPath="$.t", End=True))
        assert only(definition).location == "/States/A"

    def test_heartbeat_and_heartbeat_path_are_exclusive(self):
        definition = machine(A=task(HeartbeatSeconds=10, HeartbeatSecondsPath="$.t", End=True))
        assert only(definition).location == "/States/A"

    @pytest.mark.parametrize("value", [0, -5, 2.5, "60"])
    def test_timeout_must_be_positive_integer(self, value):
        assert (
            only(machine(A=task(TimeoutSeconds=value, End=True))).location
            == "/States/A/TimeoutSeconds"
        )

    def test_timeout_path_must_be_reference_path(self):
        assert only(machine(A=task(TimeoutSecondsPath="$.t[*]", End=True))).location == (
            "/States/A/TimeoutSecondsPath"
        )


class TestRetryCatch:
    def test_states_all_must_be_alone(self):
        definition = machine(A=task(Retry=[{"ErrorEquals": ["States.ALL", "X"]}], End=True))
        diagnostic = only(definition)
        assert diagnostic.message == "States.ALL must appear alone and at end of list"
        assert diagnostic.location == "/States/A/Retry/0/ErrorEquals/0"

    def test_states_all_must_be_last(self):
        definition = machine(
            A=task(
                Catch=[
                    {"ErrorEquals": ["States.ALL"], "Next": "B"},
                    {"ErrorEquals": ["X"], "Next": "B"},
                ],
                End=True,
            ),
            B={"Type": "Succeed"},
        )
        assert only(definition).location == "/States/A/Catch/0/ErrorEquals/0"

    def test_error_equals_required_and_non_empty(self):
        definition = machine(
            A=task(Retry=[{}, {"ErrorEquals": []}, {"ErrorEquals": [3]}], End=True)
        )
        assert found(definition) == {
            (SCHEMA_VALIDATION_FAILED, "/States/A/Retry/0"),
            (SCHEMA_VALIDATION_FAILED, "/States/A/Retry/1/ErrorEquals"),
            (SCHEMA_VALIDATION_FAILED, "/States/A/Retry/2/ErrorEquals/0"),
        }

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("IntervalSeconds", 0),
            ("MaxAttempts", -1),
            ("BackoffRate", 0.5),
            ("MaxDelaySeconds", 0),
            ("JitterStrategy", "SOME"),
            ("Unknown", 1),
        ],
    )
    def test_retrier_fields(self, field, value):
        definition = machine(A=task(Retry=[{"ErrorEquals": ["X"], field: value}], End=True))
        assert only(definition).location.startswith("/States/A/Retry/0")

    def test_catcher_requires_next(self):
        assert (
            only(machine(A=task(Catch=[{"ErrorEquals": ["X"]}], End=True))).location
            == "/States/A/Catch/0"
        )

    def test_retry_must_be_an_array(self):
        assert only(machine(A=task(Retry={}, End=True))).location == "/States/A/Retry"


class TestChoice:
    def choice(self, *rules, default="Done"):
        state = {"Type": "Choice", "Choices": list(rules)}
        if default:
            state["Default"] = default
        return {"StartAt": "C", "States": {"C": state, "Done": {"Type": "Succeed"}}}

    def test_aws_example_is_valid(self):
        definition = self.choice(
            {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Done"},
            {
                "Variable": "$.value",
                "NumericEquals": 0,
                "Next": "Done",
            },
            {
                "And": [
                    {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                    {"Variable": "$.value", "NumericLessThan": 30},
                ],
                "Next": "Done",
            },
        )
        assert validate(definition) == []

    def test_top_level_rule_needs_next(self):
        definition = self.choice({"Variable": "$.x", "IsNull": True})
        assert only(definition).location == "/States/C/Choices/0"

    def test_nested_rule_cannot_have_next(self):
        definition = self.choice(
            {"And": [{"Variable": "$.x", "IsNull": True, "Next": "Done"}], "Next": "Done"}
        )
        assert only(definition).location == "/States/C/Choices/0/And/0/Next"

    def test_more_than_one_operator(self):
        definition = self.choice(
            {"Variable": "$.x", "IsNull": True, "IsPresent": True, "Next": "Done"}
        )
        assert "exactly one comparison operator" in only(definition).message

    def test_no_operator(self):
        assert "exactly one" in only(self.choice({"Variable": "$.x", "Next": "Done"})).message

    def test_and_or_must_be_non_empty_arrays_and_not_an_object(self):
        definition = self.choice(
            {"And": {"Variable": "$.x", "IsNull": True}, "Next": "Done"},
            {"Or": [], "Next": "Done"},
            {"Not": [{"Variable": "$.x", "IsNull": True}], "Next": "Done"},
        )
        assert found(definition) == {
            (SCHEMA_VALIDATION_FAILED, "/States/C/Choices/0/And"),
            (SCHEMA_VALIDATION_FAILED, "/States/C/Choices/1/Or"),
            (SCHEMA_VALIDATION_FAILED, "/States/C/Choices/2/Not"),
        }

    @pytest.mark.parametrize(
        ("operator", "value"),
        [
            ("NumericEquals", "5"),
            ("NumericGreaterThan", True),
            ("StringEquals", 5),
            ("BooleanEquals", "true"),
            ("IsNull", 1),
            ("TimestampEquals", "2016-03-14 01:59:00"),
            ("TimestampLessThan", "2016-13-14T01:59:00Z"),
            ("TimestampGreaterThan", 12),
            ("StringEqualsPath", "not a path"),
            ("NumericLessThanPath", "$.a["),
        ],
    )
    def test_operand_types(self, operator, value):
        definition = self.choice({"Variable": "$.x", operator: value, "Next": "Done"})
        assert only(definition).location == f"/States/C/Choices/0/{operator}"

    def test_variable_required_and_valid(self):
        definition = self.choice(
            {"NumericEquals": 1, "Next": "Done"},
            {"Variable": "x", "NumericEquals": 1, "Next": "Done"},
        )
        assert found(definition) == {
            (SCHEMA_VALIDATION_FAILED, "/States/C/Choices/0"),
            (SCHEMA_VALIDATION_FAILED, "/States/C/Choices/1/Variable"),
        }

    def test_choices_must_be_a_non_empty_array(self):
        assert (SCHEMA_VALIDATION_FAILED, "/States/C/Choices") in found(self.choice())

    def test_choice_cannot_have_next_or_end(self):
        definition = self.choice({"Variable": "$.x", "IsNull": True, "Next": "Done"})
        definition["States"]["C"]["End"] = True
        assert only(definition).message == "Field 'End' is not supported"

    def test_jsonata_condition_in_a_jsonpath_rule(self):
        definition = self.choice({"Condition": "{% true %}", "Next": "Done"})
        assert any("only supported for the 'JSONata'" in m for m in messages(definition))


class TestWaitAndFail:
    @pytest.mark.parametrize(
        "fields",
        [
            {},
            {"Seconds": 1, "Timestamp": "2016-03-14T01:59:00Z"},
            {"SecondsPath": "$.s", "TimestampPath": "$.t"},
        ],
    )
    def test_wait_needs_exactly_one_duration(self, fields):
        assert only(machine(W={"Type": "Wait", "End": True, **fields})).location == "/States/W"

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("Seconds", -1),
            ("Seconds", 1.5),
            ("Timestamp", "tomorrow"),
            ("SecondsPath", "$.a[*]"),
            ("TimestampPath", 3),
        ],
    )
    def test_wait_field_values(self, field, value):
        assert (
            only(machine(W={"Type": "Wait", field: value, "End": True})).location
            == f"/States/W/{field}"
        )

    def test_wait_timestamp_with_offset_and_fraction(self):
        state = {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00.123+02:00", "End": True}
        assert validate(machine(W=state)) == []

    def test_fail_error_and_error_path_are_exclusive(self):
        definition = machine(F={"Type": "Fail", "Error": "E", "ErrorPath": "$.e"})
        assert only(definition).location == "/States/F"

    def test_fail_cause_and_cause_path_are_exclusive(self):
        definition = machine(F={"Type": "Fail", "Cause": "c", "CausePath": "$.c"})
        assert only(definition).location == "/States/F"

    def test_fail_paths_and_intrinsics(self):
        assert (
            validate(
                machine(
                    F={"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('{}', $.c)"}
                )
            )
            == []
        )
        assert (
            only(machine(F={"Type": "Fail", "CausePath": "States.Format('{}')"})).location
            == "/States/F/CausePath"
        )
        assert only(machine(F={"Type": "Fail", "Error": 5})).location == "/States/F/Error"


class TestAwsGuideExamples:
    def test_parallel_state_example(self):
        # "Parallel state" page: look up address and phone number in parallel.
        definition = {
            "Comment": "Parallel Example.",
            "StartAt": "LookupCustomerInfo",
            "States": {
                "LookupCustomerInfo": {
                    "Type": "Parallel",
                    "End": True,
                    "Branches": [
                        {
                            "StartAt": "LookupAddress",
                            "States": {
                                "LookupAddress": {
                                    "Type": "Task",
                                    "Resource": "arn:aws:lambda:region:account-id:function:AddressFinder",
                                    "End": True,
                                }
                            },
                        },
                        {
                            "StartAt": "LookupPhone",
                            "States": {
                                "LookupPhone": {
                                    "Type": "Task",
                                    "Resource": "arn:aws:lambda:region:account-id:function:PhoneFinder",
                                    "End": True,
                                }
                            },
                        },
                    ],
                }
            },
        }
        assert validate(definition) == []

    @pytest.mark.parametrize(
        "fields",
        [
            {"Seconds": 10},
            {"Timestamp": "2016-03-14T01:59:00Z"},
            {"TimestampPath": "$.expirydate"},
            {"SecondsPath": "$.expiryseconds"},
        ],
    )
    def test_wait_state_examples(self, fields):
        # "Wait state" page: wait_ten_seconds, wait_until, and the two path variants.
        definition = machine(
            wait_state={"Type": "Wait", **fields, "Next": "NextState"},
            NextState={"Type": "Succeed"},
        )
        assert validate(definition) == []

    def test_choice_state_example(self):
        # "Choice state" page: the rules example with Not, And and a Default.
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
                        {"Variable": "$.value", "NumericEquals": 0, "Next": "ValueIsZero"},
                        {
                            "And": [
                                {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                                {"Variable": "$.value", "NumericLessThan": 30},
                            ],
                            "Next": "ValueInTwenties",
                        },
                    ],
                    "Default": "DefaultState",
                },
                "Public": {"Type": "Task", "Resource": LAMBDA, "Next": "NextState"},
                "ValueIsZero": {"Type": "Task", "Resource": LAMBDA, "Next": "NextState"},
                "ValueInTwenties": {"Type": "Task", "Resource": LAMBDA, "Next": "NextState"},
                "DefaultState": {
                    "Type": "Fail",
                    "Error": "DefaultStateError",
                    "Cause": "No Matches!",
                },
                "NextState": {"Type": "Succeed"},
            },
        }
        assert validate(definition) == []

    def test_non_string_state_names_from_python_callers(self):
        definition = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}, 7: {"Type": "Succeed"}}}
        assert (INVALID_STATE_NAME, "/States/7") in found(definition)


class TestParallelAndMap:
    def test_branches_required_and_non_empty(self):
        assert (SCHEMA_VALIDATION_FAILED, "/States/P") in found(
            machine(P={"Type": "Parallel", "End": True})
        )
        assert (SCHEMA_VALIDATION_FAILED, "/States/P/Branches") in found(
            machine(P={"Type": "Parallel", "Branches": [], "End": True})
        )

    def test_branch_problems_are_located_inside_the_branch(self):
        definition = machine(
            P={
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Y"}}},
                    {"States": {"Z": {"Type": "Succeed"}}},
                ],
                "End": True,
            }
        )
        assert found(definition) == {
            (MISSING_TRANSITION_TARGET, "/States/P/Branches/0/States/X/Next"),
            (MISSING_END_STATE, "/States/P/Branches/0"),
            (SCHEMA_VALIDATION_FAILED, "/States/P/Branches/1"),
        }

    def test_branch_scopes_are_separate(self):
        definition = machine(
            P={
                "Type": "Parallel",
                "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "After"}}}],
                "Next": "After",
            },
            After={"Type": "Succeed"},
        )
        assert (MISSING_TRANSITION_TARGET, "/States/P/Branches/0/States/X/Next") in found(
            definition
        )

    def test_state_names_are_unique_across_scopes(self):
        definition = machine(
            M={
                "Type": "Map",
                "Iterator": {"StartAt": "Final", "States": {"Final": {"Type": "Succeed"}}},
                "Next": "Final",
            },
            Final={"Type": "Pass", "End": True},
        )
        assert only(definition).code == DUPLICATE_STATE_NAME

    def test_map_needs_a_processor(self):
        assert only(machine(M={"Type": "Map", "End": True})).location == "/States/M"

    def test_map_processor_and_iterator_together(self):
        body = {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}
        body2 = {"StartAt": "J", "States": {"J": {"Type": "Succeed"}}}
        definition = machine(
            M={"Type": "Map", "ItemProcessor": body, "Iterator": body2, "End": True}
        )
        assert only(definition).location == "/States/M"

    def test_map_processor_is_validated_recursively(self):
        definition = machine(
            M={
                "Type": "Map",
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Task", "End": True}}},
                "End": True,
            }
        )
        assert found(definition) == {(SCHEMA_VALIDATION_FAILED, "/States/M/ItemProcessor/States/I")}

    @pytest.mark.parametrize(
        ("fields", "location"),
        [
            ({"MaxConcurrency": -1}, "/States/M/MaxConcurrency"),
            ({"MaxConcurrency": 1.5}, "/States/M/MaxConcurrency"),
            ({"MaxConcurrency": 1, "MaxConcurrencyPath": "$.m"}, "/States/M"),
            ({"ToleratedFailurePercentage": 101}, "/States/M/ToleratedFailurePercentage"),
            ({"ToleratedFailureCount": -1}, "/States/M/ToleratedFailureCount"),
            ({"ToleratedFailureCount": 1, "ToleratedFailureCountPath": "$.c"}, "/States/M"),
            ({"ItemsPath": "$.items[*]"}, "/States/M/ItemsPath"),
            ({"ItemBatcher": {}}, "/States/M/ItemBatcher"),
            ({"ItemBatcher": {"MaxItemsPerBatch": 0}}, "/States/M/ItemBatcher/MaxItemsPerBatch"),
            ({"ItemReader": {"Resource": 5}}, "/States/M/ItemReader/Resource"),
            ({"Parameters": {}, "ItemSelector": {}}, "/States/M"),
            ({"Label": "x" * 41}, "/States/M/Label"),
        ],
    )
    def test_map_fields(self, fields, location):
        body = {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}
        definition = machine(M={"Type": "Map", "ItemProcessor": body, "End": True, **fields})
        assert only(definition).location == location

    @pytest.mark.parametrize(
        ("config", "location"),
        [
            ({"Mode": "FAST"}, "/States/M/ItemProcessor/ProcessorConfig/Mode"),
            ({"Mode": "DISTRIBUTED"}, "/States/M/ItemProcessor/ProcessorConfig"),
            (
                {"Mode": "INLINE", "ExecutionType": "EXPRESS"},
                "/States/M/ItemProcessor/ProcessorConfig/ExecutionType",
            ),
            (
                {"Mode": "DISTRIBUTED", "ExecutionType": "SLOW"},
                "/States/M/ItemProcessor/ProcessorConfig/ExecutionType",
            ),
        ],
    )
    def test_processor_config(self, config, location):
        body = {"ProcessorConfig": config, "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}
        assert (
            only(machine(M={"Type": "Map", "ItemProcessor": body, "End": True})).location
            == location
        )

    def test_query_language_is_not_allowed_in_item_processor(self):
        body = {"QueryLanguage": "JSONPath", "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}
        diagnostic = only(machine(M={"Type": "Map", "ItemProcessor": body, "End": True}))
        assert (diagnostic.message, diagnostic.location) == (
            "Field 'QueryLanguage' is not supported",
            "/States/M/ItemProcessor",
        )

    def test_query_language_in_item_processor_is_reported_once(self):
        body = {"QueryLanguage": "JSONata", "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}
        diagnostic = only(machine(M={"Type": "Map", "ItemProcessor": body, "End": True}))
        assert diagnostic.message == "Field 'QueryLanguage' is not supported"

    def test_nested_states_inherit_the_machine_language(self):
        # A JSONata Map in a JSONPath machine: its inner states are still JSONPath (AWS).
        body = {"StartAt": "I", "States": {"I": {"Type": "Pass", "Output": 1, "End": True}}}
        state = {"Type": "Map", "QueryLanguage": "JSONata", "ItemProcessor": body, "End": True}
        assert found(machine(M=state)) == {
            (SCHEMA_VALIDATION_FAILED, "/States/M/ItemProcessor/States/I"),
        }


class TestReportsEverything:
    def test_many_problems_at_once(self):
        definition = {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Catch": [], "Next": "Nope"},
                "B": {"Type": "Wait", "End": True},
                "C": task(TimeoutSeconds=5, HeartbeatSeconds=6, End=True),
            },
        }
        codes = [d.code for d in validate(definition)]
        assert codes.count(MISSING_TRANSITION_TARGET) == 3  # Nope, B and C unreachable
        assert codes.count(SCHEMA_VALIDATION_FAILED) == 3


class TestParseJson:
    def test_valid_text(self):
        definition, diagnostics = parse_json(json.dumps(HELLO_WORLD))
        assert definition == HELLO_WORLD and diagnostics == []

    def test_invalid_json(self):
        definition, diagnostics = parse_json('{"StartAt": ')
        assert definition is None
        assert [d.code for d in diagnostics] == [INVALID_JSON_DESCRIPTION]

    @pytest.mark.parametrize("text", ["", "   "])
    def test_empty_text(self, text):
        assert [d.code for d in parse_json(text)[1]] == [MISSING_DESCRIPTION]

    def test_non_standard_constants_are_rejected(self):
        assert parse_json('{"a": NaN}')[1][0].code == INVALID_JSON_DESCRIPTION

    def test_not_an_object(self):
        definition, diagnostics = parse_json("[1]")
        assert definition is None and diagnostics[0].code == SCHEMA_VALIDATION_FAILED

    def test_duplicate_state_names_are_reported(self):
        text = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "A": {"Type": "Succeed"}}}'
        definition, diagnostics = parse_json(text)
        assert [(d.code, d.location) for d in diagnostics] == [(DUPLICATE_STATE_NAME, "/States/A")]

    def test_duplicate_fields_are_reported(self):
        text = '{"StartAt": "A", "States": {"A": {"Type": "Succeed", "Type": "Pass"}}}'
        assert [(d.code, d.location) for d in parse_json(text)[1]] == [
            (SCHEMA_VALIDATION_FAILED, "/States/A/Type")
        ]

    def test_validate_text_combines_both(self):
        assert validate_text(json.dumps(HELLO_WORLD)) == []
        assert [d.code for d in validate_text("{")] == [INVALID_JSON_DESCRIPTION]
        assert validate_text('{"StartAt": "A"}')[0].code == SCHEMA_VALIDATION_FAILED


# --------------------------------------------------------------------------- fuzzing

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=25,
)
field_names = st.sampled_from(
    sorted(
        {
            "Type",
            "Next",
            "End",
            "Resource",
            "Choices",
            "Default",
            "Branches",
            "ItemProcessor",
            "Iterator",
            "Parameters",
            "ResultPath",
            "InputPath",
            "Retry",
            "Catch",
            "ErrorEquals",
            "Seconds",
            "Timestamp",
            "StartAt",
            "States",
            "Variable",
            "And",
            "Not",
            "NumericEquals",
            "StringEqualsPath",
            "TimeoutSeconds",
            "HeartbeatSeconds",
            "ProcessorConfig",
            "Mode",
            "ItemBatcher",
            "QueryLanguage",
            "Error",
            "CausePath",
            "x.$",
        }
    )
)
structured = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=6)
    | st.sampled_from(
        [
            "Pass",
            "Task",
            "Choice",
            "Map",
            "Parallel",
            "Wait",
            "Fail",
            "Succeed",
            "$.a",
            "States.ALL",
            "A",
            LAMBDA,
        ]
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(field_names, children, max_size=6)
    ),
    max_leaves=40,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(json_values | structured)
def test_validate_never_raises(value):
    diagnostics = validate(value)
    if isinstance(value, dict):
        diagnostics += validate({"StartAt": "A", "States": {"A": value}})
    assert all(d.code and isinstance(d.location, str) for d in diagnostics)
    assert not [d for d in diagnostics if d.message.startswith(INTERNAL_ERROR_MESSAGE)]


@settings(max_examples=200)
@given(st.sampled_from(list(EVERYTHING["States"])), field_names, structured)
def test_mutating_a_valid_definition_never_raises(state, field, value):
    definition = copy.deepcopy(EVERYTHING)
    definition["States"][state][field] = value
    diagnostics = validate(definition)
    assert not [d for d in diagnostics if d.message.startswith(INTERNAL_ERROR_MESSAGE)]


@given(st.text(max_size=60))
def test_parse_json_never_raises(text):
    parse_json(text)
    validate_text(text)
