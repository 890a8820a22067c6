"""The pipeline: extraction, the topic and language checks, and the article store.

Every page a spider hands over ends as exactly one of: stored (new, updated, unchanged,
duplicate), stored as skipped with its reason (off-topic, other language), or dropped with a
logged reason and a counter (not modified, extraction failed). Nothing is lost silently.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from chipwatch import __version__
from chipwatch.errors import CrawlError, ExtractionError
from crawler.extract import extract_article
from crawler.items import Article, FetchedPage
from crawler.store import ArticleStore

logger = logging.getLogger(__name__)

EXTRACTOR_VERSION = f"chipwatch-extract {__version__}"


def skip_reason(article: Article, page: FetchedPage, spider: Spider) -> str | None:
    """Why a page is kept but not passed on to the NLP stage, or None."""
    wanted = (page.language or "en").split("-")[0].lower()
    got = (article.language or "").split("-")[0].lower()
    if got and wanted and got != wanted:
        return f"language: {got}"
    source = getattr(spider, "source", None)
    if source is not None and not (page.document and page.document.get("export_control")):
        on_topic, why = source.check_topic(article.title or "", article.text)
        if not on_topic:
            return why if why.startswith("off-topic") else f"off-topic: {why}"
    return None


class ExtractAndStorePipeline:
    def __init__(self, store_path: str, run_id: str | None, crawler: Crawler) -> None:
        self.store_path = store_path
        self.run_id = run_id
        self.crawler = crawler
        self.store: ArticleStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractAndStorePipeline:
        path = crawler.settings.get("CHIPWATCH_STORE")
        if not path:
            raise CrawlError("the CHIPWATCH_STORE setting (the article store's path) is not set")
        return cls(path, crawler.settings.get("CHIPWATCH_RUN_ID"), crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        self.store = ArticleStore.open(self.store_path)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.store is not None:
            self.store.close()

    def _count(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"chipwatch/{key}")

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        assert self.store is not None
        spider = spider or self.crawler.spider
        self.store.log_fetch(item.final_url, item.status, source=item.source, run_id=self.run_id)
        if item.status == 304:
            self._count("articles/not_modified")
            self.store.touch(item.url) or self.store.touch(item.final_url)
            raise DropItem(f"not modified: {item.final_url}")
        article = self._extract(item)
        reason = skip_reason(article, item, spider)
        result = self.store.save(
            article, item.body, run_id=self.run_id, skip_reason=reason,
            extractor_version=EXTRACTOR_VERSION,
            etag=item.headers.get("etag"), last_modified=item.headers.get("last-modified"),
        )  # fmt: skip
        if item.url != result.canonical_url:
            self.store.add_alias(item.url, result.canonical_url)
        if item.document:
            self.store.save_document(result.canonical_url, item.document)
        self._count(f"articles/{result.status}")
        if reason:
            self._count(f"skipped/{reason.split(':')[0].strip().replace(' ', '_')}")
        return {"url": result.canonical_url, "status": result.status, "skip_reason": reason}

    def _extract(self, item: FetchedPage) -> Article:
        try:
            article = extract_article(item.body, item.final_url, headers=item.headers)
        except ExtractionError as e:
            self._count("failed/extraction")
            assert self.store is not None
            self.store.log_fetch(
                item.final_url, item.status, source=item.source,
                error=f"extraction: {e}", run_id=self.run_id,
            )  # fmt: skip
            raise DropItem(f"extraction failed for {item.final_url}: {e}") from e
        article.source = item.source
        if not article.published and item.document:
            article.published = item.document.get("publication_date")
        if not article.published and item.listed_date:
            article.published = item.listed_date[:10]
        return article
