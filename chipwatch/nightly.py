"""The nightly job: crawl every enabled source, extract what is new or changed, load it, and
write a run report. Each stage can also run alone on stored input.

Re-running is always safe: the crawl is incremental, extraction picks up everything stored since
the last run that finished extracting, and loading is idempotent, so a run killed half-way and
started again finishes the work without duplicates.
"""

from __future__ import annotations

import fcntl
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chipwatch.errors import ChipwatchError
from chipwatch.settings import Settings

logger = logging.getLogger(__name__)

EXIT_SUCCESS, EXIT_FAILURE, EXIT_PARTIAL, EXIT_LOCKED = 0, 1, 2, 75
# Crawl outcomes that are the web being the web, not a failure of the run.
BENIGN_FAILURES = {"robots_forbidden", "http_404", "http_410"}


class RunLocked(ChipwatchError):
    """Another nightly run holds the lock."""


@dataclass
class Stage:
    name: str
    ok: bool = True
    seconds: float = 0.0
    counts: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class RunReport:
    run_id: str
    started: str
    stages: list[Stage] = field(default_factory=list)
    finished: str | None = None

    @property
    def exit_code(self) -> int:
        if any(not s.ok for s in self.stages):
            return EXIT_FAILURE
        return EXIT_PARTIAL if self.problems() else EXIT_SUCCESS

    def problems(self) -> list[str]:
        found = []
        for s in self.stages:
            failed = {k: v for k, v in s.counts.get("failed_by_reason", {}).items()
                      if k not in BENIGN_FAILURES}  # fmt: skip
            if failed:
                found.append(f"{s.name}: failed {failed}")
            if s.counts.get("bad") or s.counts.get("failed"):
                found.append(f"{s.name}: {s.counts.get('bad') or s.counts.get('failed')} bad records")
        return found

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "started": self.started, "finished": self.finished,
                "exit_code": self.exit_code, "problems": self.problems(),
                "stages": [s.__dict__ for s in self.stages]}  # fmt: skip


@contextmanager
def run_lock(work: Path) -> Iterator[None]:
    """One nightly run at a time; a lock held by a dead process is released by the kernel."""
    path = work / "nightly.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise RunLocked(f"another nightly run holds {path}; not starting a second") from e
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@contextmanager
def stage(report: RunReport, name: str) -> Iterator[Stage]:
    current = Stage(name)
    report.stages.append(current)
    began = time.monotonic()
    try:
        yield current
    except ChipwatchError as e:
        current.ok, current.error = False, str(e)
        logger.error("stage %s failed: %s", name, e)
    except Exception as e:
        current.ok, current.error = False, f"{type(e).__name__}: {e}"
        logger.exception("stage %s crashed", name)
    finally:
        current.seconds = round(time.monotonic() - began, 2)


class State:
    """What the last runs finished, kept beside the store (``state.json``)."""

    def __init__(self, work: Path) -> None:
        self.path = work / "state.json"
        self.data: dict[str, Any] = json.loads(self.path.read_text()) if self.path.exists() else {}

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=2))
        tmp.replace(self.path)  # atomic: a kill leaves the old state or the new, never half


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def extract_stage(settings: Settings, current: Stage, state: State, out: Path,
                  progress: Callable[[int], None] | None = None) -> Path:  # fmt: skip
    """Extracts every article stored or changed since the last run whose load finished
    (``current.counts["began"]`` is what the next run will start from once this one loads)."""
    from crawler.store import ArticleStore
    from nlp.pipeline import extract_many

    began = now()
    since = state.get("extracted_through")
    out.parent.mkdir(parents=True, exist_ok=True)
    failed: list[str] = []
    n = 0
    with ArticleStore.open(settings.store_path) as store, open(out, "w", encoding="utf-8") as fp:
        articles = store.extract_inputs(since=since)
        for record in extract_many(articles, on_error=lambda a, e: failed.append(f"{a.get('url')}: {e}")):
            fp.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
            if progress:
                progress(n)
    for line in failed:
        logger.warning("extraction failed: %s", line)
    current.counts = {"since": since, "began": began, "extracted": n, "failed": len(failed),
                      "records": str(out)}  # fmt: skip
    return out


