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
    # Sorting indices by centre is a stable sort, so ties keep reader order: the same
    # order as sorting (centre, index) tuples, without comparing tuples.
    centres = [(rw.top + rw.bottom) * 0.5 for rw in words]
    order = sorted(
        [i for i, rw in enumerate(words) if rw.text and not rw.text.isspace()],
        key=centres.__getitem__,
    )
    rows: list[list[tuple[int, RawWord]]] = []
    row: list[tuple[int, RawWord]] = []
    center = height = 0.0
    n = 0
    for i in order:
        rw = words[i]
        c = centres[i]
        h = rw.bottom - rw.top
        if h < 1e-6:
            h = 1e-6
        d = c - center
        if row and (d if d >= 0 else -d) <= 0.5 * (h if h > height else height):
            row.append((i, rw))
            n += 1
            center += d / n
            if n < 3 and h > height:
                height = h
        else:
            row = [(i, rw)]
            rows.append(row)
            center, height, n = c, h, 1
    for row in rows:
        if len(row) > 1:
            row.sort(key=_left_of)
    return rows


def _left_of(item: tuple[int, RawWord]) -> float:
    return item[1].left


def split_segments(row: list, gap_factor: float = SEGMENT_GAP, aspect: float = 1.0) -> list[list]:
    """Split a row of (index, RawWord) at wide gaps; ``aspect`` (page height / width) puts
    heights in x units."""
    if not row:
        return []
    # OCR boxes are tight ("ace" is shorter than "Ted"), so use a tall word as the row
    # height: the gap between words is a fraction of the font size, not of the x-height.
    heights = sorted([rw.bottom - rw.top for _, rw in row])
    n = len(heights)
    med = heights[n // 2] if n % 2 else (heights[n // 2 - 1] + heights[n // 2]) / 2
    tall = heights[int(0.9 * (n - 1))]
    limit = gap_factor * (tall if tall < 2 * med else 2 * med) * aspect
    segment = [row[0]]
    segments = [segment]
    prev_right = row[0][1].right
    for item in row[1:]:
        rw = item[1]
        if rw.left - prev_right > limit:
            segment = [item]
            segments.append(segment)
        else:
            segment.append(item)
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

    This is the per-word hot path of every extraction: boxes, ids and each line's union
    box are computed inline (same arithmetic as ``BBox.from_edges``, ``BBox.union`` and
    ``make_line``, which tests/extraction/test_layout.py checks it against).
    """
    ordered: list[Word] = []
    origin: list[int] = []
    line_rows: list[list[Line]] = []
    n_line = 0
    n_word = 0
    prefix = f"p{page}w"
    line_prefix = f"p{page}l"
    new_word = Word
    new_box = BBox
    from_edges = BBox.from_edges
    for row in group_rows(raw_words):
        line_row = []
        for seg in split_segments(row, gap_factor, aspect):
            ids = []
            texts = []
            confs = []
            u_left = u_top = 2.0
            u_right = u_bottom = -1.0
            for i, rw in seg:
                origin.append(i)
                left = rw.left
                top = rw.top
                right = rw.right
                bottom = rw.bottom
                if 0.0 <= left <= right <= 1.0 and 0.0 <= top <= bottom <= 1.0:
                    width = right - left
                    height = bottom - top
                    bbox = new_box(left, top, width, height)
                else:
                    bbox = from_edges(left, top, right, bottom)
                    left, top, width, height = bbox.left, bbox.top, bbox.width, bbox.height
                n_word += 1
                wid = prefix + str(n_word)
                text = rw.text
                conf = rw.confidence
                ordered.append(new_word(wid, text, page, bbox, conf))
                ids.append(wid)
                texts.append(text)
                confs.append(conf)
                # BBox.union: edges as left + width, top + height of each word's box
                if left < u_left:
                    u_left = left
                if top < u_top:
                    u_top = top
                right = left + width
                if right > u_right:
                    u_right = right
                bottom = top + height
                if bottom > u_bottom:
                    u_bottom = bottom
            n_line += 1
            line_row.append(
                Line(
                    line_prefix + str(n_line),
                    page,
                    ids,
                    " ".join(texts),
                    from_edges(u_left, u_top, u_right, u_bottom),
                    sum(confs) / len(confs),
                )
            )
        line_rows.append(line_row)
    return ordered, line_rows, origin
