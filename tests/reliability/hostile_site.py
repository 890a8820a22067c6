"""A hostile web site on 127.0.0.1 for whole-crawl tests: entity bombs and external entities in
feeds and sitemaps, gzip bombs, endless and huge responses, redirect loops and redirects to other
hosts, lying charsets, and article text full of Cypher, SQL, quotes, backslashes and control
characters. ``HostileSite.sources()`` gives one crawl source per case, ``CASES`` what each must
end as. Every streaming handler stops by itself (a byte and a time budget) and on shutdown.

A second, silent server on 127.0.0.2 (``elsewhere``) logs any request that reaches it: the
crawler must never get there.
"""

from __future__ import annotations

import gzip
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "127.0.0.1"
ELSEWHERE_HOST = "127.0.0.2"
STREAM_SECONDS = 30.0  # an endless response gives up after this long even if nobody hangs up
STREAM_BYTES = 256 * 1024 * 1024
BOMB_BYTES = 1024 * 1024 * 1024  # what the gzip bombs inflate to: 1 GiB of zeros

# Paragraphs of our own on the export-control story, so extraction finds an English article.
PROSE = [
    (
        "Washington widened its controls on chipmaking tools again this autumn, adding deposition "
        "and etch equipment to the list of items that need a licence before shipment to China."
    ),
    (
        "Officials in The Hague said the Dutch rules on deep ultraviolet lithography systems would "
        "apply from September, after months of talks with their American counterparts."
    ),
    (
        "Tokyo's trade ministry had already named twenty-three categories of manufacturing "
        "equipment whose export requires approval, a list that industry groups studied closely."
    ),
    (
        "Analysts expect suppliers in Germany and South Korea to face questions about servicing "
        "machines already installed in Chinese fabs, where spare parts remain a sensitive topic."
    ),
    (
        "Beijing answered with licence requirements for gallium and germanium, two minor metals "
        "used in compound semiconductors, and said the measures protected national security."
    ),
    (
        "Company filings show that revenue from Chinese customers rose before the deadlines, as "
        "buyers ordered tools while they could still be delivered without a licence."
    ),
]

_NOUNS = (
    "licence",
    "scanner",
    "etch tool",
    "wafer",
    "ministry",
    "supplier",
    "fab",
    "rule",
    "shipment",
    "regulator",
    "lithography system",
    "chip",
    "exporter",
    "agency",
    "spare part",
)
_ADJS = (
    "new",
    "Dutch",
    "Japanese",
    "American",
    "advanced",
    "older",
    "strict",
    "pending",
    "Korean",
    "German",
    "contested",
    "revised",
    "quarterly",
    "small",
    "large",
)
_VERBS = (
    "reviewed",
    "delayed",
    "approved",
    "named",
    "listed",
    "restricted",
    "questioned",
    "cleared",
    "audited",
    "counted",
    "refused",
    "tracked",
)
_PLACES = ("Veldhoven", "Tokyo", "Seoul", "Dresden", "Shanghai", "Washington", "Brussels")


def unique_prose(tag: str, sentences: int = 10) -> list[str]:
    """Sentences of our own, different for each ``tag``, so that pages are not near-duplicates."""
    rnd = random.Random(tag)
    out = []
    for _ in range(sentences):
        words = [
            rnd.choice(_ADJS).capitalize(),
            rnd.choice(_NOUNS),
            rnd.choice(_VERBS),
            "the",
            rnd.choice(_ADJS),
            rnd.choice(_NOUNS),
            "in",
            rnd.choice(_PLACES),
            "after",
            str(rnd.randint(2, 99)),
            rnd.choice(_NOUNS) + "s",
            "were",
            rnd.choice(_VERBS),
        ]
        out.append(" ".join(words) + ".")
    return [" ".join(out[:5]), " ".join(out[5:])]


