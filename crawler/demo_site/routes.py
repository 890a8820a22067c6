"""Routing of the demo site: a request path (and headers) in, a ``Response`` out.

No sockets here: ``Routes`` is built for one edition and one base URL and answers
``handle(method, path, headers)``; the HTTP server in ``server.py`` only copies the response
onto the wire. Conditional requests (``If-None-Match``, ``If-Modified-Since``) are answered
here for every response that carries an ETag or a Last-Modified date.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import partial
from urllib.parse import parse_qs, urlsplit

from crawler.demo_site import broken, fedreg, feeds
from crawler.demo_site.content import OUTLETS, DemoArticle, Outlet, articles_in_edition
from crawler.demo_site.render import (
    article_path,
    render_article,
    render_fr_document,
    render_home,
    render_index,
)

logger = logging.getLogger(__name__)

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
DISALLOWED = ("/private/",)

# Where each outlet's feed lives (the sitemaps are the same for all outlets).
FEED_PATHS: dict[str, str] = {
    "meridian": "/meridian/rss.xml",
    "ledger": "/ledger/feeds/atom.xml",
    "fabline": "/fabline/feed/",
    "acd": "/acd/news-sitemap.xml",
}
BROKEN_FEED = "/broken/feed.xml"
# A story the wire withdrew: still listed in its feed, gone from the site (404).
WITHDRAWN = feeds.FeedItem(
    title="Withdrawn: chip tool orders story",
    url="/meridian/news/2023/05/02/withdrawn-chip-tool-orders-story/",
    published=datetime(2023, 5, 2, 10, 0, tzinfo=UTC),
    summary="This story has been withdrawn.",
)


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: datetime | None = None
    delay: float = 0.0  # seconds the server waits before answering

    def all_headers(self) -> dict[str, str]:
        h = {"Content-Type": self.content_type}
        if self.status != 304:
            h["Content-Length"] = str(len(self.body))
        if self.etag:
            h["ETag"] = self.etag
        if self.last_modified:
            h["Last-Modified"] = format_datetime(self.last_modified.astimezone(UTC), usegmt=True)
        h.update(self.headers)
        return h


def ok(
    body: str | bytes, content_type: str = HTML, last_modified: datetime | None = None
) -> Response:
    data = body.encode("utf-8") if isinstance(body, str) else body
    etag = '"' + hashlib.sha1(data).hexdigest()[:20] + '"'
    return Response(200, data, content_type, etag=etag, last_modified=last_modified)


def not_found() -> Response:
    return Response(404, broken.error_page(404, "Not Found").encode())


def redirect(status: int, location: str) -> Response:
    return Response(status, b"", HTML, headers={"Location": location})


def not_modified(resp: Response, headers: Mapping[str, str]) -> bool:
    """Whether a conditional request may be answered 304 (If-None-Match wins, per RFC 9110)."""
    if resp.status != 200:
        return False
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return resp.etag is not None and (resp.etag in tags or "*" in tags)
    ims = headers.get("If-Modified-Since")
    if ims and resp.last_modified:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return resp.last_modified.replace(microsecond=0) <= since
    return False


class Routes:
    """Every page of one edition of the site, for one base URL."""

    def __init__(self, edition: int, base_url: str, slow_delay: float) -> None:
        self.edition = edition
        self.base_url = base_url.rstrip("/")
        self.slow_delay = slow_delay
        self.articles = articles_in_edition(edition)
        self.by_id = {a.id: a for a in self.articles}
        self.by_path = {article_path(a): a for a in self.articles}
        self.documents = fedreg.documents_in_edition(edition)
        self._fixed: dict[str, Callable[[], Response]] = self._fixed_routes()
        self._cache: dict[str, Response] = {}

    # --- dispatch ------------------------------------------------------------------------

    def handle(self, method: str, raw_path: str, headers: Mapping[str, str]) -> Response:
        if method not in ("GET", "HEAD"):
            return Response(405, b"", headers={"Allow": "GET, HEAD"})
        parts = urlsplit(raw_path)
        path = parts.path or "/"
        if path == fedreg.API_PATH:
            resp = self._api(parse_qs(parts.query, keep_blank_values=False))
        else:
            resp = self._page(path)
        if not_modified(resp, headers):
            return Response(
                304, b"", resp.content_type, etag=resp.etag, last_modified=resp.last_modified
            )
        return resp

    def _page(self, path: str) -> Response:
        if path in self._cache:
            return self._cache[path]
        builder = self._fixed.get(path)
        if builder is not None:
            resp = builder()
        elif path in self.by_path:
            resp = self._article(self.by_path[path])
        elif path.startswith("/documents/"):
            doc = fedreg.find_by_path(self.documents, path)
            resp = (
                ok(render_fr_document(self._fr_record(doc), self.base_url)) if doc else not_found()
            )
        elif path.startswith("/fr/pdf/"):
            doc = fedreg.find_pdf(self.documents, path)
            resp = ok(fedreg.minimal_pdf(doc["title"]), "application/pdf") if doc else not_found()
        else:
            resp = not_found()
        if resp.status == 200 and path != "/broken/slow":
            self._cache[path] = resp
        return resp

    def _fixed_routes(self) -> dict[str, Callable[[], Response]]:
        r: dict[str, Callable[[], Response]] = {
            "/": lambda: ok(render_home(list(OUTLETS.values()), self.base_url)),
            "/robots.txt": self._robots,
            BROKEN_FEED: self._broken_feed,
            "/broken/empty": lambda: Response(200, b"", HTML),
            "/broken/loop-a": lambda: redirect(302, self.base_url + "/broken/loop-b"),
            "/broken/loop-b": lambda: redirect(302, self.base_url + "/broken/loop-a"),
            "/broken/moved": lambda: redirect(
                301, self.base_url + article_path(self.by_id["mw01"])
            ),
            "/broken/error-500": lambda: Response(
                500, broken.error_page(500, "Internal Server Error").encode()
            ),
            "/broken/huge": lambda: ok(broken.huge_page()),
            "/broken/slow": self._slow,
        }
        for key, outlet in OUTLETS.items():
            r[f"{outlet.prefix}/"] = partial(self._index, outlet)
            r[f"{outlet.prefix}/sitemap_index.xml"] = partial(self._sitemap_index, outlet)
            for year in self._years(outlet):
                r[f"{outlet.prefix}/sitemap-{year}.xml"] = partial(self._sitemap, outlet, year)
            if key in FEED_PATHS:
                r[FEED_PATHS[key]] = partial(self._feed, outlet)
        return r

    # --- helpers -------------------------------------------------------------------------

    def _of(self, outlet: Outlet, include_private: bool = False) -> list[DemoArticle]:
        return [
            a
            for a in self.articles
            if a.outlet == outlet.key and (include_private or not a.private)
        ]

    def _years(self, outlet: Outlet) -> list[int]:
        return sorted({a.published_dt.year for a in self._of(outlet, include_private=True)})

    def related(self, a: DemoArticle) -> list[DemoArticle]:
        return [self.by_id[r] for r in a.related if r in self.by_id]

    # --- pages ---------------------------------------------------------------------------

    def _article(self, a: DemoArticle) -> Response:
        html = render_article(a, self.base_url, self.related(a))
        if a.quirk == "mislabeled-encoding":
            # The header and <meta charset> say UTF-8; the bytes are Windows-1252.
            return ok(html.encode("cp1252"), HTML, a.updated_dt)
        return ok(html, HTML, a.updated_dt)

    def _index(self, outlet: Outlet) -> Response:
        return ok(render_index(outlet, self._of(outlet), self.base_url))

    def _slow(self) -> Response:
        resp = ok(broken.slow_page(), HTML, datetime.fromisoformat(broken.SLOW.published))
        resp.delay = self.slow_delay
        return resp

    def _robots(self) -> Response:
        maps = [f"{o.prefix}/sitemap_index.xml" for o in OUTLETS.values()] + [FEED_PATHS["acd"]]
        return ok(feeds.robots_txt(self.base_url, maps, DISALLOWED), "text/plain; charset=utf-8")

    def _feed(self, outlet: Outlet) -> Response:
        items = self._of(outlet)
        path = FEED_PATHS[outlet.key]
        if outlet.key == "ledger":
            return ok(
                feeds.atom_feed(outlet, items, self.base_url, path),
                "application/atom+xml; charset=utf-8",
                feeds.last_change(items),
            )
        if outlet.key == "acd":
            return ok(
                feeds.news_sitemap(outlet, items, self.base_url), XML, feeds.last_change(items)
            )
        extra = []
        if outlet.key == "meridian":
            extra = [
                feeds.FeedItem(
                    WITHDRAWN.title,
                    self.base_url + WITHDRAWN.url,
                    WITHDRAWN.published,
                    WITHDRAWN.summary,
                )
            ]
        body = feeds.rss_feed(outlet, items, self.base_url, extra, path)
        return ok(
            body,
            "application/rss+xml; charset=utf-8",
            feeds.last_change(items, [x.published for x in extra]),
        )

    def _sitemap_index(self, outlet: Outlet) -> Response:
        entries = []
        for year in self._years(outlet):
            of_year = [a for a in self._of(outlet, True) if a.published_dt.year == year]
            entries.append(
                (f"{self.base_url}{outlet.prefix}/sitemap-{year}.xml", feeds.last_change(of_year))
            )
        last = max(d for _, d in entries)
        return ok(feeds.sitemap_index(entries), XML, last)

    def _sitemap(self, outlet: Outlet, year: int) -> Response:
        # The ledger lists its private draft too: robots.txt, not the sitemap, keeps it out.
        include_private = outlet.key == "ledger"
        of_year = [a for a in self._of(outlet, include_private) if a.published_dt.year == year]
        entries = [(self.base_url + article_path(a), a.updated_dt) for a in feeds.newest(of_year)]
        return ok(feeds.urlset(entries), XML, feeds.last_change(of_year))

    def _broken_feed(self) -> Response:
        dates = broken.feed_dates()
        items = [
            feeds.FeedItem(title, self.base_url + path, dates[path], what)
            for path, title, what in broken.broken_pages(self.base_url)
        ]
        for a in self.articles:
            if a.quirk in ("malformed-html", "mislabeled-encoding"):
                items.append(
                    feeds.FeedItem(
                        a.title, self.base_url + article_path(a), a.published_dt, a.quirk
                    )
                )
        outlet = Outlet(
            key="broken",
            name="Broken pages",
            template="",
            feed="rss",
            description="Pages that fail the ways real sites do",
        )
        body = feeds.rss_feed(outlet, [], self.base_url, items, BROKEN_FEED)
        return ok(body, "application/rss+xml; charset=utf-8", max(i.published for i in items))

    # --- Federal Register ----------------------------------------------------------------

    def _fr_record(self, doc: dict) -> dict:
        return {
            **fedreg.public_record(doc, self.base_url),
            "body": doc.get("body", []),
            "citation": doc.get("citation"),
        }

    def _api(self, params: dict[str, list[str]]) -> Response:
        try:
            body = fedreg.api_response(self.documents, params, self.base_url)
        except fedreg.QueryError as e:
            err = json.dumps({"errors": {"request": str(e)}}).encode()
            return Response(400, err, "application/json; charset=utf-8")
        data = json.dumps(body, indent=1).encode()
        last = max(
            (
                datetime.fromisoformat(d["publication_date"]).replace(tzinfo=UTC)
                for d in self.documents
            ),
            default=None,
        )
        return ok(data, "application/json; charset=utf-8", last)
