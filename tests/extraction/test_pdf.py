import pytest

from docuflow.extraction import extract, validate
from docuflow.extraction import testdata as td


def test_text_pdf_gives_words_with_normalized_boxes_and_full_confidence(docs):
    path = td.text_pdf(docs / "plain.pdf", [["Hello world from page one"], ["Second page here"]])
    ex = extract(path, "application/pdf")
    assert ex.page_count == 2
    assert [p.method for p in ex.pages] == ["text_layer", "text_layer"]
    assert (ex.pages[0].width, ex.pages[0].height, ex.pages[0].unit) == (612.0, 792.0, "pt")
    hello = next(w for w in ex.words if w.text == "Hello")
    assert hello.page == 1 and hello.confidence == 100.0
    # drawn at x=50pt, top 50pt on a 612x792 page
    assert hello.bbox.left == pytest.approx(50 / 612, abs=0.005)
    assert hello.bbox.top == pytest.approx(50 / 792, abs=0.01)
    assert 0 < hello.bbox.width < 0.1 and 0 < hello.bbox.height < 0.03
    assert [ln.text for ln in ex.lines] == ["Hello world from page one", "Second page here"]
    assert ex.lines[1].page == 2
    assert ex.confidence == 100.0


@pytest.mark.parametrize("layout", [0, 1, 2, 3])
def test_invoice_fields_in_every_layout(invoice_pdfs, layout):
    path, truth = invoice_pdfs[layout]
    ex = extract(path, "application/pdf", document_type="INVOICE")
    got = {k: kv.value for k, kv in ex.key_values.items()}
    assert {k: got.get(k) for k in truth.expected()} == truth.expected()
    assert ex.key_values["Total Amount"].currency == truth.currency
    assert all(kv.page == 1 for kv in ex.key_values.values())
    assert validate(ex)["passed"] is True


def test_key_value_points_at_the_printed_words(invoice_pdfs):
    path, truth = invoice_pdfs[0]
    ex = extract(path, "application/pdf", document_type="INVOICE")
    kv = ex.key_values["Invoice Number"]
    words = ex.words_by_id()
    assert " ".join(words[i].text for i in kv.word_ids) == truth.invoice_number
    assert kv.key_raw == "Invoice No"
    assert kv.bbox.left > 0.5  # printed in the right-hand block
    total = ex.key_values["Total Amount"]
    assert total.raw.replace(" ", "") == td.fmt_money(
        truth.total, truth.currency, truth.amount_style
    ).replace(" ", "")


def test_line_items_become_a_table(invoice_pdfs):
    path, truth = invoice_pdfs[0]
    ex = extract(path, "application/pdf", document_type="INVOICE")
    items = next(t for t in ex.tables if t.grid()[0][0] == "Description")
    grid = items.grid()
    assert grid[0] == ["Description", "Qty", "Unit Price", "Line Total"]
    assert items.columns == 4
    for row, (desc, qty, _unit, _amount) in zip(grid[1:], truth.items, strict=False):
        assert row[0] == desc and row[1] == str(qty)


def test_values_on_later_pages_report_their_page(docs):
    path = td.text_pdf(
        docs / "two-page-invoice.pdf",
        [
            ["ACME Widgets Inc.", "Invoice No: INV-1001", "Date: 2024-02-29"],
            ["Notes", "Total Amount: $5,000.00"],
        ],
    )
    ex = extract(path, "application/pdf", document_type="INVOICE")
    assert ex.key_values["Invoice Number"].page == 1
    assert ex.key_values["Total Amount"].page == 2
    assert ex.key_values["Total Amount"].value == "5000.00"
    assert ex.key_values["Date"].value == "2024-02-29"


def test_acroform_fields_are_key_values_at_full_confidence(form_pdf):
    ex = extract(form_pdf, "application/pdf", document_type="FORM")
    kvs = ex.key_values
    assert kvs["Name"].value == "Jane Q. Doe" and kvs["Name"].source == "form_field"
    assert kvs["Date"].value == "2024-03-14"
    assert kvs["Signature"].value == "J. Doe"
    assert kvs["Email"].value == "jane@example.com"
    assert all(kv.confidence == 100.0 and kv.page == 1 for kv in kvs.values())
    assert ex.pages[0].methods == ["text_layer", "form_fields"]
    # The value words sit inside the widget (x=200..500pt).
    words = ex.words_by_id()
    assert all(0.3 < words[i].bbox.left < 0.85 for i in kvs["Name"].word_ids)
    assert validate(ex)["passed"] is True


