"""Plain text: monospaced virtual layout, so aligned columns still form tables."""

from __future__ import annotations

from .errors import TOO_LARGE, UNSUPPORTED, ExtractionFailed
from .limits import Limits
from .model import PLAIN_TEXT, Page
from .pages import PageContent, place_words

LINES_PER_PAGE = 66  # a printer page; form feeds also break pages


def decode_text(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" in data[:8192]:
        raise ExtractionFailed(UNSUPPORTED, "binary content is not plain text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_text(path: str, limits: Limits, warnings: list[str]) -> list[PageContent]:
    with open(path, "rb") as fh:
        text = decode_text(fh.read())
    pages_text: list[list[str]] = []
    for chunk in text.replace("\r\n", "\n").replace("\r", "\n").split("\f"):
        lines = chunk.split("\n")
        for i in range(0, max(len(lines), 1), LINES_PER_PAGE):
            pages_text.append(lines[i : i + LINES_PER_PAGE])
            if len(pages_text) > limits.max_pages:
                raise ExtractionFailed(TOO_LARGE, f"text is longer than {limits.max_pages} pages")
    width = max((len(ln.expandtabs(8)) for page in pages_text for ln in page), default=1)
    char_w = 1.0 / max(width + 2, 80)
    line_h = 1.0 / LINES_PER_PAGE
    contents = []
    for number, lines in enumerate(pages_text, start=1):
        content = PageContent(Page(number, 1.0, 1.0, "virtual", [PLAIN_TEXT]))
        # Two or more spaces separate columns; one space separates words.
        content.segment_gap = 1.6 * char_w / (0.8 * line_h)
        for row, line in enumerate(lines):
            line = line.expandtabs(8)
            top = row * line_h + 0.1 * line_h
            col = 0
            for word in line.split(" "):
                if word:
                    left = (col + 1) * char_w
                    content.words.extend(
                        place_words(word, left, top, left + len(word) * char_w, top + 0.8 * line_h)
                    )
                col += len(word) + 1
        contents.append(content)
    return contents
