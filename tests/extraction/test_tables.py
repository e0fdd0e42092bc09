import pytest

from docuflow.extraction import extract


def _ruled_table_pdf(path, data):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    table = Table(data, colWidths=[200, 60, 90, 90])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.7, colors.black),
                ("SPAN", (0, len(data) - 1), (2, len(data) - 1)),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ]
        )
    )
    SimpleDocTemplate(str(path), pagesize=letter).build([table])
    return path


def test_ruled_table_with_a_spanning_total_row(docs):
    data = [
        ["Description", "Qty", "Unit Price", "Amount"],
        ["Printer paper", "4", "5.00", "20.00"],
        ["Laptop stand", "1", "39.90", "39.90"],
        ["", "", "", ""],
        ["Total", "", "", "59.90"],
    ]
    data[3] = ["Desk lamp", "2", "12.50", "25.00"]
    data[4] = ["Total", "", "", "84.90"]
    path = _ruled_table_pdf(docs / "ruled.pdf", data)
    ex = extract(path, "application/pdf")
    (table,) = ex.tables
    assert (table.rows, table.columns) == (5, 4)
    assert table.grid()[:4] == data[:4]
    total = [c for c in table.cells if c.row == 5]
    assert [(c.column, c.text) for c in total] == [(1, "Total"), (4, "84.90")]
    assert all(c.bbox is not None and c.word_ids for c in table.cells)
    assert table.bbox.left == pytest.approx(86 / 612, abs=0.02)  # centred 440pt table


def test_prose_in_two_columns_is_not_a_table(docs):
    from docuflow.extraction import testdata as td

    cv = td.PdfCanvas(str(docs / "columns.pdf"))
    left = "The quick brown fox jumps over the lazy dog and keeps running".split()
    for i in range(0, len(left), 4):
        cv.text(50, 50 + i * 4, " ".join(left[i : i + 4]), 10)
    cv.text(350, 200, "A single note on the right", 10)
    cv.finish()
    ex = extract(docs / "columns.pdf", "application/pdf")
    assert ex.tables == []
