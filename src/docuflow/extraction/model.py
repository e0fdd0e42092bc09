"""The result of an extraction: pages, words, lines, tables, key-values.

Coordinates are normalized to the page (0..1, origin top-left) like Textract's
``BoundingBox {Width, Height, Left, Top}``; confidences use Textract's 0..100 scale.
Everything serializes to plain JSON (``to_dict``/``from_dict``) so a sandboxed child
process can hand the result to its parent without pickle.
"""

from __future__ import annotations

import base64
import gc
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

# How a page's content was read.
TEXT_LAYER = "text_layer"
FORM_FIELDS = "form_fields"
OCR = "ocr"
DOCX = "docx"
XLSX = "xlsx"
PLAIN_TEXT = "plain_text"


@dataclass(slots=True)
class BBox:
    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @staticmethod
    def from_edges(left: float, top: float, right: float, bottom: float) -> BBox:
        """Box from edges, clamped to the page (readers may report ink just outside it)."""
        if 0.0 <= left <= right <= 1.0 and 0.0 <= top <= bottom <= 1.0:
            return BBox(left, top, right - left, bottom - top)
        left, right = max(0.0, min(left, right)), min(1.0, max(left, right))
        top, bottom = max(0.0, min(top, bottom)), min(1.0, max(top, bottom))
        return BBox(left, top, max(0.0, right - left), max(0.0, bottom - top))

    @staticmethod
    def union(boxes) -> BBox:
        it = iter(boxes)
        first = next(it, None)
        if first is None:
            return BBox(0.0, 0.0, 0.0, 0.0)
        left, top, right, bottom = first.left, first.top, first.right, first.bottom
        for b in it:
            if b.left < left:
                left = b.left
            if b.top < top:
                top = b.top
            r, bt = b.left + b.width, b.top + b.height
            if r > right:
                right = r
            if bt > bottom:
                bottom = bt
        return BBox.from_edges(left, top, right, bottom)

    def to_list(self) -> list[float]:
        return [
            round(self.left, 6),
            round(self.top, 6),
            round(self.width, 6),
            round(self.height, 6),
        ]

    @staticmethod
    def from_list(values) -> BBox:
        return BBox(*(float(v) for v in values))

    def to_textract(self) -> dict:
        return {
            "BoundingBox": {
                "Width": self.width,
                "Height": self.height,
                "Left": self.left,
                "Top": self.top,
            },
            "Polygon": [
                {"X": self.left, "Y": self.top},
                {"X": self.right, "Y": self.top},
                {"X": self.right, "Y": self.bottom},
                {"X": self.left, "Y": self.bottom},
            ],
        }


@dataclass(slots=True)
class Word:
    id: str
    text: str
    page: int  # 1-based
    bbox: BBox
    confidence: float


