"""The result of an extraction: pages, words, lines, tables, key-values.

Coordinates are normalized to the page (0..1, origin top-left) like Textract's
``BoundingBox {Width, Height, Left, Top}``; confidences use Textract's 0..100 scale.
Everything serializes to plain JSON (``to_dict``/``from_dict``) so a sandboxed child
process can hand the result to its parent without pickle.
"""

from __future__ import annotations

import base64
import gc
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field

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


@dataclass(slots=True)
class Line:
    id: str
    page: int
    word_ids: list[str]
    text: str
    bbox: BBox
    confidence: float


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


@dataclass(slots=True)
class Extraction:
    content_type: str
    document_type: str
    pages: list[Page]
    words: list[Word]
    lines: list[Line]
    tables: list[Table] = field(default_factory=list)
    key_values: dict[str, KeyValue] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def confidence(self) -> float:
        """Mean word confidence (0..100), like the seed's ``_calculate_avg_confidence``."""
        if not self.words:
            # A document made only of form fields still has a trustworthy reading.
            if self.key_values:
                kvs = self.key_values.values()
                return round(sum(k.confidence for k in kvs) / len(self.key_values), 2)
            return 0.0
        return round(sum(w.confidence for w in self.words) / len(self.words), 2)

    @property
    def text(self) -> str:
        """Plain text in reading order, pages separated by form feeds."""
        by_page: dict[int, list[str]] = {}
        for line in self.lines:
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
            "words": [
                [w.id, w.text, w.page, *w.bbox.to_list(), round(w.confidence, 2)]
                for w in self.words
            ]
            if words
            else [],
            "lines": [
                {
                    "id": ln.id,
                    "page": ln.page,
                    "text": ln.text,
                    "bbox": ln.bbox.to_list(),
                    "confidence": round(ln.confidence, 2),
                    "word_ids": ln.word_ids,
                }
                for ln in self.lines
            ]
            if words
            else [],
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
                            "word_ids": c.word_ids,
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


def _pack(values) -> str:
    return base64.b64encode(array("d", values).tobytes()).decode("ascii")


def _unpack(text: str) -> array:
    out = array("d")
    out.frombytes(base64.b64decode(text))
    return out


def to_transport(ex: Extraction) -> dict:
    """Like ``to_dict`` but columnar, with coordinates as packed doubles.

    A 200-page document has ~150k words; as JSON objects they took longer to encode and
    decode than to extract. Still plain JSON (no pickle): the parent never runs code the
    child could have shaped.
    """
    data = ex.to_dict(words=False)
    words = ex.words
    index = {w.id: i for i, w in enumerate(words)}
    data["words"] = {
        "id": [w.id for w in words],
        "text": [w.text for w in words],
        "page": [w.page for w in words],
        "box": _pack(
            v for w in words for v in (w.bbox.left, w.bbox.top, w.bbox.width, w.bbox.height)
        ),
        "conf": _pack(w.confidence for w in words),
    }
    lines = ex.lines
    data["lines"] = {
        "id": [ln.id for ln in lines],
        "page": [ln.page for ln in lines],
        "words": [[index[i] for i in ln.word_ids] for ln in lines],
        "box": _pack(
            v for ln in lines for v in (ln.bbox.left, ln.bbox.top, ln.bbox.width, ln.bbox.height)
        ),
        "conf": _pack(ln.confidence for ln in lines),
    }
    return data


def from_transport(data: dict) -> Extraction:
    with paused_gc():
        return _from_transport(data)


def _from_transport(data: dict) -> Extraction:
    wd, ld = data["words"], data["lines"]
    box, conf = _unpack(wd["box"]), _unpack(wd["conf"])
    n = len(wd["id"])
    if not len(wd["text"]) == len(wd["page"]) == len(conf) == n or len(box) != 4 * n:
        raise ValueError("the word columns differ in length")
    # map() over the columns: no bytecode loop and no index arithmetic per word
    boxes = map(BBox, box[0::4], box[1::4], box[2::4], box[3::4])
    words = list(map(Word, wd["id"], wd["text"], wd["page"], boxes, conf))
    lbox, lconf = _unpack(ld["box"]), _unpack(ld["conf"])
    lines = []
    for i, (lid, page, idx) in enumerate(zip(ld["id"], ld["page"], ld["words"], strict=True)):
        ws = [words[j] for j in idx]
        lines.append(
            Line(
                lid,
                page,
                [w.id for w in ws],
                " ".join([w.text for w in ws]),
                BBox(lbox[4 * i], lbox[4 * i + 1], lbox[4 * i + 2], lbox[4 * i + 3]),
                lconf[i],
            )
        )
    rest = Extraction.from_dict({**data, "words": [], "lines": []})
    rest.words, rest.lines = words, lines
    return rest
