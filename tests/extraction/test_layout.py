"""The hot paths (text layer words, layout_page) against plain reference implementations.

The fast versions inline arithmetic and bypass pypdfium2's argument checking; these tests
pin them to the straightforward code they replaced: same words, same boxes, same lines.
"""

from __future__ import annotations

import random
import re

import pypdfium2 as pdfium
import pytest

from docuflow.extraction import pdf
from docuflow.extraction import testdata as td
from docuflow.extraction.layout import RawWord, layout_page
from docuflow.extraction.model import BBox, Line, Word

# -- reference implementations (the code before the speed work) -------------------------


def _ref_group_rows(words):
    items = sorted(
        ((rw.top + rw.bottom) * 0.5, i, rw)
        for i, rw in enumerate(words)
        if rw.text and not rw.text.isspace()
    )
    rows = []
    center = height = 0.0
    for c, i, rw in items:
        h = max(rw.bottom - rw.top, 1e-6)
        if rows and abs(c - center) <= 0.5 * max(h, height):
            row = rows[-1]
            row.append((i, rw))
            n = len(row)
            center += (c - center) / n
            if n < 3 and h > height:
                height = h
        else:
            rows.append([(i, rw)])
            center, height = c, h
    for row in rows:
        row.sort(key=lambda item: item[1].left)
    return rows


