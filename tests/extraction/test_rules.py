import json

import pytest

from docuflow.extraction import DEFAULT_RULES, extract, merge_rules, validate_rules
from docuflow.extraction import testdata as td


def test_default_rules_are_valid_json_data():
    assert validate_rules(DEFAULT_RULES) == []
    assert json.loads(json.dumps(DEFAULT_RULES)) == DEFAULT_RULES
    for doc_type in ("INVOICE", "CONTRACT", "FORM", "REPORT", "RECEIPT", "GENERIC"):
        assert doc_type in DEFAULT_RULES["document_types"]
    assert DEFAULT_RULES["document_types"]["RECEIPT"]["required"] == [
        "Vendor Name",
        "Date",
        "Total Amount",
    ]


@pytest.mark.parametrize(
    ("rules", "fragment"),
    [
        ([], "must be an object"),
        ({"bogus": 1}, "unknown top-level key"),
        ({"settings": {"date_order": "YMD"}}, "date_order"),
        ({"settings": {"confidence_threshold": 120}}, "confidence_threshold"),
        ({"document_types": {"lower": {}}}, "UPPER_CASE"),
        ({"document_types": {"PO": {"fields": {"X": {"type": "money"}}}}}, "type must be one of"),
        (
            {"document_types": {"PO": {"fields": {"X": {"patterns": ["(unclosed"]}}}}},
            "invalid regular",
        ),
        ({"document_types": {"PO": {"fields": {"X": {"synonyms": "po"}}}}}, "list of strings"),
        ({"document_types": {"PO": {"required": "X"}}}, "list of strings"),
    ],
)
def test_invalid_rules_are_explained(rules, fragment):
    errors = validate_rules(rules)
    assert errors and any(fragment in e for e in errors), errors


def test_merge_overrides_fields_and_keeps_the_rest():
    merged = merge_rules(
        DEFAULT_RULES,
        {"document_types": {"INVOICE": {"fields": {"Total Amount": {"synonyms": ["summe"]}}}}},
    )
    invoice = merged["document_types"]["INVOICE"]
    assert invoice["fields"]["Total Amount"] == {"type": "amount", "synonyms": ["summe"]}
    assert "Invoice Number" in invoice["fields"]
    assert DEFAULT_RULES["document_types"]["INVOICE"]["fields"]["Total Amount"]["synonyms"][0] == (
        "total amount"
    )  # the defaults are not mutated


def test_tenant_rules_add_a_document_type_and_synonyms(docs):
    path = td.text_pdf(
        docs / "po.pdf",
        [["Bestellnummer: PO-77-A", "Lieferdatum: 31.12.2024", "Summe: 1.234,50 EUR"]],
    )
    rules = {
        "settings": {"date_order": "DMY"},
        "document_types": {
            "PURCHASE_ORDER": {
                "required": ["PO Number", "Delivery Date", "Total"],
                "fields": {
                    "PO Number": {"type": "text", "synonyms": ["bestellnummer"]},
                    "Delivery Date": {"type": "date", "synonyms": ["lieferdatum"]},
                    "Total": {"type": "amount", "synonyms": ["summe"]},
                },
            }
        },
    }
    ex = extract(path, "application/pdf", document_type="PURCHASE_ORDER", rules=rules)
    got = {k: kv.value for k, kv in ex.key_values.items()}
    assert got == {"PO Number": "PO-77-A", "Delivery Date": "2024-12-31", "Total": "1234.50"}
    assert ex.key_values["Total"].currency == "EUR"


def test_invalid_tenant_rules_are_refused_before_reading(docs):
    path = td.text_pdf(docs / "any.pdf", [["hello"]])
    with pytest.raises(ValueError, match="invalid extraction rules"):
        extract(path, "application/pdf", rules={"document_types": {"X": {"fields": 3}}})
