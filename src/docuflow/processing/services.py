"""Business rules of the processing stage: the shipped workflows, rule sets, reruns."""

from __future__ import annotations

import json
import logging
import re
from functools import cache
from pathlib import Path

from django.db import DatabaseError, IntegrityError, transaction
from rest_framework import exceptions

from docuflow.accounts import roles
from docuflow.accounts.models import Tenant, User
from docuflow.api.errors import Conflict, UnprocessableEntity
from docuflow.audit import services as audit
from docuflow.documents import services as documents
from docuflow.documents.models import Document, DocumentWorkflow
from docuflow.engine import arns
from docuflow.engine import errors as engine_errors
from docuflow.engine import services as engine
from docuflow.engine.models import StateMachine
from docuflow.extraction import validate_rules
from docuflow.processing.models import ExtractionRuleSet
from docuflow.processing.tasks import DECIDED

log = logging.getLogger(__name__)

WORKFLOWS_DIR = Path(__file__).resolve().parent / "workflows"
# The document workflows DocuFlow ships (state machine name -> definition file). They are
# installed in every tenant and kept up to date by DocuFlow; a tenant that wants another
# flow creates its own state machine and binds it (see ``definitions.py``).
SHIPPED_WORKFLOWS = {
    "docuflow-extract-and-validate": "extract-and-validate",
    "docuflow-document-review": "document-review",
    "docuflow-multi-stage-review": "multi-stage-review",
    "docuflow-parallel-review": "parallel-review",
}
EXTRACT_ONLY_WORKFLOW = "docuflow-extract-and-validate"
# What a tenant's uploads run unless it binds another workflow: the multi-stage review
# (a single REVIEWER decision unless the Total Amount is above the tenant's threshold).
DEFAULT_WORKFLOW_NAME = "docuflow-multi-stage-review"
TYPE_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,49}")
READING_SETTINGS = ("date_order", "default_currency")


# --- the shipped workflows -------------------------------------------------------------------


@cache
def _template(name: str) -> str:
    return (WORKFLOWS_DIR / f"{SHIPPED_WORKFLOWS[name]}.asl.json").read_text(encoding="utf-8")


def shipped_definition(tenant: Tenant, name: str = DEFAULT_WORKFLOW_NAME) -> str:
    """A shipped definition, with the tenant's region and account filled in."""
    return (
        _template(name)
        .replace("${Region}", arns.default_region())
        .replace("${AccountId}", tenant.account_id)
    )


def install_shipped_workflow(tenant: Tenant, name: str) -> StateMachine:
    """Create the tenant's copy of a shipped workflow, or bring it up to date."""
    definition = shipped_definition(tenant, name)
    machine = (
        StateMachine.objects.select_related("revision", "tenant")
        .filter(tenant=tenant, name=name)
        .first()
    )
    if machine is None:
        try:
            with transaction.atomic():
                return engine.create_state_machine(
                    tenant, name, definition, f"arn:aws:iam::{tenant.account_id}:role/docuflow"
                )
        except engine_errors.StateMachineAlreadyExists:  # installed concurrently
            return StateMachine.objects.select_related("revision", "tenant").get(
                tenant=tenant, name=name
            )
    if machine.definition != definition:
        # A newer DocuFlow ships a newer definition; running executions keep theirs.
        engine.update_state_machine(machine, definition=definition)
    return machine


def ensure_default_workflow(tenant: Tenant) -> DocumentWorkflow:
    """Install the shipped workflows in ``tenant`` and make sure every upload runs one.

    Idempotent. Binds the multi-stage review as the tenant's default workflow (document
    type NULL) unless the tenant already has a default binding. Returns that binding.
    """
    with transaction.atomic():
        machines = {name: install_shipped_workflow(tenant, name) for name in SHIPPED_WORKFLOWS}
        existing = DocumentWorkflow.objects.filter(
            tenant=tenant, document_type__isnull=True
        ).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return DocumentWorkflow.objects.create(
                    tenant=tenant, document_type=None, state_machine=machines[DEFAULT_WORKFLOW_NAME]
                )
        except IntegrityError:  # another process bound a default at the same moment
            return DocumentWorkflow.objects.get(tenant=tenant, document_type__isnull=True)


def ensure_default_workflows(using: str | None = None) -> int:
    """``ensure_default_workflow`` for every tenant (run after ``migrate``)."""
    tenants = Tenant.objects.using(using) if using else Tenant.objects
    try:
        every = list(tenants.all())
    except DatabaseError:  # a partial migrate (e.g. back to zero): nothing to install into
        log.warning("tenants not readable after migrate; default workflows not checked")
        return 0
    count = 0
    for tenant in every:
        try:
            ensure_default_workflow(tenant)
            count += 1
        except Exception:  # one tenant's problem must not stop migrate for the others
            log.exception("could not install the default workflow for tenant %s", tenant.pk)
    return count