def _ref_split(row, gap_factor, aspect):
    heights = sorted(rw.bottom - rw.top for _, rw in row)
    n = len(heights)
    med = heights[n // 2] if n % 2 else (heights[n // 2 - 1] + heights[n // 2]) / 2
    tall = heights[int(0.9 * (n - 1))]
    limit = gap_factor * min(tall, 2 * med) * aspect
    segments = [[row[0]]]
    for prev, item in zip(row, row[1:], strict=False):
        if item[1].left - prev[1].right > limit:
            segments.append([item])
        else:
            segments[-1].append(item)
    return segments


def _ref_layout_page(page, raw_words, gap_factor=0.9, aspect=1.0):
    ordered, origin, line_rows, n_line = [], [], [], 0
    for row in _ref_group_rows(raw_words):
        line_row = []
        for seg in _ref_split(row, gap_factor, aspect):
            seg_words = []
            for i, rw in seg:
                origin.append(i)
                box = BBox.from_edges(rw.left, rw.top, rw.right, rw.bottom)
                w = Word(f"p{page}w{len(ordered) + 1}", rw.text, page, box, rw.confidence)
                ordered.append(w)
                seg_words.append(w)
            n_line += 1
            line_row.append(
                Line(
                    f"p{page}l{n_line}",
                    page,
                    [w.id for w in seg_words],
                    " ".join(w.text for w in seg_words),
                    BBox.union([w.bbox for w in seg_words]),
                    sum(w.confidence for w in seg_words) / len(seg_words),
                )
            )
        line_rows.append(line_row)
    return ordered, line_rows, origin


_WORD = re.compile(r"\S+")


def _ref_text_layer(path, index):
    """Words through pypdfium2's public helpers: checked calls, one Python box per call."""
    doc = pdfium.PdfDocument(str(path))
    try:
        page = doc[index]
        left, bottom, right, top = page.get_cropbox()
        width, height = right - left, top - bottom
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        words = []
        for m in _WORD.finditer(text):
            s, e = m.span()
            x0, b0, x1, t0 = textpage.get_charbox(s, loose=True)
            xe0, be, xe1, te = textpage.get_charbox(e - 1, loose=True)
            words.append(
                RawWord(
                    m.group(),
                    (x0 - left) / width,
                    (top - max(t0, te)) / height,
                    (xe1 - left) / width,
                    (top - min(b0, be)) / height,
                )
            )
        textpage.close()
        page.close()
        return width, height, words
    finally:
        doc.close()


# -- tests --------------------------------------------------------------------------------


def _random_words(rng: random.Random, n: int) -> list[RawWord]:
    words = []
    for _ in range(n):
        row = rng.randrange(40)
        top = row * 0.025 + rng.choice([0.0, 0.0, 0.001, -0.002])
        left = rng.random() * 1.05 - 0.02  # some boxes spill over the page edge
        h = rng.choice([0.012, 0.012, 0.02, 0.0])
        text = rng.choice(["Total:", "12.50", "a", "INV-1", " ", "", "Qty", "€"])
        conf = rng.choice([100.0, 87.5, 42.25])
        words.append(RawWord(text, left, top, left + rng.random() * 0.08, top + h, conf))
    return words


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(("gap", "aspect"), [(0.9, 1.0), (1.3, 1.294)])
def test_layout_page_matches_reference(seed, gap, aspect):
    words = _random_words(random.Random(seed), 300)
    got = layout_page(3, words, gap_factor=gap, aspect=aspect)
    want = _ref_layout_page(3, words, gap, aspect)
    assert got == want  # dataclass equality: ids, texts, boxes to the last bit, lines, origin


def test_layout_page_of_nothing():
    assert layout_page(1, []) == ([], [], [])
    assert layout_page(1, [RawWord(" ", 0.1, 0.1, 0.2, 0.2)]) == ([], [], [])


@pytest.fixture(scope="module")
def speed_pdfs(docs, invoice_pdfs):
    from pypdf import PdfReader, PdfWriter

    rng = random.Random(5)
    vocab = "total amount 1,234.50 INV-0042 the of Springfield ﬁnal naïve — x".split()
    dense = [[" ".join(rng.choice(vocab) for _ in range(13)) for _ in range(52)] for _ in range(3)]
    out = [td.text_pdf(docs / "dense.pdf", dense, size=10)]
    for fam in td.FAMILIES:
        out.append(td.text_pdf(docs / f"dense-{fam}.pdf", dense[:1], family=fam))
    source = invoice_pdfs[1][0]
    for rotation in (90, 180, 270):
        writer = PdfWriter()
        for page in PdfReader(str(source)).pages:
            page.rotate(rotation)
            writer.add_page(page)
        path = docs / f"speed-rot-{rotation}.pdf"
        with open(path, "wb") as fh:
            writer.write(fh)
        out.append(path)
    return out + [p for p, _ in invoice_pdfs]


def test_text_layer_words_match_public_api_reference(speed_pdfs):
    for path in speed_pdfs:
        doc = pdf.open_pdf(str(path))
        try:
            for i in range(len(doc)):
                width, height, words, rotation = pdf._text_layer(doc, i)
                ref_w, ref_h, ref_words = _ref_text_layer(path, i)
                if rotation:
                    ref_words = [pdf._rotate(w, rotation) for w in ref_words]
                    if rotation in (90, 270):
                        ref_w, ref_h = ref_h, ref_w
                assert (width, height) == (ref_w, ref_h)
                assert words == ref_words, path.name
                assert words, path.name
        finally:
            doc.close()


def test_parallel_text_layer_gives_the_same_extraction(docs):
    """Forked page workers (columnar transport) read exactly what one process reads."""
    from docuflow.extraction import extract
    from docuflow.extraction.limits import Limits

    rng = random.Random(9)
    vocab = "Invoice No: INV-7 total 1,234.50 due date 2024-01-05 Qty price".split()
    pages = [
        [" ".join(rng.choice(vocab) for _ in range(rng.randrange(1, 9))) for _ in range(12)]
        for _ in range(pdf.PARALLEL_MIN_PAGES + 3)
    ]
    pages[5] = []  # a blank page among them
    path = td.text_pdf(docs / "parallel.pdf", pages)
    limits = Limits(ocr_workers=3)  # three processes even on a small machine
    serial = extract(path, "application/pdf", document_type="INVOICE", limits=limits)
    forked = extract(path, "application/pdf", document_type="INVOICE", limits=limits, parallel=True)
    assert forked.to_dict() == serial.to_dict()
    assert len(serial.words) > 500 and serial.page_count == pdf.PARALLEL_MIN_PAGES + 3
