import json

from docuflow.extraction import Extraction, extract


def _seed_parse_key_value_pairs(blocks):
    """The seed Lambda's reading of Textract blocks, restated to check compatibility."""
    by_id = {b["Id"]: b for b in blocks}

    def text(block):
        words = []
        for rel in block.get("Relationships", []):
            if rel["Type"] == "CHILD":
                words += [by_id[i]["Text"] for i in rel["Ids"] if by_id[i]["BlockType"] == "WORD"]
        return " ".join(words)

    out = {}
    for b in blocks:
        if b["BlockType"] == "KEY_VALUE_SET" and "KEY" in b["EntityTypes"]:
            value_ids = [i for r in b["Relationships"] if r["Type"] == "VALUE" for i in r["Ids"]]
            out[text(b)] = text(by_id[value_ids[0]])
    return out


def test_seed_shape(invoice_pdfs):
    path, truth = invoice_pdfs[2]
    seed = extract(path, "application/pdf", document_type="INVOICE").to_seed()
    assert set(seed) == {"key_values", "page_count", "confidence"}
    assert seed["page_count"] == 1 and seed["confidence"] == 100.0
    assert seed["key_values"]["Total Amount"] == truth.total
    assert all(isinstance(v, str) for v in seed["key_values"].values())


def test_textract_blocks_read_by_seed_code(invoice_pdfs, form_pdf):
    path, truth = invoice_pdfs[0]
    ex = extract(path, "application/pdf", document_type="INVOICE")
    response = ex.to_textract()
    blocks = response["Blocks"]
    assert response["DocumentMetadata"] == {"Pages": 1}
    types = {b["BlockType"] for b in blocks}
    assert types == {"PAGE", "LINE", "WORD", "KEY_VALUE_SET", "TABLE", "CELL"}
    ids = {b["Id"] for b in blocks}
    assert len(ids) == len(blocks)
    for b in blocks:
        assert set(b["Geometry"]["BoundingBox"]) == {"Width", "Height", "Left", "Top"}
        for rel in b.get("Relationships", []):
            assert set(rel["Ids"]) <= ids
    pairs = _seed_parse_key_value_pairs(blocks)
    assert pairs["Invoice No:"] == truth.invoice_number  # Textract keys are printed labels
    cells = [b for b in blocks if b["BlockType"] == "CELL"]
    assert {"RowIndex", "ColumnIndex", "RowSpan", "ColumnSpan"} <= set(cells[0])
    # Form fields have no printed key words of their own: synthetic WORDs name them.
    form = _seed_parse_key_value_pairs(
        extract(form_pdf, "application/pdf", document_type="FORM").to_textract()["Blocks"]
    )
    assert form["Name"] == "Jane Q. Doe"
    json.dumps(response)


def test_dict_round_trip_is_lossless(invoice_pdfs):
    path, _ = invoice_pdfs[1]
    ex = extract(path, "application/pdf", document_type="INVOICE")
    data = json.loads(json.dumps(ex.to_dict()))
    back = Extraction.from_dict(data)
    assert back.to_dict() == data
    assert back.key_values["Total Amount"].value == ex.key_values["Total Amount"].value
    assert back.text == ex.text


def test_sandbox_transport_round_trip(invoice_pdfs):
    """The child's columnar reply gives the parent the very same Extraction."""
    import pytest

    from docuflow.extraction.model import from_transport, to_transport

    path, _ = invoice_pdfs[1]
    ex = extract(path, "application/pdf", document_type="INVOICE")
    data = json.loads(json.dumps(to_transport(ex)))
    assert from_transport(data).to_dict() == ex.to_dict()
    data["words"]["text"].pop()  # a reply whose columns disagree is refused, not misread
    with pytest.raises(ValueError):
        from_transport(data)
