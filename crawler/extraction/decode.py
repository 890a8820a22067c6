"""Bytes to an lxml tree: charset choice, input checks, size cap and the deep-nesting fallback."""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Mapping

import charset_normalizer
import lxml.etree
import lxml.html

from chipwatch.errors import ExtractionError

logger = logging.getLogger(__name__)

# Larger pages are cut: article bodies sit well inside the first megabytes, and parsing
# tens of megabytes of inline scripts costs seconds for nothing.
MAX_BYTES = 5_000_000
# libxml2's HTML parser drops the whole document past 255 open elements; flatten before that.
MAX_DEPTH = 200

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_TAG = re.compile(r"<\s*(?:[a-zA-Z][\w:-]*|!doctype|!--)", re.IGNORECASE)
_LAYOUT_TAGS = re.compile(
    r"</?(?:div|span|section|font|center|table|tbody|tr|td)\b[^>]*>", re.IGNORECASE
)
_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\x7fELF",
    b"RIFF",
    b"OggS",
    b"ID3",
    b"\x00\x00\x00",
)
_HTML_TYPES = ("html", "xml", "text/plain")  # text/plain: servers often mislabel HTML
# WHATWG: a label of latin-1 means windows-1252, whose extra letters real pages use.
_ALIASES = {
    "latin-1": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "x-user-defined": "cp1252",
}


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """A header's value looked up case-insensitively (Scrapy and plain dicts differ in case)."""
    if not headers:
        return None
    for key, value in headers.items():
        k = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if k.lower() == name:
            if isinstance(value, list):
                value = value[0] if value else ""
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None


def _codec(label: str | bytes | None) -> str | None:
    if not label:
        return None
    name = label.decode("ascii", "ignore") if isinstance(label, bytes) else label
    name = name.strip().lower()
    try:
        canonical = codecs.lookup(_ALIASES.get(name, name)).name
    except LookupError:
        return None
    return _ALIASES.get(canonical, canonical)


def _check_not_binary(data: bytes, content_type: str | None) -> None:
    if content_type and not any(t in content_type.lower() for t in _HTML_TYPES):
        raise ExtractionError(f"not HTML: Content-Type is {content_type.split(';')[0].strip()!r}")
    head = data[:1024]
    if head.startswith(_BINARY_MAGIC):
        raise ExtractionError("not HTML: the bytes start with a binary file signature")
    # Text in any single-byte or UTF-8 charset has next to no NUL or control bytes.
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if head and controls / len(head) > 0.1:
        raise ExtractionError("not HTML: the bytes look binary")


def decode(data: str | bytes, headers: Mapping[str, str] | None = None) -> str:
    """Decode the page: the Content-Type charset, then a BOM or <meta charset>, then detection.

    A declared charset is used only if the bytes decode cleanly with it; a wrong label is
    common (servers default to ISO-8859-1 for UTF-8 pages). Never raises on bad bytes.
    """
    if isinstance(data, str):
        return data[:MAX_BYTES]
    data = data[:MAX_BYTES]
    # A byte-order mark settles the charset (and UTF-16 would look binary to the check below).
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace")
    _check_not_binary(data, header(headers, "content-type"))
    ctype = header(headers, "content-type") or ""
    match = _HEADER_CHARSET.search(ctype)
    meta = _META_CHARSET.search(data[:8192])
    declared = [_codec(match.group(1) if match else None), _codec(meta.group(1) if meta else None)]
    for enc in filter(None, declared):
        if enc == "cp1252" and _is_utf8(data):
            enc = "utf-8"  # a non-ASCII page that is valid UTF-8 is almost never cp1252
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            logger.debug("declared charset %s does not decode the page", enc)
    if _is_utf8(data):
        return data.decode("utf-8", errors="replace")  # a cut page may end mid-character
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    enc = best.encoding if best is not None else "utf-8"
    return data.decode(enc, errors="replace")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        # A page cut at MAX_BYTES may end inside a multi-byte character.
        return e.start >= len(data) - 3 and e.reason == "unexpected end of data"
    return True


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def parse(text: str) -> lxml.html.HtmlElement:
    """Parse decoded HTML; raise ExtractionError for empty or markup-less input."""
    # Control characters and lone surrogates are not text: lxml refuses them, or trafilatura
    # drops the whole body over them.
    text = _XML_DECL.sub("", _CONTROL.sub("", text), count=1)
    if not text.strip():
        raise ExtractionError("empty page: no HTML to extract from")
    if not _TAG.search(text[:100_000]):
        raise ExtractionError("not HTML: no markup found in the page")
    tree = _parse(text)
    if tree is not None and _depth_exceeded(text):
        # Deep nesting makes libxml2 give up on the body: retry with layout tags removed,
        # which keeps paragraphs, headings and links.
        flat = _parse(_LAYOUT_TAGS.sub(" ", text))
        if flat is not None and len(flat.text_content()) > len(tree.text_content()):
            logger.debug("deeply nested page parsed with layout tags flattened")
            tree = flat
    if tree is None:
        raise ExtractionError("unparseable page: lxml found no document")
    return tree


def _parse(text: str) -> lxml.html.HtmlElement | None:
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        return lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError) as e:
        logger.debug("lxml could not parse the page: %s", e)
        return None


_OPEN = re.compile(r"<(div|span|section)\b", re.IGNORECASE)


def _depth_exceeded(text: str) -> bool:
    """A cheap upper bound of nesting from layout-tag counts, to avoid a second parse usually."""
    opens = len(_OPEN.findall(text))
    if opens < MAX_DEPTH:
        return False
    depth = peak = 0
    for m in re.finditer(r"<(/?)(?:div|span|section)\b", text, re.IGNORECASE):
        depth += -1 if m.group(1) else 1
        peak = max(peak, depth)
        if peak > MAX_DEPTH:
            return True
    return False
