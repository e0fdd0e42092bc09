"""Images (PNG, JPEG, TIFF incl. multi-page, GIF, BMP, WebP) through Tesseract."""

from __future__ import annotations

import os
import tempfile
import warnings as pywarnings

from .errors import CORRUPT, TOO_LARGE, UNSUPPORTED, ExtractionFailed
from .layout import OCR_SEGMENT_GAP
from .limits import Limits
from .model import OCR, Page
from .ocr import ocr_many
from .pages import PageContent

# Formats Tesseract (Leptonica) reads directly: no need to decode and re-encode them.
_DIRECT = {"PNG", "JPEG"}


def open_image(path: str, limits: Limits):
    """Open lazily (header only) and refuse images too big to decode safely."""
    from PIL import Image, UnidentifiedImageError

    # Pillow's own guard (a process-wide setting, restored afterwards) warns above this
    # many pixels; the warning is turned into an error.
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    try:
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ExtractionFailed(TOO_LARGE, f"image too large: {exc}")
    except UnidentifiedImageError:
        raise ExtractionFailed(UNSUPPORTED, "not an image format we can read")
    except (OSError, SyntaxError, ValueError) as exc:
        raise ExtractionFailed(CORRUPT, f"unreadable image: {exc}")
    finally:
        Image.MAX_IMAGE_PIXELS = previous
    w, h = image.size
    if w <= 0 or h <= 0:
        image.close()
        raise ExtractionFailed(CORRUPT, "image has no pixels")
    if w * h > limits.max_image_pixels:
        image.close()
        raise ExtractionFailed(
            TOO_LARGE, f"image is {w}x{h} pixels; the limit is {limits.max_image_pixels} pixels"
        )
    return image


def read_image(
    path: str, limits: Limits, *, language: str, warnings: list[str]
) -> list[PageContent]:
    image = open_image(path, limits)
    try:
        n_frames = getattr(image, "n_frames", 1)
        if n_frames > limits.max_pages:
            raise ExtractionFailed(
                TOO_LARGE, f"image has {n_frames} pages; the limit is {limits.max_pages}"
            )
        fmt = image.format
        dpi = image.info.get("dpi")
        dpi = int(round(dpi[0])) if dpi and dpi[0] and dpi[0] >= 50 else None
        workers = limits.ocr_workers or min(os.cpu_count() or 1, 8)
        tmp = tempfile.mkdtemp(prefix="docuflow-img-")
        sizes: dict[int, tuple[int, int]] = {}

        def jobs():
            if n_frames == 1 and fmt in _DIRECT:
                sizes[0] = image.size
                yield 0, path, None, None  # Tesseract reads the file's own resolution
                return
            for i in range(n_frames):
                try:
                    image.seek(i)
                    w, h = image.size
                    if w * h > limits.max_image_pixels:
                        raise ExtractionFailed(TOO_LARGE, f"page {i + 1} is {w}x{h} pixels")
                    frame = image.convert("L")
                except (OSError, ValueError, EOFError) as exc:
                    raise ExtractionFailed(CORRUPT, f"unreadable image page {i + 1}: {exc}")
                out = os.path.join(tmp, f"f{i + 1}.png")
                frame.save(out, compress_level=1)
                sizes[i] = (w, h)
                yield i, out, (lambda p=out: os.path.exists(p) and os.remove(p)), dpi

        try:
            results = ocr_many(jobs(), language=language, workers=workers)
        finally:
            for name in os.listdir(tmp):
                os.remove(os.path.join(tmp, name))
            os.rmdir(tmp)
    finally:
        image.close()
    contents = []
    for i in range(n_frames):
        w, h = sizes.get(i, (0, 0))
        content = PageContent(
            Page(i + 1, float(w), float(h), "px", [OCR]), segment_gap=OCR_SEGMENT_GAP
        )
        if i in results:
            content.words = results[i].words
        contents.append(content)
    return contents
