"""`chipwatch load`, `chipwatch query` and `chipwatch cypher`: the graph stage."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from pathlib import Path
from typing import Any, Self

from chipwatch.commands import EXIT_ERROR, EXIT_OK, add_command, out
from chipwatch.errors import ConfigError
from chipwatch.settings import Settings

FORMATS = ("table", "csv", "json")


# --- chipwatch load ------------------------------------------------------------------------


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    from graph.connection import connect, database
    from graph.loader import load_file, scan_file

    path = Path(args.file)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    scan = scan_file(path)
    with connect(settings) as driver, _Progress(scan.records, enabled=not args.quiet) as bar:
        report = load_file(
            driver, path, batch_size=args.batch_size, database=database(settings),
            progress=bar.update, scan=scan,
        )  # fmt: skip
    if args.json:
        out(json.dumps(report.as_dict(), indent=2))
    else:
        _print_summary(path, report.as_dict())
    if report.bad:
        print(
            f"chipwatch: {len(report.bad)} bad record(s) not loaded; see the lines above",
            file=sys.stderr,
        )
        if args.strict:
            return EXIT_ERROR
    return EXIT_OK


def _print_summary(path: Path, r: dict[str, Any]) -> None:
    out(
        f"{path}: {r['records']} records in {r['seconds']:.1f} s: {r['new']} new, "
        f"{r['replaced']} replaced, {r['unchanged']} unchanged, {r['superseded']} superseded "
        f"by a later line, {r['bad']} bad"
    )
    out(
        f"nodes: {r['nodes_created']} created, {r['nodes_deleted']} deleted; relationships: "
        f"{r['relationships_created']} created, {r['relationships_deleted']} deleted; "
        f"properties set: {r['properties_set']}; labels added: {r['labels_added']}, "
        f"removed: {r['labels_removed']}"
    )
    if r["events_skipped"]:
        out(
            f"events skipped (negated, or an actor or target no entity names): {r['events_skipped']}"
        )
    for bad in r["bad_records"]:
        out(f"  bad record, line {bad['line']}: {bad['reason']}")


class _Progress:
    """A rich progress bar on stderr while a terminal watches; nothing otherwise."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and sys.stderr.isatty()
        self.progress: Any = None
        self.task: Any = None

    def __enter__(self) -> Self:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                TextColumn("loading"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[detail]}"), TimeRemainingColumn(),
                console=Console(stderr=True), transient=True,
            )  # fmt: skip
            self.progress.start()
            self.task = self.progress.add_task("load", total=self.total, detail="")
        return self

    def update(self, report: Any) -> None:
        if self.progress is not None:
            detail = f"{report.new} new, {report.replaced} replaced, {report.unchanged} unchanged"
            self.progress.update(self.task, completed=report.records, detail=detail)

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()


# --- chipwatch query / cypher --------------------------------------------------------------


def _split(pair: str) -> tuple[str, str]:
    key, sep, value = pair.partition("=")
    if not sep or not key:
        raise ConfigError(f"--param takes NAME=VALUE, got {pair!r}")
    return key, value


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from graph import library
    from graph.connection import connect, database

    if not args.name:
        for q in library.queries().values():
            out(f"{q.name}\n    {q.description}")
            for p in q.params:
                default = "required" if p.required else json.dumps(p.default)
                out(f"    --param {p.name}=<{p.type}>  ({default}) {p.description}")
        return EXIT_OK
    query = library.get(args.name)
    if args.show:
        out(f"{query.browser_params()}\n\n{query.cypher.rstrip()}")
        return EXIT_OK
    params = {}
    for pair in args.param or []:
        key, value = _split(pair)
        params[key] = query.param(key).convert(value)
    with connect(settings) as driver:
        keys, rows = library.run_rows(driver, query.name, params, database=database(settings))
    write_rows(keys, rows, args.format)
    return EXIT_OK


def cmd_cypher(args: argparse.Namespace, settings: Settings) -> int:
    from graph import library
    from graph.connection import connect, database

    text = sys.stdin.read() if args.query == "-" else args.query
    params = {}
    for pair in args.param or []:
        key, value = _split(pair)
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    # The server's warnings are printed below, one line each, instead of the driver's log.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    notices: list[str] = []
    with connect(settings) as driver:
        keys, rows = library.run_cypher_rows(
            driver, text, params, database=database(settings), notices=notices
        )
    for notice in notices:
        print(f"chipwatch: note: {notice}", file=sys.stderr)
    write_rows(keys, rows, args.format)
    return EXIT_OK


# --- output --------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A value fit for JSON: Neo4j temporal and spatial values as strings."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    iso = getattr(value, "iso_format", None)
    return iso() if callable(iso) else str(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    if isinstance(value, int | float | bool):
        return str(value)
    return json.dumps(plain(value), ensure_ascii=False)


def _csv_cell(value: Any) -> str:
    # Lists and maps as JSON, so a spreadsheet column can be parsed back.
    if isinstance(value, list | dict):
        return json.dumps(plain(value), ensure_ascii=False)
    return _cell(value)


def write_rows(keys: list[str], rows: list[dict[str, Any]], fmt: str) -> None:
    """Rows to stdout: a JSON list of row objects, CSV with a header, or a table."""
    if fmt == "json":
        out(json.dumps([plain(r) for r in rows], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(keys)
        for r in rows:
            writer.writerow([_csv_cell(r.get(k)) for k in keys])
        sys.stdout.flush()
    else:
        _table(keys, rows)


def _table(keys: list[str], rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for k in keys:
        table.add_column(k, overflow="fold")
    for r in rows:
        table.add_row(*(_cell(r.get(k)) for k in keys))
    # Piped output gets a wide page rather than the 80 columns rich assumes off a terminal.
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(table)
    console.print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}", style="dim")


# --- registration --------------------------------------------------------------------------


def _add_output(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="table", help="output (default: table)")
    p.add_argument(
        "--param", "-p", action="append", metavar="NAME=VALUE", help="a query parameter (repeat)"
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "load", cmd_load, "load extraction records (JSON Lines) into Neo4j")
    p.add_argument("file", help="a JSON Lines file of extraction records")
    p.add_argument("--batch-size", type=int, default=1000, help="records per transaction")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--strict", action="store_true", help="exit 1 when any record was bad")

    p = add_command(sub, "query", cmd_query, "run a named query (no name: list them)")
    p.add_argument("name", nargs="?", help="the query, e.g. pressure-timeline")
    p.add_argument("--show", action="store_true", help="print its Cypher for Neo4j Browser")
    _add_output(p)

    p = add_command(sub, "cypher", cmd_cypher, "run your own read-only Cypher query")
    p.add_argument("query", help='the Cypher text, or "-" to read it from stdin')
    _add_output(p)
