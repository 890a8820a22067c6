"""`chipwatch demo` end to end, the timeline it prints, the HTML report in headless Chromium,
and that a second demo changes nothing in the graph."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from neo4j import Driver

pytestmark = pytest.mark.neo4j

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
]  # fmt: skip


def graph_size(driver: Driver) -> tuple[int, int, int]:
    records, _, _ = driver.execute_query(
        "MATCH (n) WITH count(n) AS nodes "
        "MATCH ()-[r]->() WITH nodes, count(r) AS rels "
        "MATCH (e:Event) RETURN nodes, rels, count(e) AS events"
    )
    r = records[0]
    return r["nodes"], r["rels"], r["events"]


def test_demo_prints_the_timeline_and_writes_the_report(demo_run: dict) -> None:
    out = demo_run["proc"].stdout
    assert "Pressure on allies: who pressed whom about what" in out
    assert "United States" in out and "Netherlands" in out
    assert "cypher-shell" in out or "your server" in out
    report = Path(demo_run["report"])
    html = report.read_text(encoding="utf-8")
    # self-contained: nothing to fetch from a network to view it
    assert 'src="http' not in html and "<link" not in html and "@import" not in html


def test_second_demo_adds_nothing(demo_run: dict, neo4j_driver: Driver) -> None:
    before = graph_size(neo4j_driver)
    proc = subprocess.run([sys.executable, "-m", "chipwatch", "demo"], capture_output=True,
                          text=True, timeout=600, env=dict(os.environ))  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert graph_size(neo4j_driver) == before


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Debian's chromium is needed (make test installs it: apt-get install chromium)"
    return found


def render(report: Path, fragment: str, tmp_path: Path) -> tuple[str, str]:
    """The DOM after the page's scripts ran, and Chromium's log (console messages)."""
    proc = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         "--dump-dom", f"{report.as_uri()}#{fragment}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return proc.stdout, proc.stderr


def console_errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if ":CONSOLE" in line and ("Error" in line or "Uncaught" in line)]


def test_report_loads_without_console_errors_and_filters_work(demo_run: dict, tmp_path: Path) -> None:
    report = Path(demo_run["report"])
    everything, log = render(report, "", tmp_path)
    assert console_errors(log) == []
    assert everything.count('class="event"') >= 5

    netherlands, log = render(report, "ally=Netherlands", tmp_path)
    assert console_errors(log) == []
    rows = netherlands.split('class="event"')[1:]
    assert 0 < len(rows) < everything.count('class="event"')
    assert all("Netherlands" in row.split("</div>")[0] for row in rows)

    nothing, _ = render(report, "q=zzzz-no-such-words", tmp_path)
    assert nothing.count('class="event"') == 0 and "No event matches" in nothing


def test_report_screenshot(demo_run: dict, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         "--window-size=1400,1000", f"--screenshot={shot}", Path(demo_run["report"]).as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert shot.exists() and shot.stat().st_size > 20_000  # a rendered page, not a blank one
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
