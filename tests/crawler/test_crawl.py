"""Whole crawls of the local demo site with `chipwatch crawl`, as ops run it: what is stored,
what is skipped and why, what fails and how it is counted, incremental re-runs, kill -9."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.demo_site.server import DemoSite, serve
from crawler.store import ArticleStore
from tests.crawler.crawl_helpers import crawl_cmd, run_crawl, write_sources

# The slow page answers after 8 s; the timeout is 2 s with one retry: a timeout, quickly. The
# margin is wide because a busy 2-core machine can hold the reactor for a second or more (a
# 3 s page once arrived before its 2 s timeout fired, and was stored).
TIMEOUTS = ("--set", "DOWNLOAD_TIMEOUT=2", "--set", "RETRY_TIMES=1")
SLOW_PAGE_DELAY = 8.0


def demo_sources(site: DemoSite) -> list[dict[str, Any]]:
    sources = site.sources()
    for s in sources:
        if s["kind"] != "federal_register":
            s["topic_filter"] = True
    return sources


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with serve(slow_delay=SLOW_PAGE_DELAY) as s:
        yield s


@pytest.fixture(scope="module")
def first(site: DemoSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One full crawl of edition 1 shared by the read-only tests below."""
    tmp = tmp_path_factory.mktemp("first")
    sources = write_sources(tmp / "sources.toml", demo_sources(site))
    site.reset_requests()
    report = run_crawl(sources, tmp / "store.sqlite", *TIMEOUTS)
    return {"report": report, "store": tmp / "store.sqlite", "sources": sources,
            "requests": list(site.requests), "expected": site.expected()}  # fmt: skip


def on_topic_truth(first: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        url: t for url, t in first["expected"].items()
        if t["topic"] == "export-controls" and not t["robots_disallowed"]
        and t["outlet"] != "broken" and t["language"] == "en"
    }  # fmt: skip


def test_every_on_topic_article_is_stored_with_its_metadata(first: dict[str, Any]) -> None:
    truth = on_topic_truth(first)
    assert len(truth) >= 30
    with ArticleStore.open(first["store"]) as store:
        for url, t in truth.items():
            record = store.record(url)
            assert record is not None, f"{url} ({t['id']}) was not stored"
            assert record.status == "ok", (url, record.skip_reason)
            assert record.article.title == t["title"]
            assert record.article.published == t["published"]
    assert first["report"]["new"] >= len(truth)


def test_off_topic_and_foreign_pages_are_kept_with_a_reason(first: dict[str, Any]) -> None:
    with ArticleStore.open(first["store"]) as store:
        off = [u for u, t in first["expected"].items()
               if t["topic"] == "off-topic" and t["outlet"] != "broken" and not t["robots_disallowed"]]  # fmt: skip
        foreign = [u for u, t in first["expected"].items() if t["language"] != "en"]
        assert len(off) >= 4 and len(foreign) >= 2
        for url in off:
            record = store.record(url)
            assert record is not None and record.status == "skipped", url
            assert record.skip_reason and record.skip_reason.startswith("off-topic"), record.skip_reason
        for url in foreign:
            record = store.record(url)
            assert record is not None and record.status == "skipped", url
            assert record.skip_reason and record.skip_reason.startswith("language"), record.skip_reason


def test_syndicated_copies_share_one_story(first: dict[str, Any]) -> None:
    truth = first["expected"]
    by_id = {t["id"]: url for url, t in truth.items()}
    copies = [(url, by_id[t["syndicates"]]) for url, t in truth.items() if t["syndicates"]]
    assert len(copies) >= 3
    with ArticleStore.open(first["store"]) as store:
        for copy, original in copies:
            a, b = store.record(copy), store.record(original)
            assert a is not None and b is not None
            assert a.story_id is not None and a.story_id == b.story_id, (copy, original)


def test_bad_pages_are_counted_by_reason_and_the_crawl_goes_on(first: dict[str, Any]) -> None:
    failed = first["report"]["failed_by_reason"]
    for reason in ("http_500", "http_404", "redirect_loop", "timeout", "extraction"):
        assert failed.get(reason, 0) >= 1, (reason, failed)
    with ArticleStore.open(first["store"]) as store:
        errors = store._db.execute(  # noqa: SLF001 - the fetch log has no public reader
            "SELECT error FROM fetch_log WHERE error IS NOT NULL"
        ).fetchall()
    assert len(errors) >= sum(failed.values()) - failed.get("bad_listing", 0) - 1


def test_robots_txt_is_obeyed(first: dict[str, Any]) -> None:
    disallowed = [u for u, t in first["expected"].items() if t["robots_disallowed"]]
    assert disallowed, "the demo site has a robots-disallowed page"
    paths = {r.path for r in first["requests"]}
    assert "/robots.txt" in paths
    for url in disallowed:
        assert url.split("127.0.0.1", 1)[1].split("/", 1)[1] not in {p.lstrip("/") for p in paths}


def test_second_run_fetches_nothing_new(site: DemoSite, first: dict[str, Any], tmp_path: Path) -> None:
    store = tmp_path / "store.sqlite"
    sources = write_sources(tmp_path / "sources.toml", demo_sources(site))
    run_crawl(sources, store, *TIMEOUTS)
    site.reset_requests()
    again = run_crawl(sources, store, *TIMEOUTS)
    assert again["new"] == 0 and again["updated"] == 0
    statuses = [r.status for r in site.requests]
    assert statuses.count(304) >= 5, "listings were not fetched conditionally"
    assert len(site.requests) < len(first["requests"]) / 2

    site.set_edition(2)
    try:
        site.reset_requests()
        third = run_crawl(sources, store, *TIMEOUTS)
    finally:
        site.set_edition(1)
    assert third["new"] >= 2, third
    assert third["updated"] >= 1, third
    article_fetches = [r for r in site.requests if r.status == 200 and not r.path.endswith(
        (".xml", "/", ".txt", ".json")) and "api" not in r.path]  # fmt: skip
    assert len(article_fetches) <= third["new"] + third["updated"] + 12


def stored(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute("SELECT canonical_url, status FROM articles").fetchall())


def test_crawl_killed_half_way_resumes_without_loss_or_duplicates(
    site: DemoSite, first: dict[str, Any], tmp_path: Path
) -> None:
    store = tmp_path / "store.sqlite"
    sources = write_sources(tmp_path / "sources.toml", demo_sources(site))
    slow = ("--set", "DOWNLOAD_DELAY=0.15", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    proc = subprocess.Popen(crawl_cmd(sources, store, *TIMEOUTS, *slow),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if store.exists() and len(stored(store)) >= 8:
            break
        time.sleep(0.1)
    assert proc.poll() is None, "the crawl ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = stored(store)
    assert 8 <= len(partial) < len(stored(first["store"]))

    run_crawl(sources, store, *TIMEOUTS)
    assert stored(store) == stored(first["store"])
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
