"""`chipwatch crawl`, `chipwatch article` and `chipwatch articles export`."""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from datetime import date
from pathlib import Path

from chipwatch.commands import EXIT_ERROR, EXIT_OK, add_command, out, scrapy_overrides
from chipwatch.errors import ConfigError, ExtractionError
from chipwatch.settings import Settings


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {raw!r}") from e


def cmd_crawl(args: argparse.Namespace, settings: Settings) -> int:
    from crawler.run import run_crawl
    from crawler.sources import load_sources, select

    sources_file = Path(args.sources_file or settings.sources_file)
    chosen = select(load_sources(sources_file), args.source or None)
    if not args.source:
        chosen = [s for s in chosen if s.enabled]
    if not chosen:
        raise ConfigError(f"{sources_file}: no enabled source to crawl")
    store = Path(args.store or settings.store_path)
    out(f"crawling {len(chosen)} source(s) into {store}")
    with _live_display(enabled=not args.quiet):
        report = run_crawl(
            chosen, store, since=args.since, extensions=_extensions(args),
            overrides=scrapy_overrides(args.set or []),
        )  # fmt: skip
    _print_report(report.as_dict(), as_json=args.json)
    return EXIT_OK


def _extensions(args: argparse.Namespace) -> dict[str, int]:
    return {} if args.quiet else {"crawler.extensions.LiveCounts": 500}


class _live_display:
    """A rich live table of per-source counts while the reactor runs in this thread."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.live = None

    def _table(self):  # type: ignore[no-untyped-def]
        from rich.table import Table

        from crawler.extensions import LIVE, LOCK

        table = Table(title="crawling", title_justify="left")
        for col in ("source", "fetched", "new", "updated", "unchanged", "skipped", "dropped"):
            table.add_column(col, justify="left" if col == "source" else "right")
        with LOCK:
            for name, c in sorted(LIVE.items()):
                table.add_row(name, *(str(c.get(k, 0)) for k in
                              ("fetched", "new", "updated", "unchanged", "skipped", "dropped")))  # fmt: skip
        return table

    def __enter__(self) -> _live_display:
        if self.enabled:
            from rich.console import Console
            from rich.live import Live

            self.live = Live(get_renderable=self._table, console=Console(stderr=True),
                             refresh_per_second=4, transient=True)  # fmt: skip
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)


def _print_report(report: dict, *, as_json: bool) -> None:
    if as_json:
        out(json.dumps(report, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    cols = ("requests", "listed", "new", "updated", "unchanged", "duplicate", "skipped",
            "not_modified")  # fmt: skip
    table = Table(title=f"crawl {report['run_id']}", title_justify="left")
    table.add_column("source")
    for col in cols:
        table.add_column(col, justify="right")
    table.add_column("failed (by reason)")
    for s in report["sources"]:
        failed = ", ".join(f"{k} {v}" for k, v in sorted(s["failed_by_reason"].items())) or "-"
        table.add_row(s["name"], *(str(s.get(c, 0)) for c in cols), failed)
    Console(width=160).print(table)
    skipped = {}
    for s in report["sources"]:
        for k, v in s["skipped_by_reason"].items():
            skipped[k] = skipped.get(k, 0) + v
    if skipped:
        out("not fetched or kept as skipped: " + ", ".join(f"{k} {v}" for k, v in sorted(skipped.items())))


def cmd_article(args: argparse.Namespace, settings: Settings) -> int:
    from crawler.extract import extract_article

    name = args.page
    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        if name.endswith(".gz") or raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError) as e:
        raise ExtractionError(f"{name}: cannot read: {e}") from e
    url = args.url or (Path(name).resolve().as_uri() if name != "-" else "about:blank")
    try:
        article = extract_article(raw, url)
    except ExtractionError as e:
        raise ExtractionError(f"{name}: {e}") from e
    out(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_articles_export(args: argparse.Namespace, settings: Settings) -> int:
    from crawler.store import ArticleStore

    store_path = Path(args.store or settings.store_path)
    if not store_path.exists():
        print(f"chipwatch: error: {store_path}: no article store (run chipwatch crawl)", file=sys.stderr)
        return EXIT_ERROR
    since = args.since.isoformat() if args.since else None
    with ArticleStore.open(store_path) as store:
        if args.out and args.out != "-":
            with open(args.out, "w", encoding="utf-8") as fp:
                n = store.export_jsonl(fp, since=since)
        else:
            n = store.export_jsonl(sys.stdout, since=since)
    print(f"chipwatch: exported {n} articles", file=sys.stderr)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "crawl", cmd_crawl, "crawl the registry's sources into the article store")
    p.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")
    p.add_argument("--since", type=_date, help="skip entries dated before YYYY-MM-DD")
    p.add_argument("--sources-file", help="a source registry file (default: crawler/sources.toml)")
    p.add_argument("--store", help="the article store (default: $CHIPWATCH_HOME/articles.sqlite)")
    p.add_argument("--json", action="store_true", help="print the run report as JSON")
    p.add_argument("--quiet", action="store_true", help="no live progress display")
    p.add_argument("--set", action="append", metavar="SETTING=VALUE",
                   help="override a Scrapy setting, e.g. --set DOWNLOAD_DELAY=0 (repeatable)")  # fmt: skip

    p = add_command(sub, "article", cmd_article, "extract one HTML page and print the Article")
    p.add_argument("page", help="an .html or .html.gz file, or - for standard input")
    p.add_argument("--url", help="the page's URL (resolves relative links and the canonical URL)")

    arts = sub.add_parser("articles", help="the article store")
    arts_sub = arts.add_subparsers(dest="articles_command", required=True)
    p = add_command(arts_sub, "export", cmd_articles_export,
                    "write stored articles as JSON Lines for chipwatch extract")  # fmt: skip
    p.add_argument("--out", help="output file (default: standard output)")
    p.add_argument("--since", type=_date, help="only articles stored or changed on or after YYYY-MM-DD")
    p.add_argument("--store", help="the article store (default: $CHIPWATCH_HOME/articles.sqlite)")
