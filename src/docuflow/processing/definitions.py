"""Workflow definitions per tenant and document type (MANAGER and ADMIN).

A tenant sees every state machine it has: the shipped document workflows (``docuflow-*``,
installed and kept up to date by DocuFlow, so read-only here) and its own. It replaces
the flow a document type runs by creating its own definition (validated on save, the
errors of ``ValidateStateMachineDefinition``) and binding it to the type, or to every
type (the default). Running executions keep the definition they started with.
"""

from __future__ import annotations

import json

from django.db import transaction
from rest_framework import exceptions

from docuflow.accounts import roles
from docuflow.accounts.models import User
from docuflow.api.errors import Conflict, UnprocessableEntity
from docuflow.audit import services as audit
from docuflow.documents import services as documents
from docuflow.documents.models import Document, DocumentWorkflow
from docuflow.engine import errors as engine_errors
from docuflow.engine import services as engine
from docuflow.engine.models import StateMachine
from docuflow.processing.services import SHIPPED_WORKFLOWS

RESERVED_PREFIX = "docuflow-"
MAX_DEFINITION_BYTES = 1024 * 1024  # AWS's limit for a definition
DEFAULT = "default"


def require_manager(actor: User) -> None:
    if not roles.can_manage(actor.role):
        raise exceptions.PermissionDenied("Only a MANAGER or ADMIN may see or change workflows.")


def is_shipped(machine: StateMachine) -> bool:
    return machine.name in SHIPPED_WORKFLOWS


def machines_of(actor: User):
    require_manager(actor)
    return (
        StateMachine.objects.filter(tenant_id=actor.tenant_id)
        .select_related("revision")
        .order_by("name")
    )


def machine_named(actor: User, name: str) -> StateMachine:
    machine = machines_of(actor).filter(name=name).first()
    if machine is None:
        raise exceptions.NotFound(f"No workflow named {name!r}.")
    return machine


def bindings_of(tenant_id: str) -> dict[str, list[str]]:
    """State machine id -> the document types bound to it ("default" for every type)."""
    bound: dict[str, list[str]] = {}
    for machine_id, doc_type in DocumentWorkflow.objects.filter(tenant_id=tenant_id).values_list(
        "state_machine_id", "document_type"
    ):
        bound.setdefault(str(machine_id), []).append(doc_type or DEFAULT)
    return bound


def as_text(definition) -> str:
    """The definition as JSON text (given as an object or as text), size-checked."""
    text = definition if isinstance(definition, str) else json.dumps(definition)
    if len(text.encode()) > MAX_DEFINITION_BYTES:
        raise UnprocessableEntity({"definition": ["At most 1 MiB."]})
    return text


def validate(definition) -> list[dict]:
    """Diagnostics (empty when valid): ``[{severity, code, message, location}]``."""
    return engine.check_definition(as_text(definition))


def _require_valid(text: str) -> None:
    problems = engine.check_definition(text)
    if problems:
        raise UnprocessableEntity(
            {
                "definition": [
                    f"{p['code']}: {p['message']} at {p['location'] or '/'}" for p in problems
                ]
            }
        )


def _audit(actor: User, machine: StateMachine, action: str, request, **details) -> None:
    audit.record(
        tenant=actor.tenant_id,
        actor=actor,
        action=action,
        object_type="workflow",
        object_id=machine.name,
        request=request,
        details={"arn": machine.arn, **details},
    )


def create(actor: User, name: str, definition, request=None) -> StateMachine:
    require_manager(actor)
    if name.startswith(RESERVED_PREFIX):
        raise UnprocessableEntity(
            {"name": [f"Names starting with {RESERVED_PREFIX} are DocuFlow's."]}
        )
    text = as_text(definition)
    _require_valid(text)
    tenant = actor.tenant
    try:
        with transaction.atomic():
            if StateMachine.objects.filter(tenant=tenant, name=name).exists():
                raise Conflict(f"A workflow named {name!r} exists; change it instead.")
            machine = engine.create_state_machine(
                tenant, name, text, f"arn:aws:iam::{tenant.account_id}:role/docuflow"
            )
            _audit(actor, machine, "workflow.created", request)
    except engine_errors.InvalidName:
        raise UnprocessableEntity(
            {"name": ["1 to 80 letters, digits, hyphens and underscores."]}
        ) from None
    except engine_errors.StateMachineAlreadyExists:
        raise Conflict(f"A workflow named {name!r} exists; change it instead.") from None
    return machine


def replace(actor: User, machine: StateMachine, definition, request=None) -> StateMachine:
    require_manager(actor)
    if is_shipped(machine):
        raise Conflict(
            "Shipped workflows are kept up to date by DocuFlow: create your own and bind it."
        )
    text = as_text(definition)
    _require_valid(text)
    with transaction.atomic():
        engine.update_state_machine(machine, definition=text)
        _audit(actor, machine, "workflow.updated", request, revision=str(machine.revision_id))
    return machine


def delete(actor: User, machine: StateMachine, request=None) -> None:
    require_manager(actor)
    if is_shipped(machine):
        raise Conflict("Shipped workflows cannot be deleted.")
    if DocumentWorkflow.objects.filter(state_machine=machine).exists():
        raise Conflict("The workflow is bound to document types; bind another one first.")
    _audit(actor, machine, "workflow.deleted", request)
    engine.delete_state_machine(machine)


def _type_of(document_type: str) -> str | None:
    if document_type == DEFAULT:
        return None
    if document_type not in Document.DocumentType.values:
        raise exceptions.NotFound(
            f"Unknown document type {document_type!r}: one of "
            f"{', '.join(Document.DocumentType.values)} or {DEFAULT}."
        )
    return document_type


def bind(actor: User, document_type: str, machine: StateMachine, request=None):
    """Make ``machine`` the workflow that new uploads of ``document_type`` start."""
    require_manager(actor)
    doc_type = _type_of(document_type)
    with transaction.atomic():
        binding = documents.bind_workflow(actor.tenant, machine, doc_type)
        audit.record(
            tenant=actor.tenant_id,
            actor=actor,
            action="workflow.bound",
            object_type="workflow",
            object_id=machine.name,
            request=request,
            details={"document_type": doc_type or DEFAULT, "arn": machine.arn},
        )
    return binding


def unbind(actor: User, document_type: str, request=None) -> None:
    """A type falls back to the default workflow; the default itself cannot be removed."""
    require_manager(actor)
    doc_type = _type_of(document_type)
    if doc_type is None:
        raise Conflict("Every upload needs a workflow: bind another default instead.")
    with transaction.atomic():
        binding = DocumentWorkflow.objects.filter(
            tenant_id=actor.tenant_id, document_type=doc_type
        ).first()
        if binding is None:
            raise exceptions.NotFound(f"{doc_type} documents have no workflow of their own.")
        audit.record(
            tenant=actor.tenant_id,
            actor=actor,
            action="workflow.unbound",
            object_type="workflow",
            object_id=binding.state_machine.name,
            request=request,
            details={"document_type": doc_type},
        )
        binding.delete()


def bindings(actor: User):
    require_manager(actor)
    return (
        DocumentWorkflow.objects.filter(tenant_id=actor.tenant_id)
        .select_related("state_machine")
        .order_by("document_type")
    )
