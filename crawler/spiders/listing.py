"""Feeds (RSS, Atom), sitemaps, sitemap indexes and news sitemaps: one spider, since the
listing says what it is. New or changed entries go on to ``parse_page``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import scrapy
from scrapy.http import Response

from crawler.feeds import FeedError, parse_listing
from crawler.spiders.base import SourceSpider

logger = logging.getLogger(__name__)

MAX_SITEMAP_DEPTH = 3  # an index of indexes of sitemaps; deeper is a loop or a trap


class ListingSpider(SourceSpider):
    name = "listing"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.source.urls:
            yield self.listing_request(url, self.parse_listing, depth_left=MAX_SITEMAP_DEPTH)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        stats = self.crawler.stats
        if response.status == 304:
            stats.inc_value("chipwatch/listings/not_modified")
            return
        try:
            listing = parse_listing(response.body)
        except FeedError as e:
            stats.inc_value("chipwatch/failed/bad_listing")
            logger.warning("%s: %s is not a usable listing: %s", self.source.name, response.url, e)
            assert self.store is not None
            self.store.log_fetch(
                response.url, response.status, source=self.source.name,
                error=f"bad_listing: {e}", run_id=self.run_id,
            )  # fmt: skip
            return
        stats.inc_value("chipwatch/listings/parsed")
        self.remember_validators(response)
        depth_left = int(response.meta.get("depth_left", 0))
        for entry in listing.entries:
            if listing.kind == "sitemap_index":
                if depth_left > 0 and self.source.allows(entry.url):
                    yield self.listing_request(
                        entry.url, self.parse_listing, depth_left=depth_left - 1
                    )
                continue
            stats.inc_value("chipwatch/listed")
            request = self.page_request(entry) if self.wants(entry) else None
            if request is not None:
                yield request
