from __future__ import annotations

from pathlib import Path

import pytest

from chipwatch.errors import ConfigError
from chipwatch.settings import Settings
from graph.connection import bolt_uri


@pytest.mark.parametrize(
    "uri",
    ["neo4j://db.example.org:7687", "neo4j+s://abcd1234.databases.neo4j.io", "bolt://localhost:7687"],
)
def test_neo4j_uri_selects_external_server(uri: str) -> None:
    s = Settings.from_env(
        {"NEO4J_URI": uri, "NEO4J_USERNAME": "analyst", "NEO4J_PASSWORD": "pw", "NEO4J_DATABASE": "cw"}
    )
    assert s.neo4j.external
    assert bolt_uri(s) == uri
    assert (s.neo4j.username, s.neo4j.database) == ("analyst", "cw")


def test_local_defaults(tmp_path: Path) -> None:
    s = Settings.from_env({"CHIPWATCH_HOME": str(tmp_path)})
    assert not s.neo4j.external
    assert bolt_uri(s) == "bolt://127.0.0.1:7687"
    assert s.neo4j_home == tmp_path / "neo4j"


def test_password_never_in_repr() -> None:
    s = Settings.from_env({"NEO4J_URI": "neo4j://h", "NEO4J_PASSWORD": "hunter2-secret"})
    assert "hunter2-secret" not in repr(s)


@pytest.mark.parametrize(
    ("name", "value"),
    [("CHIPWATCH_NEO4J_PORT", "seven"), ("CHIPWATCH_NEO4J_HEAP", "lots"), ("CHIPWATCH_NEO4J_PAGECACHE", "-1g")],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_log_file_gets_json_lines(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    log = tmp_path / "logs" / "chipwatch.log"
    env = dict(os.environ, CHIPWATCH_LOG_FILE=str(log), CHIPWATCH_HOME=str(tmp_path),
               NEO4J_URI="neo4j://127.0.0.1:9", NEO4J_PASSWORD="never-logged-secret")  # fmt: skip
    subprocess.run([sys.executable, "-m", "chipwatch", "articles", "export", "--store",
                    str(tmp_path / "none.sqlite")], env=env, capture_output=True, timeout=60)  # fmt: skip
    subprocess.run([sys.executable, "-m", "chipwatch", "-v", "db", "status"], env=env,
                   capture_output=True, timeout=60)  # fmt: skip
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= set(x) for x in lines)
    assert "never-logged-secret" not in log.read_text()
