"""The hot paths (text layer words, layout_page) against plain reference implementations.

The fast versions work on numpy columns, run the per-word PDFium loop in C and bypass
pypdfium2's argument checking; these tests pin them to the straightforward per-word code
they replaced: same words, same boxes, same lines, to the last bit.
"""

from __future__ import annotations

import ctypes
import random
import re

import pypdfium2 as pdfium
import pytest

from docuflow.extraction import native, pdf
from docuflow.extraction import testdata as td
from docuflow.extraction.layout import RawWord, RawWords, layout_page, layout_pages
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
    assert _laid_out(words, gap, aspect) == _ref_layout_page(3, words, gap, aspect)


def _laid_out(words, gap=0.9, aspect=1.0):
    """layout_page's result in the reference's shape (Word objects, origin as a list)."""
    page_words, rows = layout_page(3, words, gap_factor=gap, aspect=aspect)
    return page_words.words(), rows, page_words.origin.tolist()


def _rows_of_runs(rng: random.Random, n: int) -> list[RawWord]:
    """Text-line-like input: runs of words sharing a centre, some of them mixed with
    other fonts on the same row, rows close enough to merge, and shuffled reader order."""
    words = []
    for _ in range(n):
        row = rng.randrange(30)
        base = row * 0.02 + rng.choice([0.0, 0.0, 0.0, 0.003, 0.009, -0.004])
        h = rng.choice([0.012, 0.012, 0.016, 0.008, 0.03])
        top = base - h / 2  # same centre for the same base, whatever the height
        left = rng.random() * 0.95
        conf = rng.choice([100.0, 91.5])
        words.append(
            RawWord(rng.choice(["a", "Total:", "1.00"]), left, top, left + 0.03, top + h, conf)
        )
    rng.shuffle(words)
    return words


@pytest.mark.parametrize("seed", range(12))
def test_layout_page_runs_of_equal_centres_match_reference(seed):
    """The row clustering walks runs of equal centres, not words: the same rows."""
    words = _rows_of_runs(random.Random(seed), 400)
    assert _laid_out(words) == _ref_layout_page(3, words)
    assert _laid_out(RawWords.of(words)) == _ref_layout_page(3, words)  # columns in


def test_pages_laid_out_together_as_one_by_one():
    """layout_pages (one numpy pass for a document) = layout_page for each page."""
    rng = random.Random(4)
    pages = [
        (n, words, gap, aspect)
        for n, (words, gap, aspect) in enumerate(
            [
                (_rows_of_runs(rng, 200), 0.9, 1.294),
                ([], 0.9, 1.0),
                (_random_words(rng, 150), 1.3, 1.0),
                ([RawWord(" ", 0.1, 0.1, 0.2, 0.2)], 0.9, 1.0),
                (_rows_of_runs(rng, 50), 0.9, 0.77),
            ],
            start=1,
        )
    ]
    together = layout_pages(pages)
    for (n, words, gap, aspect), (page_words, lines) in zip(pages, together, strict=True):
        rows = lines.rows()
        alone, alone_rows = layout_page(n, words, gap_factor=gap, aspect=aspect)
        assert page_words.words() == alone.words() and rows == alone_rows
        assert page_words.origin.tolist() == alone.origin.tolist()
        assert (page_words.words(), rows, page_words.origin.tolist()) == _ref_layout_page(
            n, words, gap, aspect
        )


def test_layout_page_of_nothing():
    for words in ([], [RawWord(" ", 0.1, 0.1, 0.2, 0.2)], [RawWord("", 0.1, 0.1, 0.2, 0.2)]):
        page_words, rows = layout_page(1, words)
        assert (len(page_words), page_words.words(), rows) == (0, [], [])
    page_words, rows = layout_page(1, [RawWord("one", 0.1, 0.1, 0.2, 0.2)])
    assert [ln.text for row in rows for ln in row] == ["one"]


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
    return out + [p for p, _ in invoice_pdfs] + [_turned_text_pdf(docs)]


def _turned_text_pdf(docs):
    """One page per quarter turn of the drawn text (and a tie of two turns), for the
    rotation vote."""
    from reportlab.pdfgen import canvas

    path = docs / "turned-text.pdf"
    c = canvas.Canvas(str(path), pagesize=(612, 792))
    for turns in ([0], [90], [180], [270], [90, 180]):
        for k, angle in enumerate(turns):
            c.saveState()
            c.translate(306, 396)
            c.rotate(angle)
            c.setFont("Helvetica", 10)
            for row in range(6):
                c.drawString(-150 + 40 * k, 20 * row - 60 + 7 * k, "word " * 8)
            c.restoreState()
        c.showPage()
    c.save()
    return path


def test_text_layer_words_match_public_api_reference(speed_pdfs):
    for path in speed_pdfs:
        doc = pdf.open_pdf(str(path))
        try:
            for i in range(len(doc)):
                width, height, words, rotation = pdf._text_layer(doc, i)
                ref_w, ref_h, ref_words = _ref_text_layer(path, i)
                if rotation:
                    ref_words = [_rotated(w, rotation) for w in ref_words]
                    if rotation in (90, 270):
                        ref_w, ref_h = ref_h, ref_w
                assert (width, height) == (ref_w, ref_h)
                assert list(words) == ref_words, path.name
                assert len(words), path.name
        finally:
            doc.close()


def _rotated(w: RawWord, rotation: int) -> RawWord:
    return RawWord(w.text, *pdf.rotate_edges(w.left, w.top, w.right, w.bottom, rotation))


