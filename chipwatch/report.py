"""The timeline report: one self-contained HTML page (data and code inline, no network needed
to view it) and the terminal table of the pressure-on-allies timeline."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from chipwatch import __version__
from chipwatch.settings import Settings

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_TYPES = ["PRESSURE", "RESTRICTION", "LICENSING", "RESISTANCE"]


def _events(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (type, actor, measure, month): the graph keeps one event per target,
    the page lists "US -> Japan, Netherlands" once, with every report's evidence."""
    grouped: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        key = (r["type"], r["actor_id"], r["measure"], r["month"])
        e = grouped.setdefault(key, {
            "key": "|".join(str(k) for k in key), "type": r["type"], "actor": r["actor"],
            "measure": r["measure"], "date": None, "targets": [], "evidence": [], "_urls": set(),
        })  # fmt: skip
        if r["target"] and r["target"] not in e["targets"]:
            e["targets"].append(r["target"])
        for ev in r["evidence"]:
            if (ev["url"], ev["sentence"]) not in e["_urls"]:
                e["_urls"].add((ev["url"], ev["sentence"]))
                e["evidence"].append(ev)
    out = []
    for e in grouped.values():
        dates = sorted(d for d in (ev.get("date") for ev in e["evidence"]) if d)
        e["date"] = dates[0] if dates else None
        e["reports"] = len({ev["url"] for ev in e["evidence"]})
        del e["_urls"]
        out.append(e)
    return sorted(out, key=lambda e: (e["date"] or "9999", e["type"], e["actor"]))


def report_data(driver: Any, database: str | None = None) -> dict[str, Any]:
    from graph.library import run_rows

    _, rows = run_rows(driver, "report-events", database=database)
    _, quoted = run_rows(driver, "most-quoted", database=database)
    events = _events(rows)
    allies = sorted({t for e in events if e["type"] == "PRESSURE" for t in e["targets"]})
    return {"events": events, "quoted": quoted, "allies": allies, "default_types": DEFAULT_TYPES}


def render_html(data: dict[str, Any]) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2"]))
    # Inside <script>, "</script>" or "<!--" in an article would end the data early: escape "<".
    data_json = json.dumps(data, ensure_ascii=False, default=str).replace("<", "\\u003c")
    pressure = sum(1 for e in data["events"] if e["type"] == "PRESSURE")
    reports = sum(e["reports"] for e in data["events"])
    return env.get_template("report.html.j2").render(
        data_json=data_json, version=__version__,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        summary=f"{len(data['events'])} events ({pressure} of pressure) from {reports} reports",
    )  # fmt: skip


def write_html_report(settings: Settings, path: Path) -> Path:
    from graph.connection import connect, database

    with connect(settings) as driver:
        data = report_data(driver, database(settings))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(render_html(data), encoding="utf-8")
    tmp.replace(path)
    return path


def print_timeline(settings: Settings) -> None:
    from rich.console import Console
    from rich.table import Table

    from graph.connection import connect, database
    from graph.library import pressure_timeline

    with connect(settings) as driver:
        frame = pressure_timeline(driver, database=database(settings))
    table = Table(title="Pressure on allies: who pressed whom about what", title_justify="left")
    for col in ("month", "actor", "pressed", "about", "reports", "outlets"):
        table.add_column(col, justify="right" if col in {"reports", "outlets"} else "left")
    by_row: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for r in frame.astype(object).where(frame.notna(), None).to_dict("records"):
        key = (r["month"] or "undated", r["actor"], r["measure"] or "", str(r["reports"]),
               str(r["outlets"]))  # fmt: skip
        by_row[key].append(r["target"] or "(allies)")
    for (month, actor, measure, reports, outlets), targets in by_row.items():
        table.add_row(month, actor, ", ".join(targets), measure, reports, outlets)
    Console(width=140).print(table)
