"""Bytes to clean text: encoding detection, Unicode clean-up, paragraph splitting.

Everything here is pure. The text that comes out is safe to put in XML 1.0 (no
forbidden characters) and uses plain spaces and ``\\n`` line ends only.
"""

from __future__ import annotations

import codecs
import itertools
import re

from ..errors import ParseError

# Longest BOMs first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# cp1252 leaves five bytes undefined; latin-1 maps them to C1 controls, which the
# normalization later removes, so no byte makes decoding fail.
_CP1252_OVER_LATIN1 = {
    byte: bytes([byte]).decode("cp1252")
    for byte in range(0x80, 0xA0)
    if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}

# Control characters that text files do not contain (binary data is full of them).
_BINARY_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_HIGH_BYTES = bytes(range(0x80, 0x100))
_BINARY_CONTROL_SHARE = 0.10
_BINARY_HIGH_BYTE_SHARE = 0.30

_LINE_BREAKS = re.compile(r"\r\n?|\u2028")
_PARAGRAPH_BREAK = "\u2029"
# XML 1.0 forbids C0 controls other than tab/newline, U+FFFE/U+FFFF and surrogates;
# DEL and C1 controls are allowed but invisible junk, and the invisible format
# characters below only ever confuse matching.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u00ad\u200b\u2060\ufeff]")
_OTHER_SPACES = "\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
# Runs of spaces but a single plain one, which would be replaced by itself: most
# spaces are those, and finding them all was the slow part. A run starts with a
# space that is no plain one or that another follows; opening with a character
# class lets the regex engine skip ahead to the next space quickly.
_SPACES = re.compile(f"[ {_OTHER_SPACES}](?:(?<! )|(?=[ {_OTHER_SPACES}]))[ {_OTHER_SPACES}]*")
# Written to start with a literal, which the regex engine searches for quickly.
_BLANK_LINES = re.compile(r"\n\n+")

# Hard-wrapped prose is wrapped at a fixed width, rarely wider than this.
_MAX_WRAP_WIDTH = 100
_MIN_WRAP_WIDTH = 40


def decode_article(data: bytes, *, source: str) -> tuple[str, list[str]]:
    """Decode an article file's bytes; return the text and warnings naming ``source``.

    A byte-order mark (UTF-8, UTF-16, UTF-32) decides the encoding; otherwise the
    data is read as UTF-8, and when that fails as Windows-1252 (cp1252) with a
    warning. Raises :class:`ParseError` for empty or whitespace-only files and for
    binary data (NUL bytes without a BOM, or mostly control characters).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text, warnings = _decode_with_bom(data[len(bom):], encoding, source=source)
            break
    else:
        if b"\x00" in data:
            raise ParseError(source, "binary data (NUL bytes), not a text article")
        text, warnings = _decode_unmarked(data, source=source)
    if _looks_binary(text):
        raise ParseError(source, "binary data (mostly control characters), not a text article")
    if not text.strip():
        raise ParseError(source, "empty file: no text")
    return text, warnings


def _decode_with_bom(data: bytes, encoding: str, *, source: str) -> tuple[str, list[str]]:
    if encoding == "utf-8":
        return _decode_unmarked(data, source=source)
    try:
        return data.decode(encoding), []
    except UnicodeDecodeError as exc:
        warning = (f"{source}: invalid {encoding.upper()} at byte {exc.start} despite its byte-order mark; "
                   "undecodable bytes replaced")
        return data.decode(encoding, errors="replace"), [warning]


def _decode_unmarked(data: bytes, *, source: str) -> tuple[str, list[str]]:
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        bad_byte = data[exc.start]
        high_bytes = len(data) - len(data.translate(None, _HIGH_BYTES))
        if high_bytes > _BINARY_HIGH_BYTE_SHARE * len(data):
            raise ParseError(source, "binary data (not UTF-8 and mostly non-ASCII bytes), not a text article") from None
        warning = (f"{source}: not valid UTF-8 (byte 0x{bad_byte:02x} at offset {exc.start}); "
                   "read as Windows-1252 (cp1252)")
        return data.decode("latin-1").translate(_CP1252_OVER_LATIN1), [warning]


def _looks_binary(text: str) -> bool:
    return len(_BINARY_CONTROLS.findall(text)) > _BINARY_CONTROL_SHARE * len(text)


def normalize_text(text: str) -> str:
    """Clean text up for parsing and XML: ``\\n`` line ends, plain spaces, no
    forbidden or invisible characters, no trailing spaces. Curly quotes and dashes
    are kept: they are the author's typography."""
    if "\r" in text or "\u2028" in text:  # rare, and quicker to look for than the pattern
        text = _LINE_BREAKS.sub("\n", text)
    text = text.replace(_PARAGRAPH_BREAK, "\n\n")
    text = _FORBIDDEN.sub("", text)
    return "\n".join(line.strip() for line in _SPACES.sub(" ", text).split("\n"))


def collapse_spaces(text: str) -> str:
    """Whitespace runs (line breaks included) to one space, ends trimmed."""
    return " ".join(text.split())


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of normalized text, whitespace collapsed.

    Blank lines separate paragraphs. Inside a block, lines are joined when they
    look hard-wrapped at a fixed width; otherwise each line is a paragraph of its
    own, which handles text that separates paragraphs by single newlines.
    """
    paragraphs: list[str] = []
    for block in _BLANK_LINES.split(text):
        lines = [line for line in block.split("\n") if line]
        if _is_hard_wrapped(lines):
            paragraphs.append(collapse_spaces(" ".join(lines)))
        else:
            paragraphs.extend(collapse_spaces(line) for line in lines)
    return [paragraph for paragraph in paragraphs if paragraph]


def _is_hard_wrapped(lines: list[str]) -> bool:
    """Whether ``lines`` are one paragraph broken by greedy wrapping.

    A greedy wrap only breaks a line when the next word would not fit, so a line
    that had room for the next line's first word ends a paragraph on purpose.
    """
    if len(lines) < 2:
        return False
    width = max(len(line) for line in lines)
    if not _MIN_WRAP_WIDTH <= width <= _MAX_WRAP_WIDTH:
        return False
    for line, following in itertools.pairwise(lines):
        if len(line) + 1 + len(following.split(" ", 1)[0]) <= width:
            return False
    # Two lines always pass the test above; a capital on the second line is then
    # more likely a new paragraph (a byline under a headline) than a continuation.
    return len(lines) > 2 or lines[1][:1].islower()
