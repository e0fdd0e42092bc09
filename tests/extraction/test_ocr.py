import random

import pytest

from docuflow.extraction import extract
from docuflow.extraction import testdata as td


@pytest.mark.slow
@pytest.mark.parametrize("layout", [0, 2])
def test_noisy_scanned_invoice(docs, layout):
    truth = td.random_invoice(random.Random(700 + layout))
    path = td.invoice_image(
        docs / f"scan-{layout}.png", truth, layout=layout, family="serif", noise=1.0, seed=layout
    )
    ex = extract(path, "image/png", document_type="INVOICE")
    assert ex.pages[0].methods == ["ocr"] and ex.pages[0].unit == "px"
    got = {k: kv.value for k, kv in ex.key_values.items()}
    assert {k: got.get(k) for k in truth.expected()} == truth.expected()
    words = ex.words_by_id()
    number = ex.key_values["Invoice Number"]
    assert " ".join(words[i].text for i in number.word_ids) == truth.invoice_number
    # Tesseract's per-word confidence is kept, on the 0-100 scale.
    assert all(0 <= w.confidence <= 100 for w in ex.words)
    assert 70 < ex.confidence < 100


def test_jpeg_words_have_boxes_in_the_right_place(docs):
    cv = td.ImageCanvas(150)
    cv.text(50, 50, "Invoice Number: INV-4242", 14)
    cv.text(330, 400, "Total: $77.10", 14)
    path = docs / "small.jpg"
    cv.pages[0].save(path, quality=90)
    ex = extract(path, "image/jpeg", document_type="INVOICE")
    assert ex.key_values["Invoice Number"].value == "INV-4242"
    total = ex.key_values["Total Amount"]
    assert (total.value, total.currency) == ("77.10", "USD")
    # The label starts where it was drawn; the value follows it on the same row.
    assert total.key_bbox.left == pytest.approx(330 / 612, abs=0.01)
    assert total.key_bbox.top == pytest.approx(400 / 792, abs=0.01)
    assert total.bbox.left > total.key_bbox.right
    assert total.bbox.top == pytest.approx(total.key_bbox.top, abs=0.01)


def test_multipage_tiff_reports_pages(docs):
    cv = td.ImageCanvas(150)
    cv.text(50, 50, "Receipt from Corner Shop", 14)
    cv.new_page()
    cv.text(50, 50, "Date: 2024-05-06", 14)
    cv.text(50, 80, "Total: 12.50 EUR", 14)
    path = docs / "two.tiff"
    cv.pages[0].save(path, save_all=True, append_images=cv.pages[1:], compression="tiff_deflate")
    ex = extract(path, "image/tiff", document_type="RECEIPT")
    assert ex.page_count == 2
    assert [p.methods for p in ex.pages] == [["ocr"], ["ocr"]]
    assert (ex.key_values["Date"].value, ex.key_values["Date"].page) == ("2024-05-06", 2)
    total = ex.key_values["Total Amount"]
    assert (total.value, total.currency, total.page) == ("12.50", "EUR", 2)


def test_ocr_language_is_configurable_and_checked(docs):
    from docuflow.extraction import ExtractionFailed

    cv = td.ImageCanvas(100)
    cv.text(50, 50, "Hello", 14)
    path = docs / "hello.png"
    cv.pages[0].save(path)
    with pytest.raises(ExtractionFailed) as info:
        extract(path, "image/png", language="xyz")
    assert info.value.code == "unsupported"
    with pytest.raises(ValueError, match="invalid OCR language"):
        extract(path, "image/png", language="eng; rm -rf /")
