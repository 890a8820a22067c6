"""A Scrapy extension that feeds live counts to the CLI's progress display."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

# source name -> counts; read by the CLI's display thread, written by the reactor thread.
LIVE: dict[str, Counter[str]] = {}
LOCK = threading.Lock()


class LiveCounts:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LiveCounts:
        ext = cls(crawler)
        crawler.signals.connect(ext.response, signal=signals.response_received)
        crawler.signals.connect(ext.item, signal=signals.item_scraped)
        crawler.signals.connect(ext.dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.error, signal=signals.spider_error)
        return ext

    def _bump(self, key: str) -> None:
        name = getattr(self.crawler.spider, "source", None)
        source = getattr(name, "name", "?")
        with LOCK:
            LIVE.setdefault(source, Counter())[key] += 1

    def response(self, **_: Any) -> None:
        self._bump("fetched")

    def item(self, item: Any, **_: Any) -> None:
        status = item.get("status", "stored") if isinstance(item, dict) else "stored"
        self._bump(str(status))

    def dropped(self, **_: Any) -> None:
        self._bump("dropped")

    def error(self, **_: Any) -> None:
        self._bump("errors")
