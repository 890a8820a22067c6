"""Feeds, sitemaps and robots.txt of the demo site, as XML/text strings (no I/O).

RSS 2.0 and Atom 1.0 feeds, sitemap indexes with yearly URL sets, and a Google News sitemap
(``news:news`` with ``news:publication_date``). Built with ElementTree so escaping is right.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from crawler.demo_site.content import DemoArticle, Outlet
from crawler.demo_site.render import article_path, byline_text, feed_link

NS_ATOM = "http://www.w3.org/2005/Atom"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NS_NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS_XML = "http://www.w3.org/XML/1998/namespace"

ET.register_namespace("atom", NS_ATOM)
ET.register_namespace("dc", NS_DC)
ET.register_namespace("news", NS_NEWS)


@dataclass(frozen=True)
class FeedItem:
    """An item a feed lists that is not an article record (e.g. a withdrawn or broken page)."""

    title: str
    url: str
    published: datetime
    summary: str = ""


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrib)
    if text is not None:
        el.text = text
    return el


def newest(articles: Iterable[DemoArticle]) -> list[DemoArticle]:
    return sorted(articles, key=lambda a: (a.published_dt, a.id), reverse=True)


def last_change(articles: Iterable[DemoArticle], extra: Iterable[datetime] = ()) -> datetime:
    """The latest publication or modification time (a feed's lastBuildDate/updated)."""
    return max([a.updated_dt for a in articles] + list(extra))


def rss_feed(
    outlet: Outlet,
    articles: Sequence[DemoArticle],
    base_url: str,
    extra: Sequence[FeedItem] = (),
    path: str = "",
) -> str:
    """An RSS 2.0 feed of the outlet's articles, newest first; links carry its tracking."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _sub(rss, "channel")
    _sub(channel, "title", outlet.name)
    _sub(channel, "link", f"{base_url}{outlet.prefix}/")
    _sub(channel, "description", outlet.description)
    _sub(channel, "language", outlet.language)
    _sub(
        channel, f"{{{NS_ATOM}}}link", href=base_url + path, rel="self", type="application/rss+xml"
    )
    dates = [i.published for i in extra]
    _sub(channel, "lastBuildDate", format_datetime(last_change(articles, dates)))
    entries: list[tuple[datetime, ET.Element]] = []
    for a in articles:
        item = ET.Element("item")
        _sub(item, "title", a.title)
        _sub(item, "link", feed_link(a, base_url))
        _sub(item, "guid", f"{outlet.key}-{a.id}", isPermaLink="false")
        _sub(item, "pubDate", format_datetime(a.published_dt))
        if a.modified:
            # RSS 2.0 has no per-item update date; feeds that revise stories borrow Atom's.
            _sub(item, f"{{{NS_ATOM}}}updated", a.modified)
        _sub(item, "description", a.summary)
        for name in a.authors:
            _sub(item, f"{{{NS_DC}}}creator", name)
        _sub(item, "category", a.section)
        entries.append((a.published_dt, item))
    for x in extra:
        item = ET.Element("item")
        _sub(item, "title", x.title)
        _sub(item, "link", x.url)
        _sub(item, "guid", x.url, isPermaLink="true")
        _sub(item, "pubDate", format_datetime(x.published))
        _sub(item, "description", x.summary)
        entries.append((x.published, item))
    for _, item in sorted(entries, key=lambda e: e[0], reverse=True):
        channel.append(item)
    return _xml(rss)


def atom_feed(outlet: Outlet, articles: Sequence[DemoArticle], base_url: str, path: str) -> str:
    """An Atom 1.0 feed: ``published`` and ``updated`` per entry, authors as ``author/name``."""
    feed = ET.Element(f"{{{NS_ATOM}}}feed", {f"{{{NS_XML}}}lang": outlet.language})
    _sub(feed, f"{{{NS_ATOM}}}id", f"tag:{outlet.key}.demo.invalid,2022:feed")
    _sub(feed, f"{{{NS_ATOM}}}title", outlet.name)
    _sub(feed, f"{{{NS_ATOM}}}subtitle", outlet.description)
    _sub(feed, f"{{{NS_ATOM}}}updated", last_change(articles).isoformat())
    _sub(feed, f"{{{NS_ATOM}}}link", rel="self", href=base_url + path)
    _sub(feed, f"{{{NS_ATOM}}}link", rel="alternate", href=f"{base_url}{outlet.prefix}/")
    for a in newest(articles):
        entry = _sub(feed, f"{{{NS_ATOM}}}entry")
        _sub(entry, f"{{{NS_ATOM}}}id", f"tag:{outlet.key}.demo.invalid,{a.published[:10]}:{a.id}")
        _sub(entry, f"{{{NS_ATOM}}}title", a.title)
        _sub(
            entry,
            f"{{{NS_ATOM}}}link",
            rel="alternate",
            type="text/html",
            href=feed_link(a, base_url),
        )
        _sub(entry, f"{{{NS_ATOM}}}published", a.published)
        _sub(entry, f"{{{NS_ATOM}}}updated", a.modified or a.published)
        names = list(a.authors) or [byline_text(a)]
        for name in filter(None, names):
            author = _sub(entry, f"{{{NS_ATOM}}}author")
            _sub(author, f"{{{NS_ATOM}}}name", name)
        _sub(entry, f"{{{NS_ATOM}}}summary", a.summary, type="text")
        _sub(entry, f"{{{NS_ATOM}}}category", term=a.section)
    return _xml(feed)


def sitemap_index(entries: Sequence[tuple[str, datetime]]) -> str:
    """A sitemap index: (sitemap URL, lastmod) pairs."""
    root = ET.Element(f"{{{NS_SITEMAP}}}sitemapindex")
    for loc, lastmod in entries:
        sm = _sub(root, f"{{{NS_SITEMAP}}}sitemap")
        _sub(sm, f"{{{NS_SITEMAP}}}loc", loc)
        _sub(sm, f"{{{NS_SITEMAP}}}lastmod", lastmod.isoformat())
    return _xml(root)


def urlset(entries: Sequence[tuple[str, datetime]]) -> str:
    """A plain sitemap: (page URL, lastmod) pairs."""
    root = ET.Element(f"{{{NS_SITEMAP}}}urlset")
    for loc, lastmod in entries:
        url = _sub(root, f"{{{NS_SITEMAP}}}url")
        _sub(url, f"{{{NS_SITEMAP}}}loc", loc)
        _sub(url, f"{{{NS_SITEMAP}}}lastmod", lastmod.isoformat())
    return _xml(root)


def news_sitemap(outlet: Outlet, articles: Sequence[DemoArticle], base_url: str) -> str:
    """A Google News sitemap with publication name, language, date and title per article."""
    root = ET.Element(f"{{{NS_SITEMAP}}}urlset")
    for a in newest(articles):
        url = _sub(root, f"{{{NS_SITEMAP}}}url")
        _sub(url, f"{{{NS_SITEMAP}}}loc", base_url + article_path(a))
        _sub(url, f"{{{NS_SITEMAP}}}lastmod", a.modified or a.published)
        news = _sub(url, f"{{{NS_NEWS}}}news")
        pub = _sub(news, f"{{{NS_NEWS}}}publication")
        _sub(pub, f"{{{NS_NEWS}}}name", outlet.name)
        _sub(pub, f"{{{NS_NEWS}}}language", a.language)
        _sub(news, f"{{{NS_NEWS}}}publication_date", a.published)
        _sub(news, f"{{{NS_NEWS}}}title", a.title)
    return _xml(root)


def robots_txt(base_url: str, sitemaps: Sequence[str], disallow: Sequence[str]) -> str:
    lines = ["# robots.txt of the chipwatch demo news site", "User-agent: *"]
    lines += [f"Disallow: {p}" for p in disallow]
    lines += ["", *(f"Sitemap: {base_url}{s}" for s in sitemaps), ""]
    return "\n".join(lines)
