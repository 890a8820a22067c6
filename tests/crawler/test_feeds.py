"""Feed and sitemap parsing, including the hostile and broken inputs a crawl meets."""

from __future__ import annotations

import gzip
from datetime import date, datetime, timezone

import pytest

from crawler.feeds import MAX_XML_BYTES, Entry, FeedError, inflate, on_or_after, parse_date, parse_listing

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Tech policy</title>
<item><title>Dutch widen licence rules for DUV tools</title>
<link>https://news.example.org/a/dutch-duv?utm_source=rss</link>
<pubDate>Fri, 01 Sep 2023 08:00:00 GMT</pubDate></item>
<item><title>No link here</title></item>
<item><title>Relative links are not entries</title><link>/relative</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>Japan adds 23 tool types</title>
<link rel="self" href="https://x.example.jp/self"/>
<link rel="alternate" href="https://x.example.jp/japan-23"/>
<published>2023-03-31T09:00:00+09:00</published><updated>2023-05-23T10:00:00+09:00</updated></entry>
</feed>"""

NEWS_SITEMAP = b"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://n.example.com/smic-7nm</loc><lastmod>2023-09-05</lastmod>
<news:news><news:publication_date>2023-09-04T12:00:00Z</news:publication_date>
<news:title>SMIC's 7nm chip in Huawei phone</news:title></news:news></url>
</urlset>"""

INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://n.example.com/sitemap-1.xml</loc></sitemap></sitemapindex>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<rss><channel><item><title>&lol9;</title><link>https://a.example.org/x</link></item></channel></rss>"""

XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&xxe;</title><link>https://a.example.org/y</link></item></channel></rss>"""


def test_rss_entries_keep_only_absolute_links() -> None:
    listing = parse_listing(RSS)
    assert listing.kind == "feed"
    assert [e.url for e in listing.entries] == ["https://news.example.org/a/dutch-duv?utm_source=rss"]
    assert listing.entries[0].published == datetime(2023, 9, 1, 8, tzinfo=timezone.utc)


def test_atom_prefers_alternate_link_and_knows_updates() -> None:
    (entry,) = parse_listing(ATOM).entries
    assert entry.url == "https://x.example.jp/japan-23"
    assert entry.latest is not None and entry.latest.date() == date(2023, 5, 23)


def test_news_sitemap_has_publication_date_and_title() -> None:
    listing = parse_listing(NEWS_SITEMAP)
    (entry,) = listing.entries
    assert listing.kind == "sitemap"
    assert entry.title == "SMIC's 7nm chip in Huawei phone"
    assert entry.published == datetime(2023, 9, 4, 12, tzinfo=timezone.utc)
    assert entry.updated == datetime(2023, 9, 5, tzinfo=timezone.utc)


def test_sitemap_index_lists_child_sitemaps() -> None:
    listing = parse_listing(INDEX)
    assert listing.kind == "sitemap_index"
    assert [e.url for e in listing.entries] == ["https://n.example.com/sitemap-1.xml"]


def test_gzipped_sitemap() -> None:
    assert parse_listing(gzip.compress(NEWS_SITEMAP)).entries[0].url.endswith("smic-7nm")


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_entities_are_never_expanded(hostile: bytes) -> None:
    (entry,) = parse_listing(hostile).entries
    assert "lollollol" not in (entry.title or "")
    assert "root:" not in (entry.title or "")


def test_gzip_bomb_stops_at_the_cap() -> None:
    bomb = gzip.compress(b"<" + b"a" * (MAX_XML_BYTES + 10))
    with pytest.raises(FeedError, match="gzip bomb"):
        inflate(bomb)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<html><body>Not a feed</body></html>", "not a feed or sitemap"),
        (b"\xff\xfe\x00garbage\x00", "not XML"),
        (b"\x1f\x8b\x08\x00broken", "broken gzip"),
    ],
)
def test_bad_listings_raise_feed_error(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_listing(body)


def test_malformed_but_recoverable_feed_still_yields_entries() -> None:
    broken = b"<rss><channel><item><title>Unclosed & bad</title><link>https://a.example.org/z</link></item>"
    assert [e.url for e in parse_listing(broken).entries] == ["https://a.example.org/z"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tue, 17 Oct 2023 14:00:00 -0400", datetime(2023, 10, 17, 18, tzinfo=timezone.utc)),
        ("2022-10-07T12:00:00Z", datetime(2022, 10, 7, 12, tzinfo=timezone.utc)),
        ("2024-12-02", datetime(2024, 12, 2, tzinfo=timezone.utc)),
        ("2024-12-02 extra words", datetime(2024, 12, 2, tzinfo=timezone.utc)),
        ("yesterday", None),
        ("2024-13-45", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(raw: str | None, expected: datetime | None) -> None:
    got = parse_date(raw)
    assert got == expected


def test_on_or_after() -> None:
    old = Entry("https://a.example.org/1", published=datetime(2022, 1, 1, tzinfo=timezone.utc))
    undated = Entry("https://a.example.org/2")
    assert not on_or_after(old, date(2023, 1, 1))
    assert on_or_after(old, date(2021, 12, 31))
    assert on_or_after(undated, date(2030, 1, 1))
