"""Tagging, the one Step Functions API write the engine's services leave to this app.

State machines and activities carry tags (a JSON object on their row); a change locks
the row so concurrent TagResource / UntagResource calls never lose one another's keys.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Model

from docuflow.accounts.models import Tenant
from docuflow.engine import arns, errors
from docuflow.engine.models import Activity, StateMachine
from docuflow.engine.services import MAX_TAGS

_TAGGABLE: dict[str, type[Model]] = {"stateMachine": StateMachine, "activity": Activity}


def _model_for(arn: str) -> type[Model]:
    parsed = arns.parse(arn)
    if parsed is None:
        raise errors.InvalidArn(f"Invalid Arn: '{arn}'")
    model = _TAGGABLE.get(parsed.kind)
    if model is None:
        raise errors.InvalidArn(
            f"Invalid Arn: 'Resource type not valid in this context: {parsed.kind}'"
        )
    return model


def _not_found(arn: str) -> errors.EngineError:
    error = errors.ResourceNotFound(f"Resource not found: '{arn}'")
    error.resource_name = arn
    return error


def list_tags(tenant: Tenant, arn: str) -> dict[str, str]:
    row = _model_for(arn).objects.filter(tenant=tenant, arn=arn).only("tags").first()
    if row is None:
        raise _not_found(arn)
    return dict(row.tags or {})


def tag_resource(tenant: Tenant, arn: str, tags: dict[str, str]) -> dict[str, str]:
    model = _model_for(arn)
    with transaction.atomic():
        row = model.objects.select_for_update().filter(tenant=tenant, arn=arn).first()
        if row is None:
            raise _not_found(arn)
        merged = {**(row.tags or {}), **tags}
        if len(merged) > MAX_TAGS:
            error = errors.TooManyTags(
                f"Too many tags: a resource may have at most {MAX_TAGS} tags"
            )
            error.resource_name = arn
            raise error
        row.tags = merged
        row.save(update_fields=["tags"])
    return merged


def untag_resource(tenant: Tenant, arn: str, keys: list[str]) -> dict[str, str]:
    model = _model_for(arn)
    with transaction.atomic():
        row = model.objects.select_for_update().filter(tenant=tenant, arn=arn).first()
        if row is None:
            raise _not_found(arn)
        kept = {key: value for key, value in (row.tags or {}).items() if key not in set(keys)}
        row.tags = kept
        row.save(update_fields=["tags"])
    return kept
