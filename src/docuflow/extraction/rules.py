"""Per-document-type field rules: plain data a tenant can extend or override.

Shape (JSON-compatible)::

    {
      "settings": {"date_order": "MDY" | "DMY", "default_currency": "USD" | null,
                   "confidence_threshold": 75.0},
      "document_types": {
        "INVOICE": {
          "required": ["Invoice Number", ...],
          "fields": {
            "Invoice Number": {
              "type": "text" | "id" | "date" | "amount" | "address",
              "synonyms": ["invoice no", "invoice #"],   # printed labels
              "patterns": ["\\bINV-\\d+\\b"],          # fallback: regex over the text
              "fallback": "first_line",                 # fallback: the document's top line
              "address_of": "Vendor Name",              # fallback: lines below that field
              "lines": 3                                # value may continue on lines below
            }
          },
          "titles": ["invoice", "tax invoice"]          # never taken as a value
        }
      }
    }

``merge_rules(base, override)`` merges document types and fields key by key (lists are
replaced, not appended) so a tenant can add a synonym set, a field or a whole type.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache

from .normalize import normalize_label

FIELD_TYPES = frozenset({"text", "id", "date", "amount", "address"})
FALLBACKS = frozenset({"first_line"})
DEFAULT_THRESHOLD = 75.0


def _f(type_: str = "text", *synonyms: str, **extra) -> dict:
    return {"type": type_, "synonyms": list(synonyms), **extra}


_VENDOR_NAME = _f(
    "text",
    "vendor",
    "vendor name",
    "from",
    "seller",
    "supplier",
    "bill from",
    "billed by",
    "company",
    "merchant",
    "store",
    "sold by",
    fallback="first_line",
)
_VENDOR_ADDRESS = _f(
    "address",
    "vendor address",
    "address",
    "supplier address",
    "seller address",
    "remit to",
    lines=3,
    address_of="Vendor Name",
)
_TOTAL = _f(
    "amount",
    "total amount",
    "amount due",
    "total due",
    "grand total",
    "balance due",
    "invoice total",
    "total",
    "amount",
    "total payable",
    "amount payable",
)
_INVOICE_DATE = _f(
    "date",
    "date",
    "invoice date",
    "issue date",
    "date of issue",
    "issued",
    "dated",
    "bill date",
    "billing date",
)

DEFAULT_RULES: dict = {
    "settings": {
        "date_order": "MDY",
        "default_currency": None,
        "confidence_threshold": DEFAULT_THRESHOLD,
    },
    "document_types": {
        "INVOICE": {
            "required": ["Invoice Number", "Date", "Total Amount", "Vendor Name"],
            "titles": ["invoice", "tax invoice", "commercial invoice", "bill"],
            "fields": {
                "Invoice Number": _f(
                    "id",
                    "invoice number",
                    "invoice no",
                    "invoice",
                    "inv no",
                    "invoice id",
                    "bill no",
                    "reference",
                    patterns=[r"\bINV[-/ ]?(?=[A-Z0-9-]*\d)[A-Z0-9]+(?:[-/][A-Z0-9]+)*\b"],
                ),
                "Date": _INVOICE_DATE,
                "Due Date": _f("date", "due date", "payment due", "due", "due by"),
                "Total Amount": _TOTAL,
                "Subtotal": _f("amount", "subtotal", "sub total", "net amount", "net total"),
                "Tax": _f("amount", "tax", "vat", "sales tax", "gst", "tax amount"),
                "Vendor Name": _VENDOR_NAME,
                "Vendor Address": _VENDOR_ADDRESS,
                "Customer Name": _f(
                    "text", "bill to", "customer", "client", "sold to", "customer name"
                ),
                "PO Number": _f("id", "po no", "purchase order", "purchase order no", "po"),
            },
        },
        "RECEIPT": {
            "required": ["Vendor Name", "Date", "Total Amount"],
            "titles": ["receipt", "sales receipt", "cash receipt"],
            "fields": {
                "Vendor Name": _VENDOR_NAME,
                "Vendor Address": _VENDOR_ADDRESS,
                "Date": _f("date", "date", "purchase date", "transaction date", "dated"),
                "Total Amount": _TOTAL,
                "Receipt Number": _f("id", "receipt no", "receipt", "transaction no"),
                "Tax": _f("amount", "tax", "vat", "sales tax"),
            },
        },
        "CONTRACT": {
            "required": ["Contract Number", "Parties", "Effective Date", "Term"],
            "titles": ["contract", "agreement", "service agreement"],
            "fields": {
                "Contract Number": _f(
                    "id", "contract no", "agreement no", "contract id", "contract reference"
                ),
                "Parties": _f("text", "parties", "between", "party", "contracting parties"),
                "Effective Date": _f(
                    "date", "effective date", "effective as of", "commencement date", "start date"
                ),
                "Term": _f("text", "term", "duration", "contract term", "period"),
                "Expiration Date": _f("date", "expiration date", "end date", "expiry date"),
                "Contract Value": _f("amount", "contract value", "total value", "fee", "price"),
            },
        },
        "FORM": {
            "required": ["Name", "Date", "Signature"],
            "titles": ["form", "application form"],
            "fields": {
                "Name": _f("text", "name", "full name", "applicant name", "applicant", "employee"),
                "Date": _f("date", "date", "date signed", "signed on"),
                "Signature": _f("text", "signature", "signed", "signed by", "sign"),
                "Email": _f("text", "email", "e mail", "email address"),
                "Phone": _f("text", "phone", "telephone", "phone no", "mobile"),
                "Address": _f("address", "address", "street address", lines=2),
            },
        },
        "REPORT": {
            "required": [],
            "titles": ["report"],
            "fields": {
                "Title": _f("text", "title", "report title", "subject"),
                "Author": _f("text", "author", "prepared by", "by"),
                "Date": _f("date", "date", "report date", "period ending"),
            },
        },
        "GENERIC": {"required": [], "fields": {}},
    },
}


# -- validation and merging -----------------------------------------------------------


def validate_rules(data) -> list[str]:
    """Problems in a (possibly partial, tenant-supplied) rules document; [] when valid."""
    errors: list[str] = []
    if not isinstance(data, dict):
        return ["rules must be an object"]
    unknown = set(data) - {"settings", "document_types"}
    if unknown:
        errors.append(f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        errors.append("settings must be an object")
    else:
        for key, value in settings.items():
            if key == "date_order" and value not in ("MDY", "DMY"):
                errors.append("settings.date_order must be 'MDY' or 'DMY'")
            elif key == "default_currency" and not (
                value is None or (isinstance(value, str) and re.fullmatch(r"[A-Z]{3}", value))
            ):
                errors.append("settings.default_currency must be a 3-letter code or null")
            elif key == "confidence_threshold" and not (
                isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100
            ):
                errors.append("settings.confidence_threshold must be a number in 0..100")
            elif key not in ("date_order", "default_currency", "confidence_threshold"):
                errors.append(f"unknown setting {key!r}")
    types = data.get("document_types", {})
    if not isinstance(types, dict):
        return [*errors, "document_types must be an object"]
    for tname, tdef in types.items():
        where = f"document_types.{tname}"
        if not isinstance(tname, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]{0,49}", tname):
            errors.append(f"{where}: type names are UPPER_CASE identifiers")
        if not isinstance(tdef, dict):
            errors.append(f"{where} must be an object")
            continue
        for key in set(tdef) - {"required", "fields", "titles"}:
            errors.append(f"{where}: unknown key {key!r}")
        for key in ("required", "titles"):
            if key in tdef and not _is_str_list(tdef[key]):
                errors.append(f"{where}.{key} must be a list of strings")
        fields = tdef.get("fields", {})
        if not isinstance(fields, dict):
            errors.append(f"{where}.fields must be an object")
            continue
        for fname, fdef in fields.items():
            errors.extend(_validate_field(f"{where}.fields.{fname}", fdef))
    return errors


def _validate_field(where: str, fdef) -> list[str]:
    errors = []
    if not isinstance(fdef, dict):
        return [f"{where} must be an object"]
    allowed = {"type", "synonyms", "patterns", "fallback", "address_of", "lines"}
    for key in set(fdef) - allowed:
        errors.append(f"{where}: unknown key {key!r}")
    if "type" in fdef and fdef["type"] not in FIELD_TYPES:
        errors.append(f"{where}.type must be one of {sorted(FIELD_TYPES)}")
    if "synonyms" in fdef and not _is_str_list(fdef["synonyms"]):
        errors.append(f"{where}.synonyms must be a list of strings")
    if "patterns" in fdef:
        if not _is_str_list(fdef["patterns"]):
            errors.append(f"{where}.patterns must be a list of strings")
        else:
            for p in fdef["patterns"]:
                if len(p) > 200:
                    errors.append(f"{where}.patterns: pattern longer than 200 characters")
                    continue
                try:
                    re.compile(p)
                except re.error as exc:
                    errors.append(f"{where}.patterns: invalid regular expression {p!r}: {exc}")
    if "fallback" in fdef and fdef["fallback"] not in FALLBACKS:
        errors.append(f"{where}.fallback must be one of {sorted(FALLBACKS)}")
    if "address_of" in fdef and not isinstance(fdef["address_of"], str):
        errors.append(f"{where}.address_of must be a field name")
    if "lines" in fdef and not (
        isinstance(fdef["lines"], int)
        and not isinstance(fdef["lines"], bool)
        and 1 <= fdef["lines"] <= 10
    ):
        errors.append(f"{where}.lines must be an integer in 1..10")
    return errors


def _is_str_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def merge_rules(base: dict, override: dict | None) -> dict:
    """Deep-merge ``override`` into a copy of ``base`` (dicts merge, everything else replaces)."""
    out = copy.deepcopy(base)
    if override:
        _merge_into(out, override)
    return out


def _merge_into(target: dict, override: dict) -> None:
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge_into(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def effective_rules(rules: dict | None) -> dict:
    """The defaults with ``rules`` merged in; raises ValueError on invalid rules."""
    if not rules:
        return DEFAULT_RULES
    errors = validate_rules(rules)
    if errors:
        raise ValueError("invalid extraction rules: " + "; ".join(errors))
    return merge_rules(DEFAULT_RULES, rules)


# -- compiled view used by the key-value finder ---------------------------------------


class TypeRules:
    """Rules of one document type, with labels pre-normalized for matching."""

    def __init__(self, document_type: str, rules: dict) -> None:
        types = rules["document_types"]
        tdef = types.get(document_type) or types["GENERIC"]
        settings = {**DEFAULT_RULES["settings"], **rules.get("settings", {})}
        self.document_type = document_type
        self.day_first = settings["date_order"] == "DMY"
        self.default_currency = settings["default_currency"]
        self.threshold = float(settings["confidence_threshold"])
        self.required: list[str] = list(tdef.get("required", []))
        self.fields: dict[str, dict] = dict(tdef.get("fields", {}))
        self.titles = {normalize_label(t) for t in tdef.get("titles", [])}
        # normalized label -> [(field, priority)]; earlier synonyms are preferred.
        self.labels: dict[str, list[tuple[str, int]]] = {}
        for fname, fdef in self.fields.items():
            names = [fname, *fdef.get("synonyms", [])]
            for prio, syn in enumerate(names):
                norm = normalize_label(syn)
                if norm:
                    self.labels.setdefault(norm, []).append((fname, prio))
        self.max_label_words = max((len(k.split()) for k in self.labels), default=0)

    def field_for_label(self, label: str) -> tuple[str, int] | None:
        matches = self.labels.get(normalize_label(label))
        return min(matches, key=lambda m: m[1]) if matches else None

    def field_type(self, fname: str) -> str:
        return self.fields.get(fname, {}).get("type", "text")


@lru_cache(maxsize=64)
def _compiled_default(document_type: str) -> TypeRules:
    return TypeRules(document_type, DEFAULT_RULES)


def type_rules(document_type: str, rules: dict | None = None) -> TypeRules:
    document_type = (document_type or "GENERIC").upper()
    if not rules:
        return _compiled_default(document_type)
    return TypeRules(document_type, effective_rules(rules))
