"""An offline news site for the demo and the crawler tests (served on 127.0.0.1 only).

Five outlets with their own page templates and feeds, a Federal Register API mimic and a
corner of broken pages, all written for chipwatch (facts of real 2020-2025 export-control
events in our own words; no real article text).

================  ==============================  =========================================
outlet            template                        entry point (``sources()`` kind)
================  ==============================  =========================================
Meridian Wire     wire (JSON-LD NewsArticle)      ``/meridian/rss.xml`` (feed, RSS 2.0)
Harbour Ledger    broadsheet (OpenGraph meta)     ``/ledger/feeds/atom.xml`` (feed, Atom)
FabLine           trade (``<time datetime>``)     ``/fabline/feed/`` (feed, RSS, utm links)
Asia Commerce D.  asia_daily (microdata)          ``/acd/news-sitemap.xml`` (news_sitemap)
Commerce Press    gov_press (Dublin Core)         ``/press/sitemap_index.xml`` (sitemap)
Federal Register  fr_document                     ``/api/v1/documents.json`` (federal_register)
broken pages      plain                           ``/broken/feed.xml`` (feed)
================  ==============================  =========================================

Every outlet also has ``/<outlet>/`` (front page) and ``/<outlet>/sitemap_index.xml``;
``/robots.txt`` disallows ``/private/``.
"""

from __future__ import annotations

from crawler.demo_site.content import OUTLETS, DemoArticle, Outlet, load_articles
from crawler.demo_site.server import DemoSite, ServedRequest, serve

__all__ = [
    "OUTLETS",
    "DemoArticle",
    "DemoSite",
    "Outlet",
    "ServedRequest",
    "load_articles",
    "serve",
]
