"""Neo4j stopped in the middle of a load, then restarted: the load fails cleanly, and running
it again ends in the same graph as a load nobody disturbed (no lost or doubled facts)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from benchmarks.synthetic import generate
from chipwatch.settings import Settings
from graph import local
from tests.chipwatch.test_db_commands import own_env, run_cli
from tests.conftest import free_port

pytestmark = pytest.mark.neo4j
RECORDS = 3000


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    e = own_env(tmp_path_factory.mktemp("faults"), free_port())
    assert run_cli(e, "db", "start").returncode == 0
    yield e
    run_cli(e, "db", "stop")


def counts(env: dict[str, str]) -> tuple[int, int, int, int]:
    settings = Settings.from_env(env)
    with GraphDatabase.driver(local.local_uri(settings), notifications_min_severity="OFF",
                              auth=("neo4j", local.read_password(settings))) as d:  # fmt: skip
        r = d.execute_query(
            "RETURN COUNT { MATCH (n) } AS nodes, COUNT { MATCH ()-[]->() } AS rels, "
            "COUNT { MATCH (e:Event) } AS events, COUNT { MATCH (:Event)-[]->(:Article) } AS reports"
        ).records[0]
        return r["nodes"], r["rels"], r["events"], r["reports"]


def wipe(env: dict[str, str]) -> None:
    settings = Settings.from_env(env)
    with GraphDatabase.driver(local.local_uri(settings),
                              auth=("neo4j", local.read_password(settings))) as d:  # fmt: skip
        with d.session() as session:  # IN TRANSACTIONS needs an implicit transaction
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


def load(env: dict[str, str], records: Path, **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "chipwatch", "load", str(records), "--quiet",
                             "--batch-size", "100", "--json"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)  # type: ignore[call-overload]


def test_neo4j_stopped_mid_load_then_restarted(env: dict[str, str], tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text("".join(json.dumps(r) + "\n" for r in generate(RECORDS, seed=7)))

    loader = load(env, records)
    deadline = time.monotonic() + 120
    while counts(env)[0] == 0 and time.monotonic() < deadline:  # part-way: first batches in
        time.sleep(0.2)
    assert loader.poll() is None, "the load finished before the fault could be injected"
    assert run_cli(env, "db", "stop").returncode == 0
    out, err = loader.communicate(timeout=300)
    assert loader.returncode != 0, "a load whose database went away must not report success"
    assert "Traceback" not in err, err[-2000:]
    assert run_cli(env, "db", "start").returncode == 0
    partial = counts(env)

    resumed = load(env, records)
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err[-2000:]
    after_fault = counts(env)
    assert after_fault[0] > partial[0]

    wipe(env)
    clean = load(env, records)
    _, err = clean.communicate(timeout=600)
    assert clean.returncode == 0, err[-2000:]
    assert counts(env) == after_fault
