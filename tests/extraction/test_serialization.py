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
    back = from_transport(data)
    assert back.to_dict() == ex.to_dict()
    # Words and lines travel as they are (tables and key-values as in to_dict, rounded).
    assert back.words == ex.words and back.lines == ex.lines
    texts = data["words"][0]["texts"]  # one string (words joined by line breaks)
    data["words"][0]["texts"] = texts.split("\n")[:-1]  # a reply whose columns disagree
    with pytest.raises(ValueError):  # is refused, not misread
        from_transport(data)
    data["words"][0]["texts"] = texts
    data["lines"]["span"][-1][2] += 1
    with pytest.raises(ValueError):
        from_transport(data)


def test_transport_packing_of_texts_and_confidences():
    """Texts travel as one string unless one holds a line break; a uniform confidence as
    one number."""
    import numpy as np

    from docuflow.extraction.model import PageWords, _page_words, to_transport

    pages = [
        PageWords(1, ["a", "b"], [[0.1, 0.1, 0.1, 0.1]] * 2, [100.0, 100.0]),
        PageWords(2, ["x\ny", "z"], [[0.2, 0.2, 0.1, 0.1]] * 2, [97.5, 12.25]),
        PageWords(3, [], np.empty((0, 4)), []),
    ]
    ex = Extraction("application/pdf", "GENERIC", [], word_columns=pages)
    sent = json.loads(json.dumps(to_transport(ex)))["words"]
    assert sent[0]["texts"] == "a\nb" and sent[0]["conf"] == 100.0
    assert sent[1]["texts"] == ["x\ny", "z"] and isinstance(sent[1]["conf"], str)
    for d, pw in zip(sent, pages, strict=True):
        back = _page_words(d)
        assert back.words() == pw.words()


def test_transport_of_an_extraction_built_from_words(invoice_pdfs):
    """An Extraction given plain Word/Line lists (from_dict) travels the same way."""
    from docuflow.extraction.model import from_transport, to_transport

    path, _ = invoice_pdfs[2]
    ex = Extraction.from_dict(extract(path, "application/pdf", document_type="INVOICE").to_dict())
    back = from_transport(json.loads(json.dumps(to_transport(ex))))
    assert back == ex and back.to_dict() == ex.to_dict()  # from_dict: already rounded


def test_lazy_words_equal_eager_ones(invoice_pdfs, docs):
    """Serializations read the word columns; they give what the Word objects give (the
    Word objects themselves are pinned to the per-word reference in test_layout.py)."""
    from docuflow.extraction import testdata as td

    path, _ = invoice_pdfs[3]
    for p in (path, td.text_pdf(docs / "lazy.pdf", [["a b: c", "Total: 12.00"], ["x y"]])):
        lazy = extract(p, "application/pdf", document_type="INVOICE")
        ex = extract(p, "application/pdf", document_type="INVOICE")
        eager = Extraction(
            ex.content_type,
            ex.document_type,
            ex.pages,
            list(ex.words),  # materialized, then held as a plain list
            ex.lines,
            ex.tables,
            ex.key_values,
            ex.warnings,
        )
        assert lazy.word_count == len(eager.words) > 0
        assert lazy.confidence == eager.confidence
        assert lazy.to_dict() == eager.to_dict()
        assert lazy.to_textract() == eager.to_textract()
        assert lazy.words_by_id() == eager.words_by_id()
        assert lazy.words is lazy.words  # built once
        assert [ln.word_ids for ln in lazy.lines] == [ln.word_ids for ln in eager.lines]
        assert lazy == eager
        ids = {w.id for w in lazy.words}
        assert all(set(ln.word_ids) <= ids for ln in lazy.lines)


def test_lazy_lines_equal_eager_ones(invoice_pdfs, docs):
    """Lines stay columns (PageLines) until ``Extraction.lines`` is read; serializations
    read the columns and give what the Line objects give."""
    from docuflow.extraction import testdata as td
    from docuflow.extraction.model import to_transport

    path, _ = invoice_pdfs[1]
    text_pdf = td.text_pdf(docs / "lazy-lines.pdf", [["a b: c   Total: 12.00", "x"], ["y z"]])
    for p in (path, text_pdf):
        lazy = extract(p, "application/pdf", document_type="INVOICE")
        assert lazy._lines is None  # nothing asked for Line objects
        ex = extract(p, "application/pdf", document_type="INVOICE")
        eager = Extraction(
            ex.content_type,
            ex.document_type,
            ex.pages,
            None,
            list(ex.lines),  # materialized, then held as a plain list
            ex.tables,
            ex.key_values,
            ex.warnings,
            word_columns=ex.word_columns,
        )
        assert lazy.line_count == len(eager.lines) > 0
        assert lazy.text == eager.text and repr(lazy) == repr(eager)
        assert lazy.to_dict() == eager.to_dict()
        assert json.dumps(to_transport(lazy)) == json.dumps(to_transport(eager))
        assert lazy.to_textract() == eager.to_textract()
        assert lazy.lines == eager.lines and lazy.lines is lazy.lines  # built once
        rows = [ln for pl in ex._line_columns or () for row in pl.rows() for ln in row]
        assert rows == eager.lines


def test_page_lines_positions():
    from docuflow.extraction.layout import RawWord, layout_pages

    words = [
        RawWord("Name:", 0.1, 0.1, 0.2, 0.12),
        RawWord("Ann", 0.21, 0.1, 0.25, 0.12),
        RawWord("Date:", 0.7, 0.1, 0.8, 0.12),
        RawWord("Total", 0.1, 0.2, 0.2, 0.22),
    ]
    (page_words, lines), *_ = layout_pages([(2, words, 0.9, 1.0)])
    assert lines.texts == ["Name: Ann", "Date:", "Total"]
    assert lines.has_multi_segment_rows()
    assert [lines.position(k) for k in range(3)] == [(0, 0), (0, 1), (1, 0)]
    assert [lines.line_of_word(f"p2w{k}") for k in (1, 2, 3, 4)] == [0, 0, 1, 2]
    assert lines.line_of_word("p1w1") is None and lines.line_of_word("p2w9") is None
    rows = lines.rows()
    assert [[ln.id for ln in row] for row in rows] == [["p2l1", "p2l2"], ["p2l3"]]
    assert rows[0][0].word_ids == ["p2w1", "p2w2"] and rows[1][0].page == 2
    (_, empty), *_ = layout_pages([(1, [], 0.9, 1.0)])
    assert (empty.rows(), empty.has_multi_segment_rows(), empty.line_of_word("p1w1")) == (
        [],
        False,
        None,
    )
