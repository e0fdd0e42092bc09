"""DOCX (python-docx) and XLSX (openpyxl), after a zip-bomb check.

Neither format carries rendered glyph positions, so words get a *virtual* layout: one
row per paragraph / table row / sheet row, table cells at their column's position. That
keeps reading order and label/value alignment for the shared key-value finder; pages are
virtual too (DOCX: explicit page breaks and every ``LINES_PER_PAGE`` rows; XLSX: one page
per sheet).
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time

from .errors import CORRUPT, PASSWORD_PROTECTED, TOO_LARGE, ExtractionFailed
from .limits import MIB, Limits
from .model import DOCX, XLSX, Page
from .pages import NativeCell, NativeTable, PageContent, place_words

LINES_PER_PAGE = 60
CHARS_PER_LINE = 110
_LINE_H = 1.0 / LINES_PER_PAGE
_CHAR_W = 0.9 / CHARS_PER_LINE


def check_zip(path: str, limits: Limits) -> None:
    """Refuse archives that would expand far beyond their size (zip bombs)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise ExtractionFailed(CORRUPT, f"damaged zip container: {exc}")
    if len(infos) > limits.max_zip_members:
        raise ExtractionFailed(TOO_LARGE, f"archive has {len(infos)} members")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MIB and info.file_size > limits.max_zip_ratio * max(
            info.compress_size, 1
        ):
            raise ExtractionFailed(
                TOO_LARGE,
                f"{info.filename} expands {info.file_size // max(info.compress_size, 1)}x "
                f"(limit {limits.max_zip_ratio}x): a compression bomb",
            )
    if total > limits.max_zip_uncompressed_bytes:
        raise ExtractionFailed(
            TOO_LARGE,
            f"archive expands to {total} bytes; the limit is {limits.max_zip_uncompressed_bytes}",
        )


