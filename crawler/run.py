"""Runs a crawl of registry sources into the article store and reports what happened.

One Scrapy crawler per source, so each gets its own politeness settings and its own stats; all
run in one reactor. A crawl is one run in the store (``runs`` table) with its counts.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from crawler import settings as default_settings
from crawler.sources import Source
from crawler.spiders import SPIDER_FOR_KIND
from crawler.store import ArticleStore

logger = logging.getLogger(__name__)

OUTCOMES = ("new", "updated", "unchanged", "duplicate", "skipped", "not_modified")


@dataclass
class SourceReport:
    name: str
    requests: int = 0
    responses: int = 0
    listed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    finish_reason: str | None = None

    @classmethod
    def from_stats(cls, name: str, stats: dict[str, Any]) -> SourceReport:
        r = cls(name, stats.get("downloader/request_count", 0),
                stats.get("downloader/response_count", 0), stats.get("chipwatch/listed", 0))  # fmt: skip
        r.finish_reason = stats.get("finish_reason")
        for key, value in stats.items():
            if key.startswith("chipwatch/articles/"):
                r.outcomes[key.removeprefix("chipwatch/articles/")] += value
            elif key.startswith("chipwatch/skipped/"):
                r.skipped[key.removeprefix("chipwatch/skipped/")] += value
            elif key.startswith("chipwatch/failed/"):
                r.failed[key.removeprefix("chipwatch/failed/")] += value
        return r

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "requests": self.requests, "responses": self.responses,
            "listed": self.listed, "finish_reason": self.finish_reason,
            **{k: self.outcomes.get(k, 0) for k in OUTCOMES},
            "skipped_by_reason": dict(self.skipped), "failed_by_reason": dict(self.failed),
        }  # fmt: skip


@dataclass
class CrawlReport:
    run_id: str
    sources: list[SourceReport]

    def total(self, outcome: str) -> int:
        return sum(s.outcomes.get(outcome, 0) for s in self.sources)

    @property
    def requests(self) -> int:
        return sum(s.requests for s in self.sources)

    @property
    def failed(self) -> Counter[str]:
        return sum((s.failed for s in self.sources), Counter())

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "requests": self.requests,
            **{k: self.total(k) for k in OUTCOMES},
            "failed_by_reason": dict(self.failed),
            "sources": [s.as_dict() for s in self.sources],
        }  # fmt: skip


def scrapy_settings(store_path: Path, run_id: str, overrides: dict[str, Any] | None) -> ScrapySettings:
    s = ScrapySettings()
    s.setmodule(default_settings, priority="project")
    s.set("CHIPWATCH_STORE", str(store_path), priority="project")
    s.set("CHIPWATCH_RUN_ID", run_id, priority="project")
    for key, value in (overrides or {}).items():
        s.set(key, value, priority="cmdline")
    return s


def spider_class(source: Source) -> type:
    """The source's spider, with its politeness overrides as Scrapy per-spider settings."""
    base = SPIDER_FOR_KIND[source.kind]
    custom = {**(getattr(base, "custom_settings", None) or {}), **source.politeness.as_settings()}
    return type(f"{base.__name__}_{source.name}", (base,), {"custom_settings": custom})


def run_crawl(
    sources: list[Source],
    store_path: Path,
    *,
    since: date | None = None,
    overrides: dict[str, Any] | None = None,
    extensions: dict[str, int] | None = None,
) -> CrawlReport:
    """Crawls ``sources`` into the store at ``store_path``; blocks until done.

    Scrapy's reactor runs once per process, so call this once per process (the CLI does).
    """
    with ArticleStore.open(store_path) as store:
        run_id = store.start_run()
    settings = scrapy_settings(store_path, run_id, overrides)
    if extensions:
        settings.set("EXTENSIONS", extensions, priority="cmdline")
    # Scrapy's own chatter stays at LOG_LEVEL; failures are in the report, counted by reason.
    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL"))
    process = CrawlerProcess(settings)
    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL"))  # configure_logging reset it
    logging.getLogger("scrapy.downloadermiddlewares.retry").setLevel(logging.CRITICAL)
    crawlers = []
    for source in sources:
        crawler = process.create_crawler(spider_class(source))
        crawlers.append((source.name, crawler))
        process.crawl(crawler, source=source, store_path=str(store_path), since=since)
    process.start()
    report = CrawlReport(
        run_id,
        [SourceReport.from_stats(name, c.stats.get_stats()) for name, c in crawlers],
    )
    with ArticleStore.open(store_path) as store:
        store.finish_run(run_id, report.as_dict())
    return report
