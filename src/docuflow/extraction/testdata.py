"""Generators of test documents with known content (tests and benchmarks only).

Invoices are drawn through one small drawing interface with two backends, a reportlab
PDF (text layer) and a Pillow image (for OCR, optionally noised), so every layout exists
in both forms with the same ground truth. Also: AcroForm PDFs, DOCX, XLSX, mixed
text+scan PDFs and hostile files (encrypted, truncated, huge-dimension PNG, zip bomb).
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

PAGE_W, PAGE_H = 612.0, 792.0  # US letter in points

_TTF = {
    "sans": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "Helvetica"),
    "sans-bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "Helvetica-Bold"),
    "serif": ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "Times-Roman"),
    "serif-bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf", "Times-Bold"),
    "mono": ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "Courier"),
    "mono-bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", "Courier-Bold"),
}
FAMILIES = ("sans", "serif", "mono")


# -- ground truth --------------------------------------------------------------------------


@dataclass
class InvoiceTruth:
    invoice_number: str
    date: str  # ISO
    total: str  # plain decimal
    currency: str
    vendor_name: str
    vendor_address: list[str]
    customer_name: str
    items: list[tuple[str, int, str, str]] = field(default_factory=list)  # desc, qty, unit, amount
    date_style: int = 0
    amount_style: int = 0

    def expected(self) -> dict[str, str]:
        return {
            "Invoice Number": self.invoice_number,
            "Date": self.date,
            "Total Amount": self.total,
            "Vendor Name": self.vendor_name,
        }

    def to_dict(self) -> dict:
        return asdict(self)


_COMPANIES = [
    "Acme Supplies",
    "Northwind Traders",
    "Globex Corporation",
    "Initech Systems",
    "Umbrella Logistics",
    "Stark Industrial",
    "Wayne Hardware",
    "Hooli Services",
    "Vandelay Imports",
    "Soylent Foods",
    "Cyberdyne Parts",
    "Wonka Confectionery",
    "Pied Piper Labs",
    "Tyrell Office Goods",
    "Oscorp Chemicals",
    "Duff Beverages",
]
_SUFFIX = ["Inc.", "LLC", "Ltd", "GmbH", "Co.", ""]
_STREETS = ["Main Street", "Oak Avenue", "Harbor Road", "Elm Drive", "Market Street", "Mill Lane"]
_CITIES = ["Springfield, IL 62704", "Portland, OR 97205", "Austin, TX 78701", "Denver, CO 80202"]
_ITEMS = [
    "Consulting hours",
    "Printer paper",
    "Laptop stand",
    "Cloud hosting",
    "Desk lamp",
    "Shipping",
    "Maintenance plan",
    "USB cables",
    "Office chairs",
    "Training session",
]
_CUSTOMERS = ["Blue Sky Bakery", "Riverside Clinic", "Summit Partners", "Maple Schools"]


def random_invoice(rng: random.Random) -> InvoiceTruth:
    vendor = f"{rng.choice(_COMPANIES)} {rng.choice(_SUFFIX)}".strip()
    prefix = rng.choice(["INV-", "INV-", "", "A-", "INV"])
    number = (
        f"{prefix}{rng.randint(2019, 2026)}-{rng.randint(1, 99999):05d}"
        if prefix
        else str(rng.randint(100000, 999999))
    )
    d = date(2020, 1, 1) + timedelta(days=rng.randint(0, 2400))
    items = []
    total = Decimal(0)
    for _ in range(rng.randint(1, 5)):
        qty = rng.randint(1, 20)
        unit = Decimal(rng.randint(100, 250000)) / 100
        amount = unit * qty
        total += amount
        items.append((rng.choice(_ITEMS), qty, f"{unit:.2f}", f"{amount:.2f}"))
    currency = rng.choice(["USD", "USD", "EUR", "GBP"])
    return InvoiceTruth(
        invoice_number=number,
        date=d.isoformat(),
        total=f"{total:.2f}",
        currency=currency,
        vendor_name=vendor,
        vendor_address=[f"{rng.randint(1, 999)} {rng.choice(_STREETS)}", rng.choice(_CITIES)],
        customer_name=rng.choice(_CUSTOMERS),
        items=items,
        date_style=rng.randint(0, 3),
        amount_style=rng.randint(0, 2),
    )


def fmt_date(iso: str, style: int) -> str:
    d = date.fromisoformat(iso)
    return [
        d.isoformat(),
        f"{d:%B} {d.day}, {d.year}",
        f"{d.day:02d} {d:%b} {d.year}",
        f"{d.month:02d}/{d.day:02d}/{d.year}",  # US order, as the default rules expect
    ][style % 4]


def fmt_money(amount: str, currency: str, style: int) -> str:
    value = Decimal(amount)
    us = f"{value:,.2f}"
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}[currency]
    if style % 3 == 0:
        return f"{symbol}{us}"
    if style % 3 == 1:
        return f"{currency} {us}"
    eu = us.replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{eu} {symbol}" if currency == "EUR" else f"{us} {currency}"


# -- drawing backends ------------------------------------------------------------------------


class PdfCanvas:
    """Draws in points from the top-left corner onto a reportlab canvas."""

    def __init__(self, target, ttf: bool = False) -> None:
        from reportlab.pdfgen import canvas

        self.c = canvas.Canvas(target, pagesize=(PAGE_W, PAGE_H))
        self.ttf = ttf
        if ttf:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            for key, (path, _) in _TTF.items():
                name = f"DV-{key}"
                if name not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(TTFont(name, path))

    def _font(self, family: str, bold: bool) -> str:
        key = f"{family}-bold" if bold else family
        return f"DV-{key}" if self.ttf else _TTF[key][1]

    def text(self, x, y, s, size=10, family="sans", bold=False, align="left") -> None:
        font = self._font(family, bold)
        self.c.setFont(font, size)
        baseline = PAGE_H - y - size * 0.8
        if align == "right":
            self.c.drawRightString(x, baseline, s)
        elif align == "center":
            self.c.drawCentredString(x, baseline, s)
        else:
            self.c.drawString(x, baseline, s)

    def line(self, x0, y0, x1, y1, width=0.7) -> None:
        self.c.setLineWidth(width)
        self.c.line(x0, PAGE_H - y0, x1, PAGE_H - y1)

    def new_page(self) -> None:
        self.c.showPage()

    def finish(self) -> None:
        self.c.showPage()
        self.c.save()


class ImageCanvas:
    """The same drawing calls onto Pillow pages at ``dpi``."""

    def __init__(self, dpi: int = 200) -> None:
        self.dpi = dpi
        self.scale = dpi / 72
        self.pages = []
        self._fonts: dict = {}
        self.new_page()

    def new_page(self) -> None:
        from PIL import Image, ImageDraw

        self.image = Image.new("L", (int(PAGE_W * self.scale), int(PAGE_H * self.scale)), 255)
        self.draw = ImageDraw.Draw(self.image)
        self.pages.append(self.image)

    def _font(self, family, bold, size):
        from PIL import ImageFont

        key = (f"{family}-bold" if bold else family, size)
        if key not in self._fonts:
            self._fonts[key] = ImageFont.truetype(_TTF[key[0]][0], round(size * self.scale))
        return self._fonts[key]

    def text(self, x, y, s, size=10, family="sans", bold=False, align="left") -> None:
        font = self._font(family, bold, size)
        w = self.draw.textlength(s, font=font) / self.scale
        if align == "right":
            x -= w
        elif align == "center":
            x -= w / 2
        self.draw.text((x * self.scale, y * self.scale), s, fill=0, font=font)

    def line(self, x0, y0, x1, y1, width=0.7) -> None:
        s = self.scale
        self.draw.line((x0 * s, y0 * s, x1 * s, y1 * s), fill=0, width=max(1, round(width * s)))

    def finish(self) -> None:
        pass


def add_noise(image, rng: random.Random, level: float = 1.0):
    """Scanner-like damage: slight rotation, blur, speckle noise."""
    from PIL import Image, ImageFilter

    img = image
    angle = rng.uniform(-0.8, 0.8) * level
    if abs(angle) > 0.05:
        img = img.rotate(angle, resample=Image.BILINEAR, fillcolor=255, expand=False)
    if level > 0:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9) * level))
        alpha = min(0.35, rng.uniform(0.08, 0.2) * level)
        img = Image.blend(img, _gaussian_noise(img.size, 60 * level, rng), alpha)
    return img


def _gaussian_noise(size: tuple[int, int], sigma: float, rng: random.Random):
    """Grey speckle like ``Image.effect_noise`` (128 + N(0, sigma), clipped), but drawn
    from ``rng``: effect_noise uses the C library's process-wide rand(), so an image
    depended on how many noisy images its process had made before, and the accuracy
    bench's scans (made in a process pool) changed from run to run."""
    import numpy as np
    from PIL import Image

    gen = np.random.default_rng(rng.getrandbits(64))
    pixels = 128 + gen.normal(0.0, sigma, size=(size[1], size[0]))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")


