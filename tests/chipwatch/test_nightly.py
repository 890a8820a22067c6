"""`chipwatch nightly` as a scheduler runs it: exit codes, the lock, the run report, and a run
killed half-way that the next run finishes without duplicates."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from chipwatch.settings import Settings
from crawler.demo_site.server import DemoSite
from graph.connection import auth, bolt_uri
from tests.crawler.crawl_helpers import FAST, write_sources

pytestmark = pytest.mark.neo4j
DEMO_PORT = 8765  # the demo's own port: same URLs, so the shared graph gains nothing new


@pytest.fixture
def env(neo4j_driver: Driver, settings: Settings, tmp_path: Path) -> dict[str, str]:
    """A home of its own, the suite's Neo4j reached as a user's own server (NEO4J_URI)."""
    user, password = auth(settings)
    e = dict(os.environ, CHIPWATCH_HOME=str(tmp_path / "home"), NEO4J_URI=bolt_uri(settings),
             NEO4J_USERNAME=user, NEO4J_PASSWORD=password)  # fmt: skip
    return e


@pytest.fixture
def site() -> Iterator[DemoSite]:
    s = DemoSite(slow_delay=0.5)
    s.start(DEMO_PORT)
    yield s
    s.stop()


def nightly(env: dict[str, str], sources: Path) -> list[str]:
    return [sys.executable, "-m", "chipwatch", "nightly", "--sources-file", str(sources),
            *FAST]  # fmt: skip


def test_a_second_run_is_refused_while_one_holds_the_lock(env: dict[str, str], tmp_path: Path) -> None:
    home = Path(env["CHIPWATCH_HOME"])
    home.mkdir(parents=True)
    sources = write_sources(tmp_path / "s.toml", [{"name": "x", "kind": "feed",
                            "urls": ["http://127.0.0.1:9/feed"], "allowed_domains": ["127.0.0.1"]}])  # fmt: skip
    with open(home / "nightly.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        proc = subprocess.run(nightly(env, sources), env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 75
    assert "another nightly run" in proc.stderr


def test_run_report_and_resume_after_kill(env: dict[str, str], site: DemoSite, tmp_path: Path,
                                          neo4j_driver: Driver) -> None:  # fmt: skip
    sources = write_sources(tmp_path / "s.toml", [dict(s, topic_filter=s["kind"] != "federal_register")
                                                 for s in site.sources(include_broken=False)])  # fmt: skip
    first = subprocess.run(nightly(env, sources), env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-3000:]
    runs = Path(env["CHIPWATCH_HOME"]) / "runs"
    report = json.loads((runs / "latest.json").read_text())
    assert [s["name"] for s in report["stages"]] == ["crawl", "extract", "load", "report"]
    assert all(s["ok"] for s in report["stages"]) and report["exit_code"] == 0
    assert report["stages"][1]["counts"]["extracted"] >= 40
    assert (Path(env["CHIPWATCH_HOME"]) / "report.html").exists()

    site.set_edition(2)  # new and revised articles: work for the next run
    proc = subprocess.Popen(nightly(env, sources), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(2.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    again = subprocess.run(nightly(env, sources), env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    latest = json.loads((runs / "latest.json").read_text())
    assert latest["exit_code"] == 0
    new_urls = [u for u, t in site.expected().items() if t["id"] in {a.id for a in site.articles()}
                and t["topic"] == "export-controls" and not t["robots_disallowed"]]  # fmt: skip
    records, _, _ = neo4j_driver.execute_query(
        "UNWIND $urls AS url MATCH (a:Article {url: url}) RETURN url, count(*) AS n", urls=new_urls
    )
    counts = {r["url"]: r["n"] for r in records}
    assert set(counts.values()) == {1}, "an article is missing from the graph or doubled"
    assert len(counts) >= len(new_urls) - 3  # paywalled teasers and broken pages aside
