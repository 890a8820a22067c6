"""Spider logic on Scrapy responses built in memory: what is fetched, what is skipped, why."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError, TCPTimedOutError
from twisted.python.failure import Failure

from crawler.feeds import Entry
from crawler.items import Article, FetchedPage
from crawler.sources import sources_from_dicts
from crawler.spiders import FederalRegisterSpider, ListingSpider
from crawler.spiders.base import failure_reason
from crawler.store import ArticleStore

FEED = b"""<rss><channel>
<item><title>New</title><link>https://news.example.org/new</link><pubDate>Mon, 02 Dec 2024 10:00:00 GMT</pubDate></item>
<item><title>Known</title><link>https://news.example.org/known</link><pubDate>Mon, 02 Dec 2024 10:00:00 GMT</pubDate></item>
<item><title>Old</title><link>https://news.example.org/old</link><pubDate>Fri, 07 Oct 2022 10:00:00 GMT</pubDate></item>
<item><title>Elsewhere</title><link>https://evil.example.com/x</link></item>
</channel></rss>"""


def make_spider(cls: type, tmp_path: Path, kind: str = "feed", since: date | None = None):  # type: ignore[no-untyped-def]
    (source,) = sources_from_dicts(
        [{"name": "t", "kind": kind, "urls": ["https://news.example.org/feed.xml"],
          "allowed_domains": ["news.example.org"]}],  # fmt: skip
        origin="test",
    )
    crawler = get_crawler(cls)
    spider = cls.from_crawler(crawler, source=source, store_path=str(tmp_path / "s.sqlite"), since=since)
    return spider


def known_article(spider, url: str, when: datetime) -> None:  # type: ignore[no-untyped-def]
    spider.store._clock = lambda: when  # noqa: SLF001 - pin "last seen" for the test
    spider.store.save(Article(url=url, canonical_url=url, title="Known", text="Known text. " * 40))


def test_feed_yields_only_new_in_range_onsite_entries(tmp_path: Path) -> None:
    spider = make_spider(ListingSpider, tmp_path, since=date(2023, 1, 1))
    known_article(spider, "https://news.example.org/known", datetime(2024, 12, 3, tzinfo=timezone.utc))
    response = TextResponse("https://news.example.org/feed.xml", body=FEED,
                            request=Request("https://news.example.org/feed.xml"))  # fmt: skip
    urls = [r.url for r in spider.parse_listing(response)]
    assert urls == ["https://news.example.org/new"]
    stats = spider.crawler.stats
    assert stats.get_value("chipwatch/skipped/known") == 1
    assert stats.get_value("chipwatch/skipped/before_since") == 1
    assert stats.get_value("chipwatch/skipped/offsite") == 1


def test_known_entry_updated_after_last_fetch_is_fetched_again(tmp_path: Path) -> None:
    spider = make_spider(ListingSpider, tmp_path)
    seen = datetime(2024, 12, 1, tzinfo=timezone.utc)
    known_article(spider, "https://news.example.org/known", seen)
    later = Entry("https://news.example.org/known", updated=seen + timedelta(days=1))
    earlier = Entry("https://news.example.org/known", updated=seen - timedelta(days=1))
    assert spider.wants(later)
    assert not spider.wants(earlier)


def test_listing_304_yields_nothing_and_validators_wait_for_a_finished_crawl(tmp_path: Path) -> None:
    spider = make_spider(ListingSpider, tmp_path)
    url = "https://news.example.org/feed.xml"
    ok = TextResponse(url, body=FEED, headers={"ETag": '"v1"'}, request=Request(url))
    list(spider.parse_listing(ok))
    assert spider.store.validators(url) == (None, None)  # not yet: the crawl may be killed
    spider.closed("finished")
    with ArticleStore.open(tmp_path / "s.sqlite") as store:
        assert store.validators(url)[0] == '"v1"'

    spider = make_spider(ListingSpider, tmp_path)
    request = spider.listing_request(url, spider.parse_listing)
    assert request.headers.get("If-None-Match") == b'"v1"'
    not_modified = Response(url, status=304, request=request)
    assert list(spider.parse_listing(not_modified)) == []
    assert spider.crawler.stats.get_value("chipwatch/listings/not_modified") == 1


def test_bad_listing_is_logged_and_counted(tmp_path: Path) -> None:
    spider = make_spider(ListingSpider, tmp_path)
    url = "https://news.example.org/feed.xml"
    response = HtmlResponse(url, body=b"<html>maintenance</html>", request=Request(url))
    assert list(spider.parse_listing(response)) == []
    assert spider.crawler.stats.get_value("chipwatch/failed/bad_listing") == 1


def test_page_response_becomes_fetched_page(tmp_path: Path) -> None:
    spider = make_spider(ListingSpider, tmp_path)
    url = "https://news.example.org/new"
    request = spider.page_request(Entry(url, published=datetime(2024, 12, 2, tzinfo=timezone.utc)))
    page = spider.parse_page(HtmlResponse(url, body=b"<html>x</html>", request=request,
                                          headers={"ETag": '"e"'}))  # fmt: skip
    assert isinstance(page, FetchedPage)
    assert (page.url, page.status, page.source, page.headers["etag"]) == (url, 200, "t", '"e"')
    assert page.listed_date and page.listed_date.startswith("2024-12-02")


def test_federal_register_pages_and_classifies_locally(tmp_path: Path) -> None:
    spider = make_spider(FederalRegisterSpider, tmp_path, kind="federal_register")
    body = json.dumps({"count": 3, "next_page_url": "https://news.example.org/api?page=2", "results": [
        {"document_number": "2022-21658", "type": "Rule", "publication_date": "2022-10-13",
         "title": "Implementation of Additional Export Controls: Certain Advanced Computing and "
                  "Semiconductor Manufacturing Items",
         "html_url": "https://news.example.org/d/2022-21658"},
        {"document_number": "2023-00001", "type": "Notice", "publication_date": "2023-01-03",
         "title": "Agency information collection", "html_url": "https://news.example.org/d/2023-00001"},
        {"document_number": "x"},
    ]}).encode()  # fmt: skip
    url = "https://news.example.org/api?page=1"
    requests = list(spider.parse_api(TextResponse(url, body=body, request=Request(url))))
    pages = [r for r in requests if r.callback == spider.parse_page]
    nexts = [r for r in requests if r.callback == spider.parse_api]
    assert [r.meta["document"]["document_number"] for r in pages] == ["2022-21658", "2023-00001"]
    assert pages[0].meta["document"]["export_control"] is True
    assert pages[1].meta["document"]["export_control"] is False
    assert [r.url for r in nexts] == ["https://news.example.org/api?page=2"]
    assert spider.crawler.stats.get_value("chipwatch/failed/bad_api_record") == 1


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (DNSLookupError("no such host"), "dns"),
        (TCPTimedOutError(), "timeout"),
        (HttpError(Response("https://a.example.org", status=503)), "http_503"),
        (HttpError(Response("https://a.example.org", status=404)), "http_404"),
    ],
)
def test_failure_reason(exc: Exception, reason: str) -> None:
    assert failure_reason(Failure(exc)) == reason


def test_fresh_known_entries_are_revalidated(tmp_path: Path) -> None:
    spider = make_spider(ListingSpider, tmp_path)
    now = datetime.now(timezone.utc)
    known_article(spider, "https://news.example.org/known", now)
    fresh = Entry("https://news.example.org/known", published=now - timedelta(hours=6))
    old = Entry("https://news.example.org/known", published=now - timedelta(days=30))
    assert spider.wants(fresh)
    assert spider.crawler.stats.get_value("chipwatch/listed/revalidated") == 1
    assert not spider.wants(old)


def test_listing_date_later_than_stored_modified_date_means_changed(tmp_path: Path) -> None:
    spider = make_spider(ListingSpider, tmp_path)
    url = "https://news.example.org/edited"
    spider.store.save(Article(url=url, canonical_url=url, title="t", published="2023-10-17",
                              text="Some text about chips. " * 30))  # fmt: skip
    edited = Entry(url, published=datetime(2023, 10, 17, tzinfo=timezone.utc),
                   updated=datetime(2023, 10, 19, tzinfo=timezone.utc))  # fmt: skip
    same_day = Entry(url, published=datetime(2023, 10, 17, 20, tzinfo=timezone.utc))
    assert spider.wants(edited)
    assert not spider.wants(same_day)
