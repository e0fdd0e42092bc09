"""Key-value pairs from layout and form fields, mapped to canonical fields by rules.

Layout cues, in order of trust:
1. "Key: Value" inside one line segment (the colon ends the label);
2. a known label (rule synonym) followed by a clean typed value ("Total $1,234.50");
3. a label alone in its segment with the value in the next segment to the right, or in the
   line just below it (forms and letterheads print values under their labels).
Then per-field fallbacks from the rules: regex ``patterns``, the document's ``first_line``
(vendor letterheads) and ``address_of`` (the lines under another field's value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import BBox, KeyValue, Line, PageLines, PageWords, Word
from .normalize import (
    clean_text,
    format_amount,
    label_from_identifier,
    normalize_label,
    parse_amount,
    parse_date,
)
from .rules import TypeRules

MAX_LABEL_WORDS = 6
_DIRECTION_RANK = {"form": -1, "same": 0, "right": 1, "below": 2}
_CLEAN_AMOUNT = re.compile(
    r"[-−(]?\s*(?:[$€£¥₹]|[A-Z]{3})?\s*[-−]?\s*\d[\d,. '\u00a0]*\s*(?:[$€£¥₹]|[A-Z]{3})?\)?"
)


@dataclass(slots=True)
class FormField:
    """A filled AcroForm field as found by the PDF reader."""

    name: str
    label: str  # tooltip (/TU) when present, else the name
    value: str
    page: int
    bbox: BBox | None
    word_ids: list[str]


@dataclass(slots=True)
class _Candidate:
    key: str
    canonical: bool
    key_words: list[Word]
    value_words: list[Word]
    direction: str
    priority: int
    order: int
    raw: str = ""
    source: str = "layout"


@dataclass(slots=True)
class PageLayout:
    number: int
    lines: PageLines

    @property
    def rows(self) -> list[list[Line]]:
        return self.lines.rows()


def find_key_values(
    pages: list[PageLayout],
    words: list[PageWords],
    rules: TypeRules,
    form_fields: list[FormField] | None = None,
) -> dict[str, KeyValue]:
    """``pages``: the layout's rows of lines; ``words``: every page's words (the lines'
    spans point into them)."""
    finder = _Finder(rules, words)
    candidates: list[_Candidate] = []
    for ff in form_fields or []:
        candidates.extend(finder.from_form_field(ff, len(candidates)))
    for page in pages:
        candidates.extend(finder.from_layout(page, len(candidates)))
    result = finder.choose(candidates)
    finder.apply_fallbacks(result, pages)
    return result


class _Finder:
    """Reads word texts from the page columns and builds ``Word`` objects only for the
    words of a candidate: a long document has ~10k lines and few key-values."""

    def __init__(self, rules: TypeRules, words: list[PageWords]) -> None:
        self.rules = rules
        self.columns = words
        # First token of every normalized label: a segment whose first word does not
        # normalize to one of them cannot start a label (labels normalize word by word).
        self.first_tokens = {k.split()[0] for k in rules.labels if k}
        self.any_label = "" in rules.labels  # a label that normalizes to nothing
        self.label_norms: dict[str, str] = {}  # word text -> normalize_label(text)

    # -- words of lines --------------------------------------------------------------

    def line_words(self, line: Line) -> list[Word]:
        if line.span is None:
            return [self.word(i) for i in line.word_ids]
        pw, start, stop = line.span
        return pw.words(start, stop)

    def line_texts(self, line: Line, limit: int | None = None) -> list[str]:
        if line.span is None:
            return [self.word(i).text for i in line.word_ids[:limit]]
        pw, start, stop = line.span
        return pw.texts[start : stop if limit is None else min(stop, start + limit)]

    def word(self, word_id: str) -> Word:
        for pw in self.columns:
            k = pw.index(word_id)
            if k is not None:
                return pw.words(k, k + 1)[0]
        raise KeyError(word_id)

    def may_start_label(self, head: list[str]) -> bool:
        """False when no prefix of ``head`` can be a known label (exact, see __init__)."""
        if self.any_label:
            return True
        for text in head:
            norm = self.label_norms.get(text)
            if norm is None:
                norm = self.label_norms[text] = normalize_label(text)
            if norm:
                return norm.split()[0] in self.first_tokens
        return False

    # -- candidates ---------------------------------------------------------------

    def from_form_field(self, ff: FormField, order: int) -> list[_Candidate]:
        if not ff.value.strip():
            return []
        match = self.rules.field_for_label(ff.label) or self.rules.field_for_label(
            label_from_identifier(ff.name)
        )
        value_words = []
        for i in ff.word_ids:
            try:
                value_words.append(self.word(i))
            except KeyError:
                pass
        key = match[0] if match else clean_text(ff.label or ff.name)
        return [
            _Candidate(
                key=key,
                canonical=match is not None,
                key_words=[],
                value_words=value_words,
                direction="form",
                priority=-1,
                order=order,
                raw=ff.value,
                source="form_field",
            )
        ]

    def from_layout(self, page: PageLayout, order: int) -> list[_Candidate]:
        out: list[_Candidate] = []
        for k in self._candidate_lines(page.lines):
            r, s = page.lines.position(k)
            rows = page.rows  # Line objects only for a page with candidates
            cand = self._from_segment(rows, r, s, rows[r][s], order + len(out))
            if cand:
                out.append(cand)
        return out

    def _candidate_lines(self, lines: PageLines) -> list[int]:
        """Lines that may hold a pair: most have no colon and start with no label word,
        and are skipped on their texts alone."""
        texts = lines.texts
        if self.rules.max_label_words <= 0:
            return [k for k, text in enumerate(texts) if ":" in text]
        words, limit = lines.words.texts, MAX_LABEL_WORDS
        return [
            k
            for k, (text, a, b) in enumerate(zip(texts, lines.starts, lines.stops, strict=True))
            if ":" in text or self.may_start_label(words[a : min(b, a + limit)])
        ]

    def _from_segment(self, rows, r: int, s: int, seg: Line, order: int) -> _Candidate | None:
        # Labels are in the first few words; Word objects are made only for a candidate.
        head = self.line_texts(seg, MAX_LABEL_WORDS)
        # 1. explicit colon
        for i, text in enumerate(head if ":" in seg.text else ()):
            if text.endswith(":") and re.search(r"[A-Za-z]", " ".join(head[: i + 1])):
                ws = self.line_words(seg)
                key_words, value_words = ws[: i + 1], ws[i + 1 :]
                key_text = clean_text(" ".join(x.text for x in key_words))
                match = self.rules.field_for_label(key_text)
                direction = "same"
                raw = ""
                if not value_words:
                    value_words, direction, raw = self._value_elsewhere(rows, r, s, match)
                    if not value_words:
                        return None
                cand = self._candidate(key_text, match, key_words, value_words, direction, order)
                if cand:
                    cand.raw = raw
                return cand
        # 2. a known label at the start of the segment
        limit = min(len(head), self.rules.max_label_words)
        if not limit or not self.may_start_label(head[:limit]):
            return None
        for k in range(limit, 0, -1):
            label = " ".join(head[:k])
            match = self.rules.field_for_label(label)
            if not match:
                continue
            ws = self.line_words(seg)
            rest = ws[k:]
            if rest:
                if not self._clean_value(match[0], " ".join(x.text for x in rest)):
                    return None
                return self._candidate(label, match, ws[:k], rest, "same", order)
            if normalize_label(label) in self.rules.titles:
                return None  # a document title ("INVOICE"), not a label
            value_words, direction, raw = self._value_elsewhere(rows, r, s, match)
            if not value_words:
                return None
            cand = self._candidate(label, match, ws[:k], value_words, direction, order)
            if cand:
                cand.raw = raw
            return cand
        return None

    def _clean_value(self, fname: str, text: str) -> bool:
        """Without a colon, accept a label's trailing text only if it is plainly a value."""
        ftype = self.rules.field_type(fname)
        text = text.strip()
        if ftype == "amount":
            return bool(_CLEAN_AMOUNT.fullmatch(text)) and parse_amount(text) is not None
        if ftype == "date":
            return parse_date(text, day_first=self.rules.day_first) is not None and len(text) <= 30
        # Text: identifiers like "INV-0042" but not running prose ("from our records").
        return bool(re.search(r"\d", text)) and len(text.split()) <= 3

    def _value_elsewhere(self, rows, r, s, match) -> tuple[list[Word], str, str]:
        """A bare label's value: the next segment on its row, else the line(s) below.

        Returns (value words, direction, raw text with line breaks kept).
        """
        row = rows[r]
        if s + 1 < len(row) and not self._looks_like_label(row[s + 1]):
            nxt = row[s + 1]
            return self.line_words(nxt), "right", nxt.text
        n_lines = 1
        if match:
            n_lines = int(self.rules.fields.get(match[0], {}).get("lines", 1))
        below = self._lines_below(rows, r, row[s].bbox, n_lines)
        words = [w for ln in below for w in self.line_words(ln)]
        return words, "below", "\n".join(ln.text for ln in below)

    def _lines_below(self, rows, r: int, anchor: BBox, n_lines: int) -> list[Line]:
        found: list[Line] = []
        last = anchor
        for rr in range(r + 1, min(len(rows), r + 1 + 3 * n_lines)):
            if len(found) >= n_lines:
                break
            if rows[rr] and rows[rr][0].bbox.top - last.bottom > 1.6 * max(last.height, 1e-6):
                break
            hit = None
            for ln in rows[rr]:
                tol = anchor.height
                overlaps = ln.bbox.left < anchor.right and ln.bbox.right > anchor.left
                if overlaps or abs(ln.bbox.left - anchor.left) <= tol:
                    hit = ln
                    break
            if hit is None or self._looks_like_label(hit):
                break
            k = rows[rr].index(hit)
            if k > 0 and self._looks_like_label(rows[rr][k - 1]):
                break  # the value of another label ("Invoice Number | 933820")
            found.append(hit)
            last = hit.bbox
        return found

    def _looks_like_label(self, line: Line) -> bool:
        first = self.line_texts(line, MAX_LABEL_WORDS)
        if any(t.endswith(":") for t in first):
            return True
        return self.rules.field_for_label(" ".join(self.line_texts(line))) is not None

    def _candidate(self, key_text, match, key_words, value_words, direction, order):
        key = match[0] if match else clean_text(key_text)
        if not key or len(key) > 80:
            return None
        return _Candidate(
            key=key,
            canonical=match is not None,
            key_words=list(key_words),
            value_words=list(value_words),
            direction=direction,
            priority=match[1] if match else 0,
            order=order,
        )

    # -- choosing and normalizing ------------------------------------------------

    def choose(self, candidates: list[_Candidate]) -> dict[str, KeyValue]:
        best: dict[str, tuple[tuple, KeyValue]] = {}
        for c in candidates:
            kv = self.to_key_value(c)
            if kv is None:
                continue
            rank = (
                0 if kv.valid else 1,
                c.priority,
                _DIRECTION_RANK[c.direction],
                c.order,
            )
            if c.key not in best or rank < best[c.key][0]:
                best[c.key] = (rank, kv)
        return {k: v[1] for k, v in best.items()}

    def to_key_value(self, c: _Candidate) -> KeyValue | None:
        raw = c.raw or " ".join(w.text for w in c.value_words)
        raw = "\n".join(p for p in (clean_text(x) for x in raw.split("\n")) if p)
        if not raw:
            return None
        ftype = self.rules.field_type(c.key) if c.canonical else "text"
        kv = self.normalized(c.key, ftype, raw)
        vconf = _mean(w.confidence for w in c.value_words) if c.value_words else 100.0
        kconf = _mean(w.confidence for w in c.key_words) if c.key_words else 100.0
        kv.confidence = min(vconf, kconf)
        kv.page = c.value_words[0].page if c.value_words else 1
        kv.bbox = BBox.union(w.bbox for w in c.value_words) if c.value_words else None
        kv.word_ids = [w.id for w in c.value_words]
        kv.key_raw = clean_text(" ".join(w.text for w in c.key_words)) or c.key
        kv.key_word_ids = [w.id for w in c.key_words]
        kv.key_bbox = BBox.union(w.bbox for w in c.key_words) if c.key_words else None
        kv.source = c.source
        return kv

    def normalized(self, key: str, ftype: str, raw: str) -> KeyValue:
        value, valid, currency = " ".join(raw.split()), True, None
        if ftype == "date":
            d = parse_date(raw, day_first=self.rules.day_first)
            valid = d is not None
            value = d.isoformat() if d else raw
        elif ftype == "amount":
            parsed = parse_amount(raw, default_currency=self.rules.default_currency)
            valid = parsed is not None
            if parsed:
                value, currency = format_amount(parsed[0]), parsed[1]
        elif ftype == "id":
            # OCR often reads "INV-2023-1" as "INV - 2023-1"; identifiers have no such spaces.
            value = re.sub(r"\s*([-/.#])\s*", r"\1", value)
        elif ftype == "address":
            value = ", ".join(p.strip() for p in raw.split("\n") if p.strip())
        return KeyValue(
            key=key,
            value=value,
            raw=raw,
            confidence=100.0,
            page=1,
            bbox=None,
            word_ids=[],
            value_type=ftype,
            valid=valid,
            currency=currency,
        )

    # -- fallbacks -----------------------------------------------------------------

    def apply_fallbacks(self, result: dict[str, KeyValue], pages: list[PageLayout]) -> None:
        for fname, fdef in self.rules.fields.items():
            if fname in result:
                continue
            for pattern in fdef.get("patterns", []):
                kv = self._by_pattern(fname, pattern, pages)
                if kv:
                    result[fname] = kv
                    break
        for fname, fdef in self.rules.fields.items():
            if fname not in result and fdef.get("fallback") == "first_line" and pages:
                kv = self._first_line(fname, pages[0], result)
                if kv:
                    result[fname] = kv
        for fname, fdef in self.rules.fields.items():
            anchor = result.get(fdef.get("address_of", ""))
            if fname not in result and anchor and anchor.word_ids:
                kv = self._address_below(fname, fdef, anchor, pages)
                if kv:
                    result[fname] = kv

    def _by_pattern(self, fname: str, pattern: str, pages: list[PageLayout]) -> KeyValue | None:
        """The first line, in reading order, where ``pattern`` matches."""
        rx = re.compile(pattern)
        for page in pages:
            k = next((k for k, text in enumerate(page.lines.texts) if rx.search(text)), None)
            if k is None:
                continue
            ln = page.lines.lines()[k]
            m = rx.search(ln.text)
            ws, pos = [], 0
            for w in self.line_words(ln):
                start, end = pos, pos + len(w.text)
                if start < m.end() and end > m.start():
                    ws.append(w)
                pos = end + 1
            c = _Candidate(fname, True, [], ws, "same", 0, 0, raw=m.group(0), source="pattern")
            return self.to_key_value(c)
        return None

    def _first_line(self, fname: str, page: PageLayout, result) -> KeyValue | None:
        used = {i for kv in result.values() for i in (*kv.word_ids, *kv.key_word_ids)}
        for row in page.rows[:8]:
            for ln in row:
                text = ln.text.strip()
                norm = normalize_label(text)
                if (
                    not re.search(r"[A-Za-z]{2}", text)
                    or norm in self.rules.titles
                    or self._looks_like_label(ln)
                    or any(i in used for i in ln.word_ids)
                    or parse_date(text) is not None
                    or re.search(r"\d{3,}", text)
                ):
                    continue
                ws = self.line_words(ln)
                return self.to_key_value(
                    _Candidate(fname, True, [], ws, "same", 0, 0, source="position")
                )
        return None

    def _address_below(self, fname, fdef, anchor: KeyValue, pages) -> KeyValue | None:
        wid = anchor.word_ids[-1]
        for p in pages:
            k = p.lines.line_of_word(wid)
            if k is None:
                continue
            r, s = p.lines.position(k)
            rows = p.rows
            below = self._lines_below(rows, r, rows[r][s].bbox, int(fdef.get("lines", 3)))
            if not below:
                return None
            ws = [w for b in below for w in self.line_words(b)]
            raw = "\n".join(b.text for b in below)
            return self.to_key_value(
                _Candidate(fname, True, [], ws, "below", 0, 0, raw=raw, source="position")
            )
        return None


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0
