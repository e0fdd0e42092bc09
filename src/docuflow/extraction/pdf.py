"""PDF pages: text layer via PDFium, AcroForm fields via pypdf, OCR for scanned pages.

Each page is read the way that fits it: a page with a meaningful text layer uses it (fast,
exact, confidence 100); a page without one that shows images or drawings is rendered and
OCRed. Filled form fields add their values on top of whatever the page gave.
"""

from __future__ import annotations

import codecs
import ctypes
import os
import re
import tempfile
from array import array
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from . import native
from .errors import CORRUPT, PASSWORD_PROTECTED, TOO_LARGE, ExtractionFailed
from .layout import OCR_SEGMENT_GAP, RawWords
from .limits import Limits
from .model import FORM_FIELDS, OCR, TEXT_LAYER, Page
from .ocr import ocr_many
from .pages import PageContent, RawFormField, place_words

_WORD = re.compile(r"\S+")
_NON_ALNUM = re.compile(r"[\W_]+")
_CONTROL = re.compile(r"[\x00-\x1f]")
MIN_TEXT_CHARS = 20  # fewer alphanumerics than this is not a usable text layer
# A page mostly covered by an image with less text than this is a scan with a stamp
# (Bates number, "RECEIVED" date): OCR reads the scan and the stamp together.
SCAN_STAMP_CHARS = 200
PARALLEL_MIN_PAGES = 48  # below this, process start-up costs more than it saves


