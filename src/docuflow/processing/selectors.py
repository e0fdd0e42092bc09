"""Read queries of the processing stage.

The API's queries take the acting user (another tenant's object does not exist for
them); ``rules_for`` is the workflow's own lookup, scoped by the document's tenant.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from docuflow.documents import selectors as documents
from docuflow.extraction import DEFAULT_RULES, effective_rules
from docuflow.extraction.rules import DEFAULT_THRESHOLD
from docuflow.processing.models import DocumentExtraction, ExtractionRuleSet


def latest_extraction(document) -> DocumentExtraction | None:
    """The newest extraction of the document's current version."""
    if not document.version:
        return None
    return (
        DocumentExtraction.objects.filter(document=document, version=document.version)
        .order_by("-created_at")
        .first()
    )


def extraction_for(actor, document_id) -> DocumentExtraction:
    """The current extraction of a document the actor may see; 404 otherwise."""
    doc = documents.document(actor, document_id)
    found = latest_extraction(doc)
    if found is None:
        from rest_framework.exceptions import NotFound

        raise NotFound("This document has not been extracted yet.")
    return found


def rule_sets(actor) -> QuerySet[ExtractionRuleSet]:
    if not getattr(actor, "tenant_id", None):
        return ExtractionRuleSet.objects.none()
    return ExtractionRuleSet.objects.filter(tenant_id=actor.tenant_id).order_by("document_type")


def rule_set(actor, pk) -> ExtractionRuleSet:
    return get_object_or_404(rule_sets(actor), pk=pk)


def rules_for(tenant_id: str, document_type: str) -> tuple[dict | None, float | None]:
    """A tenant's ``rules=`` argument for the extraction library and its threshold.

    (None, None) when the tenant has no rules for the type: the shipped defaults apply.
    """
    found = ExtractionRuleSet.objects.filter(
        tenant_id=tenant_id, document_type=(document_type or "GENERIC").upper()
    ).first()
    if found is None:
        return None, None
    return as_library_rules(found), found.confidence_threshold


def as_library_rules(found: ExtractionRuleSet) -> dict | None:
    rules: dict = {}
    if found.settings:
        rules["settings"] = dict(found.settings)
    if found.rules:
        rules["document_types"] = {found.document_type: found.rules}
    return rules or None


def effective_rules_for(actor, document_type: str) -> dict:
    """What applies to the actor's tenant for a type: defaults merged with its rule set."""
    document_type = (document_type or "GENERIC").upper()
    found = rule_sets(actor).filter(document_type=document_type).first()
    merged = effective_rules(as_library_rules(found) if found else None)
    types = merged["document_types"]
    known = document_type in types
    settings = {**DEFAULT_RULES["settings"], **merged.get("settings", {})}
    threshold = settings.pop("confidence_threshold", DEFAULT_THRESHOLD)
    if found is not None and found.confidence_threshold is not None:
        threshold = found.confidence_threshold
    return {
        "document_type": document_type,
        "customized": found is not None,
        "known_type": known,
        "confidence_threshold": threshold,
        "settings": settings,
        "rules": types[document_type] if known else types["GENERIC"],
    }
