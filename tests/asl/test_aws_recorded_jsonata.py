"""JSONata machines replayed through ``docuflow sfn execute`` against AWS's recordings.

The machines come from the public LocalStack Step Functions v2 snapshot suite, whose
histories were recorded on AWS (``outputdecl``, ``assign`` undefined-reference cases,
``evaluate_jsonata``, ``intrinsic_functions/*_jsonata``, November 2024), and from the
AWS documentation's JSONata pages (``$partition``, ``$range``, ``$hash``, ``$parse``). The
machines and expected values are written out here; a Lambda call is mocked with the
result AWS recorded. Assertions: status, output (or error and cause), event types, and
the details AWS gives EvaluationFailed.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from docuflow.asl.local_runner import main

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:fn"
PASS_ONLY = ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
EVALUATION_FAILED = ["ExecutionStarted", "PassStateEntered", "EvaluationFailed", "ExecutionFailed"]


def execute(tmp_path, capsys, machine: dict, execution_input=None, mocks: dict | None = None):
    definition = tmp_path / "machine.asl.json"
    definition.write_text(json.dumps(machine))
    args = ["execute", str(definition), "--history"]
    args += ["--input", json.dumps({} if execution_input is None else execution_input)]
    if mocks:
        library = {
            f"{state}R": {str(i): r for i, r in enumerate(rs)} for state, rs in mocks.items()
        }
        case = {state: f"{state}R" for state in mocks}
        mock = tmp_path / "mock.json"
        mock.write_text(
            json.dumps(
                {
                    "StateMachines": {"machine": {"TestCases": {"Case": case}}},
                    "MockedResponses": library,
                }
            )
        )
        args += ["--mock", str(mock), "--test-case", "Case"]
    code = main(args)
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if code == 0 else captured.err)


def run(tmp_path, capsys, machine, execution_input=None, mocks=None) -> dict:
    code, report = execute(tmp_path, capsys, machine, execution_input, mocks)
    assert code == 0, report
    return report


def types(report) -> list[str]:
    return [event["type"] for event in report["history"]]


def one_pass(body: dict) -> dict:
    return {"QueryLanguage": "JSONata", "StartAt": "State0", "States": {"State0": body}}


def failure(report) -> dict:
    (event,) = [e for e in report["history"] if e["type"] == "EvaluationFailed"]
    return event


# --------------------------------------------------------------------------- Output


def test_output_literals_are_copied_untouched(tmp_path, capsys):
    literals = {
        "constant_null": None,
        "constant_int": 0,
        "constant_float": 0.1,
        "constant_bool": True,
        "constant_str": "constant string",
        "constant_not_jsonata": " {% states.input %} ",
        "constant_varpath_states": "$states.input",
        "constant_varpath": "$no.such.var.path",
        "constant_jp_input": "$",
        "constant_jp_input.$": "$",
        "constant_jp_input_path": "$.input_value",
        "constant_jp_context": "$$",
        "constant_if": "States.Format('Format:{}', 101)",
        "constant_lst_empty": [],
        "constant_lst": [None, 0, 0.1, True, [], {"constant": 0}, " {% states.input %} "],
        "constant_obj_empty": {},
        "constant_obj": {"in_obj_constant_obj": {"constant": 0}},
    }
    machine = one_pass({"Type": "Pass", "Output": literals, "End": True})
    report = run(tmp_path, capsys, machine, {"input_value": "string literal"})
    assert (report["status"], report["output"], types(report)) == ("SUCCEEDED", literals, PASS_ONLY)
    # key order is kept, as AWS prints it
    assert list(
        json.loads(report["history"][-1]["executionSucceededEventDetails"]["output"])
    ) == list(literals)


def _init_then(state0: dict) -> dict:
    return {
        "StartAt": "Init",
        "States": {
            "Init": {
                "Type": "Pass",
                "Assign": {"var_input_value.$": "$.input_value", "var_constant_1": 1},
                "Next": "State0",
            },
            "State0": {"QueryLanguage": "JSONata", **state0, "End": True},
        },
    }


INPUT = {"input_value": "string literal", "input_values": [1, 2, 3]}


def test_output_expressions_see_states_context_input_and_variables(tmp_path, capsys):
    machine = _init_then(
        {
            "Type": "Pass",
            "Output": {
                "ja_states_context": "{% $states.context %}",
                "ja_states_input": "{% $states.input %}",
                "ja_var_access": "{% $var_input_value %}",
                "ja_expr": "{% $sum($states.input.input_values) + $var_constant_1 %}",
            },
        }
    )
    report = run(tmp_path, capsys, machine, INPUT)
    assert report["status"] == "SUCCEEDED"
    output = report["output"]
    assert output["ja_states_input"] == INPUT
    assert output["ja_var_access"] == "string literal"
    assert output["ja_expr"] == 7
    context = output["ja_states_context"]
    assert list(context) == ["Execution", "StateMachine", "State"] or set(context) == {
        "Execution",
        "StateMachine",
        "State",
    }
    assert set(context["State"]) == {"Name", "EnteredTime"}  # no RetryCount in a Pass
    assert context["State"]["Name"] == "State0"
    assert context["Execution"]["Input"] == INPUT


def test_output_as_one_expression(tmp_path, capsys):
    machine = _init_then(
        {"Type": "Pass", "Output": "{% $sum($states.input.input_values) + $var_constant_1 %}"}
    )
    report = run(tmp_path, capsys, machine, INPUT)
    assert (report["status"], report["output"]) == ("SUCCEEDED", 7)
    assert report["history"][-1]["executionSucceededEventDetails"]["output"] == "7"


def test_lambda_task_arguments_and_output_with_states_result(tmp_path, capsys):
    machine = _init_then(
        {
            "Type": "Task",
            "Resource": LAMBDA,
            "Arguments": {
                "ja_states_input": "{% $states.input %}",
                "ja_var_access": "{% $var_input_value %}",
                "ja_expr": "{% $sum($states.input.input_values) + $var_constant_1 %}",
            },
            "Output": {
                "ja_var_access": "{% $var_input_value %}",
                "ja_expr": "{% $sum($states.input.input_values) + $var_constant_1 %}",
                "ja_states_input": "{% $states.input %}",
                "ja_states_result": "{% $states.result %}",
                "ja_states_result_access": "{% $states.result.ja_expr %}",
            },
        }
    )
    arguments = {"ja_states_input": INPUT, "ja_var_access": "string literal", "ja_expr": 7}
    report = run(tmp_path, capsys, machine, INPUT, mocks={"State0": [{"Return": arguments}]})
    assert report["status"] == "SUCCEEDED"
    assert report["output"] == {
        "ja_var_access": "string literal",
        "ja_expr": 7,
        "ja_states_input": INPUT,
        "ja_states_result": arguments,
        "ja_states_result_access": 7,
    }
    assert types(report) == [
        "ExecutionStarted",
        "PassStateEntered", "PassStateExited",
        "TaskStateEntered",
        "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]  # fmt: skip
    scheduled = report["history"][4]["lambdaFunctionScheduledEventDetails"]
    assert json.loads(scheduled["input"]) == arguments


@pytest.mark.parametrize(
    ("output", "expected", "text"),
    [
        (None, None, "null"),
        (0, 0, "0"),
        (0.1, 0.1, "0.1"),
        (True, True, "true"),
        ("string literal", "string literal", '"string literal"'),
        ("{% $states.input %}", {"input_value": "stringliteral"}, '{"input_value":"stringliteral"}'),
        ([], [], "[]"),
        (
            [None, 0, 0.1, True, "string", [], "$nosuchvar", "$.no.such.path",
             "{% $states.input %}", {"key": "{% true %}"}],
            [None, 0, 0.1, True, "string", [], "$nosuchvar", "$.no.such.path",
             {"input_value": "stringliteral"}, {"key": True}],
            '[null,0,0.1,true,"string",[],"$nosuchvar","$.no.such.path",'
            '{"input_value":"stringliteral"},{"key":true}]',
        ),
    ],
    ids=["NULL", "INT", "FLOAT", "BOOL", "STR_LIT", "JSONATA_EXPR", "LIST_EMPTY", "LIST_RICH"],
)  # fmt: skip
def test_output_of_any_json_type(tmp_path, capsys, output, expected, text):
    machine = one_pass({"Type": "Pass", "Output": output, "End": True})
    report = run(tmp_path, capsys, machine, {"input_value": "stringliteral"})
    assert (report["status"], report["output"], types(report)) == ("SUCCEEDED", expected, PASS_ONLY)
    assert report["history"][-1]["executionSucceededEventDetails"]["output"] == text


@pytest.mark.parametrize("condition", [True, False])
def test_output_in_choice_rule_and_default(tmp_path, capsys, condition):
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "ChoiceState",
        "States": {
            "ChoiceState": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Condition": "{% $states.input.condition %}",
                        "Next": "ConditionTrue",
                        "Output": "Condition Output block",
                    }
                ],
                "Default": "DefaultState",
                "Output": "Default Output block",
            },
            "ConditionTrue": {"Type": "Pass", "End": True},
            "DefaultState": {"Type": "Fail", "Cause": "Condition is false"},
        },
    }
    report = run(tmp_path, capsys, machine, {"condition": condition})
    if condition:
        assert (report["status"], report["output"]) == ("SUCCEEDED", "Condition Output block")
        assert types(report)[-3:] == ["PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    else:
        assert report["status"] == "FAILED"
        assert report.get("error") is None and report["cause"] == "Condition is false"
        assert types(report) == [
            "ExecutionStarted",
            "ChoiceStateEntered", "ChoiceStateExited",
            "FailStateEntered",
            "ExecutionFailed",
        ]  # fmt: skip
        exited = report["history"][2]["stateExitedEventDetails"]
        assert exited["output"] == '"Default Output block"'


def test_query_language_on_the_state_only(tmp_path, capsys):
    machine = {
        "StartAt": "S",
        "States": {"S": {"QueryLanguage": "JSONata", "Type": "Pass", "End": True}},
    }
    report = run(tmp_path, capsys, machine, {"a": 1})
    assert (report["status"], report["output"], types(report)) == ("SUCCEEDED", {"a": 1}, PASS_ONLY)


# --------------------------------------------------------------------------- undefined and errors

CAUSE = "An error occurred while executing the state '{state}' (entered at the event id #{eid}). "


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"Output": "{% $doesNotExist %}"}, "Output"),
        ({"Output": {"result": "{% $doesNotExist %}"}}, "Output/result"),
        ({"Assign": {"result": "{% $doesNotExist %}"}}, "Assign/result"),
    ],
    ids=["OUTPUT", "OUTPUT_FIELD", "ASSIGN"],
)
def test_undefined_reference_fails_with_evaluation_failed(tmp_path, capsys, body, location):
    report = run(tmp_path, capsys, one_pass({"Type": "Pass", **body, "End": True}))
    cause = CAUSE.format(state="State0", eid=2) + (
        f"The JSONata expression '$doesNotExist' specified for the field '{location}' "
        "returned nothing (undefined)."
    )
    assert (report["status"], report["error"], report["cause"]) == (
        "FAILED",
        "States.QueryEvaluationError",
        cause,
    )
    assert types(report) == EVALUATION_FAILED
    event = failure(report)
    assert event["evaluationFailedEventDetails"] == {
        "error": "States.QueryEvaluationError",
        "cause": cause,
        "location": location,
        "state": "State0",
    }
    assert event["previousEventId"] == 0  # as AWS links it
    assert report["history"][-1]["previousEventId"] == 3


@pytest.mark.parametrize(
    ("arguments", "location"),
    [
        ("{% $doesNotExist %}", "Arguments"),
        (
            {"FunctionName": "{% $doesNotExist %}", "Payload": {"foo": "oof"}},
            "Arguments/FunctionName",
        ),
    ],
    ids=["ARGUMENTS", "ARGUMENTS_FIELD"],
)
def test_undefined_arguments_fail_before_the_task_is_scheduled(
    tmp_path, capsys, arguments, location
):
    machine = one_pass(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": arguments,
            "End": True,
        }
    )
    report = run(tmp_path, capsys, machine)
    assert report["status"] == "FAILED"
    assert types(report) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "EvaluationFailed",
        "ExecutionFailed",
    ]
    assert failure(report)["evaluationFailedEventDetails"]["location"] == location
    assert report["cause"].endswith(
        f"specified for the field '{location}' returned nothing (undefined)."
    )


def test_undefined_output_after_other_states(tmp_path, capsys):
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "State0",
        "States": {
            "State0": {"Type": "Pass", "Next": "State1"},
            "State1": {"Type": "Pass", "Next": "State2"},
            "State2": {"Type": "Pass", "Output": {"result": "{% $doesNotExist %}"}, "End": True},
        },
    }
    report = run(tmp_path, capsys, machine)
    assert report["status"] == "FAILED"
    assert report["cause"].startswith(CAUSE.format(state="State2", eid=6))
    assert types(report) == [
        "ExecutionStarted",
        *["PassStateEntered", "PassStateExited"] * 2,
        "PassStateEntered", "EvaluationFailed", "ExecutionFailed",
    ]  # fmt: skip
    assert failure(report)["previousEventId"] == 5
    assert failure(report)["id"] == 7


def test_calling_an_unknown_function(tmp_path, capsys):
    machine = one_pass(
        {
            "Type": "Pass",
            "Output": {"FunctionResult": "{% $randomSeeded($states.input.FunctionInput.fst) %}"},
            "End": True,
        }
    )
    report = run(tmp_path, capsys, machine, {"FunctionInput": "fst"})
    assert report["cause"] == CAUSE.format(state="State0", eid=2) + (
        "The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified for "
        "the field 'Output/FunctionResult' threw an error during evaluation. "
        "T1006: Attempted to invoke a non-function"
    )
    assert types(report) == EVALUATION_FAILED


def test_evaluation_errors_can_be_caught(tmp_path, capsys):
    machine = one_pass(
        {
            "Type": "Task",
            "Resource": LAMBDA,
            "Output": "{% $states.result.missing %}",
            "Catch": [
                {
                    "ErrorEquals": ["States.QueryEvaluationError"],
                    "Output": "{% $states.errorOutput.Error %}",
                    "Next": "Done",
                }
            ],
            "Next": "Done",
        }
    )
    machine["States"]["Done"] = {"Type": "Succeed"}
    report = run(tmp_path, capsys, machine, mocks={"State0": [{"Return": {"a": 1}}]})
    assert (report["status"], report["output"]) == ("SUCCEEDED", "States.QueryEvaluationError")
    assert types(report) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded",
        "EvaluationFailed",
        "TaskStateExited",
        "SucceedStateEntered", "SucceedStateExited",
        "ExecutionSucceeded",
    ]  # fmt: skip


def test_division_by_zero_is_a_number_out_of_range(tmp_path, capsys):
    machine = one_pass({"Type": "Pass", "Output": {"r": "{% 1 / 0 %}"}, "End": True})
    report = run(tmp_path, capsys, machine)
    assert report["error"] == "States.QueryEvaluationError"
    assert report["cause"].endswith(
        "threw an error during evaluation. D1001: Number out of range: Infinity"
    )
    assert types(report) == EVALUATION_FAILED


def test_fail_error_and_cause_expressions(tmp_path, capsys):
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"code": 42}, "Next": "Fail"},
            "Fail": {
                "Type": "Fail",
                "Error": "{% 'Err' & $code %}",
                "Cause": "{% $states.input.why %}",
            },
        },
    }
    report = run(tmp_path, capsys, machine, {"why": "because"})
    assert (report["status"], report["error"], report["cause"]) == ("FAILED", "Err42", "because")
    assert types(report) == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "FailStateEntered",
        "ExecutionFailed",
    ]


# --------------------------------------------------------------------------- expression fields


def _map(fields: dict) -> dict:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Map",
                "Items": [1, 2, 3],
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Process",
                    "States": {"Process": {"Type": "Pass", "End": True}},
                },
                **fields,
                "End": True,
            }
        },
    }


MAP_EVENTS = [
    "ExecutionStarted",
    "MapStateEntered",
    "MapStateStarted",
    *["MapIterationStarted", "PassStateEntered", "PassStateExited", "MapIterationSucceeded"] * 3,
    "MapStateSucceeded",
    "MapStateExited",
    "ExecutionSucceeded",
]


@pytest.mark.parametrize(
    "fields",
    [
        {"Items": "{% [1, 2, 3] %}"},
        {"Items": "{% $states.input.input_value %}"},
        {"MaxConcurrency": "{% 1 %}"},
        {"MaxConcurrency": "{% $states.input.n %}"},
        {"ToleratedFailurePercentage": "{% 100 %}"},
        {"ToleratedFailureCount": "{% $states.input.n %}"},
    ],
    ids=["ITEMS", "ITEMS_FROM_INPUT", "MAX_CONCURRENCY", "MAX_CONCURRENCY_FROM_INPUT",
         "TOLERATED_FAILURE_PERCENTAGE", "TOLERATED_FAILURE_COUNT"],
)  # fmt: skip
def test_map_fields_as_expressions(tmp_path, capsys, fields):
    report = run(tmp_path, capsys, _map(fields), {"input_value": [1, 2, 3], "n": 1})
    assert (report["status"], report["output"]) == ("SUCCEEDED", [1, 2, 3])
    assert types(report) == MAP_EVENTS


def test_map_item_selector_with_states_context(tmp_path, capsys):
    machine = _map(
        {
            "ItemSelector": {
                "index": "{% $states.context.Map.Item.Index %}",
                "value": "{% $states.context.Map.Item.Value * 10 %}",
                "outer": "{% $states.input.tag %}",
            }
        }
    )
    report = run(tmp_path, capsys, machine, {"tag": "t"})
    assert report["output"] == [
        {"index": i, "value": v * 10, "outer": "t"} for i, v in enumerate([1, 2, 3])
    ]


def test_map_items_must_be_an_array(tmp_path, capsys):
    report = run(tmp_path, capsys, _map({"Items": "{% $states.input.n %}"}), {"n": 1})
    assert report["error"] == "States.QueryEvaluationError"
    assert types(report) == [
        "ExecutionStarted",
        "MapStateEntered",
        "EvaluationFailed",
        "ExecutionFailed",
    ]


def test_task_heartbeat_and_timeout_from_input(tmp_path, capsys):
    machine = one_pass(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": LAMBDA, "Payload": {}},
            "HeartbeatSeconds": "{% $states.input.input_value %}",
            "TimeoutSeconds": "{% $states.input.input_value + 10 %}",
            "End": True,
        }
    )
    result = {"Payload": {"ok": True}, "StatusCode": 200}
    report = run(
        tmp_path, capsys, machine, {"input_value": 1}, mocks={"State0": [{"Return": result}]}
    )
    assert (report["status"], report["output"]) == ("SUCCEEDED", result)
    scheduled = report["history"][2]["taskScheduledEventDetails"]
    assert (scheduled["heartbeatInSeconds"], scheduled["timeoutInSeconds"]) == (1, 11)
    assert types(report) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


def test_wait_seconds_and_timestamp_expressions(tmp_path, capsys):
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "W1",
        "States": {
            "W1": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "Next": "W2"},
            "W2": {"Type": "Wait", "Timestamp": "{% $states.input.t %}", "End": True},
        },
    }
    report = run(tmp_path, capsys, machine, {"s": 2, "t": "2020-01-01T00:00:00Z"})
    assert report["status"] == "SUCCEEDED"
    assert types(report) == [
        "ExecutionStarted",
        *["WaitStateEntered", "WaitStateExited"] * 2,
        "ExecutionSucceeded",
    ]


# --------------------------------------------------------------------------- AWS functions


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("$partition([1,2,3,4], 2)", [[1, 2], [3, 4]]),
        ("$partition([1,2,3,4,5], 2)", [[1, 2], [3, 4], [5]]),
        ("$range(0, 10, 2)", [0, 2, 4, 6, 8, 10]),
        ("$range(0, 5, 5)", [0, 5]),
        (
            '$hash("Mary had a little lamb.", "SHA-256")',
            hashlib.sha256(b"Mary had a little lamb.").hexdigest(),
        ),
        ('$hash("x", "MD5")', hashlib.md5(b"x").hexdigest()),  # noqa: S324
        ('$parse(\'{"foo": [1, {"bar": null}]}\')', {"foo": [1, {"bar": None}]}),
        ("$string(1e20)", "100000000000000000000"),
        ("$string(0.1 + 0.2)", "0.3"),
        ("'n' & 1.5e-7", "n1.5e-7"),
        ("$string({'a': [1, true, null]})", '{"a":[1,true,null]}'),
        ("$count($range(1, 1000000, 1))", 1000000),
        ("$type($uuid())", "string"),
        ("$random() < 1", True),
        ("$states.input.price * 2.5", 25),
        ("$round(2.675, 2)", 2.68),
        ("$split('a,b,c', ',')", ["a", "b", "c"]),
        ("$exists($states.input.nothing)", False),
    ],
)
def test_jsonata_functions(tmp_path, capsys, expression, expected):
    machine = one_pass({"Type": "Pass", "Output": {"v": "{% " + expression + " %}"}, "End": True})
    report = run(tmp_path, capsys, machine, {"price": 10})
    assert (report["status"], report["output"]) == ("SUCCEEDED", {"v": expected})


def test_eval_is_not_available(tmp_path, capsys):
    machine = one_pass({"Type": "Pass", "Output": "{% $eval('1+1') %}", "End": True})
    report = run(tmp_path, capsys, machine)
    assert report["error"] == "States.QueryEvaluationError"
    assert types(report) == EVALUATION_FAILED


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "body",
    [
        {"Type": "Pass", "Output": "{% phone %}", "End": True},
        {"Type": "Pass", "Output": "{% $states.input.a + phone %}", "End": True},
        {"Type": "Pass", "Output": {"x": "{% $$ %}"}, "End": True},
        {"Type": "Pass", "Output": "{% 1 + %}", "End": True},
        {"Type": "Pass", "Parameters": {"a": 1}, "End": True},
        {"Type": "Pass", "InputPath": "$.a", "End": True},
        {"Type": "Pass", "Assign": {"1bad": 1}, "End": True},
        {"Type": "Pass", "Assign": {"states": 1}, "End": True},
        {"Type": "Task", "Resource": LAMBDA, "ResultSelector": {"a": 1}, "End": True},
    ],
    ids=["NAME", "NAME_IN_OPERAND", "ROOT", "SYNTAX", "PARAMETERS", "INPUT_PATH",
         "VARIABLE_NAME", "RESERVED_NAME", "RESULT_SELECTOR"],
)  # fmt: skip
def test_invalid_definitions_are_refused_before_running(tmp_path, capsys, body):
    code, err = execute(tmp_path, capsys, one_pass(body))
    assert code == 2
    assert "invalid definition" in err


@pytest.mark.parametrize(
    "expression",
    [
        "$states.input.items[price > 5].name",
        "$map($states.input, function($v) { $v.x })",
        "$states.input{name: value}",
        "($x := 1; $x + 1)",
    ],
)
def test_names_not_read_from_the_root_context_are_legal(tmp_path, capsys, expression):
    machine = one_pass({"Type": "Pass", "Output": {"v": "{% " + expression + " %}"}, "End": True})
    code, _ = execute(tmp_path, capsys, machine, {"items": []})
    assert code == 0
