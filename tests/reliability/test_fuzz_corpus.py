"""Every input in ``corpus/<target>/`` (our seeds, and each failure the fuzzers saved) passes its
target: no undocumented exception, a well-formed result, within the time limit. The inputs run
in one child process per target, so a hang or a crash of the interpreter fails a test instead
of pytest."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.replay import run_child
from tests.reliability.targets import CORPUS, TARGETS, corpus_files

PER_INPUT_SECONDS = 20.0
PER_TARGET_SECONDS = 300.0

CASES = [(target, path) for target in sorted(TARGETS) for path in corpus_files(target)]


@cache
def replayed(target: str) -> dict[str, dict[str, Any]]:
    files = [str(p) for p in corpus_files(target)]
    results = run_child(
        target, "--limit", str(PER_INPUT_SECONDS), *files, timeout=PER_TARGET_SECONDS
    )
    by_input = {str(r["input"]): r for r in results if isinstance(r.get("input"), str)}
    for r in results:  # a child that died or hung: every input of the target fails with it
        if not isinstance(r.get("input"), str):
            by_input.update({f: r for f in files if f not in by_input})
    return by_input


def test_every_target_has_seeds() -> None:
    for target in TARGETS:
        assert any(p.name.startswith("seed-") for p in corpus_files(target)), target
    assert (CORPUS / "html").is_dir()


@pytest.mark.parametrize(("target", "path"), CASES, ids=[f"{t}/{p.name}" for t, p in CASES])
def test_corpus_input_passes(target: str, path: Path) -> None:
    result = replayed(target).get(str(path))
    assert result is not None, f"{path} was not replayed"
    assert result["ok"], f"{path.name}: {result['error']}\n{result.get('traceback', '')}"