def _is_ole_encrypted(path: str) -> bool:
    # Password-protected Office files are OLE compound files, not zips.
    with open(path, "rb") as fh:
        return fh.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class _VirtualPages:
    """Lays rows of cell texts onto virtual pages."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.pages: list[PageContent] = []
        self.row = LINES_PER_PAGE  # forces a first page

    def new_page(self) -> None:
        self.pages.append(
            PageContent(Page(len(self.pages) + 1, 1.0, 1.0, "virtual", [self.method]))
        )
        self.row = 0

    @property
    def current(self) -> PageContent:
        if not self.pages:
            self.new_page()
        return self.pages[-1]

    def add_row(self, cells: list[tuple[float, float, str]]) -> list[list[int]]:
        """Place one row of (left, right, text) cells; returns word indices per cell."""
        if self.row >= LINES_PER_PAGE:
            self.new_page()
        content = self.current
        top = self.row * _LINE_H + 0.1 * _LINE_H
        bottom = top + 0.8 * _LINE_H
        out = []
        for left, right, text in cells:
            text = " ".join(text.split())
            width = min(right - left, len(text) * _CHAR_W)
            start = len(content.words)
            content.words.extend(place_words(text, left, top, left + width, bottom))
            out.append(list(range(start, len(content.words))))
        self.row += 1
        return out

    def add_text(self, text: str) -> None:
        text = " ".join(text.split())
        while text:
            chunk = text[:CHARS_PER_LINE]
            if len(text) > CHARS_PER_LINE and " " in chunk:
                chunk = chunk[: chunk.rindex(" ")]
            self.add_row([(0.05, 0.95, chunk)])
            text = text[len(chunk) :].strip()


# -- DOCX -------------------------------------------------------------------------------


def read_docx(path: str, limits: Limits, warnings: list[str]) -> list[PageContent]:
    if _is_ole_encrypted(path):
        raise ExtractionFailed(PASSWORD_PROTECTED, "the document is encrypted")
    check_zip(path, limits)
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(path)
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ExtractionFailed(CORRUPT, f"not a readable DOCX document: {exc}")
    except Exception as exc:  # lxml errors on damaged XML have no common base we can name
        raise ExtractionFailed(CORRUPT, f"not a readable DOCX document: {exc}")
    vp = _VirtualPages(DOCX)
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                vp.add_text(block.text)
            if block._p.xpath('.//w:br[@w:type="page"]'):
                vp.new_page()
        elif isinstance(block, Table):
            _docx_table(vp, block)
        if len(vp.pages) > limits.max_pages:
            raise ExtractionFailed(TOO_LARGE, f"document is longer than {limits.max_pages} pages")
    if not vp.pages:
        vp.new_page()
    for content in vp.pages:
        content.detect_tables = False  # real tables come from the file itself
    return vp.pages


def _docx_table(vp: _VirtualPages, table) -> None:
    n_cols = max(table._column_count, 1)
    cells = table._cells  # row-major grid; merged cells repeat the same cell object
    grid = [cells[r * n_cols : (r + 1) * n_cols] for r in range(len(cells) // n_cols)]
    col_w = 0.9 / n_cols
    part_page, part_start = None, 0
    native_cells: list[NativeCell] = []
    seen: dict[int, NativeCell] = {}
    for r, row in enumerate(grid):
        if vp.row >= LINES_PER_PAGE:
            vp.new_page()
        if vp.current is not part_page:
            # A table running onto the next virtual page continues as a new table there.
            if part_page is not None:
                _flush_table(part_page, native_cells, n_cols)
            part_page, part_start, native_cells, seen = vp.current, r, [], {}
        placed, c = [], 0
        while c < n_cols:
            tc = row[c]._tc
            span = 1
            while c + span < n_cols and row[c + span]._tc is tc:
                span += 1
            placed.append((c, span, row[c], id(tc)))
            c += span
        boxes = []
        for c, span, cell, key in placed:
            text = "" if key in seen else cell.text  # vertically merged: printed once
            boxes.append((0.05 + c * col_w, 0.05 + (c + span) * col_w - 0.01, text))
        indices = vp.add_row(boxes)
        for (c, span, cell, key), idx in zip(placed, indices, strict=True):
            if key in seen:
                seen[key].row_span += 1
                continue
            nc = NativeCell(r - part_start + 1, c + 1, " ".join(cell.text.split()), idx, 1, span)
            seen[key] = nc
            native_cells.append(nc)
    if part_page is not None:
        _flush_table(part_page, native_cells, n_cols)


def _flush_table(content: PageContent, cells: list[NativeCell], n_cols: int) -> None:
    if not cells:
        return
    rows = max(c.row + c.row_span - 1 for c in cells)
    content.native_tables.append(NativeTable(rows, n_cols, cells, DOCX))


# -- XLSX -------------------------------------------------------------------------------


def read_xlsx(path: str, limits: Limits, warnings: list[str]) -> list[PageContent]:
    if _is_ole_encrypted(path):
        raise ExtractionFailed(PASSWORD_PROTECTED, "the workbook is encrypted")
    check_zip(path, limits)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types on damaged files
        raise ExtractionFailed(CORRUPT, f"not a readable XLSX workbook: {exc}")
    sheets = wb.worksheets
    if len(sheets) > limits.max_pages:
        raise ExtractionFailed(TOO_LARGE, f"workbook has {len(sheets)} sheets")
    pages = []
    for number, ws in enumerate(sheets, start=1):
        n_rows, n_cols = ws.max_row or 0, ws.max_column or 0
        if n_rows * n_cols > limits.max_spreadsheet_cells:
            raise ExtractionFailed(TOO_LARGE, f"sheet {ws.title!r} has {n_rows}x{n_cols} cells")
        content = PageContent(Page(number, 1.0, 1.0, "virtual", [XLSX]), detect_tables=False)
        pages.append(content)
        values = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        while values and not any(values[-1]):
            values.pop()
        if not values:
            continue
        used_cols = max((i + 1 for row in values for i, v in enumerate(row) if v), default=0)
        spans = {}
        covered = set()
        for rng in ws.merged_cells.ranges:
            spans[(rng.min_row, rng.min_col)] = (
                rng.max_row - rng.min_row + 1,
                rng.max_col - rng.min_col + 1,
            )
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        covered.add((r, c))
        line_h = 1.0 / max(len(values), LINES_PER_PAGE)
        col_w = 0.98 / max(used_cols, 1)
        cells: list[NativeCell] = []
        for r, row in enumerate(values, start=1):
            top = (r - 1) * line_h + 0.1 * line_h
            for c, text in enumerate(row[:used_cols], start=1):
                if not text or (r, c) in covered:
                    continue
                rs, cs = spans.get((r, c), (1, 1))
                left = 0.01 + (c - 1) * col_w
                right = left + min(cs * col_w * 0.95, len(text) * min(_CHAR_W, col_w / 6))
                start = len(content.words)
                content.words.extend(
                    place_words(text, left, top, max(right, left + 1e-4), top + 0.8 * line_h)
                )
                cells.append(NativeCell(r, c, text, list(range(start, len(content.words))), rs, cs))
        content.native_tables.append(NativeTable(len(values), used_cols, cells, XLSX))
    return pages


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())