CYPHER = "'}) MATCH (n) DETACH DELETE n //"
CYPHER2 = 'MERGE (a:Admin {name: "x"}) SET a.pw = $secret RETURN a'
SQL = '"); DROP TABLE articles; --'
BACKSLASHES = r"C:\exports\licences\ and \\server\share plus \u0000 and \x00 spelled out"
QUOTES = "\u201csmart\u201d 'single' \"double\" `back` \u00abguillemets\u00bb"


@dataclass(frozen=True)
class Case:
    """One hostile case: the source kind, its entry path, and what the crawl must report."""

    name: str
    kind: str
    path: str
    failed: dict[str, int] = field(default_factory=dict)  # failed_by_reason, at least these
    stored: tuple[str, ...] = ()  # page paths that must be stored (as articles)
    not_stored: tuple[str, ...] = ()  # page paths that must not be
    description: str = ""


CASES: tuple[Case, ...] = (
    Case(
        "entity-bomb",
        "feed",
        "/feeds/entity-bomb.xml",
        stored=("/page/bomb-before",),
        not_stored=("/page/bomb-listed",),
        description="billion laughs in an RSS feed: entities never expanded",
    ),
    Case(
        "xxe-feed",
        "feed",
        "/feeds/xxe.xml",
        stored=("/page/xxe-listed",),
        description="external entities (file://, http:// to us, a parameter entity) in RSS",
    ),
    Case(
        "sitemap-bomb",
        "sitemap",
        "/sitemaps/bomb.xml",
        description="billion laughs and an external entity in a sitemap",
    ),
    Case(
        "sitemap-gz-bomb",
        "sitemap",
        "/sitemaps/bomb.xml.gz",
        failed={"bad_listing": 1},
        description="a .xml.gz sitemap of 1 MB inflating to 1 GiB",
    ),
    Case(
        "gzip-encoded-feed-bomb",
        "feed",
        "/feeds/gzip-bomb.xml",
        failed={"too_large": 1},
        description="Content-Encoding: gzip feed inflating to 1 GiB",
    ),
    Case(
        "gzip-pages",
        "feed",
        "/feeds/gzip-pages.xml",
        failed={"too_large": 1},
        stored=("/page/gzip-ok",),
        not_stored=("/page/gzip-bomb",),
        description="a gzip-bomb page, and a well-formed gzip-encoded page",
    ),
    Case(
        "big-responses",
        "feed",
        "/feeds/big.xml",
        failed={"too_large": 2, "timeout": 1},
        stored=("/page/big-ok",),
        not_stored=("/page/endless", "/page/drip", "/page/huge-declared"),
        description="endless fast stream, endless slow drip, 50 MB declared, 1.5 MB accepted",
    ),
    Case(
        "redirects",
        "feed",
        "/feeds/redirects.xml",
        failed={"redirect_loop": 1, "offsite": 3, "http_302": 1},
        stored=("/page/plain-target",),
        not_stored=(
            "/page/loop-a",
            "/page/to-elsewhere",
            "/page/to-localhost",
            "/page/refresh-elsewhere",
            "/page/to-file",
        ),
        description="a redirect loop; redirects and a meta refresh to other hosts; to file://",
    ),
    Case(
        "charsets",
        "feed",
        "/feeds/charsets.xml",
        stored=(
            "/page/utf8-as-latin1",
            "/page/cp1252-as-utf8",
            "/page/bogus-charset",
            "/page/meta-vs-header",
            "/page/utf16-bom",
        ),
        description="pages whose declared charsets lie",
    ),
    Case(
        "inert-text",
        "feed",
        "/feeds/inert.xml",
        stored=("/page/inert",),
        description="Cypher, SQL, quotes, backslashes, NUL and control characters in text",
    ),
)

PLAIN_PAGES = {
    "/page/plain-target": "Where the redirect lands",
    "/page/xxe-listed": "Listed next to external entities",
    "/page/bomb-before": "Listed before the entity bomb",
}
NON_ASCII_TITLE = "Exportkontrollen: Prüfung der Lieferungen nach Xi\u2019an \u2013 Überblick"


