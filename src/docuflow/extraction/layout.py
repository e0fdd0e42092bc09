"""Reading order from word geometry: rows, then line segments within a row.

Readers only produce words with boxes; every format goes through the same grouping so
that key-value and table detection see one layout model. A "line" here is what Textract
calls a LINE: words on one row that are not separated by a wide gap, so two columns
printed side by side ("Invoice No: 12      Date: 2024-01-05") become two lines.

A dense text-layer page has ~700 words: the work per word is done on numpy columns
(sorting, per-row statistics, gaps, boxes) and Python only loops over rows and lines.
All pages of a document are laid out together, so numpy's cost per call is paid once per
document, not once per page. The results are the same, to the last bit, as the plain
per-word code these functions replaced (tests/extraction/test_layout.py keeps that code
as the reference).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Line, PageLines, PageWords

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


class RawWords:
    """A page's words as a reader found them, as columns: texts, an (n, 4) array of
    normalized edges (left, top, right, bottom) and confidences.

    The PDF text layer hands these over; readers with few words (OCR, office, form
    fields) may hand a list of ``RawWord`` instead. ``clean`` says every text is visible
    (no empty or whitespace-only word), as text split at whitespace is.
    """

    __slots__ = ("texts", "edges", "conf", "clean")

    def __init__(self, texts: list[str], edges, conf=None, *, clean: bool = False) -> None:
        self.texts = texts
        self.edges = np.asarray(edges, dtype=np.float64).reshape(len(texts), 4)
        self.conf = np.full(len(texts), 100.0) if conf is None else np.asarray(conf, np.float64)
        self.clean = clean

    @staticmethod
    def of(words: list[RawWord] | RawWords) -> RawWords:
        if isinstance(words, RawWords):
            return words
        edges = [(w.left, w.top, w.right, w.bottom) for w in words]
        return RawWords([w.text for w in words], edges, [w.confidence for w in words])

    def __len__(self) -> int:
        return len(self.texts)

    def __iter__(self):
        for text, edges, conf in zip(
            self.texts, self.edges.tolist(), self.conf.tolist(), strict=True
        ):
            yield RawWord(text, *edges, conf)

    def extend(self, words: list[RawWord]) -> None:
        """Append words (form field values placed on a text page)."""
        more = RawWords.of(words)
        self.texts = self.texts + more.texts
        self.edges = np.concatenate([self.edges, more.edges])
        self.conf = np.concatenate([self.conf, more.conf])
        self.clean = self.clean and all(t and not t.isspace() for t in more.texts)


class _Document:
    """All pages' reader words as one set of columns, with each word's page (0-based)."""

    def __init__(self, raws: list[RawWords]) -> None:
        sizes = [len(r) for r in raws]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)
        self.page_of = np.repeat(np.arange(len(raws)), sizes)
        self.texts = [t for r in raws for t in r.texts]
        self.edges = np.concatenate([r.edges for r in raws]) if raws else np.empty((0, 4))
        self.conf = np.concatenate([r.conf for r in raws]) if raws else np.empty(0)
        self.clean = all(r.clean for r in raws)


def _rows(doc: _Document) -> tuple[np.ndarray, np.ndarray]:
    """Cluster each page's words whose vertical centres are within half a row height.

    Returns (word indices in reading order, row number of each): pages in order, rows top
    to bottom, each sorted left to right. Words are taken by vertical centre; a word joins
    the current row when its centre is within half a row height of the row's running
    mean centre (the row height being the taller of the word and the row's first two
    words). Empty and whitespace-only words are left out.
    """
    top, bottom = doc.edges[:, 1], doc.edges[:, 3]
    centres = (top + bottom) * 0.5
    if doc.clean:
        order = np.arange(len(centres))
    else:
        keep = [i for i, t in enumerate(doc.texts) if t and not t.isspace()]
        order = np.array(keep, dtype=np.intp)
    # Stable sorts: by page, then centre; ties keep reader order.
    page_of = doc.page_of[order]
    order = order[_sorted_within(centres[order], page_of)]
    heights = np.maximum(bottom[order] - top[order], 1e-6)
    new_row = _row_starts(centres[order], heights, doc.page_of[order])
    row_id = np.cumsum(new_row) - 1
    # Left to right within each row (stable: ties keep the order above).
    by_left = _sorted_within(doc.edges[order, 0], row_id)
    return order[by_left], row_id[by_left]


def _sorted_within(keys: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Positions that sort by ``groups`` (non-decreasing already), then ``keys``; stable.

    A text layer mostly lists its words top to bottom and left to right: then the stable
    sort is the identity, which one linear check finds without two sorts of every word.
    """
    n = len(keys)
    same = groups[1:] == groups[:-1]
    if not (keys[1:] >= keys[:-1])[same].all():  # out of order within a group
        by_key = np.argsort(keys, kind="stable")
        return by_key[np.argsort(groups[by_key], kind="stable")]
    return np.arange(n)


