"""In-process extraction: file -> reader -> shared layout, tables, key-values.

Use ``extract_safely`` (sandbox.py) for files from users: this function trusts the
process it runs in to survive whatever the file does.
"""

from __future__ import annotations

import os

from . import formats
from .errors import CORRUPT, TOO_LARGE, UNSUPPORTED, ExtractionFailed
from .keyvalues import FormField, PageLayout, find_key_values
from .layout import layout_pages
from .limits import Limits
from .model import BBox, Cell, Extraction, PageWords, Table, Word, paused_gc
from .pages import PageContent
from .rules import type_rules


def extract(
    path: str | os.PathLike,
    content_type: str | None = None,
    *,
    document_type: str = "GENERIC",
    rules: dict | None = None,
    limits: Limits | None = None,
    language: str = "eng",
    parallel: bool = False,
) -> Extraction:
    """Read ``path`` and return its :class:`Extraction`; raises :class:`ExtractionFailed`.

    ``parallel`` lets large PDFs fork worker processes for the text layer; only safe in a
    single-threaded process (the sandbox child), so it is off by default.
    """
    path = os.fspath(path)
    limits = limits or Limits()
    compiled = type_rules(document_type, rules)  # validates tenant rules before any work
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise ExtractionFailed(CORRUPT, f"cannot read the file: {exc.strerror}")
    if size > limits.max_file_bytes:
        raise ExtractionFailed(
            TOO_LARGE, f"file is {size} bytes; the limit is {limits.max_file_bytes}"
        )
    if size == 0:
        raise ExtractionFailed(CORRUPT, "the file is empty")
    content_type, warnings = formats.resolve(path, content_type)
    with paused_gc():
        contents = _read(path, content_type, limits, language, parallel, warnings)
        return assemble(contents, content_type, compiled, warnings)


def _read(path, content_type, limits, language, parallel, warnings) -> list[PageContent]:
    if content_type == formats.PDF:
        from .pdf import read_pdf

        return read_pdf(path, limits, language=language, parallel=parallel, warnings=warnings)
    if content_type in formats.IMAGE_TYPES:
        from .images import read_image

        return read_image(path, limits, language=language, warnings=warnings)
    if content_type == formats.DOCX:
        from .office import read_docx

        return read_docx(path, limits, warnings)
    if content_type == formats.XLSX:
        from .office import read_xlsx

        return read_xlsx(path, limits, warnings)
    if content_type.startswith("text/"):
        from .plaintext import read_text

        return read_text(path, limits, warnings)
    raise ExtractionFailed(UNSUPPORTED, f"cannot extract {content_type or 'unknown'} files")


def assemble(contents: list[PageContent], content_type: str, rules, warnings) -> Extraction:
    """Shared second half for every format: ids, lines, tables, key-values."""
    columns, lines, tables, layouts, form_fields = [], [], [], [], []
    laid_out = layout_pages([(c.page.number, c.words, c.segment_gap, _aspect(c)) for c in contents])
    for content, (words, page_lines) in zip(contents, laid_out, strict=True):
        number = content.page.number
        columns.append(words)
        lines.append(page_lines)
        layouts.append(PageLayout(number, page_lines))
        # reader index -> position in reading order, only needed by native tables and forms
        by_raw = (
            dict(zip(words.origin.tolist(), range(len(words)), strict=True))
            if content.native_tables or content.form_fields
            else {}
        )
        for i, nt in enumerate(content.native_tables, start=1):
            tables.append(_native_table(f"p{number}t{i}", number, nt, by_raw, words))
        # Tables are runs of rows of two or more lines: none without such a row.
        if content.detect_tables and page_lines.has_multi_segment_rows():
            from .tables import find_tables

            first_id = len(content.native_tables) + 1
            tables.extend(find_tables(number, page_lines.rows(), first_id=first_id))
        for ff in content.form_fields:
            bbox = BBox.from_edges(*ff.bbox) if ff.bbox else None
            ws = _reader_words(ff.word_indices, by_raw, words)
            form_fields.append(
                FormField(ff.name, ff.label, ff.value, number, bbox, [w.id for w in ws])
            )
    key_values = find_key_values(layouts, columns, rules, form_fields)
    return Extraction(
        content_type=content_type,
        document_type=rules.document_type,
        pages=[c.page for c in contents],
        tables=tables,
        key_values=key_values,
        warnings=warnings,
        word_columns=columns,
        line_columns=lines,
    )


def _aspect(content: PageContent) -> float:
    pg = content.page
    return pg.height / pg.width if pg.width > 0 and pg.height > 0 else 1.0


def _reader_words(indices: list[int], by_raw: dict[int, int], words: PageWords) -> list[Word]:
    """The laid-out words of the reader's words ``indices`` (whitespace-only ones have none)."""
    out = []
    for i in indices:
        k = by_raw.get(i)
        if k is not None:
            out.extend(words.words(k, k + 1))
    return out


def _native_table(table_id, page, nt, by_raw, words: PageWords) -> Table:
    cells = []
    for nc in nt.cells:
        ws = _reader_words(nc.word_indices, by_raw, words)
        cells.append(
            Cell(
                row=nc.row,
                column=nc.column,
                text=nc.text,
                row_span=nc.row_span,
                column_span=nc.column_span,
                bbox=BBox.union(w.bbox for w in ws) if ws else None,
                word_ids=[w.id for w in ws],
            )
        )
    boxes = [c.bbox for c in cells if c.bbox]
    return Table(
        id=table_id,
        page=page,
        rows=nt.rows,
        columns=nt.columns,
        cells=cells,
        bbox=BBox.union(boxes) if boxes else None,
        source=nt.source,
    )
