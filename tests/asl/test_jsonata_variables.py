"""Variables (Assign) and JSONata, with examples from AWS's documentation and blog posts."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest

from docuflow.asl.definition import parse_definition
from docuflow.asl.errors import InvalidDefinition
from docuflow.asl.interpreter import StartExecution, TaskFailed, TaskSucceeded, step
from docuflow.asl.simulate import simulate
from docuflow.asl.validator import validate

ECHO = "arn:aws:lambda:us-east-1:123456789012:function:echo"


def run(definition: dict, execution_input=None, handler=None):
    return simulate(parse_definition(definition), execution_input or {}, handler)


def echo(command):
    return TaskSucceeded(command.task_id, command.input)


def assigned(sim) -> list[dict]:
    return [
        event["stateExitedEventDetails"]["assignedVariables"]
        for event in sim.history
        if "assignedVariables" in event.get("stateExitedEventDetails", {})
    ]


def jsonata(**states) -> dict:
    names = list(states)
    for name, following in zip(names, [*names[1:], None], strict=True):
        body = states[name]
        if body["Type"] in ("Choice", "Succeed", "Fail") or "Next" in body or "End" in body:
            continue
        if following is None:
            body["End"] = True
        else:
            body["Next"] = following
    return {"QueryLanguage": "JSONata", "StartAt": names[0], "States": states}


# --------------------------------------------------------------------------- JSONata basics


def test_arguments_from_the_aws_conversion_example():
    # "Transforming data with JSONata": the JSONPath Parameters sample, converted.
    machine = {
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"customerName": "María"}, "Next": "Call"},
            "Call": {
                "QueryLanguage": "JSONata",
                "Type": "Task",
                "Resource": ECHO,
                "Arguments": {
                    "static": "Hello",
                    "title": "{% $states.input.title %}",
                    "name": "{% $customerName %}",
                    "not-evaluated": "$customerName",
                },
                "End": True,
            },
        },
    }
    sim = run(machine, {"title": "Doctor"}, echo)
    assert sim.status == "SUCCEEDED"
    assert sim.output == {
        "static": "Hello",
        "title": "Doctor",
        "name": "María",
        "not-evaluated": "$customerName",
    }


def test_output_defaults_to_the_result_and_states_has_input_and_context():
    machine = jsonata(
        T={
            "Type": "Task",
            "Resource": ECHO,
            "Arguments": {"n": "{% $states.input.n + 1 %}"},
            "Output": {
                "result": "{% $states.result %}",
                "input": "{% $states.input %}",
                "state": "{% $states.context.State.Name %}",
            },
        }
    )
    sim = run(machine, {"n": 1}, echo)
    assert sim.output == {"result": {"n": 2}, "input": {"n": 1}, "state": "T"}


def test_aws_added_functions_and_no_eval():
    machine = jsonata(
        P={
            "Type": "Pass",
            "Output": {
                "partition": "{% $partition([1,2,3,4,5], 2) %}",
                "range": "{% $range(0, 10, 5) %}",
                "hash": "{% $hash('hello', 'SHA-256') %}",
                "parse": "{% $parse('{\"a\": [1, null]}') %}",
                "uuid": "{% $length($uuid()) %}",
                "random": "{% $random(7) = $random(7) %}",
            },
        }
    )
    sim = run(machine)
    assert sim.output == {
        "partition": [[1, 2], [3, 4], [5]],
        "range": [0, 5, 10],
        "hash": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        "parse": {"a": [1, None]},
        "uuid": 36,
        "random": True,
    }
    failed = run(jsonata(P={"Type": "Pass", "Output": "{% $eval('1 + 1') %}"}))
    assert (failed.status, failed.error) == ("FAILED", "States.QueryEvaluationError")


def test_undefined_result_fails_with_query_evaluation_error_and_evaluation_failed_event():
    sim = run(jsonata(P={"Type": "Pass", "Output": {"v": "{% $states.input.absent %}"}}))
    assert sim.status == "FAILED"
    assert sim.error == "States.QueryEvaluationError"
    assert sim.cause == (
        "An error occurred while executing the state 'P' (entered at the event id #2). "
        "The JSONata expression '$states.input.absent' specified for the field 'Output/v' "
        "returned nothing (undefined)."
    )
    assert sim.event_types == [
        "ExecutionStarted",
        "PassStateEntered",
        "EvaluationFailed",
        "ExecutionFailed",
    ]
    details = sim.history[2]["evaluationFailedEventDetails"]
    assert (details["location"], details["state"]) == ("Output/v", "P")


def test_null_is_a_value_not_undefined():
    sim = run(
        jsonata(P={"Type": "Pass", "Output": {"v": "{% $states.input.bar %}"}}), {"bar": None}
    )
    assert sim.output == {"v": None}


def test_query_evaluation_error_is_caught_by_states_all():
    machine = jsonata(
        T={
            "Type": "Task",
            "Resource": ECHO,
            "Output": "{% $sum('x') %}",
            "Catch": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "Output": "{% $states.errorOutput.Error %}",
                    "Next": "Done",
                }
            ],
            "End": True,
        },
        Done={"Type": "Succeed"},
    )
    sim = run(machine, {}, echo)
    assert sim.status == "SUCCEEDED"
    assert sim.output == "States.QueryEvaluationError"
    assert "EvaluationFailed" in sim.event_types


def test_expression_valued_numbers_and_fail_fields():
    machine = jsonata(
        W={"Type": "Wait", "Seconds": "{% $states.input.delay %}", "Next": "F"},
        F={"Type": "Fail", "Error": "{% 'Custom.' & $states.input.kind %}", "Cause": "{% 'why' %}"},
    )
    sim = run(machine, {"delay": 60, "kind": "Oops"})
    assert (sim.status, sim.error, sim.cause) == ("FAILED", "Custom.Oops", "why")
    assert (sim.clock - datetime(2026, 1, 1, tzinfo=UTC)).total_seconds() == 60
    bad = run(machine, {"delay": "soon", "kind": "x"})
    assert bad.error == "States.QueryEvaluationError"


def test_map_items_item_selector_and_max_concurrency_expressions():
    machine = jsonata(
        M={
            "Type": "Map",
            "Items": "{% $states.input.numbers %}",
            "MaxConcurrency": "{% 1 %}",
            "ItemSelector": {
                "value": "{% $states.context.Map.Item.Value %}",
                "index": "{% $states.context.Map.Item.Index %}",
            },
            "ItemProcessor": {
                "StartAt": "Double",
                "States": {
                    "Double": {
                        "Type": "Pass",
                        "Output": "{% $states.input.value * 2 + $states.input.index %}",
                        "End": True,
                    }
                },
            },
        }
    )
    assert run(machine, {"numbers": [5, 6, 7]}).output == [10, 13, 16]


def test_choice_conditions_and_rule_assign():
    machine = jsonata(
        C={
            "Type": "Choice",
            "Choices": [
                {
                    "Condition": "{% $states.input.n > 10 %}",
                    "Assign": {"size": "big"},
                    "Output": {"n": "{% $states.input.n %}"},
                    "Next": "Done",
                }
            ],
            "Default": "Done",
            "Assign": {"size": "small"},
        },
        Done={"Type": "Pass", "Output": {"size": "{% $size %}", "in": "{% $states.input %}"}},
    )
    assert run(machine, {"n": 11, "x": 1}).output == {"size": "big", "in": {"n": 11}}
    assert run(machine, {"n": 1}).output == {"size": "small", "in": {"n": 1}}
    not_boolean = jsonata(
        C={"Type": "Choice", "Choices": [{"Condition": "{% 'yes' %}", "Next": "D"}]},
        D={"Type": "Succeed"},
    )
    assert run(not_boolean).error == "States.QueryEvaluationError"


# --------------------------------------------------------------------------- variables


def test_jsonpath_assign_sees_the_result_and_output_sees_old_values():
    # LocalStack's BASE_EVALUATION_ORDER_PASS_STATE, recorded against AWS.
    machine = {
        "StartAt": "State0",
        "States": {
            "State0": {
                "Type": "Pass",
                "Result": {"theQuestion": "What is the answer?"},
                "Assign": {"question.$": "$.theQuestion", "answer": 42},
                "Next": "State1",
            },
            "State1": {
                "Type": "Pass",
                "InputPath": "$answer",
                "ResultPath": "$.theAnswer",
                "OutputPath": "$answer",
                "Assign": {"answer": "<omitted>"},
                "End": True,
            },
        },
    }
    sim = run(machine)
    assert sim.status == "SUCCEEDED"
    assert sim.output == 42
    assert assigned(sim) == [
        {"answer": "42", "question": '"What is the answer?"'},
        {"answer": '"<omitted>"'},
    ]
    exited = sim.history[2]["stateExitedEventDetails"]
    assert exited["assignedVariablesDetails"] == {"truncated": False}


def test_jsonpath_variables_in_parameters_intrinsics_and_choice():
    machine = {
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"who": "Ada", "n": 3}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$n", "NumericGreaterThan": 2, "Next": "Greet", "Assign": {"m": 1}}
                ],
                "Default": "Greet",
            },
            "Greet": {
                "Type": "Pass",
                "Parameters": {"text.$": "States.Format('Hi {}', $who)", "m.$": "$m"},
                "End": True,
            },
        },
    }
    assert run(machine).output == {"text": "Hi Ada", "m": 1}


def test_task_assign_reads_the_raw_result_before_result_selector():
    machine = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": ECHO,
                "ResultSelector": {"kept.$": "$.a"},
                "Assign": {"raw.$": "$"},
                "Next": "Show",
            },
            "Show": {"Type": "Pass", "Parameters": {"raw.$": "$raw", "in.$": "$"}, "End": True},
        },
    }
    assert run(machine, {"a": 1, "b": 2}, echo).output == {
        "raw": {"a": 1, "b": 2},
        "in": {"kept": 1},
    }


def test_map_iterations_read_outer_variables_and_do_not_leak_assignments():
    # LocalStack's BASE_SCOPE_MAP, then a reference to the inner variable outside the Map.
    machine = {
        "StartAt": "State0",
        "States": {
            "State0": {"Type": "Pass", "Assign": {"x": 42, "items": [1, 2, 3]}, "Next": "State1"},
            "State1": {
                "Type": "Map",
                "ItemsPath": "$items",
                "ItemProcessor": {
                    "StartAt": "Inner",
                    "States": {
                        "Inner": {
                            "Type": "Pass",
                            "Assign": {"innerX.$": "$x", "x": 0},
                            "Parameters": {"x.$": "$x"},
                            "End": True,
                        }
                    },
                },
                "Next": "State2",
            },
            "State2": {
                "Type": "Pass",
                "Parameters": {"x.$": "$x", "results.$": "$"},
                "Next": "Leak",
            },
            "Leak": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Output": "{% $innerX %}",
                "End": True,
            },
        },
    }
    sim = run(machine)
    assert sim.status == "FAILED" and sim.error == "States.QueryEvaluationError"
    exits = [e for e in sim.history if e["type"] == "PassStateExited"]
    assert json.loads(exits[-1]["stateExitedEventDetails"]["output"]) == {
        "x": 42,
        "results": [{"x": 42}, {"x": 42}, {"x": 42}],
    }


def test_parallel_branches_read_outer_variables():
    machine = jsonata(
        Set={"Type": "Pass", "Assign": {"x": 42}},
        Par={
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": f"B{i}",
                    "States": {
                        f"B{i}": {
                            "Type": "Pass",
                            "Assign": {"x": i},
                            "Output": "{% $x + " + str(i) + " %}",
                            "End": True,
                        }
                    },
                }
                for i in (1, 2)
            ],
            "Output": {"results": "{% $states.result %}", "x": "{% $x %}"},
        },
    )
    assert run(machine).output == {"results": [43, 44], "x": 42}


def test_undefined_jsonpath_variable_is_a_runtime_error():
    machine = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Parameters": {"v.$": "$missing"}, "End": True}},
    }
    assert run(machine).error == "States.Runtime"


def test_mixed_machine_alternating_query_languages():
    machine = {
        "StartAt": "PathIn",
        "States": {
            "PathIn": {
                "Type": "Pass",
                "Parameters": {"total.$": "States.MathAdd($.a, $.b)"},
                "Assign": {"origin.$": "$$.State.Name"},
                "Next": "AtaDouble",
            },
            "AtaDouble": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Assign": {"doubled": "{% $states.input.total * 2 %}"},
                "Output": {"total": "{% $states.input.total %}"},
                "Next": "PathOut",
            },
            "PathOut": {
                "Type": "Pass",
                "Parameters": {"total.$": "$.total", "doubled.$": "$doubled", "from.$": "$origin"},
                "End": True,
            },
        },
    }
    assert run(machine, {"a": 2, "b": 3}).output == {"total": 5, "doubled": 10, "from": "PathIn"}


def test_variables_survive_a_json_round_trip_of_the_execution_state():
    machine = parse_definition(
        jsonata(
            Set={"Type": "Pass", "Assign": {"secret": "{% $states.input.s %}"}},
            Work={"Type": "Task", "Resource": ECHO, "Output": {"s": "{% $secret %}"}},
        )
    )
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rng = random.Random(1)
    start = StartExecution({"s": "kept"}, "arn:e", "e", "arn:sm", "sm")
    first = step(machine, None, start, now, rng)
    stored = json.loads(json.dumps(first.state))  # what the engine writes to the database
    task_id = first.commands[0].task_id
    done = step(machine, stored, TaskSucceeded(task_id, {}), now, rng)
    assert done.state["status"] == "SUCCEEDED"
    assert done.state["output"] == {"s": "kept"}


def test_catcher_assign_in_jsonpath_sees_the_error_output():
    machine = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": ECHO,
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Assign": {"error.$": "$.Error"},
                        "ResultPath": "$.failure",
                        "Next": "Show",
                    }
                ],
                "End": True,
            },
            "Show": {"Type": "Pass", "Parameters": {"e.$": "$error", "in.$": "$"}, "End": True},
        },
    }
    sim = run(machine, {"k": 1}, lambda c: TaskFailed(c.task_id, "Boom", "bad"))
    assert sim.output == {
        "e": "Boom",
        "in": {"k": 1, "failure": {"Error": "Boom", "Cause": "bad"}},
    }


# --------------------------------------------------------------------------- validation


def messages(definition: dict) -> set[tuple[str, str, str]]:
    return {(d.code, d.message, d.location) for d in validate(definition)}


def test_jsonpath_fields_are_rejected_in_jsonata_states():
    found = messages(jsonata(P={"Type": "Pass", "Parameters": {}, "ResultPath": "$.x"}))
    assert found == {
        (
            "SCHEMA_VALIDATION_FAILED",
            f"The QueryLanguage is set to 'JSONata', but field '{field}' is only supported "
            "for the 'JSONPath' QueryLanguage",
            "/States/P",
        )
        for field in ("Parameters", "ResultPath")
    }


def test_jsonata_state_under_jsonpath_downgrade_is_rejected():
    definition = jsonata(P={"Type": "Pass", "QueryLanguage": "JSONPath"})
    assert (
        "SCHEMA_VALIDATION_FAILED",
        "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
        "/States/P",
    ) in messages(definition)


@pytest.mark.parametrize(
    ("assign", "language"),
    [({"1bad": 1}, "JSONata"), ({"states": 1}, "JSONata"), ({"a-b.$": "$"}, "JSONPath")],
)
def test_bad_variable_names_are_rejected(assign, language):
    definition = {
        "QueryLanguage": language,
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Assign": assign, "End": True}},
    }
    problems = validate(definition)
    assert len(problems) == 1
    assert problems[0].location == f"/States/P/Assign/{next(iter(assign))}"


def test_invalid_and_top_level_expressions_are_rejected():
    found = messages(
        jsonata(P={"Type": "Pass", "Output": {"a": "{% a[1,2) %}", "b": "{% phone %}"}})
    )
    codes = {(code, location) for code, _, location in found}
    assert codes == {
        ("INVALID_JSONATA_EXPRESSION", "/States/P/Output/a"),
        ("UNSUPPORTED_JSONATA_EXPRESSION", "/States/P/Output/b"),
    }
    assert any("Reference to 'phone' at the top level" in m for _, m, _ in found)


def test_parse_definition_refuses_what_the_validator_reports():
    with pytest.raises(InvalidDefinition):
        parse_definition(jsonata(P={"Type": "Pass", "InputPath": "$.a"}))
