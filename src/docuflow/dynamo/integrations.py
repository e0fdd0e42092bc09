"""The ``arn:aws:states:::dynamodb:*`` task integrations, shaped as Step Functions shapes
them: the DynamoDB response plus ``SdkHttpMetadata``/``SdkResponseMetadata``; failures as
``DynamoDB.<ErrorCode>`` with a Java-SDK-style cause (a ValidationException surfaces as
``DynamoDB.AmazonDynamoDBException``, as on AWS).
"""

from __future__ import annotations

import json
import secrets
import string
import zlib
from datetime import datetime
from typing import Any

from docuflow.dynamo import services
from docuflow.dynamo.errors import DynamoError
from docuflow.engine.resources import TaskContext, TaskError, register_integration

_REQUEST_ID_ALPHABET = string.ascii_uppercase + string.digits


def request_id() -> str:
    """A DynamoDB-style request id (52 upper-case letters and digits)."""
    return "".join(secrets.choice(_REQUEST_ID_ALPHABET) for _ in range(52))


def error_name(error: DynamoError) -> str:
    # The Java SDK models these exceptions; anything else is its generic exception.
    if error.code == "ValidationException":
        return "DynamoDB.AmazonDynamoDBException"
    return f"DynamoDB.{error.code}"


def error_cause(error: DynamoError, rid: str) -> str:
    return (
        f"{error.message} (Service: AmazonDynamoDBv2; Status Code: 400; "
        f"Error Code: {error.code}; Request ID: {rid}; Proxy: null)"
    )


def with_sdk_metadata(response: dict, now: datetime, rid: str) -> dict:
    body = json.dumps(response, separators=(",", ":")).encode()
    headers = {
        "Connection": "keep-alive",
        "Content-Length": str(len(body)),
        "Content-Type": "application/x-amz-json-1.0",
        "Date": now.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        "Server": "Server",
        "x-amz-crc32": str(zlib.crc32(body)),
        "x-amzn-RequestId": rid,
    }
    order = ("Server", "Connection", "x-amzn-RequestId", "x-amz-crc32", "Content-Length", "Date")
    all_headers = {name: [headers[name]] for name in (*order, "Content-Type")}
    return {
        **response,
        "SdkHttpMetadata": {
            "AllHttpHeaders": all_headers,
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": rid},
    }


def handler(action: str):
    def handle(payload: Any, ctx: TaskContext) -> dict:
        rid = request_id()
        try:
            response = services.execute(
                ctx.tenant_id, action, payload, idempotency_key=ctx.idempotency_key
            )
        except DynamoError as error:
            raise TaskError(error_name(error), error_cause(error, rid))
        return with_sdk_metadata(response, ctx.now, rid)

    handle.__name__ = f"dynamodb_{action}"
    return handle


def register() -> None:
    for action in services.ACTIONS:
        register_integration(f"dynamodb:{action}", handler(action))
