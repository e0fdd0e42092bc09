"""Execution history in the shape of Step Functions' ``GetExecutionHistory``.

Every event is a plain dict exactly like one element of the API's ``events`` list:
``{"timestamp", "type", "id", "previousEventId", "<type>EventDetails": {...}}``, with
inputs, outputs and task parameters as JSON strings and ``inputDetails`` /
``outputDetails`` as ``{"truncated": False}``. ``timestamp`` is an aware ``datetime``
(UTC); :func:`to_api` renders a copy with ISO 8601 strings for JSON output.

The type → details-key table follows the API reference (``HistoryEvent``); event order
and error names follow recorded AWS histories.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "DETAILS_KEY",
    "HISTORY_LIMIT",
    "PAYLOAD_LIMIT",
    "dumps",
    "format_time",
    "payload_too_large",
    "to_api",
]

HISTORY_LIMIT = 25_000  # events per execution (Step Functions quota)
PAYLOAD_LIMIT = 262_144  # bytes of UTF-8 JSON per input, output or task payload

# One shared encoder: json.dumps(..., separators=...) would build a new one per call.
dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

NOT_TRUNCATED = {"truncated": False}


def payload_too_large(text: str) -> bool:
    # A character is at most 4 UTF-8 bytes, so short strings skip the encode.
    return len(text) * 4 > PAYLOAD_LIMIT and len(text.encode()) > PAYLOAD_LIMIT


def format_time(moment: datetime) -> str:
    """ISO 8601 with milliseconds and ``Z``, as the context object shows times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def to_api(event: dict) -> dict:
    """A copy of ``event`` with its timestamp as an ISO 8601 string (JSON-ready)."""
    out = dict(event)
    stamp = out.get("timestamp")
    if isinstance(stamp, datetime):
        out["timestamp"] = stamp.isoformat()
    return out


# Event types whose details live under a shared key (StateEntered / StateExited) or
# under a key derived from the type name; types absent here carry no details.
DETAILS_KEY: dict[str, str] = {
    "ExecutionStarted": "executionStartedEventDetails",
    "ExecutionSucceeded": "executionSucceededEventDetails",
    "ExecutionFailed": "executionFailedEventDetails",
    "ExecutionAborted": "executionAbortedEventDetails",
    "ExecutionTimedOut": "executionTimedOutEventDetails",
    "TaskScheduled": "taskScheduledEventDetails",
    "TaskStarted": "taskStartedEventDetails",
    "TaskSubmitted": "taskSubmittedEventDetails",
    "TaskSucceeded": "taskSucceededEventDetails",
    "TaskFailed": "taskFailedEventDetails",
    "TaskTimedOut": "taskTimedOutEventDetails",
    "LambdaFunctionScheduled": "lambdaFunctionScheduledEventDetails",
    "LambdaFunctionSucceeded": "lambdaFunctionSucceededEventDetails",
    "LambdaFunctionFailed": "lambdaFunctionFailedEventDetails",
    "LambdaFunctionTimedOut": "lambdaFunctionTimedOutEventDetails",
    "ActivityScheduled": "activityScheduledEventDetails",
    "ActivityStarted": "activityStartedEventDetails",
    "ActivitySucceeded": "activitySucceededEventDetails",
    "ActivityFailed": "activityFailedEventDetails",
    "ActivityTimedOut": "activityTimedOutEventDetails",
    "MapStateStarted": "mapStateStartedEventDetails",
    "MapIterationStarted": "mapIterationStartedEventDetails",
    "MapIterationSucceeded": "mapIterationSucceededEventDetails",
    "MapIterationFailed": "mapIterationFailedEventDetails",
    "MapIterationAborted": "mapIterationAbortedEventDetails",
    "EvaluationFailed": "evaluationFailedEventDetails",
}
for _kind in ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Map", "Parallel"):
    DETAILS_KEY[f"{_kind}StateEntered"] = "stateEnteredEventDetails"
    DETAILS_KEY[f"{_kind}StateExited"] = "stateExitedEventDetails"


def error_details(error: str | None, cause: str | None) -> dict[str, Any]:
    """``{error, cause}`` leaving out what is unknown, as AWS does."""
    details: dict[str, Any] = {}
    if error is not None:
        details["error"] = error
    if cause is not None:
        details["cause"] = cause
    return details
