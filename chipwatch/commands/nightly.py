"""`chipwatch nightly` and `chipwatch demo`."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

from chipwatch.commands import add_command, out, scrapy_overrides
from chipwatch.errors import ConfigError
from chipwatch.nightly import (
    EXIT_LOCKED,
    EXIT_PARTIAL,
    EXIT_SUCCESS,
    Hooks,
    RunLocked,
    run_nightly,
    summary,
)  # fmt: skip
from chipwatch.settings import Settings

DEMO_PORT = 8765  # fixed: the demo's article URLs include it, and re-runs must find them known
# The demo site is on loopback: no politeness delays, short timeouts.
DEMO_OVERRIDES: dict[str, Any] = {
    "AUTOTHROTTLE_START_DELAY": 0.0, "DOWNLOAD_DELAY": 0.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_TIMEOUT": 5, "RETRY_BACKOFF_BASE": 0.05, "RETRY_TIMES": 1,
    "CHIPWATCH_BLOCK_PRIVATE": False,
}  # fmt: skip


def _progress() -> Any:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    TextColumn("{task.completed}"), TimeElapsedColumn(),
                    console=_console(), transient=False)  # fmt: skip


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _hooks(progress: Any) -> Hooks:
    extract = progress.add_task("extracting articles", total=None)
    load = progress.add_task("loading the graph", total=None)
    return Hooks(
        extracted=lambda n: progress.update(extract, completed=n),
        loaded=lambda r: progress.update(load, completed=r.records),
        crawl_extensions={"crawler.extensions.LiveCounts": 500},
    )


def _run(settings: Settings, sources: list[Any], work: Path, overrides: dict[str, Any],
         after: Any) -> int:  # fmt: skip
    try:
        with _progress() as progress:
            report = run_nightly(settings, sources, work=work, overrides=overrides,
                                 hooks=_hooks(progress), after=after)  # fmt: skip
    except RunLocked as e:
        print(f"chipwatch: {e}", file=sys.stderr)
        return EXIT_LOCKED
    out(summary(report))
    out(f"run report: {work / 'runs' / (report.run_id + '.json')}")
    return report.exit_code


def cmd_nightly(args: argparse.Namespace, settings: Settings) -> int:
    from crawler.sources import load_sources, select

    sources = select(load_sources(Path(args.sources_file or settings.sources_file)), None)
    if not sources:
        raise ConfigError("no enabled source to crawl")
    overrides = scrapy_overrides(args.set or [])
    return _run(settings, sources, settings.home, overrides, after=lambda r: _html(settings, r))


def _html(settings: Settings, report: Any) -> None:
    from chipwatch.report import write_html_report

    path = write_html_report(settings, settings.home / "report.html")
    report.stages[-1].counts = {"html": str(path)}


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from chipwatch.commands.db import cmd_db_start
    from crawler.demo_site.server import DemoSite
    from crawler.sources import sources_from_dicts

    if not settings.neo4j.external:
        cmd_db_start(args, settings)
    work = settings.home / "demo"
    demo = dataclasses.replace(settings, store_path=work / "articles.sqlite")
    port = int(os.environ.get("CHIPWATCH_DEMO_PORT", DEMO_PORT))
    site = DemoSite(slow_delay=1.0)
    try:
        site.start(port)
    except OSError as e:
        raise ConfigError(f"the demo site cannot listen on 127.0.0.1:{port} ({e}); "
                          "set CHIPWATCH_DEMO_PORT to a free port") from e  # fmt: skip
    try:
        out(f"demo news site at {site.base_url}/")
        dicts = [dict(s, topic_filter=s["kind"] != "federal_register") for s in site.sources()]
        sources = sources_from_dicts(dicts, origin="demo site")
        code = _run(demo, sources, work, DEMO_OVERRIDES, after=lambda r: _html(demo, r))
    finally:
        site.stop()
    _show_timeline(demo)
    _how_to_connect(settings)
    if code == EXIT_PARTIAL:
        out("(the demo site serves some broken pages on purpose: the failures above are those)")
        return EXIT_SUCCESS
    return code


def _show_timeline(settings: Settings) -> None:
    from chipwatch.report import print_timeline

    print_timeline(settings)


def _how_to_connect(settings: Settings) -> None:
    from graph import local
    from graph.connection import bolt_uri

    uri = bolt_uri(settings)
    out(f"\nreport: {settings.home / 'report.html'}  (open it in a browser; it needs no network)")
    if settings.neo4j.external:
        out(f"graph: {uri} (your server); query it in Neo4j Browser or cypher-shell")
        return
    password = local.paths(settings).password_file
    out(f"graph: {uri}, user neo4j, password in {password}")
    out(f"  cypher-shell -a {uri} -u neo4j -p \"$(cat {password})\"")
    out("  or Neo4j Desktop / Browser: add a remote connection to that URI;")
    out("  or .venv/bin/chipwatch query pressure-timeline   /   chipwatch cypher \"MATCH ...\"")


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "nightly", cmd_nightly,
                    "crawl, extract, load and report; exit 0 ok, 2 partial, 1 failed, 75 locked")  # fmt: skip
    p.add_argument("--sources-file", help="a source registry file (default: crawler/sources.toml)")
    p.add_argument("--set", action="append", metavar="SETTING=VALUE", help="a Scrapy setting")
    add_command(sub, "demo", cmd_demo,
                "the whole pipeline against the local demo news site, then the timeline")  # fmt: skip


