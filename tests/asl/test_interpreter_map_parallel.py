"""Map and Parallel: data flow, concurrency, failures, tolerance, history order."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

from docuflow.asl.definition import parse_definition
from docuflow.asl.interpreter import (
    CancelTask,
    CancelTimer,
    InvokeTask,
    StartExecution,
    StartTimer,
    TaskFailed,
    TaskSucceeded,
    TimerFired,
    step,
)
from docuflow.asl.simulate import simulate

T0 = datetime(2026, 1, 1, tzinfo=UTC)
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"


def machine(states: dict, start: str | None = None, **top):
    return parse_definition({"StartAt": start or next(iter(states)), "States": states, **top})


def begin(m, data):
    event = StartExecution(
        data,
        "arn:aws:states:us-east-1:1:execution:m:e",
        "e",
        "arn:aws:states:us-east-1:1:stateMachine:m",
        "m",
    )
    return step(m, None, event, T0, random.Random(5))


def tasks(commands) -> list[InvokeTask]:
    return [c for c in commands if isinstance(c, InvokeTask)]


def pass_processor(**extra) -> dict:
    return {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True, **extra}}}


def task_processor(**extra) -> dict:
    return {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": LAMBDA, "End": True, **extra}},
    }


# --------------------------------------------------------------------------- Map


def test_map_example_from_the_aws_docs_with_item_selector():
    data = {
        "ship-date": "2016-03-14T01:59:00Z",
        "detail": {
            "delivery-partner": "UQS",
            "shipped": [
                {"prod": "R31", "dest-code": 9511, "quantity": 1344},
                {"prod": "S39", "dest-code": 9511, "quantity": 40},
            ],
        },
    }
    m = machine(
        {
            "Validate-All": {
                "Type": "Map",
                "InputPath": "$.detail",
                "ItemsPath": "$.shipped",
                "MaxConcurrency": 0,
                "ItemSelector": {
                    "parcel.$": "$$.Map.Item.Value",
                    "courier.$": "$.delivery-partner",
                    "index.$": "$$.Map.Item.Index",
                },
                "ItemProcessor": pass_processor(),
                "ResultPath": "$.detail.shipped",
                "End": True,
            }
        }
    )
    sim = simulate(m, data)
    assert sim.status == "SUCCEEDED"
    assert sim.output["detail"]["shipped"] == [
        {"parcel": data["detail"]["shipped"][0], "courier": "UQS", "index": 0},
        {"parcel": data["detail"]["shipped"][1], "courier": "UQS", "index": 1},
    ]
    assert sim.output["ship-date"] == data["ship-date"]


def test_map_history_order_matches_aws_for_sequential_iterations():
    m = machine(
        {"M": {"Type": "Map", "Iterator": pass_processor(), "End": True}},
    )
    sim = simulate(m, [1, "two"])
    assert sim.event_types == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    started = sim.history[2]
    assert started["mapStateStartedEventDetails"] == {"length": 2}
    assert sim.history[7]["mapIterationStartedEventDetails"] == {"index": 1, "name": "M"}
    assert sim.history[8]["stateEnteredEventDetails"]["input"] == '"two"'
    assert sim.output == [1, "two"]
    ids = [e["id"] for e in sim.history]
    assert ids == list(range(1, len(ids) + 1))


def test_empty_map_succeeds_with_empty_list():
    m = machine({"M": {"Type": "Map", "ItemProcessor": pass_processor(), "End": True}})
    sim = simulate(m, [])
    assert sim.output == []
    assert "MapIterationStarted" not in sim.event_types


def test_items_path_must_be_an_array():
    m = machine(
        {"M": {"Type": "Map", "ItemsPath": "$.x", "ItemProcessor": pass_processor(), "End": True}}
    )
    sim = simulate(m, {"x": {"not": "a list"}})
    assert (sim.status, sim.error) == ("FAILED", "States.Runtime")


def test_map_with_tasks_keeps_several_outstanding_and_respects_max_concurrency():
    m = machine(
        {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 2,
                "ItemProcessor": task_processor(),
                "End": True,
            }
        }
    )
    first = begin(m, [10, 20, 30, 40, 50])
    running = tasks(first.commands)
    assert [t.input for t in running] == [10, 20]
    state = first.state
    # Finish the second one first: a third item starts, results keep item order.
    second = step(m, state, TaskSucceeded(running[1].task_id, "b"), T0, random.Random())
    assert [t.input for t in tasks(second.commands)] == [30]
    outstanding = {running[0].task_id: "a", tasks(second.commands)[0].task_id: "c"}
    state = second.state
    assert sorted(state["tasks"]) == sorted(outstanding)
    answers = iter("de")
    while state["status"] == "RUNNING":
        task_id = sorted(state["tasks"])[0]
        value = outstanding.pop(task_id, None) or next(answers)
        result = step(m, state, TaskSucceeded(task_id, value), T0, random.Random())
        for new in tasks(result.commands):
            outstanding[new.task_id] = next(answers)
        assert len(result.state.get("tasks", {})) <= 2
        state = result.state
    assert state["status"] == "SUCCEEDED"
    assert state["output"] == ["a", "b", "c", "d", "e"]


def test_max_concurrency_path():
    m = machine(
        {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrencyPath": "$.limit",
                "ItemProcessor": task_processor(),
                "End": True,
            }
        }
    )
    first = begin(m, {"items": [1, 2, 3, 4], "limit": 3})
    assert len(tasks(first.commands)) == 3


def test_map_iteration_failure_aborts_running_iterations():
    m = machine(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": task_processor(TimeoutSeconds=100),
                "End": True,
            }
        }
    )
    first = begin(m, [1, 2, 3])
    running = tasks(first.commands)
    assert len(running) == 3
    failed = step(
        m, first.state, TaskFailed(running[1].task_id, "Bad", "item 2"), T0, random.Random()
    )
    kinds = [e["type"] for e in failed.events]
    assert kinds == [
        "LambdaFunctionFailed",
        "MapIterationFailed",
        "TaskStateAborted",
        "MapIterationAborted",
        "TaskStateAborted",
        "MapIterationAborted",
        "MapStateFailed",
        "ExecutionFailed",
    ]
    aborted = [
        e["mapIterationAbortedEventDetails"]["index"]
        for e in failed.events
        if e["type"] == "MapIterationAborted"
    ]
    assert aborted == [0, 2]
    assert failed.state["status"] == "FAILED"
    assert (failed.state["error"], failed.state["cause"]) == ("Bad", "item 2")
    # Every task timer is cancelled; late results are ignored.
    cancelled = {c.timer_id for c in failed.commands if isinstance(c, CancelTimer)}
    assert len(cancelled) == 3
    dropped = [c.task_id for c in failed.commands if isinstance(c, CancelTask)]
    assert dropped == [running[0].task_id, running[2].task_id]
    late = step(m, failed.state, TaskSucceeded(running[0].task_id, 1), T0, random.Random())
    assert not late.events


def test_map_catch_after_iteration_failure():
    processor = {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$", "NumericEquals": 3, "Next": "Boom"}],
                "Default": "Ok",
            },
            "Ok": {"Type": "Pass", "End": True},
            "Boom": {"Type": "Fail", "Error": "ItemError", "Cause": "three"},
        },
    }
    m = machine(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": processor,
                "Catch": [{"ErrorEquals": ["ItemError"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        }
    )
    sim = simulate(m, [1, 2, 3, 4])
    assert sim.output == {"Error": "ItemError", "Cause": "three"}
    tail = sim.event_types[-6:]
    assert tail == [
        "MapIterationFailed",
        "MapStateFailed",
        "MapStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert sim.event_types.count("MapIterationStarted") == 3  # item 4 never starts


def test_map_retry_restarts_the_whole_map_without_reentering():
    m = machine(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}},
                "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 2, "IntervalSeconds": 1}],
                "End": True,
            }
        }
    )
    sim = simulate(m, [1])
    assert sim.status == "FAILED"
    assert sim.event_types.count("MapStateEntered") == 1
    assert sim.event_types.count("MapStateStarted") == 3
    assert sim.event_types.count("MapStateFailed") == 1  # only once retries are exhausted


def test_tolerated_failure_count_and_percentage():
    processor = {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.bad", "BooleanEquals": True, "Next": "Boom"}],
                "Default": "Ok",
            },
            "Ok": {"Type": "Pass", "End": True},
            "Boom": {"Type": "Fail", "Error": "ItemError"},
        },
    }
    items = [{"bad": i in (1, 3)} for i in range(5)]  # 2 of 5 fail = 40 %

    def run(**tolerance):
        m = machine({"M": {"Type": "Map", "ItemProcessor": processor, "End": True, **tolerance}})
        return simulate(m, items)

    ok = run(ToleratedFailureCount=2)
    assert ok.status == "SUCCEEDED"
    assert ok.output[1] == {"Error": "ItemError"} and ok.output[0] == {"bad": False}
    too_many = run(ToleratedFailureCount=1)
    assert (too_many.status, too_many.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    assert run(ToleratedFailurePercentage=40).status == "SUCCEEDED"
    assert run(ToleratedFailurePercentage=39).error == "States.ExceedToleratedFailureThreshold"
    m = machine(
        {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ToleratedFailureCountPath": "$.tolerate",
                "ItemProcessor": processor,
                "End": True,
            }
        }
    )
    assert simulate(m, {"items": items, "tolerate": 2}).status == "SUCCEEDED"


def test_item_batcher_groups_items():
    m = machine(
        {
            "M": {
                "Type": "Map",
                "ItemBatcher": {
                    "MaxItemsPerBatch": 2,
                    "BatchInput": {"job.$": "$$.Execution.Name"},
                },
                "ItemProcessor": pass_processor(),
                "End": True,
            }
        }
    )
    sim = simulate(m, [1, 2, 3, 4, 5], execution_name="job-9")
    assert sim.output == [
        {"BatchInput": {"job": "job-9"}, "Items": [1, 2]},
        {"BatchInput": {"job": "job-9"}, "Items": [3, 4]},
        {"BatchInput": {"job": "job-9"}, "Items": [5]},
    ]


def test_map_result_selector_and_output_path():
    m = machine(
        {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.xs",
                "ItemProcessor": pass_processor(),
                "ResultSelector": {"count.$": "States.ArrayLength($)"},
                "ResultPath": "$.summary",
                "OutputPath": "$.summary",
                "End": True,
            }
        }
    )
    assert simulate(m, {"xs": [1, 2, 3]}).output == {"count": 3}


def test_nested_map_inside_map_with_tasks():
    inner = {
        "StartAt": "Inner",
        "States": {
            "Inner": {"Type": "Map", "ItemProcessor": task_processor(), "End": True},
        },
    }
    m = machine({"Outer": {"Type": "Map", "ItemProcessor": inner, "End": True}})
    sim = simulate(m, [[1, 2], [3]], lambda c: TaskSucceeded(c.task_id, c.input * 10))
    assert sim.output == [[10, 20], [30]]


def test_wait_inside_map_iteration():
    processor = {
        "StartAt": "Nap",
        "States": {"Nap": {"Type": "Wait", "SecondsPath": "$", "End": True}},
    }
    m = machine({"M": {"Type": "Map", "ItemProcessor": processor, "End": True}})
    first = begin(m, [30, 10])
    timers = [c for c in first.commands if isinstance(c, StartTimer)]
    assert len(timers) == 2
    state = first.state
    for timer in sorted(timers, key=lambda t: t.fire_at):
        state = step(m, state, TimerFired(timer.timer_id), timer.fire_at, random.Random()).state
    assert state["status"] == "SUCCEEDED" and state["output"] == [30, 10]


# --------------------------------------------------------------------------- Parallel


def test_parallel_example_results_in_branch_order():
    m = machine(
        {
            "LookupCustomerInfo": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "LookupAddress",
                        "States": {
                            "LookupAddress": {"Type": "Task", "Resource": LAMBDA, "End": True}
                        },
                    },
                    {
                        "StartAt": "LookupPhone",
                        "States": {
                            "LookupPhone": {
                                "Type": "Pass",
                                "Parameters": {"phone.$": "$.id"},
                                "End": True,
                            }
                        },
                    },
                ],
                "ResultSelector": {"address.$": "$[0].address", "phone.$": "$[1].phone"},
                "ResultPath": "$.customer",
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        }
    )
    sim = simulate(m, {"id": "c-1"}, lambda c: TaskSucceeded(c.task_id, {"address": "Main St"}))
    assert sim.output == {"id": "c-1", "customer": {"address": "Main St", "phone": "c-1"}}
    kinds = sim.event_types
    assert kinds[:3] == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"]
    assert kinds[-5:] == [
        "ParallelStateSucceeded",
        "ParallelStateExited",
        "SucceedStateEntered",
        "SucceedStateExited",
        "ExecutionSucceeded",
    ]


def test_parallel_branch_failure_fails_state_with_the_branch_error():
    m = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "W",
                        "States": {"W": {"Type": "Task", "Resource": LAMBDA, "End": True}},
                    },
                    {
                        "StartAt": "F",
                        "States": {"F": {"Type": "Fail", "Error": "Branch.Bad", "Cause": "no"}},
                    },
                ],
                "Catch": [{"ErrorEquals": ["Branch.Bad"], "ResultPath": "$.err", "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        }
    )
    first = begin(m, {"k": 1})
    assert first.state["status"] == "SUCCEEDED"
    assert first.state["output"] == {"k": 1, "err": {"Error": "Branch.Bad", "Cause": "no"}}
    kinds = [e["type"] for e in first.events]
    assert "TaskStateAborted" in kinds
    assert kinds.index("ParallelStateFailed") < kinds.index("ParallelStateExited")
    # The first branch's task was dropped: its result is ignored.
    task = tasks(first.commands)[0]
    assert not step(m, first.state, TaskSucceeded(task.task_id, 1), T0, random.Random()).events


def test_parallel_waits_for_all_branches_with_outstanding_tasks():
    def branch(name):
        return {
            "StartAt": name,
            "States": {name: {"Type": "Task", "Resource": LAMBDA, "End": True}},
        }

    m = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [branch("A"), branch("B"), branch("C")],
                "End": True,
            }
        }
    )
    first = begin(m, "in")
    running = tasks(first.commands)
    assert [t.input for t in running] == ["in", "in", "in"]
    state = first.state
    for task, value in zip(reversed(running), "cba", strict=True):
        state = step(m, state, TaskSucceeded(task.task_id, value), T0, random.Random()).state
    assert state["status"] == "SUCCEEDED"
    assert state["output"] == ["a", "b", "c"]


def test_parallel_state_in_state_is_serialisable_mid_flight():
    branch = {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": LAMBDA, "End": True}}}
    inner_map = {
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemProcessor": task_processor(), "End": True}},
    }
    m = machine({"P": {"Type": "Parallel", "Branches": [branch, inner_map], "End": True}})
    first = begin(m, [1, 2])
    state = json.loads(json.dumps(first.state))
    for task in tasks(first.commands):
        state = json.loads(
            json.dumps(
                step(m, state, TaskSucceeded(task.task_id, task.input), T0, random.Random()).state
            )
        )
    assert state["status"] == "SUCCEEDED"
    assert state["output"] == [[1, 2], [1, 2]]


def test_no_step_ever_mutates_the_state_it_was_given():
    processor = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Retry": [{"ErrorEquals": ["Again"], "IntervalSeconds": 1, "MaxAttempts": 2}],
                "ResultPath": "$.r",
                "Next": "Nap",
            },
            "Nap": {"Type": "Wait", "Seconds": 5, "End": True},
        },
    }
    m = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "M",
                        "States": {
                            "M": {
                                "Type": "Map",
                                "MaxConcurrency": 2,
                                "ItemProcessor": processor,
                                "End": True,
                            }
                        },
                    },
                    {
                        "StartAt": "Solo",
                        "States": {"Solo": {"Type": "Task", "Resource": LAMBDA, "End": True}},
                    },
                ],
                "End": True,
            }
        }
    )
    result = begin(m, [{"i": 0}, {"i": 1}, {"i": 2}])
    pending = list(result.commands)
    failed_once: set[int] = set()
    clock = T0
    steps = 0
    while result.state["status"] == "RUNNING":
        command = pending.pop(0)
        if isinstance(command, InvokeTask):
            item = command.input.get("i") if isinstance(command.input, dict) else None
            if item is not None and item not in failed_once:
                failed_once.add(item)
                event = TaskFailed(command.task_id, "Again")
            else:
                event = TaskSucceeded(command.task_id, {"done": item})
        elif isinstance(command, StartTimer):
            clock = max(clock, command.fire_at)
            event = TimerFired(command.timer_id)
        else:
            continue
        before = json.dumps(result.state, sort_keys=True)
        result_next = step(m, result.state, event, clock, random.Random(steps))
        assert json.dumps(result.state, sort_keys=True) == before
        json.dumps(result_next.state)  # still plain JSON
        pending.extend(result_next.commands)
        result = result_next
        steps += 1
    assert result.state["status"] == "SUCCEEDED"
    assert [out["r"] for out in result.state["output"][0]] == [
        {"done": 0},
        {"done": 1},
        {"done": 2},
    ]


def test_large_map_of_tasks_stays_fast():
    import time

    m = machine({"M": {"Type": "Map", "ItemProcessor": task_processor(), "End": True}})
    began = time.perf_counter()
    first = begin(m, list(range(2000)))
    state = first.state
    for command in tasks(first.commands):
        state = step(
            m, state, TaskSucceeded(command.task_id, command.input), T0, random.Random()
        ).state
    assert state["status"] == "SUCCEEDED" and state["output"] == list(range(2000))
    assert time.perf_counter() - began < 20


def _deliver_all(m, order_seed: int, duplicate: bool):
    """Answer every task of a Map (in a shuffled order), optionally twice each."""
    rng = random.Random(order_seed)
    result = begin(m, [1, 2, 3, 4])
    state = result.state
    history = list(result.events)
    pending = tasks(result.commands)
    delivered = []
    while pending:
        rng.shuffle(pending)
        command = pending.pop()
        event = TaskSucceeded(command.task_id, command.input * 2)
        for copy in range(2 if duplicate else 1):
            result = step(m, state, event, T0, random.Random())
            if copy == 1:
                assert result.state is state and not result.events and not result.commands
            state = result.state
            history.extend(result.events)
            pending.extend(tasks(result.commands))
        delivered.append(command.task_id)
        # A stale id from nowhere changes nothing either.
        assert step(m, state, TaskSucceeded("task-404", 0), T0, random.Random()).state is state
    return state, [e["type"] for e in history]


def test_duplicate_deliveries_never_advance_twice():
    m = machine(
        {"M": {"Type": "Map", "MaxConcurrency": 2, "ItemProcessor": task_processor(), "End": True}}
    )
    for seed in range(10):
        once_state, once_types = _deliver_all(m, seed, duplicate=False)
        twice_state, twice_types = _deliver_all(m, seed, duplicate=True)
        assert once_state["status"] == twice_state["status"] == "SUCCEEDED"
        assert once_state["output"] == twice_state["output"] == [2, 4, 6, 8]
        assert once_types == twice_types


def test_states_branch_failed_matches_a_branch_failure_which_keeps_its_error_name():
    m = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "End": True}}},
                    {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Branch.Bad"}}},
                ],
                "Catch": [{"ErrorEquals": ["States.BranchFailed"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        }
    )
    assert simulate(m, {}).output == {"Error": "Branch.Bad"}
    # An error of the Parallel state itself is not a branch failure.
    m = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "End": True}}}],
                "ResultPath": "$.a.b",
                "Catch": [{"ErrorEquals": ["States.BranchFailed"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        }
    )
    sim = simulate(m, {"a": 1})
    assert (sim.status, sim.error) == ("FAILED", "States.ResultPathMatchFailure")