class PageWords:
    """One page's words in reading order, as columns; ``Word`` objects are made on demand.

    A text-layer page has ~700 words and one Python object per word (with its box and id)
    cost more than reading the page: extraction keeps texts, an (n, 4) array of boxes
    (left, top, width, height) and confidences, and ``Extraction.words`` builds the
    ``Word`` objects only when asked. Ids are ``p{page}w{n}`` unless given (``ids``).
    """

    __slots__ = ("page", "texts", "box", "conf", "origin", "_ids")

    def __init__(self, page: int, texts: list[str], box, conf, origin=None, ids=None) -> None:
        self.page = page
        self.texts = texts
        self.box = np.asarray(box, dtype=np.float64).reshape(len(texts), 4)
        self.conf = np.asarray(conf, dtype=np.float64).reshape(len(texts))
        self.origin = origin  # index of each word in the reader's list (layout only)
        self._ids = ids

    def __len__(self) -> int:
        return len(self.texts)

    def ids(self, start: int = 0, stop: int | None = None) -> list[str]:
        if self._ids is not None:
            return self._ids[start:stop]
        stop = len(self.texts) if stop is None else stop
        return list(map(f"p{self.page}w{{}}".format, range(start + 1, stop + 1)))

    def words(self, start: int = 0, stop: int | None = None) -> list[Word]:
        boxes = [BBox(*b) for b in self.box[start:stop].tolist()]
        n = len(boxes)
        return list(
            map(
                Word,
                self.ids(start, stop),
                self.texts[start:stop],
                [self.page] * n,
                boxes,
                self.conf[start:stop].tolist(),
            )
        )

    def index(self, word_id: str) -> int | None:
        """Position of a word on this page, from its id."""
        if self._ids is not None:
            try:
                return self._ids.index(word_id)
            except ValueError:
                return None
        prefix = f"p{self.page}w"
        if word_id.startswith(prefix) and word_id[len(prefix) :].isdigit():
            k = int(word_id[len(prefix) :]) - 1
            return k if 0 <= k < len(self.texts) else None
        return None

    @staticmethod
    def from_words(words: list[Word]) -> list[PageWords]:
        """Columns of a list of Words (consecutive words of one page form one column set)."""
        out: list[PageWords] = []
        start = 0
        for i in range(1, len(words) + 1):
            if i == len(words) or words[i].page != words[start].page:
                chunk = words[start:i]
                out.append(
                    PageWords(
                        chunk[0].page,
                        [w.text for w in chunk],
                        [(w.bbox.left, w.bbox.top, w.bbox.width, w.bbox.height) for w in chunk],
                        [w.confidence for w in chunk],
                        ids=[w.id for w in chunk],
                    )
                )
                start = i
        return out


class Line:
    """A LINE: words of one row not separated by a wide gap.

    Lines made by the layout know their words as a span of their page's ``PageWords``
    (``span = (page_words, start, stop)``) and build ``word_ids`` on first access: most
    lines of a long document are never asked for them.
    """

    __slots__ = ("id", "page", "text", "bbox", "confidence", "span", "_word_ids")

    def __init__(
        self,
        id: str,  # noqa: A002 - the field's public name
        page: int,
        word_ids: list[str] | None,
        text: str,
        bbox: BBox,
        confidence: float,
        span: tuple[PageWords, int, int] | None = None,
    ) -> None:
        self.id = id
        self.page = page
        self._word_ids = word_ids
        self.text = text
        self.bbox = bbox
        self.confidence = confidence
        self.span = span

    @property
    def word_ids(self) -> list[str]:
        if self._word_ids is None:
            pw, start, stop = self.span
            self._word_ids = pw.ids(start, stop)
        return self._word_ids

    @word_ids.setter
    def word_ids(self, value: list[str]) -> None:
        self._word_ids, self.span = value, None

    def _key(self) -> tuple:
        return (self.id, self.page, self.word_ids, self.text, self.bbox, self.confidence)

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if isinstance(other, Line) else NotImplemented

    __hash__ = None  # mutable, like the dataclass it replaces

    def __repr__(self) -> str:
        return (
            f"Line(id={self.id!r}, page={self.page!r}, word_ids={self.word_ids!r}, "
            f"text={self.text!r}, bbox={self.bbox!r}, confidence={self.confidence!r})"
        )


