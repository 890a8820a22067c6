"""The demo news site: content, templates, feeds, conditional requests, editions, the Federal
Register mimic and the broken pages. Every request goes to 127.0.0.1."""

from __future__ import annotations

import difflib
import html
import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from urllib.robotparser import RobotFileParser

import pytest

from crawler.demo_site import DemoSite, serve
from crawler.demo_site.content import (
    OUTLETS,
    ContentError,
    articles_in_edition,
    load_articles,
    parse_article_file,
)
from crawler.demo_site.render import article_path

ROOT = Path(__file__).resolve().parents[2]
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
SLOW_DELAY = 0.4


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Reply:
    """One request, no redirect following, any status returned (not raised)."""
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1", url
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target, headers=headers or {})
        resp = conn.getresponse()
        return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with serve(port=0, edition=1, slow_delay=SLOW_DELAY) as s:
        yield s


@pytest.fixture()
def fresh_site() -> Iterator[DemoSite]:
    with serve(edition=1, slow_delay=SLOW_DELAY) as s:
        yield s


def english_news(edition: int = 2) -> list:
    return [
        a
        for a in articles_in_edition(edition)
        if a.topic == "export-controls" and a.language == "en" and not a.private
    ]


# --- content ------------------------------------------------------------------------------


def test_corpus_has_enough_articles_of_each_kind() -> None:
    articles = load_articles()
    news = english_news()
    originals = [a for a in news if not a.syndicates]
    assert len(news) >= 44
    assert len(originals) >= 44
    assert len([a for a in articles if a.topic == "off-topic"]) >= 4
    assert {a.language for a in articles} >= {"en", "nl", "ja"}
    assert len({a.id for a in articles}) == len(articles)
    edition1 = {a.id for a in articles_in_edition(1)}
    assert 0 < len(edition1) < len(articles)


@pytest.mark.parametrize("article", english_news(), ids=lambda a: a.id)
def test_news_articles_are_300_to_700_words_with_dated_metadata(article) -> None:
    assert 300 <= article.word_count() <= 700
    assert article.published_dt.tzinfo is not None
    assert 2020 <= article.published_dt.year <= 2025
    assert article.title and article.section


def test_at_least_five_templates_are_used() -> None:
    used = {OUTLETS[a.outlet].template for a in load_articles()}
    assert len(used) >= 5
    files = {p.name for p in (ROOT / "crawler/demo_site/templates").glob("*.html.j2")}
    assert used <= files


def test_syndicated_copies_are_near_duplicates_of_their_original() -> None:
    by_id = {a.id: a for a in articles_in_edition(2)}
    copies = [a for a in by_id.values() if a.syndicates]
    assert len(copies) >= 3
    for copy in copies:
        original = by_id[copy.syndicates]
        assert copy.outlet != original.outlet
        assert copy.title != original.title and original.title in copy.title
        ratio = difflib.SequenceMatcher(None, copy.text, original.text).ratio()
        assert 0.8 < ratio < 1.0, (copy.id, ratio)
    # At least one wire story is republished by two other outlets.
    assert max(sum(c.syndicates == o for c in copies) for o in {c.syndicates for c in copies}) >= 2


def test_quirky_articles_exist() -> None:
    quirks = {a.quirk for a in load_articles()}
    assert {"malformed-html", "mislabeled-encoding", "paywall"} <= quirks
    mislabeled = next(a for a in load_articles() if a.quirk == "mislabeled-encoding")
    mislabeled.text.encode("cp1252")  # must be representable, or the page could not be sent
    assert mislabeled.text.encode("cp1252") != mislabeled.text.encode("utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id: x\ntitle: T\n\nno separator", "no '---'"),
        (
            "id: x\ntitle: T\npublished: 2024-01-01T00:00:00+00:00\ntopic: export-controls\ncolour: red\n---\nBody.",
            "unknown header",
        ),
        (
            "id: x\ntitle: T\npublished: 2024-01-01T00:00:00\ntopic: export-controls\n---\nBody.",
            "no UTC offset",
        ),
        (
            "id: x\ntitle: T\npublished: 2024-01-01T00:00:00+00:00\ntopic: sports\n---\nBody.",
            "topic must be",
        ),
        (
            "id: y\ntitle: T\npublished: 2024-01-01T00:00:00+00:00\ntopic: off-topic\n---\nBody.",
            "differs from the file name",
        ),
    ],
)
def test_article_parser_rejects_bad_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ContentError, match=message):
        parse_article_file(path, "meridian")


