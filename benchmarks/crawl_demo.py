"""Crawl speed on the local demo site, end to end (discovery, fetch, extraction, store).

    .venv/bin/python benchmarks/crawl_demo.py [--copies N]

Prints pages per second of `chipwatch crawl` against a baseline measured in the same run: the
same pages fetched one by one with urllib, extracted and saved (no Scrapy, no concurrency).
Then a second, incremental crawl, with the number of requests it made.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.demo_site.server import serve  # noqa: E402
from crawler.extract import extract_article  # noqa: E402
from crawler.store import ArticleStore  # noqa: E402
from tests.crawler.crawl_helpers import crawl_cmd, write_sources  # noqa: E402


def crawl(sources: Path, store: Path) -> tuple[dict, float]:
    began = time.perf_counter()
    proc = subprocess.run(crawl_cmd(sources, store), capture_output=True, text=True, check=True)
    return json.loads(proc.stdout[proc.stdout.index("{"):]), time.perf_counter() - began


def baseline(urls: list[str], store_path: Path) -> float:
    began = time.perf_counter()
    with ArticleStore.open(store_path) as store:
        for url in urls:
            with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - loopback only
                body = r.read()
            store.save(extract_article(body, url), body)
    return time.perf_counter() - began


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="chipwatch-bench-"))
    with serve() as site:
        sources = [s for s in site.sources(include_broken=False)]
        sources_file = write_sources(tmp / "sources.toml", sources)
        site.reset_requests()
        report, seconds = crawl(sources_file, tmp / "crawl.sqlite")
        first_requests = len(site.requests)
        pages = sum(1 for r in site.requests if r.status == 200)
        urls = [u for u, t in site.expected().items() if not t["robots_disallowed"]]
        base_seconds = baseline(urls, tmp / "baseline.sqlite")

        site.reset_requests()
        again, again_seconds = crawl(sources_file, tmp / "crawl.sqlite")
        site.set_edition(2)
        site.reset_requests()
        changed, _ = crawl(sources_file, tmp / "crawl.sqlite")
        changed_requests = len(site.requests)

    ours = pages / seconds
    base = len(urls) / base_seconds
    print(f"first crawl: {first_requests} requests, {pages} pages (200), stored new {report['new']}, "
          f"{seconds:.1f} s (process start included) -> {ours:.1f} pages/s")
    print(f"baseline (urllib one by one + extract + save): {len(urls)} pages, {base_seconds:.1f} s "
          f"-> {base:.1f} pages/s")
    print(f"ratio ours/baseline: {ours / base:.2f}")
    print(f"second run, nothing changed: {again['requests']} requests, new {again['new']}, "
          f"updated {again['updated']}, {again_seconds:.1f} s")
    print(f"third run, edition 2 (new and changed articles): {changed_requests} requests, "
          f"new {changed['new']}, updated {changed['updated']}")


if __name__ == "__main__":
    main()
