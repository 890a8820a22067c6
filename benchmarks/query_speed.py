"""Query speed: the pressure timeline on a generated graph of 100,000 articles.

Generates ``--articles`` synthetic extraction records (``benchmarks/synthetic.py``, its own
namespace, so it can share a database) and loads them; a graph already loaded by an earlier
``--keep`` run is found unchanged and reused. Then it runs ``pressure-timeline`` (default
parameters: 500 rows) through ``graph.library``, as the CLI and notebooks do, with each filter
the query offers and without any, and prints p50, p95 and max per case over ``--runs`` runs
after a warm-up. Timings are end to end: the Bolt round trip and turning the rows into Python
values included. Target: p95 under 100 ms in every case.

Everything loaded is deleted afterwards unless ``--keep`` is given (loading takes about a
minute on the 2-core machine, deleting about as long).

Run: ``.venv/bin/python benchmarks/query_speed.py [--articles 100000] [--runs 50] [--keep]``
(needs Neo4j: ``chipwatch db start``, or ``NEO4J_URI``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from benchmarks.synthetic import generate
from chipwatch.settings import Settings
from graph import library
from graph.connection import connect, database
from graph.loader import delete_articles, load_records

P95_TARGET_MS = 100.0


def cases(ns: str) -> dict[str, dict[str, Any]]:
    def i(entity_id: str) -> str:
        return f"{ns}:{entity_id}"

    return {
        "no filter": {},
        "ally": {"ally": i("country/nl")},
        "actor + year": {"actor": i("country/us"), "since": "2024", "until": "2024"},
        "measure": {"measure": i("measure/entity-list")},
        "months only": {"since": "2025-01", "until": "2025-03"},
        "ally + measure + range": {
            "ally": i("country/jp"),
            "measure": i("measure/export-controls"),
            "since": "2023-01",
            "until": "2024-12",
        },
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(driver, params: dict[str, Any], runs: int, db: str | None) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    for _ in range(3):  # warm-up: plan cache, page cache
        library.run_rows(driver, "pressure-timeline", params, database=db)
    times = []
    rows = 0
    for _ in range(runs):
        began = time.perf_counter()
        _, result = library.run_rows(driver, "pressure-timeline", params, database=db)
        times.append((time.perf_counter() - began) * 1000)
        rows = len(result)
    return times, rows


def main() -> int:
    parser = argparse.ArgumentParser(description="pressure-timeline speed on a generated graph")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument("--namespace", default="qbench")
    parser.add_argument("--keep", action="store_true", help="keep the generated graph")
    args = parser.parse_args()
    settings = Settings.from_env()
    db = database(settings)
    urls: list[str] = []

    def records():  # type: ignore[no-untyped-def]
        for n, record in enumerate(
            generate(args.articles, seed=args.seed, namespace=args.namespace)
        ):
            urls.append(record["url"])
            yield n + 1, record

    with connect(settings) as driver:
        began = time.monotonic()
        report = load_records(driver, records(), database=db)
        print(
            f"graph: {args.articles} articles ({report.new} loaded, {report.unchanged} already "
            f"there) in {time.monotonic() - began:.0f} s"
        )
        worst = 0.0
        try:
            for name, params in cases(args.namespace).items():
                times, rows = measure(driver, params, args.runs, db)
                p95 = percentile(times, 0.95)
                worst = max(worst, p95)
                print(
                    f"{name:<24} {rows:>4} rows  p50 {statistics.median(times):6.1f} ms  "
                    f"p95 {p95:6.1f} ms  max {max(times):6.1f} ms"
                )
        finally:
            if not args.keep:
                began = time.monotonic()
                delete_articles(driver, urls, database=db)
                print(f"deleted the generated graph in {time.monotonic() - began:.0f} s")
    ok = worst < P95_TARGET_MS
    print(f"worst p95: {worst:.1f} ms (target < {P95_TARGET_MS:.0f} ms) {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