class PageLines:
    """One page's lines (segments) in reading order, as columns; ``Line`` objects are made
    on demand, like ``PageWords``' words.

    A 200-page text PDF has ~10k lines: key-values and tables need the texts of all of
    them but the objects of few, so the layout keeps texts, word spans into ``words``, an
    (n, 4) array of boxes and confidences, and each line's row; ``lines()`` and ``rows()``
    build (once) what a caller asks for.
    """

    __slots__ = ("words", "texts", "starts", "stops", "box", "conf", "row_cuts", "_lines")

    def __init__(self, words: PageWords, texts, starts, stops, box, conf, row_cuts) -> None:
        self.words = words
        self.texts = texts  # list[str]: each line's words joined by a space
        self.starts = starts  # list[int]: first word (position in ``words``)
        self.stops = stops  # list[int]: one past the last word
        self.box = box  # (n, 4) array: left, top, width, height
        self.conf = conf  # list[float]: mean word confidence
        self.row_cuts = row_cuts  # list[int]: rows are lines[cuts[i]:cuts[i + 1]]
        self._lines: list[Line] | None = None

    @property
    def page(self) -> int:
        return self.words.page

    def __len__(self) -> int:
        return len(self.texts)

    def ids(self) -> list[str]:
        return list(map(f"p{self.page}l{{}}".format, range(1, len(self.texts) + 1)))

    def lines(self) -> list[Line]:
        if self._lines is None:
            pw, page = self.words, self.page
            self._lines = list(
                map(
                    Line,
                    self.ids(),
                    [page] * len(self.texts),
                    [None] * len(self.texts),
                    self.texts,
                    [BBox(*b) for b in self.box.tolist()],
                    self.conf,
                    [(pw, a, b) for a, b in zip(self.starts, self.stops, strict=True)],
                )
            )
        return self._lines

    def rows(self) -> list[list[Line]]:
        lines, cuts = self.lines(), self.row_cuts
        return [lines[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]

    def has_multi_segment_rows(self) -> bool:
        """Whether any row holds two or more lines (tables need such rows)."""
        return len(self.row_cuts) - 1 < len(self.texts)

    def position(self, k: int) -> tuple[int, int]:
        """(row, index in the row) of line ``k``."""
        r = bisect_right(self.row_cuts, k) - 1
        return r, k - self.row_cuts[r]

    def line_of_word(self, word_id: str) -> int | None:
        """The line holding a word of this page, by the word's id."""
        k = self.words.index(word_id)
        if k is None or not self.starts:
            return None
        return bisect_right(self.starts, k) - 1


@dataclass(slots=True)
class Cell:
    row: int  # 1-based like Textract's RowIndex
    column: int
    text: str
    row_span: int = 1
    column_span: int = 1
    bbox: BBox | None = None
    word_ids: list[str] = field(default_factory=list)
    confidence: float = 100.0


@dataclass(slots=True)
class Table:
    id: str
    page: int
    rows: int
    columns: int
    cells: list[Cell]
    bbox: BBox | None = None
    source: str = "layout"  # layout | docx | xlsx

    def grid(self) -> list[list[str]]:
        """Cell texts as a rows x columns list (spanned cells fill their first slot)."""
        out = [["" for _ in range(self.columns)] for _ in range(self.rows)]
        for c in self.cells:
            out[c.row - 1][c.column - 1] = c.text
        return out


@dataclass(slots=True)
class KeyValue:
    key: str  # canonical field name, or the printed label when no rule matched
    value: str  # normalized: dates YYYY-MM-DD, amounts plain decimal
    raw: str  # value text as printed
    confidence: float
    page: int
    bbox: BBox | None
    word_ids: list[str]
    key_raw: str = ""
    key_word_ids: list[str] = field(default_factory=list)
    key_bbox: BBox | None = None
    value_type: str = "text"
    valid: bool = True  # False when a typed value (date/amount) did not parse
    currency: str | None = None
    source: str = "layout"  # layout | form_field | pattern | position

    def to_dict(self) -> dict:
        out = {
            "value": self.value,
            "raw": self.raw,
            "confidence": round(self.confidence, 2),
            "page": self.page,
            "bbox": self.bbox.to_list() if self.bbox else None,
            "word_ids": list(self.word_ids),
            "key_raw": self.key_raw,
            "key_word_ids": list(self.key_word_ids),
            "key_bbox": self.key_bbox.to_list() if self.key_bbox else None,
            "type": self.value_type,
            "valid": self.valid,
            "source": self.source,
        }
        if self.currency is not None or self.value_type == "amount":
            out["currency"] = self.currency
        return out

    @staticmethod
    def from_dict(key: str, d: dict) -> KeyValue:
        return KeyValue(
            key=key,
            value=d["value"],
            raw=d.get("raw", d["value"]),
            confidence=float(d.get("confidence", 100.0)),
            page=int(d.get("page", 1)),
            bbox=BBox.from_list(d["bbox"]) if d.get("bbox") else None,
            word_ids=list(d.get("word_ids", [])),
            key_raw=d.get("key_raw", ""),
            key_word_ids=list(d.get("key_word_ids", [])),
            key_bbox=BBox.from_list(d["key_bbox"]) if d.get("key_bbox") else None,
            value_type=d.get("type", "text"),
            valid=bool(d.get("valid", True)),
            currency=d.get("currency"),
            source=d.get("source", "layout"),
        )


@dataclass(slots=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    unit: str  # "pt" (PDF), "px" (images), "virtual" (DOCX/XLSX/TXT: no real page geometry)
    methods: list[str] = field(default_factory=list)

    @property
    def method(self) -> str:
        return self.methods[0] if self.methods else "empty"


class Extraction:
    """Everything read from one document.

    ``words`` and ``lines`` are lists of ``Word`` and ``Line`` objects built on first
    access from the per-page columns the layout made (``word_columns``, ``line_columns``);
    serializations and ``confidence`` read the columns directly, so a caller that never
    touches ``words`` or ``lines`` never pays for them.
    """

    __slots__ = (
        "content_type",
        "document_type",
        "pages",
        "_lines",
        "_line_columns",
        "tables",
        "key_values",
        "warnings",
        "_words",
        "_columns",
    )

    def __init__(
        self,
        content_type: str,
        document_type: str,
        pages: list[Page],
        words: list[Word] | None = None,
        lines: list[Line] | None = None,
        tables: list[Table] | None = None,
        key_values: dict[str, KeyValue] | None = None,
        warnings: list[str] | None = None,
        *,
        word_columns: list[PageWords] | None = None,
        line_columns: list[PageLines] | None = None,
    ) -> None:
        self.content_type = content_type
        self.document_type = document_type
        self.pages = pages
        self._words = words if words is not None or word_columns is not None else []
        self._columns = word_columns
        self._lines = lines if lines is not None or line_columns is not None else []
        self._line_columns = line_columns
        self.tables = tables if tables is not None else []
        self.key_values = key_values if key_values is not None else {}
        self.warnings = warnings if warnings is not None else []

    @property
    def words(self) -> list[Word]:
        if self._words is None:
            self._words = [w for pw in self._columns for w in pw.words()]
        return self._words

    @words.setter
    def words(self, value: list[Word]) -> None:
        self._words, self._columns = value, None

    @property
    def lines(self) -> list[Line]:
        if self._lines is None:
            self._lines = [ln for pl in self._line_columns for ln in pl.lines()]
        return self._lines

    @lines.setter
    def lines(self, value: list[Line]) -> None:
        self._lines, self._line_columns = value, None

    @property
    def word_columns(self) -> list[PageWords]:
        """The words as per-page columns, in ``words`` order."""
        if self._columns is None:
            self._columns = PageWords.from_words(self._words)
        return self._columns

    def _key(self) -> tuple:
        return (
            self.content_type,
            self.document_type,
            self.pages,
            self.words,
            self.lines,
            self.tables,
            self.key_values,
            self.warnings,
        )

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if isinstance(other, Extraction) else NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return (
            f"Extraction(content_type={self.content_type!r}, "
            f"document_type={self.document_type!r}, pages={len(self.pages)}, "
            f"words={self.word_count}, lines={self.line_count}, tables={len(self.tables)}, "
            f"key_values={list(self.key_values)!r})"
        )

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def word_count(self) -> int:
        if self._words is not None:
            return len(self._words)
        return sum(len(pw) for pw in self._columns)

    @property
    def line_count(self) -> int:
        if self._lines is not None:
            return len(self._lines)
        return sum(len(pl) for pl in self._line_columns)

    @property
    def confidence(self) -> float:
        """Mean word confidence (0..100), like the seed's ``_calculate_avg_confidence``."""
        n = self.word_count
        if not n:
            # A document made only of form fields still has a trustworthy reading.
            if self.key_values:
                kvs = self.key_values.values()
                return round(sum(k.confidence for k in kvs) / len(self.key_values), 2)
            return 0.0
        if self._words is not None:
            return round(sum(w.confidence for w in self._words) / n, 2)
        # Summed one by one in word order (not numpy's pairwise sum): the same figure.
        return round(sum(chain.from_iterable(pw.conf.tolist() for pw in self._columns)) / n, 2)

    @property
    def text(self) -> str:
        """Plain text in reading order, pages separated by form feeds."""
        by_page: dict[int, list[str]] = {}
        if self._lines is None:
            for pl in self._line_columns:
                by_page.setdefault(pl.page, []).extend(pl.texts)
        for line in self._lines or ():
            by_page.setdefault(line.page, []).append(line.text)
        return "\f".join("\n".join(by_page.get(p.number, [])) for p in self.pages)

    def words_by_id(self) -> dict[str, Word]:
        return {w.id: w for w in self.words}

    # -- serializations ---------------------------------------------------------------

    def to_seed(self) -> dict:
        """The seed Lambda's flat shape: ``{key_values: {key: value}, page_count, confidence}``."""
        return {
            "key_values": {k: kv.value for k, kv in self.key_values.items()},
            "page_count": self.page_count,
            "confidence": self.confidence,
        }

    def to_textract(self) -> dict:
        """An AnalyzeDocument-like response (FORMS + TABLES)."""
        from .textract import to_textract_response

        return to_textract_response(self)

    def to_dict(self, *, words: bool = True) -> dict:
        out = {
            "content_type": self.content_type,
            "document_type": self.document_type,
            "page_count": self.page_count,
            "confidence": self.confidence,
            "pages": [
                {
                    "page": p.number,
                    "width": p.width,
                    "height": p.height,
                    "unit": p.unit,
                    "method": p.method,
                    "methods": list(p.methods),
                }
                for p in self.pages
            ],
            "words": self._word_rows() if words else [],
            "lines": self._line_rows() if words else [],
            "tables": [
                {
                    "id": t.id,
                    "page": t.page,
                    "rows": t.rows,
                    "columns": t.columns,
                    "bbox": t.bbox.to_list() if t.bbox else None,
                    "source": t.source,
                    "cells": [
                        {
                            "row": c.row,
                            "column": c.column,
                            "row_span": c.row_span,
                            "column_span": c.column_span,
                            "text": c.text,
                            "bbox": c.bbox.to_list() if c.bbox else None,
                            "word_ids": list(c.word_ids),
                            "confidence": round(c.confidence, 2),
                        }
                        for c in t.cells
                    ],
                }
                for t in self.tables
            ],
            "key_values": {k: kv.to_dict() for k, kv in self.key_values.items()},
            "warnings": list(self.warnings),
        }
        return out

    def _line_rows(self) -> list[dict]:
        """Each line as a dict, from the columns while no ``Line`` object was asked for."""
        if self._lines is not None:
            return [
                _line_dict(ln.id, ln.page, ln.text, ln.bbox.to_list(), ln.confidence, ln.word_ids)
                for ln in self._lines
            ]
        out = []
        for pl in self._line_columns:
            ids, page, pw = pl.ids(), pl.page, pl.words
            for lid, text, box, conf, a, b in zip(
                ids, pl.texts, pl.box.tolist(), pl.conf, pl.starts, pl.stops, strict=True
            ):
                out.append(
                    _line_dict(lid, page, text, [round(v, 6) for v in box], conf, pw.ids(a, b))
                )
        return out

    def _word_rows(self) -> list[list]:
        """``[id, text, page, left, top, width, height, confidence]`` per word, from the
        columns (rounded like ``BBox.to_list``)."""
        out = []
        for pw in self.word_columns:
            page = pw.page
            for wid, text, (left, top, width, height), conf in zip(
                pw.ids(), pw.texts, pw.box.tolist(), pw.conf.tolist(), strict=True
            ):
                out.append(
                    [
                        wid,
                        text,
                        page,
                        round(left, 6),
                        round(top, 6),
                        round(width, 6),
                        round(height, 6),
                        round(conf, 2),
                    ]
                )
        return out

    @staticmethod
    def from_dict(d: dict) -> Extraction:
        pages = [
            Page(p["page"], p["width"], p["height"], p["unit"], list(p["methods"]))
            for p in d["pages"]
        ]
        words = [Word(w[0], w[1], w[2], BBox(w[3], w[4], w[5], w[6]), w[7]) for w in d["words"]]
        lines = [
            Line(
                ln["id"],
                ln["page"],
                list(ln["word_ids"]),
                ln["text"],
                BBox.from_list(ln["bbox"]),
                ln["confidence"],
            )
            for ln in d["lines"]
        ]
        tables = [
            Table(
                id=t["id"],
                page=t["page"],
                rows=t["rows"],
                columns=t["columns"],
                bbox=BBox.from_list(t["bbox"]) if t.get("bbox") else None,
                source=t.get("source", "layout"),
                cells=[
                    Cell(
                        row=c["row"],
                        column=c["column"],
                        text=c["text"],
                        row_span=c["row_span"],
                        column_span=c["column_span"],
                        bbox=BBox.from_list(c["bbox"]) if c.get("bbox") else None,
                        word_ids=list(c["word_ids"]),
                        confidence=c["confidence"],
                    )
                    for c in t["cells"]
                ],
            )
            for t in d["tables"]
        ]
        kvs = {k: KeyValue.from_dict(k, v) for k, v in d["key_values"].items()}
        return Extraction(
            content_type=d["content_type"],
            document_type=d["document_type"],
            pages=pages,
            words=words,
            lines=lines,
            tables=tables,
            key_values=kvs,
            warnings=list(d.get("warnings", [])),
        )


def _line_dict(lid, page, text, bbox: list[float], conf: float, word_ids) -> dict:
    return {
        "id": lid,
        "page": page,
        "text": text,
        "bbox": bbox,
        "confidence": round(conf, 2),
        "word_ids": list(word_ids),
    }


@contextmanager
def paused_gc():
    """Pause the cycle collector while building a large result.

    A long document allocates ~10 objects per word and none of them form cycles, but each
    collection rescans them all, which made extraction time grow quadratically with the
    page count. Reference counting still frees memory as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                # Re-enabled as is, the next young collection would walk every object
                # built meanwhile (~10 per word: a tenth of a 200-page extraction) only
                # to promote them. freeze + unfreeze puts them straight into the oldest
                # generation instead, where survivors end up anyway. Skipped when the
                # process froze objects itself (gc.freeze before fork): unfreeze would
                # release those too.
                gc.freeze()
                gc.enable()
                gc.unfreeze()
            else:
                gc.enable()


# -- compact transport between the sandbox child and its parent -------------------------


def _pack(values: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f8").tobytes()).decode("ascii")


def _unpack(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f8")


def _pack_texts(texts: list[str]) -> str | list[str]:
    """One string, lines joined, unless a text holds a line break (then the list)."""
    joined = "\n".join(texts)
    return joined if joined.count("\n") == len(texts) - 1 else texts


def _unpack_texts(value: str | list[str]) -> list[str]:
    return value.split("\n") if isinstance(value, str) else value


def _pack_conf(conf: np.ndarray) -> float | str:
    """One number when every word has it (text layers: 100.0), else packed doubles."""
    if len(conf) and (conf == conf[0]).all():
        return float(conf[0])
    return _pack(conf)


def _unpack_conf(value: float | str, n: int) -> np.ndarray:
    if isinstance(value, str):
        return _unpack(value)
    return np.full(n, float(value))


def to_transport(ex: Extraction) -> dict:
    """Like ``to_dict`` but columnar: each page's word texts, boxes and confidences as
    they are held (boxes and confidences as packed doubles), lines as spans of them.

    A 200-page document has ~135k words; as one JSON array or object each they took longer
    to encode and decode than to extract. Still plain JSON (no pickle): the parent never
    runs code the child could have shaped.
    """
    data = ex.to_dict(words=False)
    columns = ex.word_columns
    data["words"] = [
        {
            "page": pw.page,
            "texts": _pack_texts(pw.texts),
            "box": _pack(pw.box),
            "conf": _pack_conf(pw.conf),
            "ids": pw._ids,  # None: the usual p{page}w{n}
        }
        for pw in columns
    ]
    where = {id(pw): i for i, pw in enumerate(columns)}
    if ex._lines is None and all(id(pl.words) in where for pl in ex._line_columns):
        data["lines"] = _line_columns_transport(ex._line_columns, where)
        return data
    spans, word_ids = [], []
    for ln in ex.lines:
        if ln.span is not None and id(ln.span[0]) in where:
            spans.append([where[id(ln.span[0])], ln.span[1], ln.span[2]])
            word_ids.append(None)
        else:
            spans.append(None)
            word_ids.append(list(ln.word_ids))
    lines = ex.lines
    data["lines"] = {
        "id": [ln.id for ln in lines],
        "page": [ln.page for ln in lines],
        "text": [ln.text for ln in lines],
        "span": spans,
        "word_ids": word_ids,
        "box": _pack([(b.left, b.top, b.width, b.height) for b in (ln.bbox for ln in lines)] or []),
        "conf": _pack([ln.confidence for ln in lines]),
    }
    return data


def _line_columns_transport(columns: list[PageLines], where: dict[int, int]) -> dict:
    """``to_transport``'s lines straight from the line columns (no ``Line`` objects)."""
    ids, pages, texts, spans, conf = [], [], [], [], []
    for pl in columns:
        i = where[id(pl.words)]
        ids += pl.ids()
        pages += [pl.page] * len(pl)
        texts += pl.texts
        spans += [[i, a, b] for a, b in zip(pl.starts, pl.stops, strict=True)]
        conf += pl.conf
    boxes = [pl.box for pl in columns]
    return {
        "id": ids,
        "page": pages,
        "text": texts,
        "span": spans,
        "word_ids": [None] * len(ids),
        "box": _pack(np.concatenate(boxes) if boxes else []),
        "conf": _pack(conf),
    }


def from_transport(data: dict) -> Extraction:
    columns = [_page_words(d) for d in data["words"]]
    ld = data["lines"]
    box, conf = _unpack(ld["box"]), _unpack(ld["conf"])
    n = len(ld["id"])
    if len(box) != 4 * n or len(conf) != n:
        raise ValueError("the line columns differ in length")
    lines = []
    rows = zip(ld["id"], ld["page"], ld["text"], ld["span"], ld["word_ids"], strict=True)
    for i, (lid, page, text, span, ids) in enumerate(rows):
        if span is not None:
            pw, start, stop = columns[span[0]], int(span[1]), int(span[2])
            if not 0 <= start < stop <= len(pw):
                raise ValueError("a line's span is outside its page's words")
            span = (pw, start, stop)
        bbox = BBox(box[4 * i], box[4 * i + 1], box[4 * i + 2], box[4 * i + 3])
        lines.append(Line(lid, page, ids, text, bbox, float(conf[i]), span))
    rest = Extraction.from_dict({**data, "words": [], "lines": []})
    rest.lines = lines
    rest._words, rest._columns = None, columns
    return rest


def _page_words(d: dict) -> PageWords:
    texts, box, ids = _unpack_texts(d["texts"]), _unpack(d["box"]), d["ids"]
    n = len(texts)
    conf = _unpack_conf(d["conf"], n)
    if len(box) != 4 * n or len(conf) != n or (ids is not None and len(ids) != n):
        raise ValueError("the word columns differ in length")
    return PageWords(int(d["page"]), texts, box, conf, ids=ids)