@pytest.mark.slow
def test_mixed_pdf_reads_text_pages_directly_and_ocrs_scanned_pages(mixed_pdf):
    ex = extract(mixed_pdf, "application/pdf", document_type="INVOICE")
    assert [p.methods for p in ex.pages] == [["text_layer"], ["ocr"]]
    kvs = ex.key_values
    assert (kvs["Invoice Number"].value, kvs["Invoice Number"].page) == ("INV-2024-0777", 1)
    assert (kvs["Vendor Name"].value, kvs["Vendor Name"].page) == ("Alpha Beta LLC", 1)
    assert (kvs["Date"].value, kvs["Date"].page) == ("2024-03-03", 2)
    assert (kvs["Total Amount"].value, kvs["Total Amount"].page) == ("1250.00", 2)
    assert kvs["Invoice Number"].confidence == 100.0
    assert 60 < kvs["Date"].confidence <= 100
    assert 80 < ex.confidence < 100
    # The stamp printed on the scan as real text is read too (by OCR, with the scan).
    assert "ACME-PRODUCTION-000123" in ex.text.split("\f")[1]


def test_blank_page_is_empty_not_an_error(docs):
    path = td.text_pdf(docs / "blank-second.pdf", [["Only the first page has text on it"], []])
    ex = extract(path, "application/pdf")
    assert ex.page_count == 2
    assert ex.pages[1].methods == []
    assert all(w.page == 1 for w in ex.words)


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_pages_are_read_with_their_text_upright(docs, invoice_pdfs, rotation):
    """/Rotate on a page drawn upright: the text is read upright (as drawn)."""
    from pypdf import PdfReader, PdfWriter

    source, truth = invoice_pdfs[0]
    writer = PdfWriter()
    for page in PdfReader(str(source)).pages:
        page.rotate(rotation)
        writer.add_page(page)
    path = docs / f"rotated-{rotation}.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    ex = extract(path, "application/pdf", document_type="INVOICE")
    assert (ex.pages[0].width, ex.pages[0].height) == (612.0, 792.0)
    got = {k: kv.value for k, kv in ex.key_values.items()}
    assert {k: got.get(k) for k in truth.expected()} == truth.expected()
    vendor = ex.key_values["Vendor Name"]
    assert vendor.bbox.top < 0.15 and vendor.bbox.left < 0.15


def test_landscape_page_drawn_sideways_and_displayed_rotated(docs):
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen import canvas

    src = docs / "sideways-src.pdf"
    c = canvas.Canvas(str(src), pagesize=(612, 792))
    c.translate(612, 0)
    c.rotate(90)  # landscape content: x runs up the portrait sheet
    c.setFont("Helvetica", 12)
    c.drawString(50, 550, "Invoice No: INV-2024-9")
    c.drawString(50, 530, "Date: 2024-07-01")
    c.drawString(500, 550, "Total: $10.00")
    c.showPage()
    c.save()
    writer = PdfWriter()
    for page in PdfReader(str(src)).pages:
        page.rotate(90)  # displayed upright, as a viewer would show it
        writer.add_page(page)
    path = docs / "sideways.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    ex = extract(path, "application/pdf", document_type="INVOICE")
    assert (ex.pages[0].width, ex.pages[0].height) == (792.0, 612.0)
    assert [ln.text for ln in ex.lines] == [
        "Invoice No: INV-2024-9",
        "Total: $10.00",
        "Date: 2024-07-01",
    ]
    number = ex.key_values["Invoice Number"]
    assert number.value == "INV-2024-9"
    assert number.key_bbox.left == pytest.approx(50 / 792, abs=0.01)
    assert number.key_bbox.top < 0.15
    assert ex.key_values["Total Amount"].bbox.left > 0.6
