"""Document extraction and validation: the local counterpart of Textract + the validator.

Pure library (no Django). Typical use::

    from docuflow.extraction import extract_safely, validate, ExtractionFailed

    try:
        ex = extract_safely(path, "application/pdf", document_type="INVOICE")
    except ExtractionFailed as exc:
        ...  # exc.code in ERROR_CODES
    result = validate(ex)              # {passed, missing_fields, ...}
    ex.to_seed()                       # {"key_values": {...}, "page_count", "confidence"}
    ex.to_textract()                   # {"DocumentMetadata", "Blocks": [...]}
"""

from .errors import ERROR_CODES, ExtractionFailed
from .extract import extract
from .limits import Limits
from .model import BBox, Cell, Extraction, KeyValue, Line, Page, Table, Word
from .rules import DEFAULT_RULES, effective_rules, merge_rules, validate_rules
from .sandbox import extract_safely
from .validation import validate

__all__ = [
    "BBox",
    "Cell",
    "DEFAULT_RULES",
    "ERROR_CODES",
    "Extraction",
    "ExtractionFailed",
    "KeyValue",
    "Limits",
    "Line",
    "Page",
    "Table",
    "Word",
    "effective_rules",
    "extract",
    "extract_safely",
    "merge_rules",
    "validate",
    "validate_rules",
]
