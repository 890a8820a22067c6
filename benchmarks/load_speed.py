"""Load speed: batched UNWIND/MERGE loading against one transaction per record, in one run.

Both sides load fresh synthetic records (``benchmarks/synthetic.py``; each run its own
namespace, so none finds another's articles) through the same loader: batched with
``--batch-size`` records per transaction, the baseline with one record per transaction (its
dozen statements then carry one record each, and each record pays its own commit). A warm-up
load first lets Neo4j plan and compile the statements. The two sides alternate for
``--rounds`` rounds and the medians are compared, so a busy moment on a shared machine does
not favour either. Everything loaded is deleted afterwards.

Targets: batched at least 30x the baseline's records per second, and at least 10,000
relationships created per second.

Run: ``.venv/bin/python benchmarks/load_speed.py [--records 5000] [--baseline-records 300]
[--rounds 3]`` (needs Neo4j: ``chipwatch db start``, or ``NEO4J_URI``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from benchmarks.synthetic import generate
from chipwatch.settings import Settings
from graph.connection import connect, database
from graph.loader import DEFAULT_BATCH_SIZE, LoadReport, delete_articles, load_records

SPEEDUP_TARGET = 30.0
RELS_PER_SECOND_TARGET = 10_000.0


def timed_load(driver, count: int, batch_size: int, seed: int, db: str | None) -> LoadReport:  # type: ignore[no-untyped-def]
    namespace = f"bench-load-{uuid.uuid4().hex[:8]}"
    records = list(generate(count, seed=seed, namespace=namespace))
    try:
        return load_records(driver, enumerate(records, start=1), batch_size=batch_size, database=db)
    finally:
        delete_articles(driver, [r["url"] for r in records], database=db)


def rate(r: LoadReport) -> tuple[float, float]:
    return r.records / r.seconds, r.counters["relationships_created"] / r.seconds


def line(name: str, runs: list[LoadReport]) -> str:
    records = statistics.median(rate(r)[0] for r in runs)
    rels = statistics.median(rate(r)[1] for r in runs)
    each = ", ".join(f"{rate(r)[0]:.0f}" for r in runs)
    return (
        f"{name:<28} {runs[0].records:>5} records x {len(runs)} runs: median {records:8.1f} "
        f"records/s ({each}), {rels:9.0f} relationships/s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="batched vs per-record loading speed")
    parser.add_argument("--records", type=int, default=5000, help="records for the batched run")
    parser.add_argument("--baseline-records", type=int, default=300, help="records, per-record run")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each")
    args = parser.parse_args()
    settings = Settings.from_env()
    db = database(settings)
    batched: list[LoadReport] = []
    single: list[LoadReport] = []
    with connect(settings) as driver:
        timed_load(driver, 500, args.batch_size, seed=99, db=db)  # warm-up: plans, JIT
        timed_load(driver, 20, 1, seed=98, db=db)
        # Alternating, so that a busy moment on the machine does not favour one side.
        for n in range(args.rounds):
            batched.append(timed_load(driver, args.records, args.batch_size, seed=1 + n, db=db))
            single.append(timed_load(driver, args.baseline_records, 1, seed=50 + n, db=db))
    speedup = statistics.median(rate(r)[0] for r in batched) / statistics.median(
        rate(r)[0] for r in single
    )
    rels_per_s = statistics.median(rate(r)[1] for r in batched)
    print(line(f"batched ({args.batch_size}/transaction)", batched))
    print(line("one transaction per record", single))
    ok_speedup = speedup >= SPEEDUP_TARGET
    ok_rels = rels_per_s >= RELS_PER_SECOND_TARGET
    print(
        f"speed-up: {speedup:.1f}x (target {SPEEDUP_TARGET:.0f}x) {'ok' if ok_speedup else 'MISSED'}"
    )
    print(
        f"relationships/s: {rels_per_s:,.0f} (target {RELS_PER_SECOND_TARGET:,.0f}) "
        f"{'ok' if ok_rels else 'MISSED'}"
    )
    return 0 if ok_speedup and ok_rels else 1


if __name__ == "__main__":
    sys.exit(main())