def _row_starts(centres: np.ndarray, heights: np.ndarray, pages: np.ndarray) -> np.ndarray:
    """Which words (sorted by page and centre) start a new row.

    The clustering is sequential (each word is compared with the running mean of its row),
    but it need not visit every word: words of a text line share one centre, and a run of
    equal centres that starts a row stays in it (each next word is 0 away from the mean,
    which does not move). So the loop is per run; only a run that joins a row already
    open (mixed fonts on one line, OCR jitter) is walked word by word.
    """
    n = len(centres)
    new_row = np.zeros(n, dtype=bool)
    if not n:
        return new_row
    firsts = np.flatnonzero((centres[1:] != centres[:-1]) | (pages[1:] != pages[:-1])) + 1
    firsts = np.insert(firsts, 0, 0)
    seconds = np.minimum(firsts + 1, n - 1)  # a run's second word (if it has one)
    sizes = np.diff(np.append(firsts, n))
    if _each_run_a_row(centres[firsts], heights[firsts], heights[seconds], pages[firsts], sizes):
        new_row[firsts] = True
        return new_row
    bounds = [*firsts.tolist(), n]
    run_c, run_h = centres[firsts].tolist(), heights[firsts].tolist()
    run_h2, run_page = heights[seconds].tolist(), pages[firsts].tolist()
    cs = hs = None  # every word, only if a run has to be walked
    center = height = 0.0
    count = 0
    page = -1
    for r, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        d = run_c[r] - center
        h = run_h[r]
        if run_page[r] != page:
            page, count = run_page[r], 0  # a new page starts a new row
        if count and (d if d >= 0 else -d) <= 0.5 * (h if h > height else height):
            if cs is None:
                cs, hs = centres.tolist(), heights.tolist()
            center, height, count = _join_run(cs, hs, a, b, center, height, count, new_row)
        else:
            new_row[a] = True
            center, height, count = run_c[r], h, b - a
            if count > 1 and run_h2[r] > height:  # the row's second word counts too
                height = run_h2[r]
    return new_row


def _each_run_a_row(c, h, h2, page, size) -> bool:
    """Whether the sequential rule below gives every run a row of its own (a text layer's
    lines mostly do): true when no run would join the row of the run before it, that row
    being just that run (centre, height of its first one or two words), as it then is."""
    height = np.where((size > 1) & (h2 > h), h2, h)  # a row's height after its first run
    limit = 0.5 * np.where(h[1:] > height[:-1], h[1:], height[:-1])
    joins = (page[1:] == page[:-1]) & (np.abs(c[1:] - c[:-1]) <= limit)
    return not joins.any()


def _join_run(cs, hs, a, b, center, height, count, new_row):
    """Words a..b-1 one by one, from a row already open (the plain sequential rule)."""
    for i in range(a, b):
        c, h = cs[i], hs[i]
        d = c - center
        if (d if d >= 0 else -d) <= 0.5 * (h if h > height else height):
            count += 1
            center += d / count
            if count < 3 and h > height:
                height = h
        else:
            new_row[i] = True
            center, height, count = c, h, 1
    return center, height, count


def _segment_starts(edges: np.ndarray, row_id: np.ndarray, limit_factor: np.ndarray):
    """Which words (in reading order) start a line segment: the first of each row, and any
    word after a gap wider than the row's ``limit_factor`` (gap factor, and page height /
    width to put heights in x units) times its height."""
    n = len(row_id)
    first = np.ones(n, dtype=bool)
    first[1:] = row_id[1:] != row_id[:-1]
    if n < 2:
        return first
    row_start = np.flatnonzero(first)
    counts = np.diff(np.append(row_start, n))
    # OCR boxes are tight ("ace" is shorter than "Ted"), so use a tall word as the row
    # height: the gap between words is a fraction of the font size, not of the x-height.
    raw_heights = edges[:, 3] - edges[:, 1]
    if (first[1:] | (raw_heights[1:] == raw_heights[:-1])).all():
        # one height per row (a text layer's loose boxes): it is the median and the tall one
        med = tall = raw_heights[row_start]
    else:
        by_height = np.argsort(raw_heights, kind="stable")
        by_height = by_height[np.argsort(row_id[by_height], kind="stable")]
        heights = raw_heights[by_height]  # sorted within each row
        mid = row_start + counts // 2
        med = np.where(counts % 2 == 1, heights[mid], (heights[mid - 1] + heights[mid]) / 2)
        tall = heights[row_start + (0.9 * (counts - 1)).astype(np.intp)]
    twice = 2 * med
    gap_factor, aspect = limit_factor[:, 0][row_start], limit_factor[:, 1][row_start]
    limit = gap_factor * np.where(tall < twice, tall, twice) * aspect
    gaps = edges[1:, 0] - edges[:-1, 2]
    first[1:] |= gaps > limit[row_id[1:]]
    return first