# -- invoice layouts ----------------------------------------------------------------------


def draw_invoice(cv, t: InvoiceTruth, layout: int, family: str = "sans") -> None:
    """Five layouts with different label/value placements (4 is the held-out one)."""
    money = lambda a: fmt_money(a, t.currency, t.amount_style)  # noqa: E731
    when = fmt_date(t.date, t.date_style)
    L = layout % 5
    if L == 4:  # "held out": written after the rules, never used to tune them
        cv.text(50, 40, t.vendor_name.upper(), 15, family, bold=True)
        cv.text(50, 60, "Tax ID 12-3456789  |  " + " / ".join(t.vendor_address), 8, family)
        cv.text(360, 100, "Inv. Ref.", 8, family)
        cv.text(360, 112, t.invoice_number, 10, family, bold=True)
        cv.text(470, 100, "Billing Date", 8, family)
        cv.text(470, 112, when, 10, family, bold=True)
        cv.text(50, 100, "Client", 8, family)
        cv.text(50, 112, t.customer_name, 10, family)
        y = _items(cv, t, 170, family, money)
        cv.text(50, y + 26, "Balance Due", 11, family, bold=True)
        cv.text(560, y + 26, money(t.total), 11, family, bold=True, align="right")
        cv.text(50, y + 70, f"Please remit payment to {t.vendor_name} within 30 days.", 8, family)
    elif L == 0:  # letterhead vendor, "Label: value" block right, totals row
        cv.text(50, 50, t.vendor_name, 18, family, bold=True)
        for i, ln in enumerate(t.vendor_address):
            cv.text(50, 76 + i * 14, ln, 10, family)
        cv.text(560, 50, "INVOICE", 20, family, bold=True, align="right")
        cv.text(360, 90, f"Invoice No: {t.invoice_number}", 10, family)
        cv.text(360, 106, f"Date: {when}", 10, family)
        cv.text(50, 140, "Bill To:", 10, family, bold=True)
        cv.text(50, 155, t.customer_name, 10, family)
        y = _items(cv, t, 200, family, money)
        cv.text(400, y + 20, "Total:", 11, family, bold=True)
        cv.text(560, y + 20, money(t.total), 11, family, bold=True, align="right")
    elif L == 1:  # title first, labels above values, "Amount Due"
        cv.text(306, 40, "INVOICE", 22, family, bold=True, align="center")
        cv.text(50, 90, "From:", 9, family, bold=True)
        cv.text(50, 104, t.vendor_name, 11, family)
        for i, ln in enumerate(t.vendor_address):
            cv.text(50, 118 + i * 13, ln, 10, family)
        cv.text(330, 90, "Invoice #", 9, family, bold=True)
        cv.text(330, 104, t.invoice_number, 11, family)
        cv.text(460, 90, "Invoice Date", 9, family, bold=True)
        cv.text(460, 104, when, 11, family)
        cv.text(50, 175, "Customer:", 9, family, bold=True)
        cv.text(50, 189, t.customer_name, 10, family)
        y = _items(cv, t, 230, family, money)
        cv.text(330, y + 24, "Amount Due", 12, family, bold=True)
        cv.text(560, y + 24, money(t.total), 12, family, bold=True, align="right")
    elif L == 2:  # two-column label | value grid, no colons
        cv.text(50, 50, "Tax Invoice", 16, family, bold=True)
        rows = [
            ("Vendor", t.vendor_name),
            ("Address", ", ".join(t.vendor_address)),
            ("Invoice Number", t.invoice_number),
            ("Issue Date", when),
            ("Customer", t.customer_name),
        ]
        for i, (k, v) in enumerate(rows):
            cv.text(50, 90 + i * 18, k, 10, family, bold=True)
            cv.text(190, 90 + i * 18, v, 10, family)
        y = _items(cv, t, 200, family, money)
        cv.text(50, y + 24, "Grand Total", 12, family, bold=True)
        cv.text(190, y + 24, money(t.total), 12, family, bold=True)
    else:  # receipt-like, centred, "Invoice Number:" and "TOTAL DUE:"
        cv.text(306, 40, t.vendor_name, 16, family, bold=True, align="center")
        cv.text(306, 62, "  ".join(t.vendor_address), 9, family, align="center")
        cv.text(50, 110, f"Invoice Number: {t.invoice_number}", 10, family)
        cv.text(50, 126, f"Invoice Date: {when}", 10, family)
        cv.text(330, 110, f"Sold To: {t.customer_name}", 10, family)
        y = _items(cv, t, 170, family, money)
        cv.text(330, y + 24, f"TOTAL DUE: {money(t.total)}", 12, family, bold=True)


