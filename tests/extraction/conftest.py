"""Documents generated once per test session (no binary fixtures in the repository)."""

from __future__ import annotations

import random

import pytest

from docuflow.extraction import testdata as td


@pytest.fixture(scope="session")
def docs(tmp_path_factory):
    return tmp_path_factory.mktemp("extraction-docs")


@pytest.fixture(scope="session")
def invoice_truths():
    rng = random.Random(20240)
    return [td.random_invoice(rng) for _ in range(4)]


@pytest.fixture(scope="session")
def invoice_pdfs(docs, invoice_truths):
    """One text-layer PDF per layout, fonts varying."""
    return [
        (td.invoice_pdf(docs / f"invoice-{i}.pdf", t, layout=i, family=td.FAMILIES[i % 3]), t)
        for i, t in enumerate(invoice_truths)
    ]


@pytest.fixture(scope="session")
def form_pdf(docs):
    return td.acroform_pdf(
        docs / "form.pdf",
        {
            "applicant_name": ("Full Name", "Jane Q. Doe"),
            "date_signed": ("Date", "03/14/2024"),
            "signature": ("Signature", "J. Doe"),
            "email": ("Email", "jane@example.com"),
        },
    )


@pytest.fixture(scope="session")
def mixed_pdf(docs):
    return td.mixed_pdf(
        docs / "mixed.pdf",
        ["Invoice Number: INV-2024-0777", "Vendor: Alpha Beta LLC"],
        ["Date: March 3, 2024", "Total: $1,250.00"],
        stamp="ACME-PRODUCTION-000123 received by records office",
    )
