"""The demo news site's HTTP server (stdlib ``ThreadingHTTPServer``, 127.0.0.1 only).

``DemoSite`` serves five outlets (feeds, sitemaps, article pages), a Federal Register API
mimic and a corner of broken pages; see ``crawler/demo_site/__init__.py`` for the map. It can
switch editions while running (``set_edition(2)`` adds articles and revises one), logs every
request it answers for tests, and gives the ground truth of its pages (``expected()``) and
the crawl sources that cover them (``sources()``).

    with serve(edition=1, slow_delay=0.2) as site:
        feed = urllib.request.urlopen(site.base_url + "/meridian/rss.xml").read()
        site.set_edition(2)
        assert ("GET", "/meridian/rss.xml", 200) in site.requests
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple, Self

from crawler.demo_site import broken, fedreg
from crawler.demo_site.content import EDITIONS, OUTLETS, DemoArticle, articles_in_edition
from crawler.demo_site.render import article_path
from crawler.demo_site.routes import BROKEN_FEED, FEED_PATHS, Response, Routes

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEFAULT_SLOW_DELAY = 2.0
SOURCE_KEYS = ("name", "kind", "urls", "allowed_domains", "language", "description")


class ServedRequest(NamedTuple):
    method: str
    path: str  # as requested, with the query string
    status: int


class DemoSite:
    """The demo news site: start it, point a crawler at ``sources()``, compare with ``expected()``."""

    def __init__(self, edition: int = 1, slow_delay: float = DEFAULT_SLOW_DELAY) -> None:
        self._check_edition(edition)
        self._edition = edition
        self.slow_delay = slow_delay
        self._lock = threading.Lock()
        self._log: list[ServedRequest] = []
        self._routes: Routes | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self, port: int = 0) -> str:
        """Listen on 127.0.0.1:``port`` (0: a free port) in a background thread; the base URL."""
        if self._server is not None:
            raise RuntimeError("the demo site is already running")
        server = _QuietServer((HOST, port), _handler_for(self))
        self._server = server
        self._routes = Routes(self._edition, self.base_url, self.slow_delay)
        self._thread = threading.Thread(target=server.serve_forever, name="demo-site", daemon=True)
        self._thread.start()
        logger.info("demo site serving edition %s at %s", self._edition, self.base_url)
        return self.base_url

    def stop(self) -> None:
        """Stop serving and free the port (safe to call twice)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        logger.info("demo site stopped")

    def __enter__(self) -> Self:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the demo site is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    # --- editions --------------------------------------------------------------------------

    @property
    def edition(self) -> int:
        return self._edition

    def set_edition(self, edition: int) -> None:
        """Serve ``edition`` from the next request on (also while running)."""
        self._check_edition(edition)
        with self._lock:
            self._edition = edition
            if self._server is not None:
                self._routes = Routes(edition, self.base_url, self.slow_delay)
        logger.info("demo site now serves edition %s", edition)

    @staticmethod
    def _check_edition(edition: int) -> None:
        if edition not in EDITIONS:
            raise ValueError(f"edition must be one of {EDITIONS}, not {edition!r}")

    def _current_routes(self) -> Routes:
        with self._lock:
            if self._routes is None:
                raise RuntimeError("the demo site is not running")
            return self._routes

    def articles(self) -> list[DemoArticle]:
        """The article records of the current edition (also when not running)."""
        if self._server is not None:
            return list(self._current_routes().articles)
        return articles_in_edition(self._edition)

    # --- request log -----------------------------------------------------------------------

    @property
    def requests(self) -> list[ServedRequest]:
        """A copy of the log of answered requests, oldest first."""
        with self._lock:
            return list(self._log)

    def reset_requests(self) -> None:
        with self._lock:
            self._log.clear()

    def _record(self, entry: ServedRequest) -> None:
        with self._lock:
            self._log.append(entry)

    # --- what the site holds ---------------------------------------------------------------

    def sources(self, include_broken: bool = True) -> list[dict[str, Any]]:
        """Crawl sources covering the site, as dicts of crawler/sources.py's source keys."""
        base = self.base_url
        out = [
            _source(o.key, _kind(o.feed), [base + _entry_path(o.key)], o.language, o.description)
            for o in OUTLETS.values()
        ]
        out.append(
            _source(
                "ledger-sitemap",
                "sitemap",
                [f"{base}/ledger/sitemap_index.xml"],
                "en",
                "The Harbour Ledger's sitemap index (lists a page robots.txt disallows)",
            )
        )
        out.append(
            _source(
                "federal-register",
                "federal_register",
                [
                    f"{base}{fedreg.API_PATH}?conditions[agencies][]={fedreg.BIS_SLUG}&order=newest&per_page=5"
                ],
                "en",
                "Federal Register API mimic: BIS documents, 5 per page",
            )
        )
        if include_broken:
            out.append(
                _source(
                    "broken",
                    "feed",
                    [base + BROKEN_FEED],
                    "en",
                    "Pages that fail: empty, redirect loop, 500, 404, huge, slow, bad HTML, bad encoding",
                )
            )
        return out

    def expected(self) -> dict[str, dict[str, Any]]:
        """Ground truth per article page URL (clean, as rel=canonical gives it) for this edition."""
        routes = self._current_routes()
        truth = {self.base_url + article_path(a): _truth(a, self.base_url) for a in routes.articles}
        for path, page, quirk in (
            ("/broken/slow", broken.SLOW, "slow"),
            ("/broken/huge", broken.HUGE, "huge"),
        ):
            truth[self.base_url + path] = _plain_truth(self.base_url + path, page, quirk)
        return truth

    def federal_register_documents(self) -> list[dict[str, Any]]:
        """The Federal Register documents of this edition, as the API lists them."""
        routes = self._current_routes()
        return [fedreg.public_record(d, self.base_url) for d in routes.documents]

    # --- serving (called from handler threads) ---------------------------------------------

    def _respond(self, method: str, path: str, headers: Any) -> Response:
        return self._current_routes().handle(method, path, headers)