def _items(cv, t: InvoiceTruth, y: float, family: str, money) -> float:
    cv.text(50, y, "Description", 10, family, bold=True)
    cv.text(300, y, "Qty", 10, family, bold=True, align="right")
    cv.text(420, y, "Unit Price", 10, family, bold=True, align="right")
    cv.text(560, y, "Line Total", 10, family, bold=True, align="right")
    cv.line(50, y + 14, 560, y + 14)
    for desc, qty, unit, amount in t.items:
        y += 20
        cv.text(50, y, desc, 10, family)
        cv.text(300, y, str(qty), 10, family, align="right")
        cv.text(420, y, money(unit), 10, family, align="right")
        cv.text(560, y, money(amount), 10, family, align="right")
    cv.line(50, y + 16, 560, y + 16)
    return y + 16


def invoice_pdf(path, t: InvoiceTruth, layout: int = 0, family: str = "sans", ttf: bool = False):
    cv = PdfCanvas(str(path), ttf=ttf)
    draw_invoice(cv, t, layout, family)
    cv.finish()
    return Path(path)


def invoice_image(
    path,
    t: InvoiceTruth,
    layout: int = 0,
    family: str = "sans",
    *,
    dpi: int = 200,
    noise: float = 0.0,
    seed: int = 0,
):
    cv = ImageCanvas(dpi)
    draw_invoice(cv, t, layout, family)
    img = cv.pages[0]
    if noise:
        img = add_noise(img, random.Random(seed), noise)
    img.save(str(path), dpi=(dpi, dpi))
    return Path(path)


