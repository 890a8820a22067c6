"""Scrapy settings for chipwatch's spiders: polite by default, bounded against bad input.

Per-source overrides (download delay, concurrency, AutoThrottle target) come from the source
registry and are applied per crawler by ``crawler.run``.
"""

from __future__ import annotations

from chipwatch import __version__

BOT_NAME = "chipwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = (
    f"chipwatch/{__version__} (export-control news research crawler; "
    "+https://github.com/chipwatch/chipwatch#crawler)"
)
ROBOTSTXT_OBEY = True

# Politeness: AutoThrottle adapts to each server's latency; per-domain caps keep us gentle.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0

# Bad input: cap sizes and time, bound redirects, retry transient failures with backoff.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0  # seconds; doubled on each retry of the same request
RETRY_BACKOFF_MAX = 60.0
# 4xx/5xx reach the errback with their status, so they are logged and counted by reason.
HTTPERROR_ALLOW_ALL = False

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    # Before robots.txt (100), so that no robots.txt is fetched from a host we refuse.
    "crawler.middlewares.AllowedDomainsMiddleware": 40,
    "crawler.middlewares.BlockPrivateAddressMiddleware": 45,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
}
# Fences: requests, redirects included, stay on each source's allowed_domains, and (in
# production) off hosts that resolve to private, loopback, link-local or reserved addresses.
# Crawls of a local site (tests, the demo) set CHIPWATCH_BLOCK_PRIVATE=false or allow-list it.
CHIPWATCH_ENFORCE_ALLOWED_DOMAINS = True
CHIPWATCH_BLOCK_PRIVATE = True
CHIPWATCH_PRIVATE_ALLOWLIST: list[str] = []  # addresses or networks, e.g. "10.1.2.0/24"

ITEM_PIPELINES = {
    "crawler.pipelines.ExtractAndStorePipeline": 300,
}

# Known pages listed within this many days are re-requested (conditionally) on each run.
CHIPWATCH_REVALIDATE_DAYS = 2.0

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
LOG_INSTALL_ROOT_HANDLER = False  # the CLI configures logging
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
