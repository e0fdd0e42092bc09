from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docuflow.extraction.normalize import format_amount, normalize_label, parse_amount, parse_date
from docuflow.extraction.testdata import fmt_money


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Invoice No.", "invoice no"),
        ("Invoice #", "invoice no"),
        ("INVOICE NUMBER:", "invoice no"),
        ("invoice_number", "invoice no"),
        ("Amount Due", "amount due"),
        ("Nominal value", "nominal value"),  # "no" inside a word stays
    ],
)
def test_labels_normalize_to_one_spelling(label, expected):
    assert normalize_label(label) == expected


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2024-01-05", "2024-01-05"),
        ("January 5, 2024", "2024-01-05"),
        ("05 Jan 2024", "2024-01-05"),
        ("01/05/2024", "2024-01-05"),
        ("Dated 3rd of March 2023", "2023-03-03"),
        ("2024/12/31", "2024-12-31"),
    ],
)
def test_dates_in_common_styles_become_iso(text, iso):
    assert parse_date(text).isoformat() == iso


def test_day_first_rules_read_european_dates():
    assert parse_date("01/05/2024", day_first=True).isoformat() == "2024-05-01"


@pytest.mark.parametrize("text", ["", "not a date", "Invoice 12345", "2024-13-45"])
def test_non_dates_are_rejected(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("$1,234.50", "1234.50", "USD"),
        ("USD 1,234.50", "1234.50", "USD"),
        ("1.234,50 €", "1234.50", "EUR"),
        ("£12", "12.00", "GBP"),
        ("1 234,50 EUR", "1234.50", "EUR"),
        ("(100.00)", "-100.00", None),
        ("Total due 99.9", "99.90", None),
    ],
)
def test_amounts_become_plain_decimals_with_currency(text, value, currency):
    amount, cur = parse_amount(text)
    assert format_amount(amount) == value
    assert cur == currency


@given(
    cents=st.integers(min_value=0, max_value=10**11),
    currency=st.sampled_from(["USD", "EUR", "GBP"]),
    style=st.integers(min_value=0, max_value=2),
)
def test_printed_amounts_round_trip(cents, currency, style):
    printed = fmt_money(f"{Decimal(cents) / 100:.2f}", currency, style)
    amount, cur = parse_amount(printed)
    assert amount == Decimal(cents) / 100
    assert cur == currency
