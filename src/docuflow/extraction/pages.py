"""What a format reader hands to the shared pipeline for each page."""

from __future__ import annotations

from dataclasses import dataclass, field

from .layout import RawWord
from .model import Page


@dataclass(slots=True)
class NativeCell:
    row: int
    column: int
    text: str
    word_indices: list[int]  # into PageContent.words
    row_span: int = 1
    column_span: int = 1


@dataclass(slots=True)
class NativeTable:
    """A table the format itself declares (DOCX table, XLSX sheet)."""

    rows: int
    columns: int
    cells: list[NativeCell]
    source: str


@dataclass(slots=True)
class RawFormField:
    name: str
    label: str
    value: str
    bbox: tuple[float, float, float, float] | None  # normalized left, top, right, bottom
    word_indices: list[int] = field(default_factory=list)


@dataclass(slots=True)
class PageContent:
    page: Page
    words: list[RawWord] = field(default_factory=list)
    native_tables: list[NativeTable] = field(default_factory=list)
    form_fields: list[RawFormField] = field(default_factory=list)
    detect_tables: bool = True  # look for aligned tables in the layout
    segment_gap: float = 0.9  # see layout.SEGMENT_GAP


def place_words(
    text: str, left: float, top: float, right: float, bottom: float, confidence: float = 100.0
) -> list[RawWord]:
    """Spread a text's words over a box in proportion to their length.

    Used where a format has text but no glyph positions (form field values, DOCX, XLSX,
    plain text): the boxes are approximate but keep reading order and alignment.
    """
    words = text.split()
    if not words:
        return []
    total = sum(len(w) for w in words) + len(words) - 1
    unit = (right - left) / max(total, 1)
    out, pos = [], 0
    for w in words:
        x0 = left + pos * unit
        out.append(RawWord(w, x0, top, x0 + len(w) * unit, bottom, confidence))
        pos += len(w) + 1
    return out
