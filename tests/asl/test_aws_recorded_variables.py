"""Variables (Assign) replayed through ``docuflow sfn execute`` against AWS's recordings.

Each machine here ran on AWS Step Functions and its history was recorded (the public
LocalStack Step Functions v2 snapshot suite, ``tests/aws/services/stepfunctions/v2/
assign`` and ``.../query_language``, recorded November 2024). The machines and the
expected values are written out here; the assertions are the recorded status, output,
event types and the ``assignedVariables`` AWS printed (each value as compact JSON text).
Where a recording was made with a Lambda function, the test mocks the task with the
result AWS recorded (Step Functions Local mock format).
"""

from __future__ import annotations

import json

import pytest

from docuflow.asl.local_runner import main

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:fn"


def execute(tmp_path, capsys, machine: dict, execution_input=None, mocks: dict | None = None):
    """Run ``machine`` through the CLI (``docuflow sfn execute --history``)."""
    definition = tmp_path / "machine.asl.json"
    definition.write_text(json.dumps(machine))
    args = ["execute", str(definition), "--history"]
    args += ["--input", json.dumps({} if execution_input is None else execution_input)]
    if mocks:
        library, case = {}, {}
        for state, responses in mocks.items():
            library[f"{state}Response"] = {str(i): r for i, r in enumerate(responses)}
            case[state] = f"{state}Response"
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
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    return report


def types(report) -> list[str]:
    return [event["type"] for event in report["history"]]


def assigned(report) -> list[dict]:
    return [
        event["stateExitedEventDetails"].get("assignedVariables")
        for event in report["history"]
        if "stateExitedEventDetails" in event
    ]


def exited_outputs(report) -> list:
    return [
        json.loads(event["stateExitedEventDetails"]["output"])
        for event in report["history"]
        if "stateExitedEventDetails" in event
    ]


PASS_ONLY = ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]


# --------------------------------------------------------------------------- literals and paths


def test_constant_literals_are_stored_as_json_text(tmp_path, capsys):
    # BASE_CONSTANT_LITERALS: JSONPath Assign keeps non-".$" strings as they are.
    machine = {
        "StartAt": "State0",
        "States": {
            "State0": {
                "Type": "Pass",
                "Assign": {
                    "constant_null": None,
                    "constant_int": 0,
                    "constant_float": 0.1,
                    "constant_bool": True,
                    "constant_str": "constant string",
                    "constant_str_path_root": "$",
                    "constant_str_path": "$.no.such.path",
                    "constant_str_contextpath_root": "$$",
                    "constant_str_contextpath": "$$.Execution.Id",
                    "constant_str_var": "$noSuchVar",
                    "constant_str_var_expr": "$noSuchVar.noSuchMember",
                    "constant_str_intrinsic_func": "States.Format('Format Func {}', $varname)",
                    "constant_str_jsonata_expr": "{% $varname.varfield %}",
                    "constant_lst_empty": [],
                    "constant_lst": [
                        None,
                        0,
                        0.1,
                        True,
                        "$.no.such.path",
                        "$varname",
                        "{% $varname %}",
                        "$$",
                        "States.Format('{}', $varname)",
                        [],
                        {"constant": 0},
                    ],
                    "constant_obj_empty": {},
                    "constant_obj": {"in_obj_constant_null": None, "in_obj_constant_int": 0},
                },
                "End": True,
            }
        },
    }
    report = execute(tmp_path, capsys, machine, {"input_value": "input_value_literal"})
    assert report["status"] == "SUCCEEDED"
    assert report["output"] == {"input_value": "input_value_literal"}
    assert types(report) == PASS_ONLY
    (variables,) = assigned(report)
    assert list(variables) == sorted(variables)  # AWS lists them by name
    assert variables["constant_null"] == "null"
    assert variables["constant_int"] == "0"
    assert variables["constant_float"] == "0.1"
    assert variables["constant_bool"] == "true"
    assert variables["constant_str"] == '"constant string"'
    assert variables["constant_str_contextpath_root"] == '"$$"'
    assert variables["constant_str_jsonata_expr"] == '"{% $varname.varfield %}"'
    assert variables["constant_lst"] == (
        '[null,0,0.1,true,"$.no.such.path","$varname","{% $varname %}","$$",'
        '"States.Format(\'{}\', $varname)",[],{"constant":0}]'
    )
    assert variables["constant_lst_empty"] == "[]"
    assert json.loads(variables["constant_obj"]) == {
        "in_obj_constant_null": None,
        "in_obj_constant_int": 0,
    }


