"""DynamoDB's error codes, raised by the pure core and mapped onto task errors."""

from __future__ import annotations


class DynamoError(Exception):
    """A DynamoDB API error: ``code`` is DynamoDB's error code, ``message`` its text."""

    code = "InternalServerError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationException(DynamoError):
    code = "ValidationException"


class ConditionalCheckFailedException(DynamoError):
    code = "ConditionalCheckFailedException"

    def __init__(self, message: str = "The conditional request failed") -> None:
        super().__init__(message)


class ResourceNotFoundException(DynamoError):
    code = "ResourceNotFoundException"

    def __init__(self, message: str = "Requested resource not found") -> None:
        super().__init__(message)


class ResourceInUseException(DynamoError):
    code = "ResourceInUseException"
