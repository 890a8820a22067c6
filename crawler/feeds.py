"""Pure parsers for what spiders navigate: RSS 2.0, Atom, RSS 1.0 (RDF), sitemaps and news
sitemaps. No network, no Scrapy: ``bytes -> entries``.

Hostile XML is inert here: entities are never resolved (no "billion laughs", no external
entities), no DTD or network is loaded, oversized trees are refused, and gzip is inflated only up
to a cap, so a gzip bomb stops at the cap instead of filling memory.
"""

from __future__ import annotations

import gzip
import io
import logging
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

from lxml import etree

from chipwatch.errors import CrawlError

logger = logging.getLogger(__name__)

MAX_XML_BYTES = 20 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"


class FeedError(CrawlError):
    """A feed or sitemap that cannot be read; the message says why."""


@dataclass(frozen=True)
class Entry:
    """One discovered URL with whatever the feed or sitemap says of it."""

    url: str
    title: str | None = None
    published: datetime | None = None
    updated: datetime | None = None

    @property
    def latest(self) -> datetime | None:
        """The newest date the listing gives: a later ``updated`` means the article changed."""
        dates = [d for d in (self.published, self.updated) if d is not None]
        return max(dates) if dates else None


@dataclass(frozen=True)
class Listing:
    kind: Literal["feed", "sitemap_index", "sitemap"]
    entries: list[Entry]


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, recover=True, remove_comments=True, remove_pis=True,
    )  # fmt: skip


def inflate(body: bytes, limit: int = MAX_XML_BYTES) -> bytes:
    """Gunzips a ``.xml.gz`` body, refusing to inflate past ``limit`` bytes."""
    if not body.startswith(GZIP_MAGIC):
        return body
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as f:
        try:
            out = f.read(limit + 1)
        except (OSError, EOFError, zlib.error) as e:
            raise FeedError(f"broken gzip data: {e}") from e
    if len(out) > limit:
        raise FeedError(f"gzip body inflates past {limit} bytes (a gzip bomb?)")
    return out


def _root(body: bytes) -> etree._Element:
    body = inflate(body)
    if len(body) > MAX_XML_BYTES:
        raise FeedError(f"XML body of {len(body)} bytes is over the {MAX_XML_BYTES} byte cap")
    if not body.strip():
        raise FeedError("empty body")
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as e:
        raise FeedError(f"not XML: {e}") from e
    if root is None:
        raise FeedError("not XML: nothing parseable")
    return root


def _local(tag: object) -> str:
    return tag.rpartition("}")[2].rpartition(":")[2].lower() if isinstance(tag, str) else ""


def _child_text(el: etree._Element, *names: str) -> str | None:
    for child in el:
        if _local(child.tag) in names:
            text = "".join(child.itertext()).strip()
            if text:
                return text
    return None


def parse_date(raw: str | None) -> datetime | None:
    """RFC 822 (RSS), ISO 8601 (Atom, sitemaps) or a bare date; naive values are taken as UTC."""
    if not raw:
        return None
    raw = raw.strip()
    parsed: datetime | None = None
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            match = re.match(r"(\d{4})-(\d{2})-(\d{2})", raw)
            if match:
                try:
                    parsed = datetime(*map(int, match.groups()))
                except ValueError:
                    return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _atom_link(entry: etree._Element) -> str | None:
    fallback = None
    for child in entry:
        if _local(child.tag) == "link":
            href = (child.get("href") or "").strip()
            if href and child.get("rel", "alternate") == "alternate":
                return href
            fallback = fallback or href or None
    return fallback


def _feed_entries(root: etree._Element) -> list[Entry]:
    entries: list[Entry] = []
    for el in root.iter():
        name = _local(el.tag)
        if name == "item":  # RSS 2.0 and RSS 1.0
            url = _child_text(el, "link") or (el.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"))
            published = parse_date(_child_text(el, "pubdate", "date", "published"))
            updated = parse_date(_child_text(el, "updated", "modified"))
        elif name == "entry":  # Atom
            url = _atom_link(el) or _child_text(el, "id")
            published = parse_date(_child_text(el, "published", "issued"))
            updated = parse_date(_child_text(el, "updated", "modified"))
        else:
            continue
        if url and url.strip().lower().startswith(("http://", "https://")):
            entries.append(Entry(url.strip(), _child_text(el, "title"), published, updated))
    return entries


def _sitemap_entries(root: etree._Element) -> list[Entry]:
    entries: list[Entry] = []
    for el in root:
        if _local(el.tag) not in ("url", "sitemap"):
            continue
        loc = _child_text(el, "loc")
        if not loc:
            continue
        lastmod = parse_date(_child_text(el, "lastmod"))
        title, published = None, None
        for news in el.iter():
            if _local(news.tag) == "news" and news is not el:
                title = _child_text(news, "title")
                published = parse_date(_child_text(news, "publication_date"))
        entries.append(Entry(loc, title, published, lastmod))
    return entries


def parse_listing(body: bytes) -> Listing:
    """Parses a feed or a sitemap, telling which it was by its root element."""
    root = _root(body)
    name = _local(root.tag)
    if name in ("rss", "feed", "rdf"):
        return Listing("feed", _feed_entries(root))
    if name == "sitemapindex":
        return Listing("sitemap_index", _sitemap_entries(root))
    if name == "urlset":
        return Listing("sitemap", _sitemap_entries(root))
    raise FeedError(f"not a feed or sitemap: root element <{name}>")


def on_or_after(entry: Entry, since: date | None) -> bool:
    """True when the entry is not known to be older than ``since`` (undated entries pass)."""
    if since is None or entry.latest is None:
        return True
    return entry.latest.date() >= since