def test_paths_intrinsics_and_the_context_object(tmp_path, capsys):
    # BASE_PATHS: "$$" in a Pass state has no State.RetryCount.
    machine = {
        "StartAt": "State0",
        "States": {
            "State0": {
                "Type": "Pass",
                "Assign": {
                    "str_path_root.$": "$",
                    "str_path.$": "$.input_value",
                    "str_contextpath_root.$": "$$",
                    "str_contextpath.$": "$$.Execution.Id",
                    "str_intrinsic_func.$": "States.Format('Format Func {}', $.input_value)",
                },
                "End": True,
            }
        },
    }
    report = execute(tmp_path, capsys, machine, {"input_value": "input_value_literal"})
    assert report["status"] == "SUCCEEDED"
    (variables,) = assigned(report)
    assert variables["str_path"] == '"input_value_literal"'
    assert json.loads(variables["str_path_root"]) == {"input_value": "input_value_literal"}
    assert variables["str_intrinsic_func"] == '"Format Func input_value_literal"'
    context = json.loads(variables["str_contextpath_root"])
    assert set(context) == {"Execution", "StateMachine", "State"}
    assert set(context["State"]) == {"Name", "EnteredTime"}
    assert set(context["Execution"]) == {
        "Id",
        "Input",
        "StartTime",
        "Name",
        "RoleArn",
        "RedriveCount",
    }
    assert json.loads(variables["str_contextpath"]) == context["Execution"]["Id"]