def test_native_word_loop_matches_python_loop(speed_pdfs):
    """The C loop and its Python fallback: same word starts, same edges."""
    if native.library() is None:
        pytest.skip("the C helper could not be built here (no C compiler)")
    rotations = set()
    for path in speed_pdfs:
        doc = pdfium.PdfDocument(str(path))
        try:
            for i in range(len(doc)):
                textpage = doc[i].get_textpage()
                text = textpage.get_text_range()
                tp = ctypes.cast(textpage.raw, ctypes.c_void_p)
                page_box = (3.5, 700.25, 612.0, 792.0)
                starts, edges = pdf._words(text, tp, page_box)
                ref_starts, ref_edges = pdf._words_py(text, tp)
                ref_edges = pdf._normalized(ref_edges, *page_box)
                assert starts.tolist() == ref_starts.tolist()
                assert edges.tolist() == ref_edges.tolist()
                assert pdf._char_angles(tp, starts[:64]) == [
                    pdf._CHAR_ANGLE(tp, i) for i in starts[:64].tolist()
                ]
                assert len(text.split()) == len(starts)
                if len(starts):  # the rotation vote: C and Python agree
                    quarter = native.library().upright_quarter(
                        pdf._CHAR_ANGLE_ADDRESS, tp, starts.ctypes.data, len(starts)
                    )
                    assert quarter == pdf._upright_quarter(tp, starts)
                    rotations.add(quarter)
                textpage.close()
        finally:
            doc.close()
    assert rotations == {0, 1, 2, 3}  # upright and the three turned PDFs


def test_without_the_native_helper_the_extraction_is_the_same(monkeypatch, invoice_pdfs):
    from docuflow.extraction import extract

    path, _ = invoice_pdfs[0]
    with_c = extract(path, "application/pdf", document_type="INVOICE").to_dict()
    monkeypatch.setattr(native, "library", lambda: None)
    assert extract(path, "application/pdf", document_type="INVOICE").to_dict() == with_c


def test_native_helper_builds(tmp_path):
    if native.library() is None:
        pytest.skip("no C compiler here")
    target = native.build(tmp_path / "wordboxes.so")
    assert target.exists() and target.stat().st_size > 0


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


def test_raw_text_page_reads_as_pypdfium2_does(speed_pdfs, form_pdf, mixed_pdf):
    """The text layer opens pages through PDFium's raw handles: the same crop box, text
    and char count as pypdfium2's PdfPage / PdfTextPage."""
    for path in [*speed_pdfs, form_pdf, mixed_pdf]:
        doc = pdfium.PdfDocument(str(path))
        try:
            for i in range(len(doc)):
                page = doc[i]
                textpage = page.get_textpage()
                with pdf._raw_page(doc, i) as raw_page, pdf._raw_text_page(raw_page) as raw_tp:
                    assert pdf._crop_box(raw_page) == page.get_cropbox()
                    assert pdf._page_text(raw_tp) == (
                        textpage.get_text_range(),
                        textpage.count_chars(),
                    )
                textpage.close()
                page.close()
        finally:
            doc.close()


@pytest.mark.parametrize("seed", range(6))
def test_sorted_within_is_the_stable_double_sort(seed):
    import numpy as np

    from docuflow.extraction.layout import _sorted_within

    rng = np.random.default_rng(seed)
    groups = np.sort(rng.integers(0, 5, 300))
    for keys in (
        rng.integers(0, 20, 300).astype(float),  # ties and disorder: the sort path
        np.concatenate([np.sort(rng.random(k)) for k in np.bincount(groups, minlength=5)]),
    ):
        by_key = np.argsort(keys, kind="stable")
        want = by_key[np.argsort(groups[by_key], kind="stable")]
        assert _sorted_within(keys, groups).tolist() == want.tolist()


def test_boxes_clamp_like_bbox_from_edges():
    import numpy as np

    from docuflow.extraction.layout import _boxes

    rng = random.Random(3)
    inside = [(0.1, 0.2, 0.3, 0.4), (0.0, 0.0, 1.0, 1.0), (0.5, 0.5, 0.5, 0.5)]
    outside = [
        tuple(rng.uniform(-0.1, 1.1) for _ in range(4)) for _ in range(50)
    ]  # some reversed, some past the page
    for rows in (inside, inside + outside):
        got = _boxes(np.array(rows)).tolist()
        want = [[b.left, b.top, b.width, b.height] for b in (BBox.from_edges(*r) for r in rows)]
        assert got == want


@pytest.mark.parametrize("seed", range(6))
def test_rows_of_their_own_take_the_vectorized_path_and_match_reference(seed):
    """Text-layer-like rows (one centre each, well apart; some rows close but not within
    half a height): _row_starts decides them without its per-run loop, same result."""
    import numpy as np

    from docuflow.extraction.layout import _each_run_a_row

    rng = random.Random(seed)
    words = []
    for row in range(40):
        h = rng.choice([0.012, 0.02])
        top = row * 0.024
        for _ in range(rng.randrange(1, 8)):
            left = rng.random() * 0.9
            words.append(RawWord(rng.choice(["a", "Total:", "9"]), left, top, left + 0.05, top + h))
    rng.shuffle(words)
    raw = RawWords.of(words)
    centres = (raw.edges[:, 1] + raw.edges[:, 3]) * 0.5
    order = np.argsort(centres, kind="stable")
    c, h = centres[order], raw.edges[order, 3] - raw.edges[order, 1]
    firsts = np.flatnonzero(np.append(True, c[1:] != c[:-1]))
    sizes = np.diff(np.append(firsts, len(c)))
    seconds = np.minimum(firsts + 1, len(c) - 1)
    assert _each_run_a_row(c[firsts], h[firsts], h[seconds], np.zeros(len(firsts)), sizes)
    assert _laid_out(words) == _ref_layout_page(3, words)
