"""Normalization of labels and typed values (dates, amounts)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from dateutil import parser as dateparser

# -- labels ---------------------------------------------------------------------------

_NUMBER_WORDS = re.compile(r"(?<![a-z])(?:number|num|nbr|no|nr)\.?(?![a-z])|#|№")
_NON_WORD = re.compile(r"[^a-z0-9#№]+")


def normalize_label(text: str) -> str:
    """'Invoice No.', 'Invoice #', 'INVOICE NUMBER:' -> 'invoice no'."""
    t = text.lower().replace("_", " ").replace("-", " ")
    t = re.sub(r"([a-z])([A-Z])", r"\1 \2", t)
    t = _NUMBER_WORDS.sub(" no ", t)
    t = _NON_WORD.sub(" ", t)
    return " ".join(t.split())


def label_from_identifier(name: str) -> str:
    """Form field names: 'invoiceNumber', 'vendor_name' -> 'invoice Number', 'vendor name'."""
    return re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").replace(".", " ")


def clean_text(text: str) -> str:
    return " ".join(text.split()).strip(" :;,|")


# -- dates ----------------------------------------------------------------------------

_DATE_CANDIDATES = [
    re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b"),
    re.compile(r"\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b"),
    re.compile(
        r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Za-z]{3,9}\.?,?\s+\d{4}\b",
    ),
    re.compile(r"\b[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b"),
]
_MONTHS = {
    m
    for m in (
        "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april "
        "june july august september october november december"
    ).split()
}


def parse_date(text: str, *, day_first: bool = False) -> date | None:
    """A date printed in one of the usual ways, or None. ISO ``YYYY-MM-DD`` always wins."""
    for pattern in _DATE_CANDIDATES:
        m = pattern.search(text)
        if not m:
            continue
        candidate = m.group(0)
        words = re.findall(r"[A-Za-z]+", candidate)
        if any(
            w.lower() not in _MONTHS and w.lower() not in ("st", "nd", "rd", "th", "of")
            for w in words
        ):
            continue
        if re.match(r"\d{4}", candidate):  # year first is never day-first
            try:
                y, mo, d = (int(x) for x in re.split(r"[-/.]", candidate))
                return date(y, mo, d)
            except ValueError:
                continue
        try:
            dt = dateparser.parse(candidate, dayfirst=day_first, default=datetime(1900, 1, 1))
        except (ValueError, OverflowError):
            continue
        if 1900 < dt.year < 2200:
            return dt.date()
    return None


# -- amounts --------------------------------------------------------------------------

CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "CHF": "CHF"}
CURRENCY_CODES = frozenset(
    "USD EUR GBP JPY CHF CAD AUD NZD INR CNY SEK NOK DKK PLN CZK HUF BRL MXN ZAR SGD HKD".split()
)
_AMOUNT = re.compile(
    r"(?P<neg>[-−(])?\s*(?P<pre>[$€£¥₹]|[A-Z]{3})?\s*(?P<neg2>[-−])?\s*"
    r"(?P<num>\d{1,3}(?:[,. '\u00a0]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
    r"\s*(?P<post>[$€£¥₹]|[A-Z]{3})?\s*(?P<close>\))?"
)


def parse_amount(
    text: str, *, default_currency: str | None = None
) -> tuple[Decimal, str | None] | None:
    """'$1,234.50' -> (Decimal('1234.50'), 'USD'); '1.234,50 EUR' -> (1234.50, 'EUR')."""
    best = None
    for m in _AMOUNT.finditer(text):
        pre, post = m.group("pre"), m.group("post")
        if pre and len(pre) == 3 and pre not in CURRENCY_CODES:
            pre = None
        if post and len(post) == 3 and post not in CURRENCY_CODES:
            post = None
        cur = pre or post
        # Prefer a number that has a currency marker or decimals; else the last number.
        score = (1 if cur else 0) + (1 if re.search(r"[.,]\d{1,2}$", m.group("num")) else 0)
        if best is None or score >= best[0]:
            best = (score, m, cur)
    if best is None:
        return None
    _, m, cur = best
    value = _to_decimal(m.group("num"))
    if value is None:
        return None
    if m.group("neg2") or (m.group("neg") and (m.group("neg") != "(" or m.group("close"))):
        value = -value
    currency = CURRENCY_SYMBOLS.get(cur, cur) if cur else default_currency
    return value, currency


def _to_decimal(num: str) -> Decimal | None:
    num = num.replace("\u00a0", " ").replace("'", " ")
    # The last separator followed by 1-2 digits is the decimal separator.
    m = re.search(r"[.,](\d{1,2})$", num)
    if m:
        integer, frac = num[: m.start()], m.group(1)
    else:
        integer, frac = num, ""
    integer = re.sub(r"[,. ]", "", integer)
    try:
        return Decimal(f"{integer}.{frac}" if frac else integer)
    except InvalidOperation:
        return None


def format_amount(value: Decimal) -> str:
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