def test_revision_applies_only_from_its_edition() -> None:
    revised = [a for a in load_articles() if a.revisions]
    assert len(revised) == 1
    a = revised[0]
    one, two = a.as_of(1), a.as_of(2)
    assert len(two.body) == len(one.body) + 1
    assert two.modified and two.modified_dt > one.updated_dt


# --- serving ------------------------------------------------------------------------------


def test_server_binds_loopback_on_a_free_port(site: DemoSite) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", site.base_url)
    assert site.port > 0
    home = fetch(site.base_url + "/")
    assert home.status == 200 and "Meridian Wire" in home.text


def test_sources_cover_every_kind_with_loader_keys(site: DemoSite) -> None:
    sources = site.sources()
    allowed = {"name", "kind", "urls", "allowed_domains", "language", "description"}
    assert {s["kind"] for s in sources} == {"feed", "sitemap", "news_sitemap", "federal_register"}
    for s in sources:
        assert set(s) <= allowed
        assert s["allowed_domains"] == ["127.0.0.1"]
        for url in s["urls"]:
            assert fetch(url).status == 200, url
    assert "broken" not in {s["name"] for s in site.sources(include_broken=False)}


def test_rss_and_atom_feeds_parse_and_link_to_live_pages(site: DemoSite) -> None:
    rss = ET.fromstring(fetch(site.base_url + "/meridian/rss.xml").body)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    links = [i.findtext("link") for i in rss.iter("item")]
    assert all(i.findtext("pubDate") for i in rss.iter("item"))
    statuses = {link: fetch(link).status for link in links}
    assert sorted(set(statuses.values())) == [200, 404]  # one withdrawn story: a 404 in the feed

    atom = ET.fromstring(fetch(site.base_url + "/ledger/feeds/atom.xml").body)
    entries = atom.findall("atom:entry", NS)
    assert entries and all(e.find("atom:published", NS) is not None for e in entries)
    for e in entries:
        href = e.find("atom:link", NS).get("href")
        assert "utm_source=atom" in href
        assert fetch(href).status == 200


def test_feed_links_carry_tracking_but_pages_give_the_clean_canonical(site: DemoSite) -> None:
    rss = ET.fromstring(fetch(site.base_url + "/fabline/feed/").body)
    link = next(rss.iter("item")).findtext("link")
    query = parse_qs(urlsplit(link).query)
    assert query == {"utm_source": ["rss"], "utm_medium": ["feed"]}
    page = fetch(link).text
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', page).group(1)
    assert canonical == link.split("?")[0]
    assert canonical in site.expected()


def test_sitemap_index_news_sitemap_and_their_dates(site: DemoSite) -> None:
    expected = site.expected()
    index = ET.fromstring(fetch(site.base_url + "/press/sitemap_index.xml").body)
    children = [s.findtext("sm:loc", namespaces=NS) for s in index.findall("sm:sitemap", NS)]
    assert len(children) >= 2
    urls = []
    for child in children:
        urlset = ET.fromstring(fetch(child).body)
        urls += [u.findtext("sm:loc", namespaces=NS) for u in urlset.findall("sm:url", NS)]
    assert urls and set(urls) <= set(expected)

    news = ET.fromstring(fetch(site.base_url + "/acd/news-sitemap.xml").body)
    entries = news.findall("sm:url", NS)
    assert entries
    for u in entries:
        loc = u.findtext("sm:loc", namespaces=NS)
        date = u.findtext("news:news/news:publication_date", namespaces=NS)
        assert date == expected[loc]["published_at"]
        assert (
            u.findtext("news:news/news:publication/news:name", namespaces=NS)
            == "Asia Commerce Daily"
        )