# -- other document kinds ------------------------------------------------------------------


def text_pdf(path, pages: list[list[str]], size: float = 10, family: str = "sans") -> Path:
    """Plain lines of text per page (top to bottom)."""
    cv = PdfCanvas(str(path))
    for i, lines in enumerate(pages):
        if i:
            cv.new_page()
        for j, line in enumerate(lines):
            cv.text(50, 50 + j * size * 1.3, line, size, family)
    cv.finish()
    return Path(path)


def mixed_pdf(
    path, text_lines: list[str], scan_lines: list[str], dpi: int = 200, stamp: str = ""
) -> Path:
    """Page 1 has a text layer; page 2 is an image of text (a scan), with an optional
    ``stamp`` line of real text on it (like a Bates number added after scanning)."""
    from reportlab.lib.utils import ImageReader

    cv = PdfCanvas(str(path))
    for j, line in enumerate(text_lines):
        cv.text(50, 50 + j * 16, line, 12)
    cv.new_page()
    img = ImageCanvas(dpi)
    for j, line in enumerate(scan_lines):
        img.text(50, 50 + j * 20, line, 14)
    buf = io.BytesIO()
    img.pages[0].save(buf, format="PNG")
    buf.seek(0)
    cv.c.drawImage(ImageReader(buf), 0, 0, width=PAGE_W, height=PAGE_H)
    if stamp:
        cv.text(50, PAGE_H - 40, stamp, 9)
    cv.finish()
    return Path(path)


