"""The atheris harnesses run: a short, seeded run of each (``-runs=N -seed=1``, so the inputs
are the same every time) ends normally, prints its summary line and finds no new failure.
Long runs are ``make reliability``'s (``tests/reliability/run_all.py``)."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from functools import cache
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
RUNS = {"html": 150, "feed": 300, "dates": 300, "extract": 40}
SUMMARY = re.compile(
    r"chipwatch-fuzz: target=(\w+) runs=(\d+) seconds=[\d.]+ failures=(\d+) "
    r"new_failures=(\d+) distinct=(\d+)"
)


@cache
def runs() -> dict[str, tuple[int, str]]:
    """All harnesses at once (they are independent processes), then their exit codes and stderr.
    Their stderr goes to files: a pipe left unread while waiting on another would block them."""
    with ExitStack() as stack:
        logs = {t: stack.enter_context(tempfile.TemporaryFile()) for t in RUNS}
        procs = {
            target: subprocess.Popen(
                [sys.executable, str(HERE / f"fuzz_{target}.py"), f"-runs={n}", "-seed=1"],
                stdout=subprocess.DEVNULL,
                stderr=logs[target],
            )
            for target, n in RUNS.items()
        }
        codes = {t: _wait(p, timeout=300) for t, p in procs.items()}
        out = {}
        for t, log in logs.items():
            log.seek(0)
            out[t] = (codes[t], log.read().decode("utf-8", "replace"))
        return out


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> int:
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return -9


@pytest.mark.parametrize("target", sorted(RUNS))
def test_harness_runs_and_finds_nothing_new(target: str) -> None:
    code, err = runs()[target]
    assert code == 0, err[-3000:]
    match = SUMMARY.search(err)
    assert match, f"no summary line:\n{err[-3000:]}"
    assert match.group(1) == target
    assert int(match.group(2)) >= RUNS[target] * 0.5
    assert int(match.group(4)) == 0, f"new failures, saved in corpus/{target}/:\n{err[-3000:]}"