class _QuietServer(ThreadingHTTPServer):
    """Crawlers hang up on the huge and slow pages on purpose; that is not worth a traceback."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionResetError, BrokenPipeError, TimeoutError)):
            logger.debug("demo site: client %s hung up (%s)", client_address, exc)
            return
        super().handle_error(request, client_address)


def _kind(feed: str) -> str:
    return {"rss": "feed", "atom": "feed"}.get(feed, feed)


def _entry_path(outlet: str) -> str:
    return FEED_PATHS.get(outlet, f"/{outlet}/sitemap_index.xml")


def _source(
    name: str, kind: str, urls: list[str], language: str, description: str
) -> dict[str, Any]:
    return {
        "name": name,
        "kind": kind,
        "urls": urls,
        "allowed_domains": [HOST],
        "language": language,
        "description": description,
    }


def _truth(a: DemoArticle, base_url: str) -> dict[str, Any]:
    url = base_url + article_path(a)
    return {
        "id": a.id,
        "url": url,
        "canonical_url": url,
        "outlet": a.outlet,
        "site_name": OUTLETS[a.outlet].name,
        "title": a.title,
        "published": a.published[:10],
        "published_at": a.published,
        "modified": a.modified[:10] if a.modified else None,
        "modified_at": a.modified,
        "authors": list(a.authors),
        "text": a.text,
        "language": a.language,
        "section": a.section,
        "topic": a.topic,
        "syndicates": a.syndicates,
        "paywalled": a.quirk == "paywall",
        "quirk": a.quirk,
        "robots_disallowed": a.private,
        "template": OUTLETS[a.outlet].template.split(".")[0],
    }


def _plain_truth(url: str, page: broken.PlainPage, quirk: str) -> dict[str, Any]:
    return {
        "id": quirk,
        "url": url,
        "canonical_url": url,
        "outlet": "broken",
        "site_name": None,
        "title": page.title,
        "published": page.published[:10],
        "published_at": page.published,
        "modified": None,
        "modified_at": None,
        "authors": [],
        "text": "\n\n".join(page.paragraphs),
        "language": "en",
        "section": None,
        "topic": "off-topic",
        "syndicates": None,
        "paywalled": False,
        "quirk": quirk,
        "robots_disallowed": False,
        "template": "plain",
    }


def _handler_for(site: DemoSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "ChipwatchDemo/1.0"

        def do_GET(self) -> None:
            self._serve(send_body=True)

        def do_HEAD(self) -> None:
            self._serve(send_body=False)

        def do_POST(self) -> None:
            self._serve(send_body=True)

        def _serve(self, send_body: bool) -> None:
            try:
                resp = site._respond(self.command, self.path, self.headers)
            except Exception:  # a bug in the demo must show as a 500, not a dead connection
                logger.exception("demo site failed on %s %s", self.command, self.path)
                resp = Response(500, b"demo site error", "text/plain")
            if resp.delay:
                time.sleep(resp.delay)
            # Logged before answering, so a test that has its response also sees the entry.
            site._record(ServedRequest(self.command, self.path, resp.status))
            self.send_response(resp.status)
            for key, value in resp.all_headers().items():
                self.send_header(key, value)
            self.end_headers()
            if send_body and resp.status not in (204, 304):
                self.wfile.write(resp.body)

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("demo site: " + format, *args)

    return Handler


@contextmanager
def serve(
    port: int = 0, edition: int = 1, slow_delay: float = DEFAULT_SLOW_DELAY
) -> Iterator[DemoSite]:
    """Run the demo site for the ``with`` block; yields the started ``DemoSite``."""
    site = DemoSite(edition=edition, slow_delay=slow_delay)
    site.start(port)
    try:
        yield site
    finally:
        site.stop()