CONDITIONAL_PATHS = [
    "/meridian/rss.xml",
    "/ledger/feeds/atom.xml",
    "/acd/news-sitemap.xml",
    "/fabline/sitemap_index.xml",
]


@pytest.mark.parametrize("path", CONDITIONAL_PATHS)
def test_conditional_requests_get_304(site: DemoSite, path: str) -> None:
    first = fetch(site.base_url + path)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert first.status == 200
    again = fetch(site.base_url + path, {"If-None-Match": etag})
    assert again.status == 304 and again.body == b"" and again.headers["etag"] == etag
    assert fetch(site.base_url + path, {"If-Modified-Since": last_modified}).status == 304
    assert (
        fetch(site.base_url + path, {"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"}).status
        == 200
    )
    assert fetch(site.base_url + path, {"If-None-Match": '"stale"'}).status == 200


def test_article_pages_send_validators(site: DemoSite) -> None:
    url = next(iter(site.expected()))
    page = fetch(url)
    assert page.headers["etag"] and page.headers["last-modified"]
    assert fetch(url, {"If-None-Match": page.headers["etag"]}).status == 304
    assert fetch(url, method="HEAD").headers["content-length"] == str(len(page.body))


def test_robots_txt_disallows_private_but_the_sitemap_lists_it(site: DemoSite) -> None:
    robots = fetch(site.base_url + "/robots.txt")
    assert robots.status == 200 and "Disallow: /private/" in robots.text
    parser = RobotFileParser()
    parser.parse(robots.text.splitlines())
    private = [u for u, t in site.expected().items() if t["robots_disallowed"]]
    public = [u for u, t in site.expected().items() if not t["robots_disallowed"]]
    assert private and not parser.can_fetch("chipwatch", private[0])
    assert parser.can_fetch("chipwatch", public[0])
    ledger_maps = ET.fromstring(fetch(site.base_url + "/ledger/sitemap_index.xml").body)
    listed = set()
    for loc in ledger_maps.iterfind("sm:sitemap/sm:loc", NS):
        listed |= {
            u.text for u in ET.fromstring(fetch(loc.text).body).iterfind("sm:url/sm:loc", NS)
        }
    assert private[0] in listed


# --- what the pages say -------------------------------------------------------------------

DATE_MARKUP = {
    "wire": r'"datePublished": "{iso}"',
    "broadsheet": r'<meta property="article:published_time" content="{iso}">',
    "trade": r'<time class="entry-date published" datetime="{iso}">',
    "asia_daily": r'<meta itemprop="datePublished" content="{iso}">',
    "gov_press": r'<meta name="dcterms.date" content="{date}">',
}


def test_pages_hold_their_ground_truth_with_template_specific_metadata(site: DemoSite) -> None:
    seen_templates = set()
    for url, truth in site.expected().items():
        if truth["quirk"] in ("huge", "slow", "mislabeled-encoding"):
            continue
        page = html.unescape(fetch(url).text)
        assert truth["title"] in page, url
        for paragraph in truth["text"].split("\n\n"):
            assert paragraph in page, (url, paragraph[:60])
        marker = DATE_MARKUP[truth["template"]].format(
            iso=truth["published_at"], date=truth["published"]
        )
        assert marker in page, (url, marker)
        for name in truth["authors"]:
            assert name in page
        seen_templates.add(truth["template"])
    assert seen_templates == set(DATE_MARKUP)


def test_page_furniture_is_not_in_the_expected_text(site: DemoSite) -> None:
    furniture = [
        "Sign up to Business Today",
        "We use cookies",
        "Share on X",
        "Read also",
        "Most read",
    ]
    for truth in site.expected().values():
        for phrase in furniture:
            assert phrase not in truth["text"]
    ledger = next(
        u for u, t in site.expected().items() if t["template"] == "broadsheet" and not t["quirk"]
    )
    assert "Sign up to Business Today" in fetch(ledger).text


def test_paywalled_page_shows_only_its_visible_paragraphs(site: DemoSite) -> None:
    url, truth = next((u, t) for u, t in site.expected().items() if t["paywalled"])
    record = next(a for a in site.articles() if a.quirk == "paywall")
    page = html.unescape(fetch(url).text)
    assert "Subscribe to read the rest" in page
    assert truth["text"].count("\n\n") == 2
    assert record.body[-1] not in page


