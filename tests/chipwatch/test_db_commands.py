"""`chipwatch db start | stop | status` on a Neo4j of their own (own home, own free port), run as
a user runs them: as subprocesses of the installed CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from chipwatch.settings import Settings
from graph import local
from tests.conftest import free_port

pytestmark = pytest.mark.neo4j


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chipwatch", *args],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def own_env(home: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(
        CHIPWATCH_HOME=str(home),
        CHIPWATCH_NEO4J_PORT=str(port),
        CHIPWATCH_NEO4J_HEAP="512m",
        CHIPWATCH_NEO4J_PAGECACHE="64m",
    )
    return env


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    e = own_env(tmp_path_factory.mktemp("dbhome"), free_port())
    yield e
    run_cli(e, "db", "stop")  # never leave a JVM behind, whatever failed


def pid_of(env: dict[str, str]) -> int:
    return int((Path(env["CHIPWATCH_HOME"]) / "neo4j" / "neo4j.pid").read_text())


def query_one(env: dict[str, str], cypher: str, **params: object) -> object:
    settings = Settings.from_env(env)
    auth = ("neo4j", local.read_password(settings))
    with GraphDatabase.driver(local.local_uri(settings), auth=auth) as driver:
        records, _, _ = driver.execute_query(cypher, params)
        return records[0][0] if records else None


def test_status_when_never_started(env: dict[str, str]) -> None:
    r = run_cli(env, "db", "status")
    assert r.returncode == 3
    assert "not running" in r.stdout


def test_start_twice_then_stop(env: dict[str, str]) -> None:
    first = run_cli(env, "db", "start")
    assert first.returncode == 0, first.stderr
    assert "ready at bolt://127.0.0.1:" in first.stdout
    pid = pid_of(env)

    second = run_cli(env, "db", "start")
    assert second.returncode == 0, second.stderr
    assert f"already running (pid {pid})" in second.stdout
    assert pid_of(env) == pid

    assert run_cli(env, "db", "status").returncode == 0
    assert query_one(env, "RETURN 1") == 1

    stopped = run_cli(env, "db", "stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert run_cli(env, "db", "status").returncode == 3
    assert "not running" in run_cli(env, "db", "stop").stdout


def test_data_survives_restart(env: dict[str, str]) -> None:
    assert run_cli(env, "db", "start").returncode == 0
    query_one(env, "MERGE (n:Survivor {key: 'k'}) SET n.note = $note", note="kept")
    assert run_cli(env, "db", "stop").returncode == 0
    assert run_cli(env, "db", "start").returncode == 0
    assert query_one(env, "MATCH (n:Survivor {key: 'k'}) RETURN n.note") == "kept"
    run_cli(env, "db", "stop")


def test_stale_pid_file_is_replaced(env: dict[str, str]) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    pid_file = Path(env["CHIPWATCH_HOME"]) / "neo4j" / "neo4j.pid"
    pid_file.write_text(f"{dead.pid}\n")

    status = run_cli(env, "db", "status")
    assert status.returncode == 3 and "stale pid file" in status.stdout

    started = run_cli(env, "db", "start")
    assert started.returncode == 0, started.stderr
    assert "stale pid file" in started.stdout
    assert pid_of(env) != dead.pid
    assert query_one(env, "RETURN 2") == 2
    run_cli(env, "db", "stop")


def test_pid_file_naming_another_live_process_is_stale(env: dict[str, str]) -> None:
    # A reused pid: the process is alive but is not our launcher; it must not be signalled.
    pid_file = Path(env["CHIPWATCH_HOME"]) / "neo4j" / "neo4j.pid"
    pid_file.write_text(f"{os.getpid()}\n")
    assert run_cli(env, "db", "status").returncode == 3
    assert "not running" in run_cli(env, "db", "stop").stdout
    assert not pid_file.exists()


def test_port_taken_by_another_program(env: dict[str, str]) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        taken = dict(env, CHIPWATCH_NEO4J_PORT=str(s.getsockname()[1]))
        r = run_cli(taken, "db", "start")
    assert r.returncode == 1
    assert "is taken by another program" in r.stderr
    assert "CHIPWATCH_NEO4J_PORT" in r.stderr


def test_missing_java_says_what_to_install(tmp_path: Path) -> None:
    env = own_env(tmp_path, free_port())
    env["PATH"] = str(Path(sys.executable).parent)  # the venv only: no java, no mvn
    r = run_cli(env, "db", "start")
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Java 17" in lines[0] and "NEO4J_URI" in lines[0]
