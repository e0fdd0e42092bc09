"""Reading order from word geometry: rows, then line segments within a row.

Readers only produce words with boxes; every format goes through the same grouping so
that key-value and table detection see one layout model. A "line" here is what Textract
calls a LINE: words on one row that are not separated by a wide gap, so two columns
printed side by side ("Invoice No: 12      Date: 2024-01-05") become two lines.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def group_rows(words: list[RawWord]) -> list[list[tuple[int, RawWord]]]:
    """Cluster words whose vertical centres are within half a row height.

    Returns rows top to bottom, each sorted left to right, as (reader index, word).
    """
    items = sorted(
        ((rw.top + rw.bottom) * 0.5, i, rw)
        for i, rw in enumerate(words)
        if rw.text and not rw.text.isspace()
    )
    rows: list[list[tuple[int, RawWord]]] = []
    center = height = 0.0
    for c, i, rw in items:
        h = rw.bottom - rw.top
        if h < 1e-6:
            h = 1e-6
        if rows and abs(c - center) <= 0.5 * (h if h > height else height):
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


def split_segments(row: list, gap_factor: float = SEGMENT_GAP, aspect: float = 1.0) -> list[list]:
    """Split a row of (index, RawWord) at wide gaps; ``aspect`` (page height / width) puts
    heights in x units."""
    if not row:
        return []
    # OCR boxes are tight ("ace" is shorter than "Ted"), so use a tall word as the row
    # height: the gap between words is a fraction of the font size, not of the x-height.
    heights = sorted(rw.bottom - rw.top for _, rw in row)
    n = len(heights)
    med = heights[n // 2] if n % 2 else (heights[n // 2 - 1] + heights[n // 2]) / 2
    tall = heights[int(0.9 * (n - 1))]
    limit = gap_factor * (tall if tall < 2 * med else 2 * med) * aspect
    segments = [[row[0]]]
    prev_right = row[0][1].right
    for item in row[1:]:
        rw = item[1]
        if rw.left - prev_right > limit:
            segments.append([item])
        else:
            segments[-1].append(item)
        prev_right = rw.right
    return segments


def make_line(line_id: str, page: int, words: list[Word]) -> Line:
    return Line(
        id=line_id,
        page=page,
        word_ids=[w.id for w in words],
        text=" ".join([w.text for w in words]),
        bbox=BBox.union([w.bbox for w in words]),
        confidence=sum([w.confidence for w in words]) / len(words),
    )


def layout_page(
    page: int, raw_words: list[RawWord], *, gap_factor: float = SEGMENT_GAP, aspect: float = 1.0
) -> tuple[list[Word], list[list[Line]], list[int]]:
    """Give ids in reading order and group into rows of line segments.

    Returns (words in reading order, rows of lines, index into the reader's ``raw_words``
    for each returned word) so native tables can find their words again.
    """
    ordered: list[Word] = []
    origin: list[int] = []
    line_rows: list[list[Line]] = []
    n_line = 0
    prefix = f"p{page}w"
    for row in group_rows(raw_words):
        line_row = []
        for seg in split_segments(row, gap_factor, aspect):
            seg_words = []
            for i, rw in seg:
                origin.append(i)
                w = Word(
                    f"{prefix}{len(ordered) + 1}",
                    rw.text,
                    page,
                    BBox.from_edges(rw.left, rw.top, rw.right, rw.bottom),
                    rw.confidence,
                )
                ordered.append(w)
                seg_words.append(w)
            n_line += 1
            line_row.append(make_line(f"p{page}l{n_line}", page, seg_words))
        line_rows.append(line_row)
    return ordered, line_rows, origin
