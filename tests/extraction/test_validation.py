from docuflow.extraction import extract, validate
from docuflow.extraction import testdata as td


def test_seed_flat_shape_missing_fields_and_confidence():
    result = validate(
        {"key_values": {"Invoice Number": "INV-1", "Date": " "}, "confidence": 91.0},
        "INVOICE",
    )
    assert result == {
        "passed": False,
        "missing_fields": ["Date", "Total Amount", "Vendor Name"],
        "invalid_fields": [],
        "low_confidence_fields": [],
        "confidence": 91.0,
        "document_type": "INVOICE",
        "threshold": 75.0,
    }


def test_generic_passes_on_confidence_alone():
    assert validate({"key_values": {}, "confidence": 80}, "GENERIC")["passed"] is True
    assert validate({"key_values": {}, "confidence": 70}, "GENERIC")["passed"] is False
    assert validate({"key_values": {}, "confidence": 70}, "GENERIC", threshold=60)["passed"] is True


def test_type_checks_flag_unparseable_dates_and_amounts():
    result = validate(
        {
            "key_values": {
                "Receipt Number": "R1",
                "Vendor Name": "Shop",
                "Date": "the day after tomorrow",
                "Total Amount": "twelve",
            },
            "confidence": 99,
        },
        "RECEIPT",
    )
    assert result["invalid_fields"] == ["Date", "Total Amount"]
    assert result["passed"] is False


def test_low_confidence_required_field_fails_only_below_threshold():
    data = {
        "document_type": "RECEIPT",
        "confidence": 90,
        "key_values": {
            "Vendor Name": {"value": "Shop", "confidence": 60},
            "Date": {"value": "2024-01-01", "confidence": 99},
            "Total Amount": {"value": "5.00", "confidence": 99},
        },
    }
    result = validate(data)
    assert result["low_confidence_fields"] == ["Vendor Name"]
    assert result["passed"] is False
    assert validate(data, threshold=50)["passed"] is True


def test_contract_requirements(docs):
    path = td.text_pdf(
        docs / "contract.pdf",
        [
            [
                "SERVICE AGREEMENT",
                "Contract No: C-2024-17",
                "Parties: Acme Corp and Beta LLC",
                "Effective Date: 1 February 2024",
                "Term: 24 months",
            ]
        ],
    )
    ex = extract(path, "application/pdf", document_type="CONTRACT")
    result = validate(ex)
    assert result["passed"] is True, result
    assert ex.key_values["Effective Date"].value == "2024-02-01"
    assert ex.key_values["Parties"].value == "Acme Corp and Beta LLC"
    partial = validate({"key_values": {"Term": "1 year"}, "confidence": 100}, "CONTRACT")
    assert partial["missing_fields"] == ["Contract Number", "Parties", "Effective Date"]
