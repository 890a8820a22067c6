"""The Federal Register API: every document of the Bureau of Industry and Security, page by
page, classified here (rule, proposed rule, notice; on topic or not) rather than by OR-queries
that the API answers unevenly. Each document's HTML page goes to the pipeline with its metadata.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy
from scrapy.http import Response

from crawler.feeds import Entry, parse_date
from crawler.spiders.base import SourceSpider

logger = logging.getLogger(__name__)

MAX_PAGES = 200  # 100 per page: far beyond BIS's whole output; a guard against a paging loop
DOCUMENT_FIELDS = (
    "document_number", "title", "type", "abstract", "publication_date", "effective_on",
    "html_url", "pdf_url", "agencies", "action", "citation", "docket_ids", "cfr_references",
)  # fmt: skip
EXPORT_CONTROL_TERMS = (
    "export administration regulations", "entity list", "unverified list", "export control",
    "semiconductor", "advanced computing", "supercomputer", "foreign direct product",
    "integrated circuit", "chip", "military end", "license", "licence", "wassenaar",
)  # fmt: skip


def classify(doc: dict[str, Any]) -> dict[str, Any]:
    """The document's kind and whether it concerns export controls, decided locally."""
    text = f"{doc.get('title') or ''} {doc.get('abstract') or ''} {doc.get('action') or ''}".lower()
    matched = [t for t in EXPORT_CONTROL_TERMS if t in text]
    kind = str(doc.get("type") or "Unknown")
    return {"kind": kind, "export_control": bool(matched), "matched_terms": matched}


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query.extend(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


class FederalRegisterSpider(SourceSpider):
    name = "federal_register"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.source.urls:
            if self.since:
                url = with_query(url, **{"conditions[publication_date][gte]": self.since.isoformat()})
            yield scrapy.Request(
                url, callback=self.parse_api, errback=self.on_error, dont_filter=True,
                meta={"page_number": 1},
            )  # fmt: skip

    def parse_api(self, response: Response) -> Iterator[scrapy.Request]:
        stats = self.crawler.stats
        try:
            data = json.loads(response.body)
            results = data.get("results") or []
        except (ValueError, AttributeError) as e:
            stats.inc_value("chipwatch/failed/bad_api_page")
            logger.warning("%s: %s is not an API page: %s", self.source.name, response.url, e)
            return
        stats.inc_value("chipwatch/listings/parsed")
        for doc in results:
            if not isinstance(doc, dict) or not doc.get("html_url"):
                stats.inc_value("chipwatch/failed/bad_api_record")
                continue
            yield from self._document(doc)
        next_url = data.get("next_page_url")
        page = int(response.meta.get("page_number", 1))
        if next_url and page < MAX_PAGES and self.source.allows(next_url):
            yield scrapy.Request(
                next_url, callback=self.parse_api, errback=self.on_error,
                meta={"page_number": page + 1},
            )  # fmt: skip

    def _document(self, doc: dict[str, Any]) -> Iterator[scrapy.Request]:
        stats = self.crawler.stats
        stats.inc_value("chipwatch/listed")
        meta = {k: doc.get(k) for k in DOCUMENT_FIELDS}
        meta.update(classify(doc))
        stats.inc_value(f"chipwatch/documents/{meta['kind'].lower().replace(' ', '_')}")
        entry = Entry(str(doc["html_url"]), doc.get("title"), parse_date(doc.get("publication_date")))
        request = self.page_request(entry, document=meta) if self.wants(entry) else None
        if request is not None:
            yield request
