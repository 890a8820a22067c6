"""A whole `chipwatch crawl` of the hostile site: every case is refused or stored as inert data,
the run report counts each refusal by reason, the crawl finishes, and its memory stays bounded."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from crawler.store import ArticleStore
from tests.crawler.crawl_helpers import crawl_cmd, write_sources
from tests.reliability import hostile_site as hs
from tests.reliability.replay import run_measured

# Small limits keep the bombs and streams quick: 2 MB per response, 3 s per request, 1 retry.
LIMITS = (
    "--set",
    "DOWNLOAD_MAXSIZE=2000000",
    "--set",
    "DOWNLOAD_WARNSIZE=1000000",
    "--set",
    "DOWNLOAD_TIMEOUT=3",
    "--set",
    "RETRY_TIMES=1",
)
CRAWL_SECONDS = 120  # the crawl takes about 10 s; past this it is a hang
PEAK_RSS_MB = 1500  # a crawl takes ~250 MB; one inflated bomb would take 1 GiB more
# What the sitemap-bomb case leaves: the entity in <loc> is dropped, not expanded, and the
# truncated URL is a plain 404.
EXPECTED_EXTRA = {"sitemap-bomb": {"http_404": 1}}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("hostile")
    with hs.serve() as site:
        sources = write_sources(tmp / "sources.toml", site.sources())
        store = tmp / "store.sqlite"
        run = run_measured(crawl_cmd(sources, store, *LIMITS), timeout=CRAWL_SECONDS)
        assert not run["timed_out"], f"the crawl ran past {CRAWL_SECONDS} s"
        assert run["returncode"] == 0, run["stderr"][-3000:]
        report = json.loads(run["stdout"][run["stdout"].index("{") :])
        yield {
            "run": run,
            "report": report,
            "store": store,
            "site": site,
            "tmp": tmp,
            "requested": site.requested(),
            "elsewhere": site.requested(hs.ELSEWHERE_HOST),
        }


def by_source(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in report["sources"]}


def test_the_crawl_finishes_with_bounded_time_and_memory(crawl: dict[str, Any]) -> None:
    run = crawl["run"]
    assert run["peak_rss_mb"] < PEAK_RSS_MB, run["peak_rss_mb"]
    assert run["seconds"] < CRAWL_SECONDS
    assert "Traceback" not in run["stderr"], run["stderr"][-3000:]
    for name, source in by_source(crawl["report"]).items():
        assert source["finish_reason"] == "finished", name


@pytest.mark.parametrize("case", hs.CASES, ids=lambda c: c.name)
def test_each_case_is_counted_by_reason(crawl: dict[str, Any], case: hs.Case) -> None:
    source = by_source(crawl["report"])[case.name]
    expected = {**case.failed, **EXPECTED_EXTRA.get(case.name, {})}
    assert source["failed_by_reason"] == expected, case.description


@pytest.mark.parametrize("case", hs.CASES, ids=lambda c: c.name)
def test_each_case_stores_what_it_should_and_nothing_else(
    crawl: dict[str, Any], case: hs.Case
) -> None:
    base = crawl["site"].base
    with ArticleStore.open(crawl["store"]) as store:
        for path in case.stored:
            record = store.record(base + path)
            assert record is not None, f"{path} was lost"
            assert record.article.text.strip(), f"{path} was stored without its text"
        for path in case.not_stored:
            assert store.record(base + path) is None, f"{path} should have been refused"


def test_no_entity_is_expanded_and_no_external_entity_is_fetched(crawl: dict[str, Any]) -> None:
    assert "/xxe-probe" not in crawl["requested"] and "/xxe-dtd" not in crawl["requested"]
    assert not any("lollol" in p for p in crawl["requested"])
    with ArticleStore.open(crawl["store"]) as store:
        for article in store.iter_articles():
            blob = json.dumps(article.to_dict())
            assert "root:x:0:0" not in blob and "lollollol" not in blob, article.url


def test_nothing_reaches_another_host(crawl: dict[str, Any]) -> None:
    assert crawl["elsewhere"] == [], "a redirect, a meta refresh or a listing reached 127.0.0.2"
    redirects = by_source(crawl["report"])["redirects"]
    assert redirects["skipped_by_reason"] == {"offsite": 1}  # the listed off-site link


def test_lying_charsets_are_decoded_right(crawl: dict[str, Any]) -> None:
    base = crawl["site"].base
    with ArticleStore.open(crawl["store"]) as store:
        for path in hs.CHARSET_PAGES:
            record = store.record(base + path)
            assert record is not None, path
            assert record.article.title == hs.NON_ASCII_TITLE, (path, record.article.title)


def test_hostile_text_is_stored_verbatim_as_data(crawl: dict[str, Any]) -> None:
    with ArticleStore.open(crawl["store"]) as store:
        record = store.record(crawl["site"].base + "/page/inert")
    assert record is not None
    article = record.article
    assert hs.CYPHER in (article.title or "") and hs.SQL in (article.title or "")
    for fragment in (hs.CYPHER, hs.CYPHER2, hs.SQL, hs.BACKSLASHES, hs.QUOTES):
        assert fragment in article.text, f"{fragment!r} is missing from the stored text"
    assert "\x00" not in article.text


def test_export_round_trips_hostile_text(crawl: dict[str, Any]) -> None:
    out = crawl["tmp"] / "export.jsonl"
    cmd = [
        sys.executable,
        "-m",
        "chipwatch",
        "articles",
        "export",
        "--store",
        str(crawl["store"]),
        "--out",
        str(out),
    ]
    run = run_measured(cmd, timeout=60)
    assert run["returncode"] == 0, run["stderr"]
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    with ArticleStore.open(crawl["store"]) as store:
        stored = {a.canonical_url: a for a in store.iter_articles()}
    assert len(exported) == len(stored) > 0
    for row in exported:
        assert row["text"] == stored[row["url"]].text, row["url"]


def test_stored_pages_are_all_the_pages_the_cases_promise(crawl: dict[str, Any]) -> None:
    promised = sum(len(c.stored) for c in hs.CASES)
    assert crawl["report"]["new"] == promised, crawl["report"]
