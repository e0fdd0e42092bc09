"""The seed's validator: required fields, typed values, confidence threshold."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .model import Extraction
from .normalize import parse_date
from .rules import TypeRules, type_rules


def validate(
    extraction: Extraction | dict,
    document_type: str | None = None,
    *,
    threshold: float | None = None,
    rules: dict | None = None,
) -> dict:
    """Check an extraction against its document type's rules.

    ``extraction`` is an :class:`Extraction`, its ``to_dict()`` or the seed's flat shape
    ``{"key_values": {key: "value"}, "confidence": ...}`` (then no per-field confidence).
    ``passed`` needs: no required field missing, no typed field (date/amount) unparseable,
    no required field below the threshold, and the document confidence at or above it.
    ``low_confidence_fields`` lists every extracted field below the threshold.
    """
    if isinstance(extraction, Extraction):
        doc_type = document_type or extraction.document_type
        fields = {k: kv.to_dict() for k, kv in extraction.key_values.items()}
        confidence = extraction.confidence
    else:
        doc_type = document_type or extraction.get("document_type") or "GENERIC"
        fields = {
            k: (v if isinstance(v, dict) else {"value": "" if v is None else str(v)})
            for k, v in (extraction.get("key_values") or {}).items()
        }
        confidence = float(extraction.get("confidence") or 0.0)
    tr: TypeRules = type_rules(doc_type, rules)
    limit = tr.threshold if threshold is None else float(threshold)

    missing = [f for f in tr.required if not str(fields.get(f, {}).get("value", "")).strip()]
    invalid = []
    for name, data in fields.items():
        ftype = tr.field_type(name) if name in tr.fields else data.get("type", "text")
        value = str(data.get("value", "")).strip()
        if value and not _type_ok(ftype, value, data, tr):
            invalid.append(name)
    low = [
        name
        for name, data in fields.items()
        if "confidence" in data and float(data["confidence"]) < limit
    ]
    passed = (
        not missing
        and not invalid
        and not any(f in tr.required for f in low)
        and confidence >= limit
    )
    return {
        "passed": passed,
        "missing_fields": missing,
        "invalid_fields": invalid,
        "low_confidence_fields": low,
        "confidence": confidence,
        "document_type": tr.document_type,
        "threshold": limit,
    }


def _type_ok(ftype: str, value: str, data: dict, tr: TypeRules) -> bool:
    if data.get("valid") is False:
        return False
    if ftype == "date":
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return parse_date(value) is not None
        return parse_date(value, day_first=tr.day_first) is not None
    if ftype == "amount":
        try:
            Decimal(value.replace(",", ""))
        except InvalidOperation:
            return False
        return True
    return True