# --- editions -----------------------------------------------------------------------------


def test_switching_edition_changes_feeds_and_revises_an_article(fresh_site: DemoSite) -> None:
    base = fresh_site.base_url
    feed1 = fetch(base + "/meridian/rss.xml")
    titles1 = {i.findtext("title") for i in ET.fromstring(feed1.body).iter("item")}
    truth1 = fresh_site.expected()
    api1 = json.loads(fetch(base + "/api/v1/documents.json?per_page=50").body)

    fresh_site.set_edition(2)
    assert fresh_site.edition == 2
    stale = fetch(base + "/meridian/rss.xml", {"If-None-Match": feed1.headers["etag"]})
    assert stale.status == 200
    titles2 = {i.findtext("title") for i in ET.fromstring(stale.body).iter("item")}
    assert titles1 < titles2
    # The revised story says so in the feed (RSS items borrow Atom's <updated>).
    updated = [
        i for i in ET.fromstring(stale.body).iter("item") if i.find("atom:updated", NS) is not None
    ]
    assert not [
        i for i in ET.fromstring(feed1.body).iter("item") if i.find("atom:updated", NS) is not None
    ]
    assert len(updated) == 1
    truth2 = fresh_site.expected()
    assert set(truth1) < set(truth2)
    changed = [u for u in truth1 if truth1[u]["text"] != truth2[u]["text"]]
    assert len(changed) == 1
    url = changed[0]
    assert truth2[url]["modified"] and truth2[url]["text"].startswith(truth1[url]["text"])
    assert truth2[url]["text"].split("\n\n")[-1] in html.unescape(fetch(url).text)
    api2 = json.loads(fetch(base + "/api/v1/documents.json?per_page=50").body)
    assert api2["count"] == api1["count"] + 1
    # An unchanged outlet still answers 304 to its old validator.
    atom = fetch(base + "/ledger/feeds/atom.xml")
    fresh_site.set_edition(1)
    assert (
        fetch(base + "/ledger/feeds/atom.xml", {"If-None-Match": atom.headers["etag"]}).status
        == 304
    )
    with pytest.raises(ValueError):
        fresh_site.set_edition(3)


# --- Federal Register ---------------------------------------------------------------------


def test_federal_register_pagination_walks_every_document(site: DemoSite) -> None:
    url = site.sources()[[s["kind"] for s in site.sources()].index("federal_register")]["urls"][0]
    seen, pages = [], 0
    while url:
        body = json.loads(fetch(url).body)
        pages += 1
        assert len(body["results"]) <= 5
        seen += body["results"]
        url = body.get("next_page_url")
    assert pages == body["total_pages"] >= 3
    assert len(seen) == body["count"] == len({d["document_number"] for d in seen})
    assert {"2022-21658", "2023-23055", "2023-23049", "2024-28270", "2025-00636"} <= {
        d["document_number"] for d in seen
    }
    dates = [d["publication_date"] for d in seen]
    assert dates == sorted(dates, reverse=True)
    for d in seen:
        assert d["type"] in ("Rule", "Proposed Rule", "Notice")
        assert {
            "document_number",
            "title",
            "abstract",
            "publication_date",
            "effective_on",
            "html_url",
            "pdf_url",
            "agencies",
        } <= set(d)
        assert any(a["slug"] == "industry-and-security-bureau" for a in d["agencies"])
    page = fetch(seen[0]["html_url"])
    assert page.status == 200 and seen[0]["document_number"] in page.text
    pdf = fetch(seen[0]["pdf_url"])
    assert pdf.body.startswith(b"%PDF-") and pdf.headers["content-type"] == "application/pdf"