def article_html(
    title: str, paragraphs: list[str], *, tag: str, head: str = "", lang: str = "en"
) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in [*unique_prose(tag), *paragraphs])
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head>{head}<title>{title}</title>'
        f'<meta property="og:title" content="{title}">'
        '<meta property="article:published_time" content="2024-12-02T09:00:00Z">'
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    )


def rss(base: str, links: list[str], *, dtd: str = "", extra_items: str = "") -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>{link if '://' in link else base + link}</link>"
        "<pubDate>Mon, 02 Dec 2024 10:00:00 GMT</pubDate></item>"
        for i, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{dtd}<rss version="2.0"><channel>'
        f"<title>hostile</title>{items}{extra_items}</channel></rss>"
    ).encode()


# Nine levels of ten: "&lol9;" would expand to 10**9 "lol"s, 3 GB.
LAUGHS = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
    for i in range(1, 10)
)


def doctype(root: str, *declarations: str) -> str:
    return f"<!DOCTYPE {root} [{''.join(declarations)}]>\n"


@lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """About 1 MB that gunzips to ``BOMB_BYTES`` of zeros: 64 gzip members of 16 MiB each."""
    member = gzip.compress(b"\0" * (16 * 1024 * 1024), compresslevel=9)
    return member * (BOMB_BYTES // (16 * 1024 * 1024))


Reply = tuple[int, dict[str, str], bytes]
Route = Callable[[str, str], "Reply | None"]


class HostileSite:
    """Serves the cases on 127.0.0.1 (and a trap on 127.0.0.2); logs every request path."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []  # (host, path)
        self._lock = threading.Lock()
        self.stop_event = threading.Event()
        self._servers: list[ThreadingHTTPServer] = []
        self.port = 0
        self.elsewhere_port = 0

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        main = self._serve(HOST, self._route)
        self.port = int(main.server_address[1])
        trap = self._serve(ELSEWHERE_HOST, lambda path, host: (200, {}, b"trap\n"))
        self.elsewhere_port = int(trap.server_address[1])

    def stop(self) -> None:
        self.stop_event.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def _serve(self, host: str, route: Route) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer((host, 0), _handler(self, host, route))
        server.daemon_threads = True
        self._servers.append(server)
        threading.Thread(target=server.serve_forever, name=f"hostile-{host}", daemon=True).start()
        return server

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def elsewhere(self) -> str:
        return f"http://{ELSEWHERE_HOST}:{self.elsewhere_port}"

    def requested(self, host: str | None = None) -> list[str]:
        with self._lock:
            return [p for h, p in self.log if host is None or h == host]

    def record(self, host: str, path: str) -> None:
        with self._lock:
            self.log.append((host, path))

    def sources(self) -> list[dict[str, Any]]:
        return [
            {
                "name": c.name,
                "kind": c.kind,
                "urls": [self.base + c.path],
                "allowed_domains": [HOST],
                "description": c.description,
            }
            for c in CASES
        ]

    # -- routes ---------------------------------------------------------------------------

    def _route(self, path: str, host: str) -> Reply | None:
        """The reply for ``path`` asked of ``host`` (the Host header); None: a stream."""
        html = {"content-type": "text/html; charset=utf-8"}
        xml = {"content-type": "application/rss+xml"}
        base, away = self.base, self.elsewhere
        if path == "/robots.txt":
            return 200, {"content-type": "text/plain"}, b"User-agent: *\nAllow: /\n"
        if path == "/feeds/private.xml":  # links on whatever host name it was asked by
            return 200, xml, rss(f"http://{host}", ["/page/plain-target", "/page/to-elsewhere"])
        if path == "/feeds/entity-bomb.xml":
            bomb = f"<item><title>&lol9;</title><link>{base}/page/bomb-listed</link></item>"
            return (
                200,
                xml,
                rss(base, ["/page/bomb-before"], dtd=doctype("rss", LAUGHS), extra_items=bomb),
            )
        if path == "/feeds/xxe.xml":
            dtd = doctype(
                "rss",
                '<!ENTITY file SYSTEM "file:///etc/passwd">',
                f'<!ENTITY probe SYSTEM "{base}/xxe-probe">',
                f'<!ENTITY % remote SYSTEM "{base}/xxe-dtd"> %remote;',
            )
            evil = (
                f"<item><title>&file;&probe;</title><link>{base}/page/xxe-listed</link>"
                "<description>&file;</description></item>"
            )
            return 200, xml, rss(base, [], dtd=dtd, extra_items=evil)
        if path == "/sitemaps/bomb.xml":
            body = (
                '<?xml version="1.0"?>\n'
                + doctype("urlset", LAUGHS, '<!ENTITY xxe SYSTEM "file:///etc/passwd">')
                + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{base}/page/sitemap-&lol9;</loc></url>"
                f"<url><loc>{base}/page/sitemap-&xxe;</loc></url></urlset>"
            )
            return 200, {"content-type": "application/xml"}, body.encode()
        if path == "/sitemaps/bomb.xml.gz":
            return 200, {"content-type": "application/x-gzip"}, gzip_bomb()
        if path == "/feeds/gzip-bomb.xml":
            return 200, {**xml, "content-encoding": "gzip"}, gzip_bomb()
        if path == "/page/gzip-bomb":
            return 200, {**html, "content-encoding": "gzip"}, gzip_bomb()
        if path == "/page/gzip-ok":
            page = article_html("A gzip-encoded page about licences", PROSE, tag=path).encode()
            return 200, {**html, "content-encoding": "gzip"}, gzip.compress(page)
        if path == "/feeds/gzip-pages.xml":
            return 200, xml, rss(base, ["/page/gzip-bomb", "/page/gzip-ok"])
        if path == "/feeds/big.xml":
            links = ["/page/endless", "/page/drip", "/page/huge-declared", "/page/big-ok"]
            return 200, xml, rss(base, links)
        if path == "/page/big-ok":
            junk = "<script>var x = '" + "x" * 1_400_000 + "';</script>"
            return (
                200,
                html,
                article_html("A big but acceptable page", PROSE, tag=path, head=junk).encode(),
            )
        if path == "/feeds/redirects.xml":
            links = [
                "/page/loop-a",
                "/page/to-elsewhere",
                "/page/to-localhost",
                "/page/refresh-elsewhere",
                "/page/to-file",
                "/page/redirect-ok",
                away + "/page/listed-elsewhere",
            ]
            return 200, xml, rss(base, links)
        if path in ("/page/loop-a", "/page/loop-b"):
            other = "/page/loop-b" if path.endswith("a") else "/page/loop-a"
            return 302, {"location": other}, b""
        if path == "/page/to-elsewhere":
            return 302, {"location": away + "/trap"}, b""
        if path == "/page/to-localhost":
            return 302, {"location": f"http://localhost:{self.port}/page/plain-target"}, b""
        if path == "/page/refresh-elsewhere":
            head = f'<meta http-equiv="refresh" content="0; url={away}/refreshed">'
            return (
                200,
                html,
                article_html("Moved", ["This page moved."], tag=path, head=head).encode(),
            )
        if path == "/page/to-file":
            return 302, {"location": "file:///etc/passwd"}, b""
        if path == "/page/redirect-ok":
            return 301, {"location": "/page/plain-target"}, b""
        if path in PLAIN_PAGES:
            return 200, html, article_html(PLAIN_PAGES[path], PROSE, tag=path).encode()
        if path == "/feeds/charsets.xml":
            return 200, xml, rss(base, [c for c in CHARSET_PAGES])
        if path in CHARSET_PAGES:
            headers, body = CHARSET_PAGES[path]()
            return 200, headers, body
        if path == "/feeds/inert.xml":
            item = (
                f"<item><title>{_xml_escape(CYPHER + ' ' + SQL)}</title>"
                f"<link>{base}/page/inert</link></item>"
            )
            return 200, xml, rss(base, [], extra_items=item)
        if path == "/page/inert":
            return 200, html, inert_page()
        if path in ("/page/endless", "/page/drip", "/page/huge-declared"):
            return None
        return 404, {"content-type": "text/plain"}, b"not here\n"

    def stream(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        """Endless or oversized bodies, each bounded by ``STREAM_BYTES``/``STREAM_SECONDS``."""
        handler.send_response(200)
        handler.send_header("content-type", "text/html; charset=utf-8")
        if path == "/page/huge-declared":
            handler.send_header("content-length", str(50_000_000))
        handler.end_headers()
        chunk, pause = (
            (b"<p>drip</p>"[:1], 0.2) if path == "/page/drip" else (b"<p>x</p>" * 8192, 0.0)
        )
        sent, deadline = 0, time.monotonic() + STREAM_SECONDS
        try:
            handler.wfile.write(b"<html><body>")
            while (
                sent < STREAM_BYTES and time.monotonic() < deadline and not self.stop_event.is_set()
            ):
                handler.wfile.write(chunk)
                handler.wfile.flush()
                sent += len(chunk)
                if pause:
                    time.sleep(pause)
        except OSError:
            pass  # the crawler hung up: what it should do


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _html_escape(text: str) -> str:
    return _xml_escape(text).replace('"', "&quot;")


def inert_page() -> bytes:
    """An article whose text is full of query syntax and characters that break naive code."""
    hostile = [
        f"The ministry's statement quoted a line of code: {_html_escape(CYPHER)} and nothing more.",
        f"A second fragment read {_html_escape(CYPHER2)} according to the report.",
        f"Someone also pasted {_html_escape(SQL)} into the comment form of the regulator.",
        f"Paths such as {_html_escape(BACKSLASHES)} appeared in the leaked licence list.",
        f"Quotes of every kind: {_html_escape(QUOTES)} were used by the spokesperson.",
        "Control characters \x01\x02\x07\x1b[31m and a NUL \x00 byte sit inside this sentence.",
        (
            "Line and paragraph separators \u2028 and \u2029, a right-to-left override \u202e and "
            "a zero-width joiner \u200d are in this one."
        ),
    ]
    title = _html_escape(f"Export rules {CYPHER} {SQL}")
    return article_html(title, hostile + PROSE, tag="inert").encode("utf-8")


def _page(
    tag: str, charset_header: str | None, encoding: str, meta: str = ""
) -> tuple[dict[str, str], bytes]:
    ctype = "text/html" + (f"; charset={charset_header}" if charset_header else "")
    head = f'<meta charset="{meta}">' if meta else ""
    page = article_html(NON_ASCII_TITLE, PROSE, tag=tag, head=head)
    return {"content-type": ctype}, page.encode(encoding)


CHARSET_PAGES: dict[str, Callable[[], tuple[dict[str, str], bytes]]] = {
    "/page/utf8-as-latin1": lambda: _page("a", "iso-8859-1", "utf-8"),
    "/page/cp1252-as-utf8": lambda: _page("b", "utf-8", "cp1252"),
    "/page/bogus-charset": lambda: _page("c", "x-no-such-charset", "utf-8"),
    "/page/meta-vs-header": lambda: _page("d", "utf-8", "utf-8", meta="shift_jis"),
    "/page/utf16-bom": lambda: (
        {"content-type": "text/html"},
        b"\xff\xfe" + article_html(NON_ASCII_TITLE, PROSE, tag="e").encode("utf-16-le"),
    ),
}


def _handler(site: HostileSite, host: str, route: Route) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            site.record(host, path)
            reply = route(path, self.headers.get("Host") or host)
            if reply is None:
                site.stream(self, path)
                return
            status, headers, body = reply
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass  # cut off by the crawler's size limit

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve() -> Iterator[HostileSite]:
    site = HostileSite()
    site.start()
    try:
        yield site
    finally:
        site.stop()