# --- rerun ---------------------------------------------------------------------------------


def rerun_extraction(actor: User, doc: Document, request=None) -> Document:
    """Run the document's workflow again on its current version (MANAGER or ADMIN).

    It starts a fresh execution of the workflow the tenant binds to the document's type
    (the default extract-and-validate one unless the approvals workflow replaced it), so
    a rerun goes through every step a fresh upload would. 409 while an execution of the
    document runs, for a document without content or already decided.
    """
    return documents.start_workflow_by_hand(
        actor,
        doc,
        request,
        action="document.extraction_rerun",
        refuse_statuses=tuple(DECIDED),
        what="rerun extraction",
    )


# --- rule sets -----------------------------------------------------------------------------


def _check_rule_set(document_type: str, rules, settings, threshold) -> None:
    """422 with every problem, keyed by the field it is in."""
    errors: dict[str, list[str]] = {}
    if not TYPE_NAME.fullmatch(document_type or ""):
        errors["document_type"] = [
            "Use an UPPER_CASE name of up to 50 letters, digits and underscores (e.g. RECEIPT)."
        ]
    if not isinstance(rules, dict):
        errors["rules"] = ["Must be an object: {required, fields, titles}."]
    if not isinstance(settings, dict):
        errors["settings"] = ["Must be an object: {date_order, default_currency}."]
    elif "confidence_threshold" in settings:
        errors["settings"] = ["Set the threshold in confidence_threshold, not in settings."]
    if threshold is not None and not (0 <= threshold <= 100):
        errors["confidence_threshold"] = ["Must be between 0 and 100."]
    if not errors:
        problems = validate_rules({"settings": settings, "document_types": {document_type: rules}})
        prefix = f"document_types.{document_type}"
        for problem in problems:
            if problem.startswith("settings") or "setting" in problem.split(":")[0]:
                errors.setdefault("settings", []).append(problem)
            else:
                errors.setdefault("rules", []).append(
                    problem.replace(prefix + ".", "").replace(prefix, "rules")
                )
    if errors:
        raise UnprocessableEntity(errors)


def _require_manager(actor: User) -> None:
    if not roles.can_manage(actor.role):
        raise exceptions.PermissionDenied("Only a MANAGER or ADMIN may change extraction rules.")


def _audit(actor, rule_set: ExtractionRuleSet, action: str, request) -> None:
    audit.record(
        tenant=rule_set.tenant_id,
        actor=actor,
        action=action,
        object_type="extraction_rules",
        object_id=rule_set.pk,
        request=request,
        details={
            "document_type": rule_set.document_type,
            "confidence_threshold": rule_set.confidence_threshold,
            "rules": json.loads(json.dumps(rule_set.rules)),
            "settings": rule_set.settings,
        },
    )


def create_rule_set(
    actor: User,
    *,
    document_type: str,
    rules: dict | None = None,
    settings: dict | None = None,
    confidence_threshold: float | None = None,
    request=None,
) -> ExtractionRuleSet:
    _require_manager(actor)
    rules = {} if rules is None else rules
    settings = {} if settings is None else settings
    _check_rule_set(document_type, rules, settings, confidence_threshold)
    try:
        with transaction.atomic():
            rule_set = ExtractionRuleSet.objects.create(
                tenant_id=actor.tenant_id,
                document_type=document_type,
                rules=rules,
                settings=settings,
                confidence_threshold=confidence_threshold,
            )
            _audit(actor, rule_set, "extraction_rules.created", request)
    except IntegrityError:
        raise Conflict(
            f"This tenant already has rules for {document_type}; change them instead."
        ) from None
    return rule_set


def update_rule_set(actor: User, rule_set: ExtractionRuleSet, request=None, **changes):
    _require_manager(actor)
    merged = {
        "document_type": rule_set.document_type,
        "rules": rule_set.rules,
        "settings": rule_set.settings,
        "confidence_threshold": rule_set.confidence_threshold,
        **changes,
    }
    _check_rule_set(
        merged["document_type"], merged["rules"], merged["settings"], merged["confidence_threshold"]
    )
    try:
        with transaction.atomic():
            for name, value in changes.items():
                setattr(rule_set, name, value)
            rule_set.save()
            _audit(actor, rule_set, "extraction_rules.updated", request)
    except IntegrityError:
        raise Conflict(f"This tenant already has rules for {merged['document_type']}.") from None
    return rule_set


def delete_rule_set(actor: User, rule_set: ExtractionRuleSet, request=None) -> None:
    _require_manager(actor)
    with transaction.atomic():
        _audit(actor, rule_set, "extraction_rules.deleted", request)
        rule_set.delete()
