"""What every chipwatch spider shares: its source, the store it consults to skip known pages,
conditional requests, and one errback that logs and counts every failure by reason."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.feeds import Entry, on_or_after
from crawler.items import FetchedPage
from crawler.sources import Source
from crawler.store import ArticleRecord, ArticleStore

logger = logging.getLogger(__name__)


def failure_reason(failure: Failure) -> str:
    """A short, countable reason for a failed request ("http_503", "timeout", ...)."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    name = getattr(exc, "chipwatch_reason", None) or type(exc).__name__  # our middlewares set it
    text = str(exc).lower()
    if "timeout" in name.lower() or "timed out" in text:
        return "timeout"
    if "dnslookup" in name.lower() or "cannotresolvehost" in name.lower():
        return "dns"
    if "max redirections" in text or "redirect" in text:
        return "redirect_loop"
    if "robots.txt" in text:
        return "robots_forbidden"
    if "maxsize" in text or "max size" in text or "cancelled" in f"{name} {text}".lower():
        return "too_large"
    if "connectionrefused" in name.lower() or "refused" in text:
        return "connection_refused"
    return name.lower()


def _changed_since(listed: datetime, record: ArticleRecord) -> bool:
    """Whether a listing's date says the page changed after we stored it: later than our last
    fetch (live feeds), or a later day than the stored article's own modified date (listings
    whose dates are the article's, not the feed's)."""
    seen = datetime.fromisoformat(record.last_seen.replace("Z", "+00:00"))
    if listed > seen:
        return True
    stored = record.article.modified or record.article.published
    return bool(stored) and listed.date().isoformat() > str(stored)[:10]


class SourceSpider(scrapy.Spider):
    """A spider bound to one registry source; ``store_path`` is the article store."""

    name = "source"

    def __init__(
        self, source: Source, store_path: str, since: date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(name=f"{self.name}:{source.name}", **kwargs)
        self.source = source
        self.allowed_domains = list(source.allowed_domains)
        self.since = since
        self.store_path = store_path
        self.store: ArticleStore | None = None
        # Listing validators are saved only when the crawl finishes: a crawl killed half-way
        # must list the same entries again on the next run, not get a 304 and miss them.
        self.pending_validators: dict[str, tuple[str | None, str | None]] = {}
        self.requested: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.store = ArticleStore.open(spider.store_path)
        return spider

    def closed(self, reason: str) -> None:
        if self.store is None:
            return
        if reason == "finished":
            for url, (etag, modified) in self.pending_validators.items():
                self.store.set_validators(url, etag, modified)
        self.store.close()

    # -- requests -------------------------------------------------------------------------

    def conditional_headers(self, url: str) -> dict[str, str]:
        assert self.store is not None
        etag, modified = self.store.validators(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        return headers

    def listing_request(self, url: str, callback: Any, **meta: Any) -> scrapy.Request:
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, dont_filter=True,
            headers=self.conditional_headers(url),
            meta={"handle_httpstatus_list": [304], "listing": True, **meta},
        )  # fmt: skip

    def remember_validators(self, response: Response) -> None:
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        if etag or modified:
            self.pending_validators[response.url] = (
                etag.decode("latin-1") if etag else None,
                modified.decode("latin-1") if modified else None,
            )

    def wants(self, entry: Entry) -> bool:
        """Whether an entry is new, or changed since we last fetched it, and in range."""
        stats = self.crawler.stats
        if not on_or_after(entry, self.since):
            stats.inc_value("chipwatch/skipped/before_since")
            return False
        if not self.source.allows(entry.url):
            stats.inc_value("chipwatch/skipped/offsite")
            return False
        assert self.store is not None
        record = self.store.record(entry.url)
        if record is None:
            return True
        if entry.latest is not None and _changed_since(entry.latest, record):
            stats.inc_value("chipwatch/listed/changed")
            return True
        if entry.latest is not None and self._fresh(entry.latest):
            # Fresh stories are often edited without the listing saying so; a conditional
            # request costs a 304 when nothing changed.
            stats.inc_value("chipwatch/listed/revalidated")
            return True
        stats.inc_value("chipwatch/skipped/known")
        return False

    def _fresh(self, listed: datetime) -> bool:
        days = self.crawler.settings.getfloat("CHIPWATCH_REVALIDATE_DAYS", 2.0)
        return datetime.now(UTC) - listed < timedelta(days=days)

    def page_request(self, entry: Entry, **meta: Any) -> scrapy.Request | None:
        """The request for a listed page, or None when this run already asked for it."""
        assert self.store is not None
        if entry.url in self.requested:
            return None
        self.requested.add(entry.url)
        known = self.store.is_known(entry.url)
        # dont_filter: duplicates are dropped above, so Scrapy's filter would only hide a
        # redirect loop; unfiltered, the loop ends at REDIRECT_MAX_TIMES and is counted.
        return scrapy.Request(
            entry.url, callback=self.parse_page, errback=self.on_error, dont_filter=True,
            headers=self.conditional_headers(entry.url) if known else {},
            meta={
                "handle_httpstatus_list": [304],
                "listed_date": entry.latest.isoformat() if entry.latest else None,
                **meta,
            },
        )  # fmt: skip

    # -- responses ------------------------------------------------------------------------

    def parse_page(self, response: Response) -> FetchedPage:
        headers = {
            k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()
        }
        return FetchedPage(
            url=response.request.meta.get("redirect_urls", [response.url])[0]
            if response.request
            else response.url,
            final_url=response.url,
            status=response.status,
            body=response.body if response.status != 304 else b"",
            headers=headers,
            source=self.source.name,
            language=self.source.language,
            listed_date=response.meta.get("listed_date"),
            document=response.meta.get("document"),
        )

    def on_error(self, failure: Failure) -> None:
        reason = failure_reason(failure)
        request = failure.request  # type: ignore[attr-defined]
        self.crawler.stats.inc_value(f"chipwatch/failed/{reason}")
        status = failure.value.response.status if isinstance(failure.value, HttpError) else None
        logger.warning("%s: %s failed: %s", self.source.name, request.url, reason)
        if self.store is not None:
            self.store.log_fetch(
                request.url, status, source=self.source.name, error=reason, run_id=self.run_id
            )

    @property
    def run_id(self) -> str | None:
        return self.crawler.settings.get("CHIPWATCH_RUN_ID")
