"""The crawler's fences: requests (redirects and meta refreshes included) stay on each source's
allowed domains, and with ``CHIPWATCH_BLOCK_PRIVATE`` on they never reach a host that resolves
to a private, loopback, link-local or reserved address; refusals are counted by reason."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import CannotResolveHostError, DownloadCancelledError, NotConfigured
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from chipwatch.errors import ConfigError
from crawler.middlewares import (
    AllowedDomainsMiddleware,
    BlockPrivateAddressMiddleware,
    OffsiteRequest,
    PrivateAddressRequest,
    is_public_address,
)
from crawler.spiders.base import failure_reason
from crawler.store import ArticleStore
from tests.crawler.crawl_helpers import crawl_cmd, write_sources
from tests.reliability import hostile_site as hs
from tests.reliability.replay import run_measured

# -- addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("1.1.1.1", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("127.0.0.2", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.10", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.251", False),  # multicast
        ("240.0.0.1", False),  # reserved
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::1", False),  # 6to4 wrapping 127.0.0.1
        ("2002:0a00:0001::1", False),  # 6to4 wrapping 10.0.0.1
        ("not an address", False),
    ],
)
def test_only_public_unicast_addresses_are_public(address: str, public: bool) -> None:
    assert is_public_address(address) is public


FAKE_DNS = {
    "public.example": ["93.184.216.34"],
    "internal.example": ["10.20.30.40"],
    "metadata.example": ["169.254.169.254"],
    "rebind.example": ["93.184.216.34", "127.0.0.1"],  # one public, one private answer
    "v6only.example": ["fd00::5"],
}


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def lookup(host: str, port: Any, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        if host in FAKE_DNS:
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in FAKE_DNS[host]
            ]
        if host.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)


def block_middleware(**settings: Any) -> BlockPrivateAddressMiddleware:
    crawler = get_crawler(Spider, settings_dict={"CHIPWATCH_BLOCK_PRIVATE": True, **settings})
    return BlockPrivateAddressMiddleware.from_crawler(crawler)


def refused(mw: BlockPrivateAddressMiddleware, url: str) -> str | None:
    async def go() -> None:
        await mw.process_request(Request(url, dont_filter=True))

    try:
        asyncio.run(go())
    except PrivateAddressRequest as e:
        return str(e)
    return None


@pytest.mark.parametrize(
    ("url", "blocked"),
    [
        ("https://public.example/news/1", False),
        ("https://internal.example/admin", True),
        ("http://metadata.example/latest/meta-data/", True),
        ("https://rebind.example/", True),
        ("https://v6only.example/", True),
        ("http://127.0.0.1:8080/", True),
        ("http://[::1]/", True),
        ("http://2130706433/", True),  # 127.0.0.1 written as one number
        ("http://0x7f.1/", True),
        ("http://0/", True),
        ("https://nowhere.invalid/", False),  # left to Scrapy's own lookup, counted as dns
    ],
)
def test_private_hosts_are_refused(fake_dns: None, url: str, blocked: bool) -> None:
    reason = refused(block_middleware(), url)
    assert (reason is not None) is blocked, reason
    if blocked:
        assert failure_reason(Failure(PrivateAddressRequest(reason))) == "blocked_private"


def test_the_allowlist_lets_named_networks_through(fake_dns: None) -> None:
    mw = block_middleware(CHIPWATCH_PRIVATE_ALLOWLIST=["127.0.0.1", "10.20.0.0/16"])
    assert refused(mw, "http://127.0.0.1:8000/feed.xml") is None
    assert refused(mw, "https://internal.example/") is None
    assert refused(mw, "http://127.0.0.2:8000/") is not None
    assert refused(mw, "http://metadata.example/") is not None


def test_the_block_is_off_only_when_asked_and_a_bad_allowlist_is_an_error() -> None:
    with pytest.raises(NotConfigured):
        BlockPrivateAddressMiddleware.from_crawler(
            get_crawler(Spider, settings_dict={"CHIPWATCH_BLOCK_PRIVATE": False})
        )
    assert BlockPrivateAddressMiddleware.from_crawler(get_crawler(Spider)) is not None
    with pytest.raises(ConfigError, match="CHIPWATCH_PRIVATE_ALLOWLIST"):
        block_middleware(CHIPWATCH_PRIVATE_ALLOWLIST=["not-a-network"])


def test_project_settings_block_private_addresses_by_default() -> None:
    from crawler import settings

    assert settings.CHIPWATCH_BLOCK_PRIVATE is True
    assert settings.CHIPWATCH_ENFORCE_ALLOWED_DOMAINS is True
    mws = settings.DOWNLOADER_MIDDLEWARES
    robots = 100  # Scrapy's RobotsTxtMiddleware: no robots.txt from a refused host
    assert mws["crawler.middlewares.AllowedDomainsMiddleware"] < robots
    assert mws["crawler.middlewares.BlockPrivateAddressMiddleware"] < robots


# -- allowed domains ----------------------------------------------------------------------


class SourceLike(Spider):
    name = "t"
    allowed_domains: ClassVar[list[str]] = ["news.example.org"]


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://news.example.org/a", True),
        ("https://www.news.example.org/a", True),
        ("https://NEWS.example.org./a", True),
        ("https://evil.example.com/a", False),
        ("https://news.example.org.evil.example.com/a", False),
        ("https://evilnews.example.org/a", False),
        ("http://127.0.0.1/a", False),
    ],
)
def test_every_request_stays_on_the_allowed_domains(url: str, allowed: bool) -> None:
    crawler = get_crawler(SourceLike)
    crawler.spider = SourceLike()
    mw = AllowedDomainsMiddleware.from_crawler(crawler)
    # dont_filter is what our spiders set, and what Scrapy's OffsiteMiddleware lets through
    request = Request(url, dont_filter=True, meta={"redirect_urls": ["https://news.example.org/"]})
    if allowed:
        assert mw.process_request(request) is None
    else:
        with pytest.raises(OffsiteRequest) as e:
            mw.process_request(request)
        assert failure_reason(Failure(e.value)) == "offsite"


def test_download_failures_get_their_reasons() -> None:
    assert failure_reason(Failure(DownloadCancelledError())) == "too_large"
    assert failure_reason(Failure(CannotResolveHostError("nowhere.invalid"))) == "dns"


# -- whole crawls on 127.0.0.1 ------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[hs.HostileSite]:
    with hs.serve() as s:
        yield s


def private_sources(site: hs.HostileSite, *, with_localhost: bool = True) -> list[dict[str, Any]]:
    sources = [
        {
            "name": "loopback",
            "kind": "feed",
            "urls": [site.base + "/feeds/private.xml"],
            "allowed_domains": [hs.HOST, hs.ELSEWHERE_HOST],
        }
    ]
    if with_localhost:
        sources.append(
            {
                "name": "localhost",
                "kind": "feed",
                "urls": [f"http://localhost:{site.port}/feeds/private.xml"],
                "allowed_domains": ["localhost", hs.ELSEWHERE_HOST],
            }
        )
    return sources


def crawl(
    site: hs.HostileSite, tmp: Path, sources: list[dict[str, Any]], *sets: str
) -> dict[str, Any]:
    site.log.clear()
    path = write_sources(tmp / "sources.toml", sources)
    run = run_measured(crawl_cmd(path, tmp / "store.sqlite", *sets), timeout=120)
    assert run["returncode"] == 0, run["stderr"][-3000:]
    report = json.loads(run["stdout"][run["stdout"].index("{") :])
    return {
        "report": report,
        "sources": {s["name"]: s for s in report["sources"]},
        "requested": site.requested(hs.HOST),
        "elsewhere": site.requested(hs.ELSEWHERE_HOST),
        "store": tmp / "store.sqlite",
    }


def test_block_on_refuses_loopback_sources_before_any_request(
    site: hs.HostileSite, tmp_path: Path
) -> None:
    result = crawl(site, tmp_path, private_sources(site), "--set", "CHIPWATCH_BLOCK_PRIVATE=true")
    for name in ("loopback", "localhost"):
        assert result["sources"][name]["failed_by_reason"] == {"blocked_private": 1}, name
    assert result["requested"] == [] and result["elsewhere"] == [], "a blocked request was sent"


def test_block_off_lets_loopback_sources_through(site: hs.HostileSite, tmp_path: Path) -> None:
    result = crawl(site, tmp_path, private_sources(site), "--set", "CHIPWATCH_BLOCK_PRIVATE=false")
    with ArticleStore.open(result["store"]) as store:
        assert store.record(site.base + "/page/plain-target") is not None
        assert store.record(f"http://localhost:{site.port}/page/plain-target") is not None
    for name in ("loopback", "localhost"):
        assert "blocked_private" not in result["sources"][name]["failed_by_reason"]


def test_a_redirect_to_another_private_host_is_refused(
    site: hs.HostileSite, tmp_path: Path
) -> None:
    sets = (
        "--set",
        "CHIPWATCH_BLOCK_PRIVATE=true",
        "--set",
        'CHIPWATCH_PRIVATE_ALLOWLIST=["127.0.0.1"]',
    )
    result = crawl(site, tmp_path, private_sources(site, with_localhost=False), *sets)
    loopback = result["sources"]["loopback"]
    assert loopback["failed_by_reason"] == {"blocked_private": 1}  # /page/to-elsewhere's 302
    assert loopback["new"] == 1  # the allow-listed page itself
    assert "/page/to-elsewhere" in result["requested"]
    assert result["elsewhere"] == [], "the redirect to 127.0.0.2 was followed"