def acroform_pdf(path, fields: dict[str, tuple[str, str]]) -> Path:
    """A form with printed labels and filled text fields: {name: (label, value)}."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H))
    c.setFont("Helvetica-Bold", 16)
    c.drawString(50, PAGE_H - 60, "Application Form")
    y = PAGE_H - 110
    for name, (label, value) in fields.items():
        c.setFont("Helvetica", 11)
        c.drawString(50, y + 6, f"{label}:")
        c.acroForm.textfield(
            name=name,
            tooltip=label,
            value=value,
            x=200,
            y=y,
            width=300,
            height=20,
            borderWidth=1,
            fontSize=11,
        )
        y -= 40
    c.showPage()
    c.save()
    return Path(path)


def invoice_docx(path, t: InvoiceTruth) -> Path:
    import docx

    d = docx.Document()
    d.add_heading(t.vendor_name, level=1)
    for ln in t.vendor_address:
        d.add_paragraph(ln)
    d.add_paragraph(f"Invoice Number: {t.invoice_number}")
    d.add_paragraph(f"Date: {fmt_date(t.date, t.date_style)}")
    table = d.add_table(rows=1, cols=4)
    for cell, text in zip(
        table.rows[0].cells, ["Description", "Qty", "Unit Price", "Amount"], strict=True
    ):
        cell.text = text
    for desc, qty, unit, amount in t.items:
        row = table.add_row().cells
        for cell, text in zip(row, [desc, str(qty), unit, amount], strict=True):
            cell.text = text
    row = table.add_row().cells
    merged = row[0].merge(row[2])
    merged.text = "Total"
    row[3].text = fmt_money(t.total, t.currency, 0)
    d.add_paragraph("Thank you for your business.")
    d.save(str(path))
    return Path(path)


def invoice_xlsx(path, t: InvoiceTruth) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Invoice"
    ws.append(["Vendor Name", t.vendor_name])
    ws.append(["Invoice Number", t.invoice_number])
    ws.append(["Date", date.fromisoformat(t.date)])
    ws.append([])
    ws.append(["Description", "Qty", "Unit Price", "Amount"])
    for desc, qty, unit, amount in t.items:
        ws.append([desc, qty, float(unit), float(amount)])
    ws.append(["Total Amount", None, None, float(t.total)])
    ws2 = wb.create_sheet("Notes")
    ws2.append(["Payment terms", "Net 30"])
    ws2.merge_cells("A3:C3")
    ws2["A3"] = "Merged note across three columns"
    wb.save(str(path))
    return Path(path)


# -- hostile files -------------------------------------------------------------------------


def encrypted_pdf(path, source: Path, password: str = "s3cret") -> Path:  # noqa: S107
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(str(source)).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
    with open(path, "wb") as fh:
        writer.write(fh)
    return Path(path)


def truncated(path, source: Path, keep: float = 0.4) -> Path:
    data = Path(source).read_bytes()
    Path(path).write_bytes(data[: int(len(data) * keep)])
    return Path(path)


def garbage(path, n: int = 4096, seed: int = 1) -> Path:
    Path(path).write_bytes(random.Random(seed).randbytes(n))
    return Path(path)


def huge_png(path, width: int = 100_000, height: int = 100_000) -> Path:
    """A valid PNG header claiming enormous dimensions over a tiny body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    Path(path).write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
    return Path(path)


def zip_bomb_docx(path, inflated_mib: int = 64, member: str = "word/document.xml") -> Path:
    """A DOCX (or, with ``member="xl/workbook.xml"``, an XLSX) whose main part inflates
    ~1000x (a real bomb would be far larger)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"/>',
        )
        with zf.open(member, "w") as fh:
            block = b" " * (1024 * 1024)
            for _ in range(inflated_mib):
                fh.write(block)
    return Path(path)
