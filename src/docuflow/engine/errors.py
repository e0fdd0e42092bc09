"""Engine errors carry the name AWS Step Functions gives the same failure.

The Step Functions API answers them as ``{"__type": name, "message": …}``; the REST API
maps them onto its own envelope.
"""


class EngineError(Exception):
    code = "ValidationException"
    status = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


def _error(name: str, status: int = 400) -> type[EngineError]:
    return type(name, (EngineError,), {"code": name, "status": status})


ValidationException = _error("ValidationException")
InvalidArn = _error("InvalidArn")
InvalidName = _error("InvalidName")
InvalidDefinition = _error("InvalidDefinition")
InvalidExecutionInput = _error("InvalidExecutionInput")
InvalidOutput = _error("InvalidOutput")
InvalidToken = _error("InvalidToken")
TaskDoesNotExist = _error("TaskDoesNotExist")
TaskTimedOut = _error("TaskTimedOut")
StateMachineDoesNotExist = _error("StateMachineDoesNotExist")
StateMachineAlreadyExists = _error("StateMachineAlreadyExists")
StateMachineDeleting = _error("StateMachineDeleting")
StateMachineTypeNotSupported = _error("StateMachineTypeNotSupported")
ExecutionDoesNotExist = _error("ExecutionDoesNotExist")
ExecutionAlreadyExists = _error("ExecutionAlreadyExists")
ExecutionLimitExceeded = _error("ExecutionLimitExceeded")
ActivityDoesNotExist = _error("ActivityDoesNotExist")
ActivityAlreadyExists = _error("ActivityAlreadyExists")
ResourceNotFound = _error("ResourceNotFound")
InvalidLoggingConfiguration = _error("InvalidLoggingConfiguration")
TooManyTags = _error("TooManyTags")
