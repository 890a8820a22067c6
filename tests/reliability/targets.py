"""The fuzz targets: one function per pure stage, ``bytes -> None``, shared by the atheris
harnesses (``fuzz_*.py``), the corpus replay and the hypothesis tests.

A target returns normally when the stage behaved: it gave a well-formed result, or raised one
of its documented errors (``ExtractionError``, ``FeedError``). Anything else escapes, so the
fuzzer records the input as a crash. The first bytes of an input choose the options (headers,
publication date, file kind), the rest is the payload, so every byte string is a valid input.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
URL = "https://news.example.org/2024/12/02/story.html"
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_VALUE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")

# Response headers an article may come with, including lying and nonsense ones.
HEADER_SETS: tuple[dict[str, str] | None, ...] = (
    None,
    {"content-type": "text/html; charset=utf-8"},
    {"content-type": "text/html; charset=iso-8859-1"},
    {"content-type": "text/html; charset=x-no-such-charset"},
    {"content-type": "text/html; charset=utf-16"},
    {"content-type": "text/plain"},
    {"Content-Type": "application/xhtml+xml; charset=shift_jis"},
    {"content-type": "application/pdf"},
    {"content-type": ""},
    {"content-type": 'text/html; charset="\u00ff\u00fe"'},
)

# A tiny knowledge base of facts (no article text), for when nlp/kb/ is not there yet.
_TINY_KB = [
    {"id": "country/us", "name": "United States", "type": "Country", "aliases": ["US", "U.S."]},
    {"id": "country/cn", "name": "China", "type": "Country", "aliases": ["PRC"]},
    {"id": "country/nl", "name": "Netherlands", "type": "Country", "demonyms": ["Dutch"]},
    {"id": "country/jp", "name": "Japan", "type": "Country", "demonyms": ["Japanese"]},
    {"id": "company/asml", "name": "ASML", "type": "Company", "country": "country/nl"},
    {"id": "company/smic", "name": "SMIC", "type": "Company", "country": "country/cn"},
    {
        "id": "government/bis",
        "name": "Bureau of Industry and Security",
        "type": "Government",
        "aliases": ["BIS"],
        "country": "country/us",
    },
]


def ensure_kb() -> None:
    """Points ``CHIPWATCH_KB_DIR`` at a tiny KB when the project's KB is missing. Call it before
    ``nlp`` is imported: the KB directory is read at import time."""
    if os.environ.get("CHIPWATCH_KB_DIR") or any((ROOT / "nlp" / "kb").glob("*.jsonl")):
        return
    kb = Path(tempfile.gettempdir()) / f"chipwatch-reliability-kb-{os.getuid()}"
    kb.mkdir(exist_ok=True)
    lines = "\n".join(json.dumps(e) for e in _TINY_KB) + "\n"
    path = kb / "tiny.jsonl"
    if not path.exists() or path.read_text(encoding="utf-8") != lines:
        path.write_text(lines, encoding="utf-8")
    os.environ["CHIPWATCH_KB_DIR"] = str(kb)


def _storable(value: Any, where: str) -> None:
    """The value survives what the store and the CLI do with it: JSON, then UTF-8."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as e:
        raise AssertionError(f"the {where} cannot be written as UTF-8 JSON: {e}") from e


# -- HTML extraction ----------------------------------------------------------------------


def html(data: bytes) -> None:
    from chipwatch.errors import ExtractionError
    from crawler.extract import extract_article

    mode, body = (data[0], data[1:]) if data else (0, b"")
    headers = HEADER_SETS[mode % len(HEADER_SETS)]
    page: str | bytes = body.decode("utf-8", "replace") if mode & 0x80 else body
    try:
        article = extract_article(page, URL, headers=headers)
    except ExtractionError:
        return
    assert isinstance(article.text, str) and isinstance(article.canonical_url, str)
    assert "\x00" not in article.text, "a NUL byte reached the article text"
    for name in ("published", "modified"):
        value = getattr(article, name)
        assert value is None or _ISO_DAY.match(value), f"{name} is not YYYY-MM-DD: {value!r}"
        if value:
            date.fromisoformat(value)
    assert all(isinstance(a, str) for a in article.authors)
    _storable(article.to_dict(), "article")


