"""Spiders navigate (feeds, sitemaps, the Federal Register API); the pipeline extracts."""

from __future__ import annotations

from crawler.spiders.federal_register import FederalRegisterSpider
from crawler.spiders.listing import ListingSpider

SPIDER_FOR_KIND = {
    "feed": ListingSpider,
    "sitemap": ListingSpider,
    "news_sitemap": ListingSpider,
    "federal_register": FederalRegisterSpider,
}

__all__ = ["SPIDER_FOR_KIND", "FederalRegisterSpider", "ListingSpider"]
