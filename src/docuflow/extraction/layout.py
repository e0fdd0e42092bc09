"""Reading order from word geometry: rows, then line segments within a row.

Readers only produce words with boxes; every format goes through the same grouping so
that key-value and table detection see one layout model. A "line" here is what Textract
calls a LINE: words on one row that are not separated by a wide gap, so two columns
printed side by side ("Invoice No: 12      Date: 2024-01-05") become two lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from .model import BBox, Line, Word

# A gap wider than this many row-heights starts a new segment (about 3-4 spaces). Text
# layers give loose boxes (font ascent..descent); OCR boxes are tight around the ink, so
# OCR pages use a larger factor (monospaced spaces are 0.6 em wide).
SEGMENT_GAP = 0.9
OCR_SEGMENT_GAP = 1.3


@dataclass(slots=True)
class RawWord:
    """A word as a reader found it, before ids are given."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    confidence: float = 100.0


def _center(w: Word) -> float:
    return w.bbox.top + w.bbox.height / 2


def group_rows(words: list[Word]) -> list[list[Word]]:
    """Cluster words whose vertical centres are within half a row height; sort each row."""
    rows: list[list[Word]] = []
    centers: list[float] = []
    heights: list[float] = []
    for w in sorted(words, key=_center):
        c, h = _center(w), max(w.bbox.height, 1e-6)
        if rows and abs(c - centers[-1]) <= 0.5 * max(h, heights[-1]):
            row = rows[-1]
            row.append(w)
            n = len(row)
            centers[-1] += (c - centers[-1]) / n
            heights[-1] = max(heights[-1], h) if n < 3 else heights[-1]
        else:
            rows.append([w])
            centers.append(c)
            heights.append(h)
    for row in rows:
        row.sort(key=lambda w: w.bbox.left)
    return rows


def split_segments(
    row: list[Word], gap_factor: float = SEGMENT_GAP, aspect: float = 1.0
) -> list[list[Word]]:
    """Split a row at wide gaps; ``aspect`` (page height / width) puts heights in x units."""
    if not row:
        return []
    # OCR boxes are tight ("ace" is shorter than "Ted"), so use a tall word as the row
    # height: the gap between words is a fraction of the font size, not of the x-height.
    heights = sorted(w.bbox.height for w in row)
    h = min(heights[int(0.9 * (len(heights) - 1))], 2 * median(heights)) * aspect
    segments = [[row[0]]]
    for prev, w in zip(row, row[1:], strict=False):
        if w.bbox.left - prev.bbox.right > gap_factor * h:
            segments.append([w])
        else:
            segments[-1].append(w)
    return segments


def make_line(line_id: str, page: int, words: list[Word]) -> Line:
    return Line(
        id=line_id,
        page=page,
        word_ids=[w.id for w in words],
        text=" ".join(w.text for w in words),
        bbox=BBox.union(w.bbox for w in words),
        confidence=sum(w.confidence for w in words) / len(words),
    )


def layout_page(
    page: int, raw_words: list[RawWord], *, gap_factor: float = SEGMENT_GAP, aspect: float = 1.0
) -> tuple[list[Word], list[list[Line]], list[int]]:
    """Give ids in reading order and group into rows of line segments.

    Returns (words in reading order, rows of lines, index into the reader's ``raw_words``
    for each returned word) so native tables can find their words again.
    """
    temp = [
        Word(
            str(i),
            rw.text,
            page,
            BBox.from_edges(rw.left, rw.top, rw.right, rw.bottom),
            rw.confidence,
        )
        for i, rw in enumerate(raw_words)
        if rw.text.strip()
    ]
    rows = group_rows(temp)
    ordered: list[Word] = []
    origin: list[int] = []
    line_rows: list[list[Line]] = []
    n_line = 0
    for row in rows:
        line_row = []
        for seg in split_segments(row, gap_factor, aspect):
            for w in seg:
                origin.append(int(w.id))
                w.id = f"p{page}w{len(ordered) + 1}"
                ordered.append(w)
            n_line += 1
            line_row.append(make_line(f"p{page}l{n_line}", page, seg))
        line_rows.append(line_row)
    return ordered, line_rows, origin
