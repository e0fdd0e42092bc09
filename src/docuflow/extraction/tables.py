"""Tables found from layout: runs of rows whose line segments line up in columns.

Works the same for text-layer PDFs, OCR output and monospaced plain text, because all
of them arrive here as rows of line segments with boxes. Ruling lines are not needed:
aligned columns are the signal (ruled tables are aligned too).
"""

from __future__ import annotations

from .model import BBox, Cell, Line, Table

MIN_ROWS = 2
MIN_COLUMNS = 2


def find_tables(page: int, rows: list[list[Line]], *, first_id: int = 1) -> list[Table]:
    tables: list[Table] = []
    for block in _candidate_blocks(rows):
        table = _block_to_table(f"p{page}t{first_id + len(tables)}", page, block)
        if table is not None:
            tables.append(table)
    return tables


def _candidate_blocks(rows: list[list[Line]]) -> list[list[list[Line]]]:
    """Maximal runs of vertically adjacent rows that have at least two segments."""
    blocks: list[list[list[Line]]] = []
    current: list[list[Line]] = []
    for row in rows:
        multi = len(row) >= 2
        if current and multi:
            prev = current[-1]
            prev_bottom = max(ln.bbox.bottom for ln in prev)
            height = max(ln.bbox.height for ln in prev)
            top = min(ln.bbox.top for ln in row)
            if top - prev_bottom > 2.0 * height:
                blocks.append(current)
                current = []
        if multi:
            current.append(row)
        else:
            if current:
                blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return [b for b in blocks if len(b) >= MIN_ROWS]


def _columns(block: list[list[Line]]) -> list[tuple[float, float]] | None:
    widest = max(len(r) for r in block)
    full = [r for r in block if len(r) == widest]
    cols = []
    for i in range(widest):
        cols.append((min(r[i].bbox.left for r in full), max(r[i].bbox.right for r in full)))
    for a, b in zip(cols, cols[1:], strict=False):
        if a[1] > b[0]:
            return None  # the widest rows do not agree on column positions
    return cols


def _is_key_value_block(block: list[list[Line]]) -> bool:
    # A line's text ends with its last word's text.
    labelled = sum(1 for row in block if len(row) == 2 and row[0].text.endswith(":"))
    return labelled * 2 >= len(block)


def _block_to_table(table_id: str, page: int, block) -> Table | None:
    if _is_key_value_block(block):
        return None
    cols = _columns(block)
    if cols is None or len(cols) < MIN_COLUMNS:
        return None
    cells: list[Cell] = []
    for r, row in enumerate(block, start=1):
        for ln in row:
            hit = [
                i
                for i, (left, right) in enumerate(cols)
                if ln.bbox.left < right and ln.bbox.right > left
            ]
            if not hit:  # falls in a gap: give it the nearest column
                centre = (ln.bbox.left + ln.bbox.right) / 2
                hit = [
                    min(range(len(cols)), key=lambda i: abs((cols[i][0] + cols[i][1]) / 2 - centre))
                ]
            first, span = hit[0], hit[-1] - hit[0] + 1
            existing = next((c for c in cells if c.row == r and c.column == first + 1), None)
            if existing:  # two segments in one column: one cell
                existing.text = f"{existing.text} {ln.text}"
                existing.word_ids.extend(ln.word_ids)
                existing.bbox = BBox.union([existing.bbox, ln.bbox])
                continue
            cells.append(
                Cell(
                    row=r,
                    column=first + 1,
                    text=ln.text,
                    column_span=span,
                    bbox=ln.bbox,
                    word_ids=list(ln.word_ids),
                    confidence=ln.confidence,
                )
            )
    # A mostly empty grid is two unrelated text columns, not a table.
    if len(cells) < 0.5 * len(block) * len(cols):
        return None
    return Table(
        id=table_id,
        page=page,
        rows=len(block),
        columns=len(cols),
        cells=sorted(cells, key=lambda c: (c.row, c.column)),
        bbox=BBox.union(ln.bbox for row in block for ln in row),
        source="layout",
    )
