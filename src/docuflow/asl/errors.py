"""Errors of the Amazon States Language runtime and validator.

A ``StatesError`` is a runtime failure with an ASL error name (``States.Runtime``,
``States.TaskFailed``, a user error from a Task …) and a cause string. The interpreter
turns it into a Retry/Catch decision or a failed execution.
"""

from __future__ import annotations

from dataclasses import dataclass

# Predefined error names (States Language spec, "Errors").
ALL = "States.ALL"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
TIMEOUT = "States.Timeout"
TASK_FAILED = "States.TaskFailed"
PERMISSIONS = "States.Permissions"
RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
BRANCH_FAILED = "States.BranchFailed"
NO_CHOICE_MATCHED = "States.NoChoiceMatched"
INTRINSIC_FAILURE = "States.IntrinsicFailure"
EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
ITEM_READER_FAILED = "States.ItemReaderFailed"
RESULT_WRITER_FAILED = "States.ResultWriterFailed"
RUNTIME = "States.Runtime"
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"

# Errors that States.ALL does not catch or retry (AWS "Error handling").
TERMINAL_ERRORS = frozenset({RUNTIME, DATA_LIMIT_EXCEEDED})


class StatesError(Exception):
    """A runtime error with an ASL error name and a human-readable cause."""

    def __init__(self, error: str, cause: str = "", location: str | None = None) -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause
        self.location = location  # the field that failed, for EvaluationFailed events


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a definition, shaped like ValidateStateMachineDefinition's."""

    code: str  # e.g. "SCHEMA_VALIDATION_FAILED"
    message: str
    location: str  # JSON pointer, e.g. "/States/Foo/Next"
    severity: str = "ERROR"

    def as_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "location": self.location,
        }


class InvalidDefinition(ValueError):
    """Raised when a definition fails validation; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        summary = "; ".join(f"{d.message} at {d.location}" for d in diagnostics[:5])
        super().__init__(summary or "invalid definition")