def _boxes(edges: np.ndarray) -> np.ndarray:
    """``BBox.from_edges`` on every row of (left, top, right, bottom): (left, top, width,
    height), clamped to the page where a reader reported ink just outside it."""
    box = edges.copy()
    box[:, 2:] -= edges[:, :2]  # width, height
    # Usually every box is inside the page: three reductions say so (NaN fails them too).
    inside = (
        edges[:, :2].min(initial=0.0) >= 0.0  # left, top
        and box[:, 2:].min(initial=0.0) >= 0.0  # right >= left, bottom >= top
        and edges[:, 2:].max(initial=1.0) <= 1.0  # right, bottom
    )
    return box if inside else _clamped(edges, box)


def _clamped(edges: np.ndarray, box: np.ndarray) -> np.ndarray:
    """``box`` with the rows whose edges leave the page clamped like BBox.from_edges."""
    left, top, right, bottom = edges.T
    inside = (0.0 <= left) & (left <= right) & (right <= 1.0)
    inside &= (0.0 <= top) & (top <= bottom) & (bottom <= 1.0)
    out = np.flatnonzero(~inside)
    near, far = edges[out, :2], edges[out, 2:]  # (left, top), (right, bottom)
    lo = np.maximum(0.0, np.minimum(near, far))
    hi = np.minimum(1.0, np.maximum(near, far))
    box[out, :2] = lo
    box[out, 2:] = np.maximum(0.0, hi - lo)
    return box


def layout_page(
    page: int,
    raw_words: list[RawWord] | RawWords,
    *,
    gap_factor: float = SEGMENT_GAP,
    aspect: float = 1.0,
) -> tuple[PageWords, list[list[Line]]]:
    """Give ids in reading order and group into rows of line segments.

    Returns (the page's words in reading order, rows of lines). ``PageWords.origin`` is
    each word's index in the reader's ``raw_words``, so native tables and form fields can
    find their words again.
    """
    words, lines = layout_pages([(page, raw_words, gap_factor, aspect)])[0]
    return words, lines.rows()


def layout_pages(pages: list[tuple]) -> list[tuple[PageWords, PageLines]]:
    """``layout_page`` for many pages at once: ``pages`` as (page number, words, gap
    factor, aspect) tuples; the same results as one call per page, lines as columns
    (``PageLines.rows()`` gives ``layout_page``'s rows)."""
    doc = _Document([RawWords.of(words) for _, words, _, _ in pages])
    order, row_id = _rows(doc)
    if len(order) == len(doc.texts) and (order == np.arange(len(order))).all():
        # already in reading order (text layers mostly are): no copies
        edges, conf, texts = doc.edges, doc.conf, doc.texts
    else:
        edges, conf = doc.edges[order], doc.conf[order]
        texts = [doc.texts[i] for i in order.tolist()]
    box = _boxes(edges)
    # per page: where its words are in reading order
    bounds = np.searchsorted(doc.page_of[order], np.arange(len(pages) + 1)).tolist()
    factors = np.array([(gap, aspect) for _, _, gap, aspect in pages], dtype=np.float64)
    starts = np.flatnonzero(_segment_starts(edges, row_id, factors[doc.page_of[order]]))
    line_bounds = np.searchsorted(starts, bounds).tolist()
    union = _line_boxes(box, starts)
    out = []
    for i, (number, *_) in enumerate(pages):
        a, b = bounds[i], bounds[i + 1]
        origin = order[a:b] - doc.offsets[i]
        words = PageWords(number, texts[a:b], box[a:b], conf[a:b], origin)
        la, lb = line_bounds[i], line_bounds[i + 1]
        out.append((words, _lines(words, starts[la:lb] - a, row_id[starts[la:lb]], union[la:lb])))
    return out


def _line_boxes(box: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Each line's box: the union of its words' boxes (as BBox.union: right = left +
    width), then clamped like BBox.from_edges."""
    if not len(starts):
        return np.empty((0, 4))
    union = np.stack(
        [
            np.minimum.reduceat(box[:, 0], starts),
            np.minimum.reduceat(box[:, 1], starts),
            np.maximum.reduceat(box[:, 0] + box[:, 2], starts),
            np.maximum.reduceat(box[:, 1] + box[:, 3], starts),
        ],
        axis=1,
    )
    return _boxes(union)


def _lines(words: PageWords, starts: np.ndarray, rows: np.ndarray, box: np.ndarray) -> PageLines:
    """The page's line segments starting at ``starts`` (its word positions), with their
    row numbers ``rows`` and boxes ``box``."""
    conf, texts = words.conf, words.texts
    begin = starts.tolist()
    end = [*begin[1:], len(texts)] if begin else []
    if (conf == 100.0).all():  # a text layer: every mean is 100.0 exactly
        means = [100.0] * len(begin)
    else:
        cs = conf.tolist()
        means = [sum(cs[a:b]) / (b - a) for a, b in zip(begin, end, strict=True)]
    line_texts = [" ".join(texts[a:b]) for a, b in zip(begin, end, strict=True)]
    # rows: runs of lines with the same row number
    cuts = [0, *(np.flatnonzero(np.diff(rows)) + 1).tolist(), len(begin)] if begin else [0]
    return PageLines(words, line_texts, begin, end, box, means, cuts)
