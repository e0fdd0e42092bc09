"""``nextToken`` / ``maxResults`` paging, as the Step Functions list operations do it.

A token is the position after the last item returned (keyset paging, so items added
meanwhile never shift a page), signed and bound to the operation, the caller's tenant
and the request's filters. A token that is forged, altered, used with other filters or
older than 24 hours is ``InvalidToken``, as AWS answers.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core import signing

from docuflow.engine import errors

DEFAULT_PAGE = 100
TOKEN_MAX_AGE = 24 * 3600


def page_size(params: dict, default: int = DEFAULT_PAGE) -> int:
    size = params.get("maxResults") or 0
    return size if size > 0 else default


def _scope(operation: str, tenant_id: str, filters: dict[str, Any]) -> str:
    text = json.dumps([operation, tenant_id, filters], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def make_token(operation: str, tenant_id: str, filters: dict[str, Any], position: Any) -> str:
    return signing.dumps(
        {"s": _scope(operation, tenant_id, filters), "p": position},
        salt="docuflow.sfnapi.page",
        compress=True,
    )


def read_token(operation: str, tenant_id: str, filters: dict[str, Any], token: str | None) -> Any:
    """The position a token holds (None when there is no token)."""
    if token is None:
        return None
    try:
        data = signing.loads(token, salt="docuflow.sfnapi.page", max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise errors.InvalidToken("Invalid Token: the pagination token has expired")
    except signing.BadSignature:
        raise errors.InvalidToken("Invalid Token: the pagination token is not valid")
    if not isinstance(data, dict) or data.get("s") != _scope(operation, tenant_id, filters):
        raise errors.InvalidToken(
            "Invalid Token: the pagination token was issued for other request parameters"
        )
    return data.get("p")
