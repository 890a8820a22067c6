"""NEO4J_URI points chipwatch at an existing server: it is used, and no local one is started.

The "existing server" here is the suite's own real Neo4j, reached as a user's server would be."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipwatch.settings import Settings
from graph.connection import auth, bolt_uri
from tests.chipwatch.test_db_commands import own_env, run_cli
from tests.conftest import free_port

pytestmark = pytest.mark.neo4j


@pytest.fixture
def external_env(neo4j_driver: object, settings: Settings, tmp_path: Path) -> dict[str, str]:
    user, password = auth(settings)
    env = own_env(tmp_path, free_port())
    env.update(NEO4J_URI=bolt_uri(settings), NEO4J_USERNAME=user, NEO4J_PASSWORD=password)
    if settings.neo4j.database:
        env["NEO4J_DATABASE"] = settings.neo4j.database
    return env


def test_uri_overrides_local_server(external_env: dict[str, str], tmp_path: Path) -> None:
    r = run_cli(external_env, "db", "start")
    assert r.returncode == 0, r.stderr
    assert "NEO4J_URI is set" in r.stdout and "answers" in r.stdout
    assert not (tmp_path / "neo4j" / "neo4j.pid").exists(), "a local Neo4j was started"

    status = run_cli(external_env, "db", "status")
    assert status.returncode == 0, status.stderr
    assert "answers" in status.stdout
    assert not (tmp_path / "neo4j" / "neo4j.pid").exists()


def test_unreachable_uri_is_a_clear_error(tmp_path: Path) -> None:
    env = own_env(tmp_path, free_port())
    env.update(NEO4J_URI=f"neo4j://127.0.0.1:{free_port()}", NEO4J_PASSWORD="x" * 8)
    r = run_cli(env, "db", "start")
    assert r.returncode == 1
    assert "cannot reach Neo4j at neo4j://127.0.0.1:" in r.stderr
    assert not (tmp_path / "neo4j" / "neo4j.pid").exists()


def test_db_stop_leaves_external_server_alone(external_env: dict[str, str]) -> None:
    r = run_cli(external_env, "db", "stop")
    assert r.returncode == 0 and "does not stop that server" in r.stdout
    assert run_cli(external_env, "db", "status").returncode == 0