def load_stage(settings: Settings, current: Stage, records: Path,
               progress: Callable[[Any], None] | None = None) -> None:  # fmt: skip
    from graph.connection import connect, database
    from graph.loader import load_records

    lines = records.read_text(encoding="utf-8").splitlines()
    rows = ((i, json.loads(line)) for i, line in enumerate(lines, 1) if line.strip())
    with connect(settings) as driver:
        report = load_records(driver, rows, database=database(settings), progress=progress)
    current.counts = report.as_dict()


def write_report(work: Path, report: RunReport) -> Path:
    runs = work / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    path = runs / f"{report.run_id}.json"
    path.write_text(json.dumps(report.as_dict(), indent=2, default=str))
    (runs / "latest.json").write_text(path.read_text())
    return path


def summary(report: RunReport) -> str:
    lines = [f"nightly run {report.run_id}: exit {report.exit_code}"]
    for s in report.stages:
        keys = {k: v for k, v in s.counts.items() if isinstance(v, (int, float)) and v}
        status = "ok" if s.ok else f"FAILED: {s.error}"
        lines.append(f"  {s.name:<8} {s.seconds:>7.1f} s  {status}  " +
                     ", ".join(f"{k} {v}" for k, v in list(keys.items())[:10]))  # fmt: skip
        if s.name == "crawl":
            for src in s.counts.get("sources", []):
                failed = ", ".join(f"{k} {v}" for k, v in src["failed_by_reason"].items()) or "-"
                lines.append(f"    {src['name']:<18} fetched {src['responses']:>4}  new {src['new']:>4}"
                             f"  duplicate {src['duplicate']:>3}  skipped {src['skipped']:>3}"
                             f"  failed: {failed}")  # fmt: skip
    lines += [f"  problem: {p}" for p in report.problems()]
    return "\n".join(lines)


@dataclass
class Hooks:
    """What the caller shows while stages run (the CLI passes rich progress bars)."""

    extracted: Callable[[int], None] | None = None
    loaded: Callable[[Any], None] | None = None
    crawl_extensions: dict[str, int] | None = None


def run_nightly(
    settings: Settings,
    sources: list[Any],
    *,
    work: Path | None = None,
    overrides: dict[str, Any] | None = None,
    hooks: Hooks | None = None,
    after: Callable[[RunReport], None] | None = None,
) -> RunReport:
    """Crawl, extract, load (and ``after``, e.g. the HTML report); the report is written to
    ``work/runs/RUN_ID.json``. Raises ``RunLocked`` when another run is going on."""
    from crawler.run import run_crawl

    work = work or settings.home
    hooks = hooks or Hooks()
    work.mkdir(parents=True, exist_ok=True)
    with run_lock(work):
        state = State(work)
        run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        report = RunReport(run_id, now())
        with stage(report, "crawl") as s:
            crawl = run_crawl(sources, settings.store_path, overrides=overrides,
                              extensions=hooks.crawl_extensions)  # fmt: skip
            s.counts = crawl.as_dict()
        records: Path | None = None
        with stage(report, "extract") as s:
            records = extract_stage(settings, s, state, work / "records" / f"{run_id}.jsonl",
                                    hooks.extracted)  # fmt: skip
        if records is not None:
            with stage(report, "load") as s:
                load_stage(settings, s, records, hooks.loaded)
            if s.ok:  # only now is everything extracted also in the graph
                state.set("extracted_through", report.stages[1].counts["began"])
        if after is not None:
            with stage(report, "report"):
                after(report)
        report.finished = now()
        write_report(work, report)
        return report