# -- feeds and sitemaps -------------------------------------------------------------------


def feed(data: bytes) -> None:
    from crawler.feeds import FeedError, on_or_after, parse_listing

    try:
        listing = parse_listing(data)
    except FeedError:
        return
    assert listing.kind in ("feed", "sitemap_index", "sitemap")
    for entry in listing.entries:
        assert isinstance(entry.url, str) and entry.url
        if listing.kind == "feed":
            assert entry.url.lower().startswith(("http://", "https://")), entry.url
        for moment in (entry.published, entry.updated):
            assert moment is None or (isinstance(moment, datetime) and moment.tzinfo is not None)
        on_or_after(entry, date(2023, 1, 1))  # compares aware datetimes: must not raise
        _storable([entry.url, entry.title], "entry")


# -- dates --------------------------------------------------------------------------------


def dates_input(data: bytes) -> tuple[str, date | None, int | None]:
    """(text, published, anchor) from bytes: 3 bytes of date, 1 of anchor, then the text."""
    head = data[:4].ljust(4, b"\0")
    published = (
        None if head[0] == 0 else date(1990 + head[0] % 60, 1 + head[1] % 12, 1 + head[2] % 28)
    )
    anchor = None if head[3] == 255 else head[3] * 8 - 200  # negative and past-the-end too
    return data[4:].decode("utf-8", "replace"), published, anchor


def dates(data: bytes) -> None:
    from nlp.dates import find_dates, resolve

    text, published, anchor = dates_input(data)
    found = find_dates(text, published)
    last_end = 0
    for f in found:
        assert 0 <= f.start < f.end <= len(text), f
        assert f.start >= last_end, f"overlapping dates kept: {found}"
        last_end = f.end
        assert _DATE_VALUE.match(f.value), f"not YYYY[-MM[-DD]]: {f.value!r}"
        if len(f.value) == 10:
            date.fromisoformat(f.value)
        elif len(f.value) == 7:
            assert 1 <= int(f.value[5:]) <= 12, f.value
    value = resolve(text, published, anchor)
    assert (value is None) == (not found)
    assert value is None or value in {f.value for f in found}


# -- chipwatch extract --------------------------------------------------------------------

EXTRACT_SUFFIXES = (".json", ".jsonl", ".txt")
MAX_ARTICLES = 4  # per input: enough to exercise batching, few enough to stay fast


def extract_input(data: bytes, directory: Path) -> tuple[Path, argparse.Namespace]:
    """Writes the payload as an input file of ``chipwatch extract``; the first byte chooses
    its kind and whether ``--published`` is given."""
    mode = data[0] if data else 0
    path = directory / f"input{EXTRACT_SUFFIXES[mode % 3]}"
    path.write_bytes(data[1:])
    published = "2024-12-02" if mode & 0x10 else None
    return path, argparse.Namespace(url=None, published=published)


def extract(data: bytes) -> None:
    ensure_kb()
    from chipwatch.commands.extract import read_articles
    from chipwatch.errors import ExtractionError
    from nlp.pipeline import extract as extract_record

    with tempfile.TemporaryDirectory(prefix="chipwatch-fuzz-") as tmp:
        path, args = extract_input(data, Path(tmp))
        try:
            articles = read_articles(str(path), args)
        except ExtractionError:
            return
    for article in articles[:MAX_ARTICLES]:
        try:
            record = extract_record(article)
        except ExtractionError:
            continue
        assert isinstance(record["entities"], list) and isinstance(record["events"], list)
        for event in record["events"]:
            assert event.get("date") is None or _DATE_VALUE.match(str(event["date"])), event
        # what `chipwatch extract` writes: one JSON line, UTF-8 on stdout
        _storable(record, "record")


TARGETS: dict[str, Callable[[bytes], None]] = {
    "html": html,
    "feed": feed,
    "dates": dates,
    "extract": extract,
}


def corpus_files(target: str) -> list[Path]:
    """Every regression input of a target: our seeds and whatever the fuzzer saved."""
    folder = CORPUS / target
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
