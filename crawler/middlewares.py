"""Downloader middlewares: retries that back off instead of hammering a failing server, and
the crawler's fences: every request stays on its source's domains and off private addresses."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from chipwatch.errors import ConfigError

logger = logging.getLogger(__name__)

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry policy, with an exponential pause (or the server's Retry-After) first."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    def _delay(self, request: Request, response: Response | None) -> float:
        tries = int(request.meta.get("retry_times", 1))
        delay = self.base * (2 ** max(tries - 1, 0))
        if response is not None:
            after = response.headers.get(b"Retry-After")
            if after and after.strip().isdigit():
                delay = max(delay, float(after.strip()))
        return min(delay, self.cap)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await asyncio.sleep(self._delay(result, response))
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await asyncio.sleep(self._delay(result, None))
        return result


class RefusedRequest(IgnoreRequest):
    """A request the crawler will not make. ``chipwatch_reason`` is the reason it is counted
    under (``chipwatch/failed/<reason>``) by the spiders' errback."""

    chipwatch_reason = "refused_request"


class OffsiteRequest(RefusedRequest):
    chipwatch_reason = "offsite"


class PrivateAddressRequest(RefusedRequest):
    chipwatch_reason = "blocked_private"


class AllowedDomainsMiddleware:
    """Keeps every request, redirects and ``dont_filter`` ones included, on the source's domains.

    Scrapy's OffsiteMiddleware lets ``dont_filter`` requests through, and our spiders set
    ``dont_filter`` on all of theirs (they de-duplicate themselves, so that redirect loops are
    counted), so without this a redirect or a meta refresh could take the crawler anywhere.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AllowedDomainsMiddleware:
        if not crawler.settings.getbool("CHIPWATCH_ENFORCE_ALLOWED_DOMAINS", True):
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        domains = [d for d in getattr(spider, "allowed_domains", None) or [] if d]
        if not domains:
            return  # a spider without a domain list is not bound to a source
        host = (urlparse_cached(request).hostname or "").lower().rstrip(".")
        if any(host == d or host.endswith("." + d) for d in domains):
            return
        # The wording avoids the words failure_reason() matches, so the count is "offsite".
        raise OffsiteRequest(f"blocked: host {host!r} is outside allowed_domains {domains}")


def is_public_address(address: str) -> bool:
    """Whether an IP address is a public unicast one: not private, loopback, link-local,
    reserved, multicast or unspecified, also when wrapped in IPv6 (mapped, 6to4, Teredo)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is not None and not is_public_address(str(inner)):
            return False
    return ip.is_global and not ip.is_multicast


class BlockPrivateAddressMiddleware:
    """Refuses requests (and redirects, which come back through here) to hosts that resolve to
    a private, loopback, link-local or reserved address, so that a feed, a sitemap or a
    redirect cannot point the crawler at the machine it runs on or at the network behind it.

    On when ``CHIPWATCH_BLOCK_PRIVATE`` is true (the production default).
    ``CHIPWATCH_PRIVATE_ALLOWLIST`` lists addresses or networks let through all the same
    (an internal mirror; the tests' 127.0.0.1). Refusals are counted as ``blocked_private``.
    """

    def __init__(self, allow: list[IPNetwork]) -> None:
        self.allow = allow
        self._cache: dict[tuple[str, int], list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockPrivateAddressMiddleware:
        settings = crawler.settings
        if not settings.getbool("CHIPWATCH_BLOCK_PRIVATE", True):
            raise NotConfigured
        allow = []
        for net in settings.getlist("CHIPWATCH_PRIVATE_ALLOWLIST"):
            try:
                allow.append(ipaddress.ip_network(str(net).strip(), strict=False))
            except ValueError as e:
                raise ConfigError(f"CHIPWATCH_PRIVATE_ALLOWLIST: {net!r} is no address: {e}") from e
        return cls(allow)

    def refusal(self, host: str, addresses: list[str]) -> str | None:
        """Why a host with these addresses is refused, or None. Every address must be public:
        a name that resolves to both kinds is a classic rebinding set-up."""
        for address in addresses:
            if is_public_address(address) or self._allowed(address):
                continue
            return f"blocked: host {host!r} resolves to {address}, a non-public address"
        return None

    def _allowed(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        return any(ip in net for net in self.allow)

    async def resolve(self, host: str, port: int) -> list[str]:
        """The host's addresses (cached per crawl); [] when it does not resolve, so that
        Scrapy's own lookup fails and counts it as a DNS failure."""
        key = (host, port)
        if key not in self._cache:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, port, type=socket.SOCK_STREAM
                )
            except (OSError, UnicodeError) as e:
                logger.debug("%s does not resolve: %s", host, e)
                infos = []
            self._cache[key] = sorted({str(info[4][0]) for info in infos})
        return self._cache[key]

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        parts = urlparse_cached(request)
        host = (parts.hostname or "").rstrip(".")
        if not host:
            return
        try:
            addresses = [str(ipaddress.ip_address(host))]  # a literal needs no lookup
        except ValueError:
            addresses = await self.resolve(host, _port(parts.scheme, parts.netloc))
        reason = self.refusal(host, addresses)
        if reason is not None:
            logger.debug("%s: %s", request.url, reason)  # the spider's errback logs it
            raise PrivateAddressRequest(reason)


def _port(scheme: str, netloc: str) -> int:
    """The URL's port, or the scheme's; a malformed one is Scrapy's to refuse, not ours."""
    default = 443 if scheme == "https" else 80
    try:
        return urlsplit(f"//{netloc}").port or default
    except ValueError:
        return default
