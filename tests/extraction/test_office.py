import random

from docuflow.extraction import extract, validate
from docuflow.extraction import testdata as td


def _truth():
    return td.random_invoice(random.Random(99))


def test_docx_paragraphs_and_tables(docs):
    truth = _truth()
    path = td.invoice_docx(docs / "invoice.docx", truth)
    ex = extract(path, None, document_type="INVOICE")  # type sniffed from the bytes
    assert ex.content_type.endswith("wordprocessingml.document")
    assert ex.pages[0].methods == ["docx"]
    got = {k: kv.value for k, kv in ex.key_values.items()}
    assert {k: got.get(k) for k in truth.expected()} == truth.expected()
    (table,) = ex.tables
    assert table.source == "docx"
    assert table.grid()[0] == ["Description", "Qty", "Unit Price", "Amount"]
    assert table.rows == len(truth.items) + 2
    total_cell = next(c for c in table.cells if c.text == "Total")
    assert (total_cell.column, total_cell.column_span) == (1, 3)
    assert validate(ex)["passed"] is True


def test_xlsx_sheets_are_pages_and_tables(docs):
    truth = _truth()
    path = td.invoice_xlsx(docs / "invoice.xlsx", truth)
    ex = extract(
        path,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        document_type="INVOICE",
    )
    assert ex.page_count == 2
    got = {k: kv.value for k, kv in ex.key_values.items()}
    assert {k: got.get(k) for k in truth.expected()} == truth.expected()
    first, notes = ex.tables
    assert first.page == 1 and first.source == "xlsx"
    assert first.grid()[4] == ["Description", "Qty", "Unit Price", "Amount"]
    merged = next(c for c in notes.cells if c.text.startswith("Merged"))
    assert (merged.row, merged.column_span) == (3, 3)
    assert notes.page == 2


def test_plain_text_with_aligned_columns(docs):
    path = docs / "invoice.txt"
    path.write_text(
        "ACME Corp\nInvoice No: 123-45\nDate: 2024-01-02\n\n"
        "Item        Qty    Price\nPaper       2      10.00\nPens        5       3.50\n\n"
        "Total: 27.50 USD\n"
    )
    ex = extract(path, "text/plain", document_type="INVOICE")
    got = {k: kv.value for k, kv in ex.key_values.items()}
    assert got["Invoice Number"] == "123-45"
    assert got["Total Amount"] == "27.50" and ex.key_values["Total Amount"].currency == "USD"
    assert got["Vendor Name"] == "ACME Corp"
    assert ex.tables[0].grid() == [
        ["Item", "Qty", "Price"],
        ["Paper", "2", "10.00"],
        ["Pens", "5", "3.50"],
    ]


def test_docx_explicit_page_breaks_make_pages(docs):
    import docx

    d = docx.Document()
    d.add_paragraph("Name: Alex Example")
    d.add_page_break()
    d.add_paragraph("Signature: A. Example")
    d.add_paragraph("Date: 2024-06-30")
    path = docs / "two-pages.docx"
    d.save(path)
    ex = extract(path, None, document_type="FORM")
    assert ex.page_count == 2
    assert {k: (kv.value, kv.page) for k, kv in ex.key_values.items()} == {
        "Name": ("Alex Example", 1),
        "Signature": ("A. Example", 2),
        "Date": ("2024-06-30", 2),
    }
    assert validate(ex)["passed"] is True


def test_unlabelled_pairs_keep_their_printed_key(docs):
    path = docs / "terms.txt"
    path.write_text("Payment Terms: Net 30\nShip Via: UPS Ground\n")
    ex = extract(path, "text/plain")
    assert {k: kv.value for k, kv in ex.key_values.items()} == {
        "Payment Terms": "Net 30",
        "Ship Via": "UPS Ground",
    }