@pytest.mark.parametrize(
    ("query", "status", "count"),
    [
        ("conditions[agencies][]=federal-aviation-administration", 200, 0),
        ("conditions[agencies][]=industry-and-security-bureau&conditions[type][]=PRORULE", 200, 1),
        ("conditions[publication_date][gte]=2024-12-01", 200, 4),
        ("page=0", 400, None),
        ("per_page=abc", 400, None),
    ],
)
def test_federal_register_filters(
    site: DemoSite, query: str, status: int, count: int | None
) -> None:
    reply = fetch(f"{site.base_url}/api/v1/documents.json?{query}")
    assert reply.status == status
    if count is not None:
        assert json.loads(reply.body)["count"] == count


# --- broken pages -------------------------------------------------------------------------


def test_broken_pages_behave_as_designed(site: DemoSite) -> None:
    base = site.base_url
    empty = fetch(base + "/broken/empty")
    assert empty.status == 200 and empty.body == b""
    a = fetch(base + "/broken/loop-a")
    b = fetch(a.headers["location"])
    assert a.status == b.status == 302 and b.headers["location"] == base + "/broken/loop-a"
    moved = fetch(base + "/broken/moved")
    assert moved.status == 301 and fetch(moved.headers["location"]).status == 200
    assert fetch(base + "/broken/error-500").status == 500
    assert fetch(base + "/broken/missing").status == 404
    assert len(fetch(base + "/broken/huge").body) > 5 * 1024 * 1024
    start = time.monotonic()
    slow = fetch(base + "/broken/slow")
    assert slow.status == 200 and time.monotonic() - start >= SLOW_DELAY
    feed = ET.fromstring(fetch(base + "/broken/feed.xml").body)
    listed = {urlsplit(i.findtext("link")).path for i in feed.iter("item")}
    assert {"/broken/empty", "/broken/loop-a", "/broken/huge", "/broken/slow"} <= listed


def test_mislabeled_page_is_windows_1252_behind_a_utf8_label(site: DemoSite) -> None:
    url, truth = next(
        (u, t) for u, t in site.expected().items() if t["quirk"] == "mislabeled-encoding"
    )
    page = fetch(url)
    assert (
        "charset=utf-8" in page.headers["content-type"] and b'<meta charset="utf-8">' in page.body
    )
    with pytest.raises(UnicodeDecodeError):
        page.body.decode("utf-8")
    assert truth["title"] in html.unescape(page.body.decode("cp1252"))


def test_malformed_page_is_broken_but_keeps_its_text(site: DemoSite) -> None:
    url, truth = next((u, t) for u, t in site.expected().items() if t["quirk"] == "malformed-html")
    page = fetch(url).text
    assert "</p>" not in page and "</body>" not in page and "class=entry-content" in page
    for paragraph in truth["text"].split("\n\n"):
        assert paragraph in html.unescape(page)


# --- request log --------------------------------------------------------------------------


def test_request_log_records_method_path_status_and_resets(fresh_site: DemoSite) -> None:
    base = fresh_site.base_url
    fetch(base + "/robots.txt")
    fetch(base + "/nowhere")
    fetch(base + "/api/v1/documents.json?page=2&per_page=5")
    assert fresh_site.requests == [
        ("GET", "/robots.txt", 200),
        ("GET", "/nowhere", 404),
        ("GET", "/api/v1/documents.json?page=2&per_page=5", 200),
    ]
    fresh_site.reset_requests()
    assert fresh_site.requests == []
    threads = [
        threading.Thread(target=fetch, args=(base + "/meridian/rss.xml",)) for _ in range(12)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fresh_site.requests.count(("GET", "/meridian/rss.xml", 200)) == 12


def test_stop_frees_the_port() -> None:
    s = DemoSite()
    s.start()
    port = s.port
    s.stop()
    s.stop()  # twice is fine
    with pytest.raises(ConnectionRefusedError):
        http.client.HTTPConnection("127.0.0.1", port, timeout=5).connect()


def test_cli_serves_until_interrupted() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.demo_site", "--port", "0", "--slow-delay", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        base = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        assert fetch(base + "/robots.txt").status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=10)
    assert code == 0


def test_expected_paths_match_article_urls(site: DemoSite) -> None:
    paths = {urlsplit(u).path for u in site.expected()}
    assert {article_path(a) for a in site.articles()} <= paths