def test_evaluation_order_in_a_pass_state(tmp_path, capsys):
    # BASE_EVALUATION_ORDER_PASS_STATE: InputPath/OutputPath read $answer before Assign.
    machine = {
        "StartAt": "State0",
        "States": {
            "State0": {
                "Type": "Pass",
                "Result": {
                    "theQuestion": "What is the answer to life the universe and everything?"
                },
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
    report = execute(tmp_path, capsys, machine)
    assert report["status"] == "SUCCEEDED"
    assert report["output"] == 42
    assert assigned(report) == [
        {"answer": "42", "question": '"What is the answer to life the universe and everything?"'},
        {"answer": '"<omitted>"'},
    ]


# --------------------------------------------------------------------------- references


def test_reference_in_parameters(tmp_path, capsys):
    machine = {
        "StartAt": "State0",
        "States": {
            "State0": {
                "Type": "Pass",
                "Parameters": {"result": "$result"},
                "Assign": {"result": "foobar"},
                "Next": "State1",
            },
            "State1": {
                "Type": "Pass",
                "ResultPath": "$.result",
                "Parameters": {"result.$": "$result"},
                "End": True,
            },
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert report["status"] == "SUCCEEDED"
    assert report["output"] == {"result": {"result": "foobar"}}
    assert exited_outputs(report) == [{"result": "$result"}, {"result": {"result": "foobar"}}]
    assert assigned(report) == [{"result": '"foobar"'}, None]


def test_reference_in_choice_loops_until_the_guess_is_right(tmp_path, capsys):
    machine = {
        "StartAt": "Setup",
        "States": {
            "Setup": {
                "Type": "Pass",
                "Assign": {"guess": "the_guess", "answer": "the_answer"},
                "Next": "CheckAnswer",
            },
            "CheckAnswer": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$guess", "StringEqualsPath": "$answer", "Next": "CorrectAnswer"}
                ],
                "Default": "WrongAnswer",
            },
            "CorrectAnswer": {"Type": "Pass", "Result": {"state": "CORRECT"}, "End": True},
            "WrongAnswer": {
                "Type": "Pass",
                "Assign": {"guess.$": "$answer"},
                "Result": {"state": "WRONG"},
                "Next": "CheckAnswer",
            },
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert report["status"] == "SUCCEEDED"
    assert report["output"] == {"state": "CORRECT"}
    assert types(report) == [
        "ExecutionStarted",
        "PassStateEntered", "PassStateExited",
        "ChoiceStateEntered", "ChoiceStateExited",
        "PassStateEntered", "PassStateExited",
        "ChoiceStateEntered", "ChoiceStateExited",
        "PassStateEntered", "PassStateExited",
        "ExecutionSucceeded",
    ]  # fmt: skip
    assert assigned(report)[2] == {"guess": '"the_answer"'}


def test_reference_in_wait_seconds_and_timestamp_paths(tmp_path, capsys):
    machine = {
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Pass",
                "Assign": {"waitTime": 0, "startAt": "2024-11-06T09:42:03Z"},
                "Next": "WaitSecondsState",
            },
            "WaitSecondsState": {
                "Type": "Wait",
                "SecondsPath": "$waitTime",
                "Next": "WaitUntilState",
            },
            "WaitUntilState": {"Type": "Wait", "TimestampPath": "$startAt", "End": True},
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert report["status"] == "SUCCEEDED"
    assert report["output"] == {}
    assert types(report) == [
        "ExecutionStarted",
        "PassStateEntered", "PassStateExited",
        "WaitStateEntered", "WaitStateExited",
        "WaitStateEntered", "WaitStateExited",
        "ExecutionSucceeded",
    ]  # fmt: skip


def test_reference_in_nested_map_reads_every_outer_scope(tmp_path, capsys):
    # BASE_REFERENCE_IN_ITERATOR_OUTER_SCOPE: MathAdd truncates the 4.3 bias (Sum = 63).
    machine = {
        "StartAt": "Input",
        "States": {
            "Input": {
                "Type": "Pass",
                "Result": [[9, 44, 6], [82, 25, 76], [18, 42, 2]],
                "Assign": {"bias": 4.3},
                "Next": "IterateLevels",
            },
            "IterateLevels": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "AssignCurrentVector",
                    "States": {
                        "AssignCurrentVector": {
                            "Type": "Pass",
                            "Assign": {
                                "xCurrent.$": "$[0]",
                                "yCurrent.$": "$[1]",
                                "zCurrent.$": "$[2]",
                            },
                            "Next": "Calculate",
                        },
                        "Calculate": {
                            "Type": "Map",
                            "MaxConcurrency": 1,
                            "ItemProcessor": {
                                "ProcessorConfig": {"Mode": "INLINE"},
                                "StartAt": "Summate",
                                "States": {
                                    "Summate": {
                                        "Type": "Pass",
                                        "Assign": {
                                            "Sum.$": "States.MathAdd(States.MathAdd(States."
                                            "MathAdd($yCurrent, $xCurrent), $zCurrent), $bias)"
                                        },
                                        "End": True,
                                    }
                                },
                            },
                            "End": True,
                        },
                    },
                },
                "End": True,
            },
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert report["status"] == "SUCCEEDED"
    assert report["output"] == [[9, 44, 6], [82, 25, 76], [18, 42, 2]]
    variables = [v for v in assigned(report) if v]
    assert variables[0] == {"bias": "4.3"}
    assert variables[1] == {"xCurrent": "9", "yCurrent": "44", "zCurrent": "6"}
    assert variables[2:5] == [{"Sum": "63"}] * 3
    assert types(report)[:13] == [
        "ExecutionStarted",
        "PassStateEntered", "PassStateExited",
        "MapStateEntered", "MapStateStarted",
        "MapIterationStarted",
        "PassStateEntered", "PassStateExited",
        "MapStateEntered", "MapStateStarted",
        "MapIterationStarted",
        "PassStateEntered", "PassStateExited",
    ]  # fmt: skip
    assert types(report)[-3:] == ["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]


def test_reference_in_input_path_and_output_path(tmp_path, capsys):
    machine = {
        "StartAt": "State0",
        "States": {
            "State0": {"Type": "Pass", "Assign": {"theAnswer": 42}, "Next": "State1"},
            "State1": {"Type": "Pass", "InputPath": "$theAnswer", "End": True},
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert (report["status"], report["output"]) == ("SUCCEEDED", 42)
    machine = {
        "StartAt": "State0",
        "States": {
            "State0": {
                "Type": "Pass",
                "Result": {"answer": 42},
                "Assign": {"theAnswer.$": "$.answer"},
                "Next": "State1",
            },
            "State1": {"Type": "Pass", "OutputPath": "$theAnswer", "End": True},
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert (report["status"], report["output"]) == ("SUCCEEDED", 42)
    assert assigned(report)[0] == {"theAnswer": "42"}


def test_reference_in_intrinsic_functions(tmp_path, capsys):
    machine = {
        "StartAt": "State0",
        "States": {
            "State0": {
                "Type": "Pass",
                "Assign": {
                    "rawString": "Hello World",
                    "encodedString": "SGVsbG8gV29ybGQ=",
                    "inputString": "Hash this string",
                    "json1": {"a": 1, "b": 2},
                    "json2": {"c": 3, "d": 4},
                    "jsonString": '{"key":"value"}',
                    "jsonObject": {"test": "object"},
                    "value1": 5,
                    "value2": 3,
                    "csvString": "a,b,c,d,e",
                    "name": "John",
                    "place": "LocalStack",
                },
                "Next": "State1",
            },
            "State1": {
                "Type": "Pass",
                "Parameters": {
                    "encodingOps": {
                        "encoded.$": "States.Base64Encode($rawString)",
                        "decoded.$": "States.Base64Decode($encodedString)",
                    },
                    "hashOps": {"hashValue.$": "States.Hash($inputString, 'SHA-256')"},
                    "jsonOps": {
                        "mergedJson.$": "States.JsonMerge($json1, $json2, false)",
                        "parsedJson.$": "States.StringToJson($jsonString)",
                        "stringifiedJson.$": "States.JsonToString($jsonObject)",
                    },
                    "mathOps": {"sum.$": "States.MathAdd($value1, $value2)"},
                    "stringOps": {
                        "splitString.$": "States.StringSplit($csvString, ',')",
                        "formattedString.$": "States.Format('Hello {}, welcome to {}!', "
                        "$name, $place)",
                    },
                },
                "End": True,
            },
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert report["status"] == "SUCCEEDED"
    assert report["output"] == {
        "encodingOps": {"encoded": "SGVsbG8gV29ybGQ=", "decoded": "Hello World"},
        "hashOps": {
            "hashValue": "1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e"
        },
        "jsonOps": {
            "mergedJson": {"a": 1, "b": 2, "c": 3, "d": 4},
            "parsedJson": {"key": "value"},
            "stringifiedJson": '{"test":"object"}',
        },
        "mathOps": {"sum": 8},
        "stringOps": {
            "splitString": ["a", "b", "c", "d", "e"],
            "formattedString": "Hello John, welcome to LocalStack!",
        },
    }
    assert assigned(report)[0]["jsonString"] == '"{\\"key\\":\\"value\\"}"'


def test_reference_in_fail_error_and_cause_paths(tmp_path, capsys):
    machine = {
        "StartAt": "Pass",
        "States": {
            "Pass": {
                "Type": "Pass",
                "Assign": {"errorVar": "Exception", "causeVar": "An Exception was encountered"},
                "Next": "Fail",
            },
            "Fail": {"Type": "Fail", "CausePath": "$causeVar", "ErrorPath": "$errorVar"},
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert report["status"] == "FAILED"
    assert (report["error"], report["cause"]) == ("Exception", "An Exception was encountered")
    assert types(report) == [
        "ExecutionStarted",
        "PassStateEntered", "PassStateExited",
        "FailStateEntered",
        "ExecutionFailed",
    ]  # fmt: skip


def test_assign_from_intrinsic_functions_sees_the_pass_result(tmp_path, capsys):
    machine = {
        "StartAt": "State0",
        "States": {
            "State0": {
                "Type": "Pass",
                "Result": {"inputArray": [1, 2, 3, 4, 5, 6], "duplicateArray": [1, 2, 2, 3, 3, 4]},
                "Assign": {
                    "arrayOps": {
                        "simpleArray.$": "States.Array('a', 'b', 'c')",
                        "partitionedArray.$": "States.ArrayPartition($.inputArray, 2)",
                        "containsElement.$": "States.ArrayContains($.inputArray, 5)",
                        "numberRange.$": "States.ArrayRange(1, 10, 2)",
                        "thirdElement.$": "States.ArrayGetItem($.inputArray, 2)",
                        "arraySize.$": "States.ArrayLength($.inputArray)",
                        "uniqueValues.$": "States.ArrayUnique($.duplicateArray)",
                    }
                },
                "End": True,
            }
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert report["status"] == "SUCCEEDED"
    assert json.loads(assigned(report)[0]["arrayOps"]) == {
        "simpleArray": ["a", "b", "c"],
        "partitionedArray": [[1, 2], [3, 4], [5, 6]],
        "containsElement": True,
        "numberRange": [1, 3, 5, 7, 9],
        "thirdElement": 3,
        "arraySize": 6,
        "uniqueValues": [1, 2, 3, 4],
    }


# --------------------------------------------------------------------------- scopes


def test_map_iterations_read_outer_variables_and_their_own_do_not_leak(tmp_path, capsys):
    # BASE_SCOPE_MAP
    machine = {
        "StartAt": "State0",
        "States": {
            "State0": {"Type": "Pass", "Assign": {"x": 42, "items": [1, 2, 3]}, "Next": "State1"},
            "State1": {
                "Type": "Map",
                "ItemsPath": "$items",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Inner",
                    "States": {
                        "Inner": {"Type": "Pass", "Assign": {"innerX.$": "$x"}, "End": True}
                    },
                },
                "Next": "State2",
            },
            "State2": {"Type": "Pass", "Assign": {"final.$": "$x"}, "End": True},
        },
    }
    report = execute(tmp_path, capsys, machine, {"input_value": "input_value_literal"})
    assert report["status"] == "SUCCEEDED"
    assert report["output"] == [1, 2, 3]
    iteration = [
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
    ]
    assert types(report) == [
        "ExecutionStarted",
        "PassStateEntered", "PassStateExited",
        "MapStateEntered", "MapStateStarted",
        *iteration * 3,
        "MapStateSucceeded", "MapStateExited",
        "PassStateEntered", "PassStateExited",
        "ExecutionSucceeded",
    ]  # fmt: skip
    assert [v for v in assigned(report) if v][-1] == {"final": "42"}
    assert [v for v in assigned(report) if v][1:4] == [{"innerX": "42"}] * 3


def test_parallel_branches_read_outer_variables(tmp_path, capsys):
    # BASE_SCOPE_PARALLEL
    branch = {"Type": "Pass", "Assign": {"innerX.$": "$x", "value.$": "$"}, "End": True}
    machine = {
        "StartAt": "State0",
        "States": {
            "State0": {"Type": "Pass", "Assign": {"x": 42}, "Next": "State1"},
            "State1": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {"StartAt": name, "States": {name: dict(branch)}}
                    for name in ("Branch1", "Branch21", "Branch31")
                ],
            },
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert report["status"] == "SUCCEEDED"
    assert report["output"] == [{}, {}, {}]
    assert types(report) == [
        "ExecutionStarted",
        "PassStateEntered", "PassStateExited",
        "ParallelStateEntered", "ParallelStateStarted",
        *["PassStateEntered", "PassStateExited"] * 3,
        "ParallelStateSucceeded", "ParallelStateExited",
        "ExecutionSucceeded",
    ]  # fmt: skip
    assert [v for v in assigned(report) if v][1:] == [{"innerX": "42", "value": "{}"}] * 3


def test_map_item_selector_formats_with_outer_variables(tmp_path, capsys):
    # MAP_STATE_REFERENCE_IN_INTRINSIC_FUNCTION (recorded output)
    machine = {
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Pass",
                "Result": ["Charizard", "Pikachu", "Squirtle"],
                "Assign": {"Question": "Who's that Pokemon?", "AnswerTemplate": "It's {}!"},
                "Next": "MapIterateState",
            },
            "MapIterateState": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemSelector": {
                    "AnnouncePokemon.$": "States.Format($AnswerTemplate, $$.Map.Item.Value)"
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Pass",
                    "States": {
                        "Pass": {
                            "Type": "Pass",
                            "Parameters": {
                                "Answer.$": "$.AnnouncePokemon",
                                "Question.$": "$Question",
                            },
                            "End": True,
                        }
                    },
                },
                "End": True,
            },
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert report["status"] == "SUCCEEDED"
    assert report["output"] == [
        {"Answer": f"It's {name}!", "Question": "Who's that Pokemon?"}
        for name in ("Charizard", "Pikachu", "Squirtle")
    ]
    assert assigned(report)[0] == {
        "AnswerTemplate": '"It\'s {}!"',
        "Question": '"Who\'s that Pokemon?"',
    }
    assert len(types(report)) == 20


# --------------------------------------------------------------------------- Wait, Catch, Choice


def test_assign_in_wait_state(tmp_path, capsys):
    machine = {
        "StartAt": "WaitState",
        "States": {
            "WaitState": {"Type": "Wait", "Seconds": 1, "Assign": {"foo": "oof"}, "End": True}
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert (report["status"], report["output"]) == ("SUCCEEDED", {})
    assert types(report) == [
        "ExecutionStarted",
        "WaitStateEntered",
        "WaitStateExited",
        "ExecutionSucceeded",
    ]
    assert assigned(report) == [{"foo": '"oof"'}]


def test_assign_in_catch_replaces_the_state_assign(tmp_path, capsys):
    # BASE_ASSIGN_IN_CATCH: the Lambda raised; the catcher's Assign (not the state's) runs.
    cause = json.dumps(
        {"errorMessage": "Some exception was raised.", "errorType": "Exception"},
        separators=(",", ":"),
    )
    machine = {
        "StartAt": "Task",
        "States": {
            "Task": {
                "QueryLanguage": "JSONata",
                "Type": "Task",
                "Assign": {"result": "SUCCESS"},
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {
                    "FunctionName": "{% $states.input.input_value %}",
                    "Payload": {"foo": "oof"},
                },
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Assign": {"result": "{% $states.errorOutput %}"},
                        "Next": "fallback",
                    }
                ],
                "End": True,
            },
            "fallback": {"Type": "Pass", "End": True},
        },
    }
    report = execute(
        tmp_path,
        capsys,
        machine,
        {"input_value": LAMBDA},
        mocks={"Task": [{"Throw": {"Error": "Exception", "Cause": cause}}]},
    )
    assert report["status"] == "SUCCEEDED"
    assert report["output"] == {"Error": "Exception", "Cause": cause}
    assert types(report) == [
        "ExecutionStarted",
        "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "TaskStateExited",
        "PassStateEntered", "PassStateExited",
        "ExecutionSucceeded",
    ]  # fmt: skip
    assert json.loads(assigned(report)[0]["result"]) == {"Error": "Exception", "Cause": cause}
    scheduled = report["history"][2]["taskScheduledEventDetails"]
    assert json.loads(scheduled["parameters"]) == {
        "FunctionName": LAMBDA,
        "Payload": {"foo": "oof"},
    }
    assert (scheduled["resource"], scheduled["resourceType"]) == ("invoke", "lambda")


@pytest.mark.parametrize(
    ("condition", "expected"),
    [(True, "Condition assignment"), (False, "Default Assignment")],
)
def test_choice_rule_and_default_assign_with_a_shared_next(tmp_path, capsys, condition, expected):
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "ChoiceState",
        "States": {
            "ChoiceState": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Condition": "{% $states.input.condition %}",
                        "Next": "EndState",
                        "Assign": {"Assignment": "Condition assignment"},
                    }
                ],
                "Default": "EndState",
                "Assign": {"Assignment": "Default Assignment"},
            },
            "EndState": {"Type": "Pass", "End": True},
        },
    }
    report = execute(tmp_path, capsys, machine, {"condition": condition})
    assert (report["status"], report["output"]) == ("SUCCEEDED", {"condition": condition})
    assert assigned(report)[0] == {"Assignment": json.dumps(expected)}
    assert types(report) == [
        "ExecutionStarted",
        "ChoiceStateEntered", "ChoiceStateExited",
        "PassStateEntered", "PassStateExited",
        "ExecutionSucceeded",
    ]  # fmt: skip


# --------------------------------------------------------------------------- mixed languages


def test_jsonpath_assign_read_by_a_jsonata_state(tmp_path, capsys):
    machine = {
        "StartAt": "JSONPathState",
        "States": {
            "JSONPathState": {
                "QueryLanguage": "JSONPath",
                "Type": "Pass",
                "Assign": {"theAnswer": 42},
                "Next": "JSONataState",
            },
            "JSONataState": {
                "QueryLanguage": "JSONata",
                "Type": "Pass",
                "Assign": {"theAnswer": 18, "oldAnswer": "{% $theAnswer %}"},
                "End": True,
            },
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert (report["status"], report["output"]) == ("SUCCEEDED", {})
    assert assigned(report) == [{"theAnswer": "42"}, {"oldAnswer": "42", "theAnswer": "18"}]


def test_jsonpath_assign_reads_the_old_value(tmp_path, capsys):
    machine = {
        "StartAt": "JSONataState",
        "States": {
            "JSONataState": {
                "Type": "Pass",
                "Assign": {"theAnswerVar": 42},
                "Next": "JSONPathState",
            },
            "JSONPathState": {
                "Type": "Pass",
                "Assign": {"theAnswerVar": 18, "oldAnswerVar.$": "$theAnswerVar"},
                "End": True,
            },
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert assigned(report) == [
        {"theAnswerVar": "42"},
        {"oldAnswerVar": "42", "theAnswerVar": "18"},
    ]


def test_jsonata_output_feeds_a_jsonpath_state_and_back(tmp_path, capsys):
    machine = {
        "StartAt": "JSONataState",
        "States": {
            "JSONataState": {
                "QueryLanguage": "JSONata",
                "Type": "Pass",
                "Output": {"foo": "foobar", "bar": "{% $states.input %}"},
                "Next": "JSONPathState",
            },
            "JSONPathState": {"QueryLanguage": "JSONPath", "Type": "Pass", "End": True},
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert report["output"] == {"foo": "foobar", "bar": {}}
    machine = {
        "StartAt": "JSONataState",
        "States": {
            "JSONataState": {
                "QueryLanguage": "JSONPath",
                "Type": "Pass",
                "Parameters": {"foo": "foobar", "bar.$": "$"},
                "Next": "JSONPathState",
            },
            "JSONPathState": {"QueryLanguage": "JSONata", "Type": "Pass", "End": True},
        },
    }
    report = execute(tmp_path, capsys, machine)
    assert report["output"] == {"foo": "foobar", "bar": {}}
    assert types(report) == [
        "ExecutionStarted",
        *["PassStateEntered", "PassStateExited"] * 2,
        "ExecutionSucceeded",
    ]


def test_jsonpath_to_jsonata_dataflow_through_lambda_invoke(tmp_path, capsys):
    machine = {
        "StartAt": "StateJsonPath",
        "States": {
            "StateJsonPath": {
                "QueryLanguage": "JSONPath",
                "Type": "Pass",
                "Result": {"riddle": "What is the answer to life, the universe, and everything?"},
                "Assign": {"answer": 42, "inputData.$": "$"},
                "OutputPath": "$",
                "ResultPath": "$.enigma.mystery",
                "Next": "StateJsonata",
            },
            "StateJsonata": {
                "QueryLanguage": "JSONata",
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {
                    "FunctionName": "{% $states.input.functionName %}",
                    "Payload": {
                        "theQuestion": "{% $states.input.enigma.mystery.riddle %}",
                        "theAnswer": "{% $answer %}",
                    },
                },
                "Assign": {"answer": "<omitted>", "message": "{% $states.result %}"},
                "Output": {"result": "{% $states.result.Payload %}"},
                "End": True,
            },
        },
    }
    payload = {
        "theQuestion": "What is the answer to life, the universe, and everything?",
        "theAnswer": 42,
    }
    invoke_result = {"ExecutedVersion": "$LATEST", "Payload": payload, "StatusCode": 200}
    report = execute(
        tmp_path,
        capsys,
        machine,
        {"functionName": LAMBDA},
        mocks={"StateJsonata": [{"Return": invoke_result}]},
    )
    assert report["status"] == "SUCCEEDED"
    assert report["output"] == {"result": payload}
    # AWS recorded the Pass result (not the state input) as "$" for Assign.
    assert assigned(report)[0] == {
        "answer": "42",
        "inputData": '{"riddle":"What is the answer to life, the universe, and everything?"}',
    }
    assert assigned(report)[1]["answer"] == '"<omitted>"'
    assert json.loads(assigned(report)[1]["message"]) == invoke_result
    scheduled = report["history"][4]["taskScheduledEventDetails"]
    assert json.loads(scheduled["parameters"]) == {"FunctionName": LAMBDA, "Payload": payload}
