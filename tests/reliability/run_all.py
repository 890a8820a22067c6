"""`make reliability`: the reliability tests with their long variants, then a bounded fuzz run
of every target, then the figures (inputs tried per target, hostile cases, failures), printed
and written to ``var/reliability/latest.json``.

    python -m tests.reliability.run_all                  # about 4 minutes
    FUZZ_SECONDS=300 python -m tests.reliability.run_all # longer fuzzing

Exits non-zero when a test fails or a fuzzer finds a failure not already in the corpus.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TARGETS = ("html", "feed", "dates", "extract")
SUMMARY = re.compile(
    r"chipwatch-fuzz: target=(\w+) runs=(\d+) seconds=([\d.]+) failures=(\d+) "
    r"new_failures=(\d+) distinct=(\d+)"
)
KNOWN = re.compile(r"chipwatch-fuzz:\s+(\d+) x (.+)")
PYTEST_COUNTS = re.compile(r"(\d+) (passed|failed|error|errors|skipped)")


# Faults injected against the real stores, each compared with an undisturbed run afterwards:
# Neo4j stopped mid-load, the crawler and the nightly job killed, the disk full under the store.
FAULT_TESTS = [
    "tests/graph/test_load_faults.py",
    "tests/crawler/test_store_faults.py",
    "tests/crawler/test_crawl.py::test_crawl_killed_half_way_resumes_without_loss_or_duplicates",
    "tests/crawler/test_store.py",
    "tests/chipwatch/test_nightly.py",
]


def run_tests() -> dict[str, Any]:
    env = {**os.environ, "CHIPWATCH_RELIABILITY_LONG": "1"}
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        str(HERE),
        *FAULT_TESTS,
        # CI (FUZZ_SEED set): the same property-test examples on every run
        *([f"--hypothesis-seed={int(os.environ['FUZZ_SEED'])}"] if os.environ.get("FUZZ_SEED") else []),
        "-W",
        "ignore::hypothesis.errors.HypothesisWarning",
    ]
    print("reliability: pytest (long variants) ...", flush=True)
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    tail = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    counts = {k: int(n) for n, k in PYTEST_COUNTS.findall(tail)}
    if proc.returncode != 0:
        summary = proc.stdout.rfind("short test summary info")
        print(
            proc.stdout[summary - 40 :] if summary >= 0 else proc.stdout[-6000:],
            proc.stderr[-2000:],
        )
    return {
        "exit_code": proc.returncode,
        "passed": counts.get("passed", 0),
        "failed": counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0),
        "seconds": round(time.monotonic() - started, 1),
        "summary": tail,
    }


def fuzz(target: str, seconds: int) -> dict[str, Any]:
    cmd = [sys.executable, str(HERE / f"fuzz_{target}.py"), f"-max_total_time={seconds}"]
    if os.environ.get("FUZZ_SEED"):  # CI: the same inputs in the same order on every run
        cmd.append(f"-seed={int(os.environ['FUZZ_SEED'])}")
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 600, check=False
    )
    match = SUMMARY.search(proc.stderr)
    result: dict[str, Any] = {"target": target, "exit_code": proc.returncode}
    if match:
        _, runs, secs, failures, new, distinct = match.groups()
        result.update(
            runs=int(runs),
            seconds=float(secs),
            failures=int(failures),
            new_failures=int(new),
            distinct=int(distinct),
        )
        result["by_signature"] = {sig: int(n) for n, sig in KNOWN.findall(proc.stderr)}
    artifacts = re.findall(r"Test unit written to (\S+)", proc.stderr)  # timeout-/oom-/crash-
    result["libfuzzer_artifacts"] = artifacts
    if proc.returncode != 0 or not match:
        result["stderr_tail"] = proc.stderr[-3000:]
    return result


def hostile_counts() -> dict[str, int]:
    sys.path.insert(0, str(ROOT))
    from tests.reliability import hostile_site, test_memory, test_security

    return {
        "hostile_site_cases": len(hostile_site.CASES),
        "hostile_site_pages_promised_stored": sum(len(c.stored) for c in hostile_site.CASES),
        "hostile_site_pages_refused": sum(len(c.not_stored) for c in hostile_site.CASES),
        "private_address_crawls": 3,
        "private_address_unit_cases": len(_params(test_security.test_private_hosts_are_refused)),
        "huge_input_cases": len(test_memory.CASES),
    }


def _params(func: Any) -> list[Any]:
    marks = [m for m in getattr(func, "pytestmark", []) if m.name == "parametrize"]
    return list(marks[0].args[1]) if marks else []


def corpus_sizes() -> dict[str, dict[str, int]]:
    out = {}
    for target in TARGETS:
        files = [p.name for p in (HERE / "corpus" / target).iterdir() if p.is_file()]
        out[target] = {
            "seeds": sum(f.startswith("seed-") for f in files),
            "failing_inputs": sum(not f.startswith("seed-") for f in files),
        }
    return out


def main() -> int:
    try:
        import atheris  # noqa: F401
        import hypothesis  # noqa: F401
    except ImportError as e:
        print(f"reliability: {e.name} is missing: .venv/bin/pip install hypothesis atheris")
        return 2
    seconds = int(os.environ.get("FUZZ_SECONDS", "45"))
    started = time.monotonic()
    tests = run_tests()
    print(f"reliability: pytest {tests['summary']}", flush=True)
    print(
        f"reliability: fuzzing {len(TARGETS)} targets for {seconds} s each, two at a time ...",
        flush=True,
    )
    with ThreadPoolExecutor(max_workers=2) as pool:  # the machines have 2 cores
        fuzzed = list(pool.map(lambda t: fuzz(t, seconds), TARGETS))
    figures = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "tests": tests,
        "fuzz": fuzzed,
        "hostile": hostile_counts(),
        "corpus": corpus_sizes(),
        "seconds": round(time.monotonic() - started, 1),
    }
    out = ROOT / "var" / "reliability" / "latest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    report(figures, out)
    new = sum(f.get("new_failures", 0) + len(f["libfuzzer_artifacts"]) for f in fuzzed)
    broken = [f["target"] for f in fuzzed if f["exit_code"] != 0 or "runs" not in f]
    return 1 if tests["exit_code"] != 0 or new or broken else 0


def report(figures: dict[str, Any], out: Path) -> None:
    print("\nreliability figures")
    head = ("target", "inputs tried", "seconds", "failures", "distinct", "new")
    print("  {:<8} {:>12} {:>8} {:>9} {:>9} {:>4}".format(*head))
    for f in figures["fuzz"]:
        if "runs" not in f:
            tail = f.get("stderr_tail", "")
            print(f"  {f['target']:<8} harness did not finish (exit {f['exit_code']}):\n{tail}")
            continue
        print(
            f"  {f['target']:<8} {f['runs']:>12} {f['seconds']:>8.0f} {f['failures']:>9} "
            f"{f['distinct']:>9} {f['new_failures'] + len(f['libfuzzer_artifacts']):>4}"
        )
        for sig, n in f.get("by_signature", {}).items():
            print(f"  {'':<8}   {n} x {sig}")
    h = figures["hostile"]
    print(
        f"  hostile site: {h['hostile_site_cases']} cases, {h['hostile_site_pages_refused']} pages "
        f"refused, {h['hostile_site_pages_promised_stored']} stored; private-address crawls: "
        f"{h['private_address_crawls']}; huge inputs: {h['huge_input_cases']}"
    )
    t = figures["tests"]
    print(f"  tests: {t['passed']} passed, {t['failed']} failed in {t['seconds']:.0f} s")
    outcome = "0 lost, 0 duplicated" if t["failed"] == 0 else "SEE THE FAILURES ABOVE"
    print(f"  faults injected in {len(FAULT_TESTS)} test groups (Neo4j stopped mid-load, kill -9 of "
          f"crawler, store writer and nightly job, full disk), each compared with an undisturbed "
          f"run: {outcome}")
    print(f"  total {figures['seconds']:.0f} s; figures in {out.relative_to(ROOT)}")
    print(f"reliability: {t['passed']} passed, {t['failed']} failed")


if __name__ == "__main__":
    sys.exit(main())