def open_pdf(path: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise ExtractionFailed(PASSWORD_PROTECTED, "the PDF is protected by a password")
        raise ExtractionFailed(CORRUPT, f"not a readable PDF ({exc})")


def read_pdf(
    path: str, limits: Limits, *, language: str, parallel: bool, warnings: list[str]
) -> list[PageContent]:
    doc = open_pdf(path)
    try:
        n_pages = len(doc)
        if n_pages == 0:
            raise ExtractionFailed(CORRUPT, "the PDF has no pages")
        if n_pages > limits.max_pages:
            raise ExtractionFailed(
                TOO_LARGE, f"the PDF has {n_pages} pages; the limit is {limits.max_pages}"
            )
        workers = _workers(limits)
        if parallel and workers > 1 and n_pages >= PARALLEL_MIN_PAGES:
            text_pages = _text_layer_parallel(doc, path, n_pages, workers)
        else:
            text_pages = [_text_layer(doc, i) for i in range(n_pages)]

        contents: list[PageContent] = []
        ocr_needed: list[int] = []
        rotations = {}
        for i, (width, height, words, rotation) in enumerate(text_pages):
            rotations[i] = rotation
            content = PageContent(Page(i + 1, width, height, "pt"))
            text = "".join(words.texts)
            alnum = _alnum_count(text)
            if alnum < SCAN_STAMP_CHARS and _image_coverage(doc, i) >= 0.5:
                ocr_needed.append(i)  # a scan, perhaps with a stamped line of real text
            elif _meaningful(text, alnum):
                content.words = words
                content.page.methods.append(TEXT_LAYER)
            elif _has_image_or_drawing(doc, i):
                ocr_needed.append(i)  # no usable text, but something is drawn
            elif len(words):
                content.words = words  # a short but real text page ("Page 2", a title)
                content.page.methods.append(TEXT_LAYER)
            contents.append(content)

        if ocr_needed:
            _ocr_pages(doc, ocr_needed, contents, limits, language, workers, warnings)
        # pypdf parses the whole file (~50 ms for 200 pages): only where PDFium saw a form
        has_form = pdfium_c.FPDF_GetFormType(doc.raw) != pdfium_c.FORMTYPE_NONE
        fields = read_acroform(path, warnings, rotations) if has_form else {}
        for pno, page_fields in fields.items():
            if pno >= len(contents):
                continue
            content = contents[pno]
            for ff in page_fields:
                if ff.bbox and ff.value:
                    start = len(content.words)
                    content.words.extend(place_words(ff.value, *ff.bbox))
                    ff.word_indices = list(range(start, len(content.words)))
                content.form_fields.append(ff)
            if any(ff.value for ff in page_fields):
                content.page.methods.append(FORM_FIELDS)
        return contents
    finally:
        doc.close()


def _workers(limits: Limits) -> int:
    return limits.ocr_workers or min(os.cpu_count() or 1, 8)


# -- text layer -------------------------------------------------------------------------


def _unchecked(name: str, restype=ctypes.c_int):
    """A second ctypes handle on a PDFium function, without ``argtypes``.

    pypdfium2's bindings check and convert every argument (~0.2 µs per call); where the
    text layer calls per word (without the C helper) or per sampled glyph it passes
    ready-made ``c_void_p`` / ``byref`` arguments to these unchecked handles instead.
    pypdfium2's own handles are untouched.
    """
    address = ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value
    fn = ctypes.CFUNCTYPE(restype)(address)
    fn.argtypes = None  # any arguments, passed as given
    return fn


_LOOSE_CHAR_BOX = _unchecked("FPDFText_GetLooseCharBox")
_CHAR_ANGLE = _unchecked("FPDFText_GetCharAngle", ctypes.c_float)
_CHAR_ANGLE_ADDRESS = ctypes.cast(pdfium_c.FPDFText_GetCharAngle, ctypes.c_void_p)
_LOOSE_CHAR_BOX_ADDRESS = ctypes.cast(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_void_p)


def _text_layer(doc: pdfium.PdfDocument, index: int) -> tuple[float, float, RawWords, int]:
    """Words with boxes from one page's text layer.

    Calling PDFium once per character is what makes pure-Python extractors slow; here the
    page text comes in one call and boxes are asked only for each word's first and last
    character (loose boxes span the font's ascent..descent, so a row has one height), by
    the C loop of ``native.py`` where it is built, else by ``_words_py``.
    Returns (width, height, words, rotation): boxes are turned so the text reads upright.
    """
    with _raw_page(doc, index) as page:
        left, bottom, right, top = _crop_box(page)
        width, height = right - left, top - bottom
        if width <= 0 or height <= 0:
            return 0.0, 0.0, RawWords([], ()), 0
        with _raw_text_page(page) as textpage:
            text, n_chars = _page_text(textpage)
            if len(text) != n_chars:
                # surrogate pairs misalign indices: no text
                return width, height, RawWords([], ()), 0
            tp = ctypes.cast(textpage, ctypes.c_void_p)
            starts, edges = _words(text, tp, (left, top, width, height))
            texts = text.split()  # the same words: str.split and \S+ agree on whitespace
            rotation = _upright_rotation(tp, starts)
            if rotation:
                edges = np.stack(rotate_edges(*edges.T, rotation), axis=1)
                if rotation in (90, 270):
                    width, height = height, width
            return width, height, RawWords(texts, edges, clean=True), rotation


# The text layer opens every page and its text page through PDFium's own handles:
# pypdfium2's PdfPage and PdfTextPage objects (finalizers, object tracking, parent links)
# cost 0.05-0.15 ms a page to make and close, 3-10 % of what PDFium takes to read it.


@contextmanager
def _raw_page(doc: pdfium.PdfDocument, index: int):
    page = pdfium_c.FPDF_LoadPage(doc.raw, index)
    if not page:
        raise pdfium.PdfiumError("Failed to load page.")
    try:
        yield page
    finally:
        pdfium_c.FPDF_ClosePage(page)


@contextmanager
def _raw_text_page(page):
    textpage = pdfium_c.FPDFText_LoadPage(page)
    if not textpage:
        raise pdfium.PdfiumError("Failed to load text page.")
    try:
        yield textpage
    finally:
        pdfium_c.FPDFText_ClosePage(textpage)


def _crop_box(page) -> tuple[float, float, float, float]:
    """As ``PdfPage.get_cropbox()``: the CropBox, else the MediaBox, else US Letter."""
    box = [ctypes.c_float() for _ in range(4)]
    if pdfium_c.FPDFPage_GetCropBox(page, *box) or pdfium_c.FPDFPage_GetMediaBox(page, *box):
        return tuple(v.value for v in box)
    return (0, 0, 612, 792)


def _page_text(textpage) -> tuple[str, int]:
    """(the page's text, its number of chars), as ``PdfTextPage.get_text_range()`` and
    ``count_chars()`` give them: chars PDFium leaves out of the text at either end are
    skipped, the rest is read in one call."""
    n_chars = pdfium_c.FPDFText_CountChars(textpage)
    if n_chars == -1:
        raise pdfium.PdfiumError("Failed to get character count.")
    first, last = 0, n_chars - 1
    while first <= last:
        t_start = pdfium_c.FPDFText_GetTextIndexFromCharIndex(textpage, first)
        if t_start == -1:
            first += 1
            continue
        t_end = pdfium_c.FPDFText_GetTextIndexFromCharIndex(textpage, last)
        if t_end == -1:
            last -= 1
            continue
        buffer = (ctypes.c_ushort * (t_end + 2 - t_start))()
        out = pdfium_c.FPDFText_GetText(textpage, first, last + 1 - first, buffer)
        return codecs.decode(memoryview(buffer)[: out - 1], "utf-16-le", "ignore"), n_chars
    return "", n_chars


def _normalized(edges: np.ndarray, left, top, width, height) -> np.ndarray:
    """Page units (origin bottom-left) -> 0..1 of the page, origin top-left."""
    out = np.empty_like(edges)
    out[:, 0::2] = (edges[:, 0::2] - left) / width
    out[:, 1::2] = (top - edges[:, 1::2]) / height
    return out


# Unicode whitespace as str.split and the regex \s see it (all of it is below U+10000).
_IS_SPACE = np.array([chr(c).isspace() for c in range(0x10000)], dtype=np.uint8)


def _words(text: str, tp: ctypes.c_void_p, page_box) -> tuple[np.ndarray, np.ndarray]:
    """Each word's first character index and its edges: (n, 4) rows of (left, top, right,
    bottom) normalized to ``page_box`` (left, top, width, height in page units), the union
    of its first and last character's loose boxes."""
    lib = native.library()
    if lib is None:
        starts, edges = _words_py(text, tp)
        return starts, _normalized(edges, *page_box)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    cap = len(text) // 2 + 1  # words are separated, so at most this many
    starts = np.empty(cap, dtype=np.int32)
    edges = np.empty((cap, 4), dtype=np.float64)
    page = np.array(page_box, dtype=np.float64)
    n = lib.word_boxes(
        _LOOSE_CHAR_BOX_ADDRESS,
        tp,
        codes.ctypes.data,
        len(codes),
        _IS_SPACE.ctypes.data,
        page.ctypes.data,
        starts.ctypes.data,
        edges.ctypes.data,
    )
    return starts[:n], edges[:n]


def _words_py(text: str, tp: ctypes.c_void_p) -> tuple[np.ndarray, np.ndarray]:
    """``_words`` without the C helper: a regex match and one or two PDFium calls a word;
    edges in page units (x0, y_top, x1, y_bottom)."""
    rect = pdfium_c.FS_RECTF()
    ref = ctypes.byref(rect)
    box = _LOOSE_CHAR_BOX
    edges = array("d")
    starts: list[int] = []
    start = starts.append
    add = edges.extend
    for m in _WORD.finditer(text):
        s, e = m.span()
        start(s)
        box(tp, s, ref)
        x0 = rect.left
        y_top = rect.top
        y_bottom = rect.bottom
        if e - s > 1:
            box(tp, e - 1, ref)
            y = rect.top
            if y > y_top:
                y_top = y
            y = rect.bottom
            if y < y_bottom:
                y_bottom = y
        add((x0, y_top, rect.right, y_bottom))
    return np.array(starts, dtype=np.int32), np.frombuffer(edges, dtype=np.float64).reshape(-1, 4)


def _upright_rotation(tp: ctypes.c_void_p, starts: np.ndarray) -> int:
    """Clockwise view rotation (0/90/180/270) that makes most of the text read upright.

    Decided from the glyphs' own angles, not the page's /Rotate: a landscape page is
    either drawn sideways and displayed rotated, or drawn upright; both end up upright.
    """
    if not len(starts):
        return 0
    lib = native.library()
    if lib is None:
        quarter = _upright_quarter(tp, starts)
    else:  # the same vote in C (~1 µs, not ~50 µs of small numpy calls a page)
        idx = np.ascontiguousarray(starts, dtype=np.int32)
        quarter = lib.upright_quarter(_CHAR_ANGLE_ADDRESS, tp, idx.ctypes.data, len(idx))
    return (360 - 90 * quarter) % 360


def _upright_quarter(tp: ctypes.c_void_p, starts: np.ndarray) -> int:
    """The quarter turn (0-3) most of the first characters of 64 words show."""
    sample = starts[:: max(1, len(starts) // 64)][:64]
    angles = np.array(_char_angles(tp, sample), dtype=np.float64)
    angles = angles[angles >= 0]  # -1: unknown
    # nearest quarter turn (rounding half to even, as round() does); ties: the first
    votes = np.bincount(np.round(np.degrees(angles) / 90).astype(np.int64) % 4, minlength=4)
    return int(np.argmax(votes))


def _char_angles(tp: ctypes.c_void_p, indices: np.ndarray) -> list[float]:
    lib = native.library()
    if lib is None:
        return [_CHAR_ANGLE(tp, i) for i in indices.tolist()]
    idx = np.ascontiguousarray(indices, dtype=np.int32)
    out = np.empty(len(indices), dtype=np.float32)
    lib.char_angles(_CHAR_ANGLE_ADDRESS, tp, idx.ctypes.data, len(idx), out.ctypes.data)
    return out.tolist()


def rotate_edges(left, top, right, bottom, rotation: int):
    """Edges on the unrotated page -> on the page as displayed (/Rotate, clockwise); works
    on floats and on numpy columns alike."""
    if rotation == 90:
        return 1 - bottom, left, 1 - top, right
    if rotation == 180:
        return 1 - right, 1 - bottom, 1 - left, 1 - top
    if rotation == 270:
        return top, 1 - right, bottom, 1 - left
    return left, top, right, bottom


def _text_layer_range(path: str, start: int, stop: int):
    """Worker side: pages start..stop-1, each as (width, height, rotation, texts, edges).

    Columnar: a list of strings and one buffer of doubles pickle and unpickle in a
    fraction of the time of one object per word.
    """
    doc = pdfium.PdfDocument(path)
    try:
        out = []
        for i in range(start, stop):
            w, h, words, rot = _text_layer(doc, i)
            out.append((w, h, rot, words.texts, words.edges.tobytes()))
        return out
    finally:
        doc.close()


def _text_layer_parallel(doc: pdfium.PdfDocument, path: str, n_pages: int, workers: int):
    """The text layer in ``workers`` processes: this one reads the first chunk of pages
    while ``workers - 1`` forked children read the others."""
    # Forking is safe here: extract_safely runs this in a single-threaded child process.
    chunk = -(-n_pages // workers)
    ranges = [(s, min(n_pages, s + chunk)) for s in range(chunk, n_pages, chunk)]
    with ProcessPoolExecutor(max_workers=len(ranges), mp_context=get_context("fork")) as pool:
        futures = [pool.submit(_text_layer_range, path, s, e) for s, e in ranges]
        out = [_text_layer(doc, i) for i in range(min(chunk, n_pages))]
        for fut in futures:
            for w, h, rot, texts, buf in fut.result():
                edges = np.frombuffer(buf, dtype=np.float64)
                out.append((w, h, RawWords(texts, edges, clean=True), rot))
        return out


# ASCII bytes that are not letters or digits, and control bytes, for the fast paths below
_ASCII_NON_ALNUM = bytes(c for c in range(128) if not chr(c).isalnum())
_ASCII_CONTROL = bytes(range(0x20))


def _alnum_count(text: str) -> int:
    """Letters and digits in a page's word texts (joined)."""
    if text.isascii():  # the same count as the regex, ~10x faster
        return len(text.encode("ascii").translate(None, _ASCII_NON_ALNUM))
    return len(_NON_ALNUM.sub("", text))


def _meaningful(text: str, alnum: int) -> bool:
    if alnum < MIN_TEXT_CHARS:
        return False
    if text.isascii():  # no U+FFFD; control characters counted as _CONTROL finds them
        garbage = len(text) - len(text.encode("ascii").translate(None, _ASCII_CONTROL))
    else:
        garbage = text.count("\ufffd") + len(_CONTROL.findall(text))
    return garbage < 0.2 * alnum


def _image_coverage(doc: pdfium.PdfDocument, index: int) -> float:
    """Share of the page covered by its largest image (a scan covers nearly all of it)."""
    page = doc[index]
    try:
        pw, ph = page.get_size()
        best = 0.0
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
            left, bottom, right, top = obj.get_bounds()
            best = max(best, (right - left) * (top - bottom) / max(pw * ph, 1e-6))
        return best
    finally:
        page.close()


def _has_image_or_drawing(doc: pdfium.PdfDocument, index: int) -> bool:
    page = doc[index]
    try:
        for _ in page.get_objects(
            filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH],
            max_depth=3,
        ):
            return True
        return False
    finally:
        page.close()


# -- OCR of scanned pages -----------------------------------------------------------------


def _ocr_pages(doc, indices, contents, limits: Limits, language, workers, warnings) -> None:
    tmp = tempfile.mkdtemp(prefix="docuflow-ocr-")

    def jobs():
        for i in indices:
            page = doc[i]
            try:
                w, h = page.get_size()  # as displayed: rendering applies /Rotate
                contents[i].page.width, contents[i].page.height = w, h
                scale = limits.ocr_dpi / 72
                if w * h * scale * scale > limits.max_render_pixels:
                    scale = (limits.max_render_pixels / (w * h)) ** 0.5
                    warnings.append(f"page {i + 1} rendered at {scale * 72:.0f} dpi (size cap)")
                bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=False)
                image = bitmap.to_pil()
                out = os.path.join(tmp, f"p{i + 1}.png")
                image.save(out, compress_level=1)  # fast to write; tesseract reads it quickly
                dpi = round(scale * 72)
            finally:
                page.close()
            yield i, out, (lambda p=out: os.path.exists(p) and os.remove(p)), dpi

    try:
        results = ocr_many(jobs(), language=language, workers=workers)
    finally:
        for name in os.listdir(tmp):
            os.remove(os.path.join(tmp, name))
        os.rmdir(tmp)
    for i, ocr_page in results.items():
        contents[i].words = ocr_page.words
        contents[i].segment_gap = OCR_SEGMENT_GAP
        contents[i].page.methods.append(OCR)


# -- AcroForm --------------------------------------------------------------------------


def read_acroform(
    path: str, warnings: list[str], rotations: dict[int, int] | None = None
) -> dict[int, list[RawFormField]]:
    """Filled AcroForm fields by 0-based page index; {} when the PDF has none."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return {}
        acro = reader.trailer["/Root"].get("/AcroForm")
        if acro is None or not acro.get_object().get("/Fields"):
            return {}
        out: dict[int, list[RawFormField]] = {}
        seen: set[str] = set()
        for pno, page in enumerate(reader.pages):
            left, bottom, right, top = (float(v) for v in page.cropbox)
            width, height = right - left, top - bottom
            for annot in page.get("/Annots") or []:
                obj = annot.get_object()
                if obj.get("/Subtype") != "/Widget":
                    continue
                name, label, value = _field_info(obj)
                if not name or name in seen:
                    continue
                seen.add(name)
                bbox = None
                if "/Rect" in obj and width > 0 and height > 0:
                    x0, y0, x1, y1 = (float(v) for v in obj["/Rect"])
                    bbox = rotate_edges(
                        max(0.0, (min(x0, x1) - left) / width),
                        max(0.0, (top - max(y0, y1)) / height),
                        min(1.0, (max(x0, x1) - left) / width),
                        min(1.0, (top - min(y0, y1)) / height),
                        (rotations or {}).get(pno, 0),  # same turn as the page's words
                    )
                out.setdefault(pno, []).append(RawFormField(name, label, value, bbox))
        return out
    except Exception as exc:  # noqa: BLE001 - pypdf fails in many ways on files PDFium reads
        # Form fields are a bonus on top of the text layer: a damaged form dictionary
        # must not fail a document PDFium could read.
        warnings.append(f"form fields not read: {type(exc).__name__}: {exc}"[:300])
        return {}


def _field_info(widget) -> tuple[str, str, str]:
    """Full name, tooltip and value of the field a widget belongs to."""
    parts, node, label, value, ftype = [], widget, "", None, None
    depth = 0
    while node is not None and depth < 32:
        if "/T" in node:
            parts.append(str(node["/T"]))
        if not label and "/TU" in node:
            label = str(node["/TU"])
        if value is None and "/V" in node:
            value = node["/V"]
        if ftype is None and "/FT" in node:
            ftype = node["/FT"]
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
        depth += 1
    name = ".".join(reversed(parts))
    return name, label or name, _value_text(value, ftype)


def _value_text(value, ftype) -> str:
    if value is None:
        return ""
    if ftype == "/Sig":
        return "signed"
    if isinstance(value, list):
        return ", ".join(_value_text(v, None) for v in value)
    text = str(value)
    if text.startswith("/"):  # checkbox / radio states are names
        return "" if text == "/Off" else text[1:]
    return text.strip()
