"""`chipwatch load`, `chipwatch query` and `chipwatch cypher` as a user runs them: subprocesses
of the CLI against the configured Neo4j, on fixture records in a namespace of their own."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from tests.graph.test_loader import ns_fixtures, purge, write_jsonl

pytestmark = pytest.mark.neo4j

ROOT = Path(__file__).resolve().parents[2]


def chipwatch(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chipwatch", *args], check=False, cwd=ROOT, input=stdin,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def ns(neo4j_driver: Driver) -> Iterator[str]:
    name = "c" + uuid.uuid4().hex[:10]
    yield name
    purge(neo4j_driver, name)


@pytest.fixture(scope="module")
def loaded(ns: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = write_jsonl(tmp_path_factory.mktemp("cli") / "records.jsonl", ns_fixtures(ns))
    first = chipwatch("load", str(path))
    assert first.returncode == 0, first.stderr
    assert "4 records" in first.stdout and "4 new" in first.stdout, first.stdout
    return path


def test_load_again_reports_unchanged(loaded: Path) -> None:
    again = chipwatch("load", str(loaded), "--json")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["new"], summary["unchanged"], summary["relationships_created"]) == (0, 4, 0)


def test_load_reports_bad_lines(ns: str, loaded: Path, tmp_path: Path) -> None:
    path = tmp_path / "some-bad.jsonl"
    path.write_text(loaded.read_text().splitlines()[0] + '\n{"url": 7}\n')
    result = chipwatch("load", str(path))
    assert result.returncode == 0
    assert "line 2: url: expected a string" in result.stdout
    assert "1 bad record" in result.stderr
    assert chipwatch("load", str(path), "--strict").returncode == 1


def test_load_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    result = chipwatch("load", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 1
    assert result.stderr.strip().endswith("nope.jsonl: no such file")


def test_query_timeline_json_is_a_list_of_rows(loaded: Path) -> None:
    result = chipwatch("query", "pressure-timeline", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list) and rows
    assert all(
        isinstance(r, dict) and {"month", "actor", "target", "reports"} <= r.keys() for r in rows
    )


def test_query_with_params_json_and_csv(ns: str, loaded: Path) -> None:
    result = chipwatch(
        "query", "pressure-timeline", "--param", f"ally={ns}:country/nl", "-p", "links=1",
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["month"], r["target"], r["reports"], len(r["sources"])) for r in rows] == [
        ("2024-03", "Netherlands", 2, 1),
    ]
    csv_out = chipwatch(
        "query", "quotes-by", "-p", f"speaker={ns}:person/gina-raimondo", "--format", "csv"
    )
    lines = csv_out.stdout.splitlines()
    assert lines[0] == "speaker,date,quote,articles,outlets,source"
    assert lines[1].startswith("Gina Raimondo,2024-03-06,")
    table = chipwatch("query", "quotes-by", "-p", f"speaker={ns}:person/gina-raimondo")
    assert "Gina Raimondo" in table.stdout and "2 rows" in table.stdout


def test_query_errors(loaded: Path) -> None:
    unknown = chipwatch("query", "who-is-to-blame")
    assert unknown.returncode == 1 and "no query named" in unknown.stderr
    bad_type = chipwatch("query", "pressure-timeline", "-p", "limit=many")
    assert bad_type.returncode == 1 and "limit must be int" in bad_type.stderr
    missing = chipwatch("query", "actor-profile")
    assert missing.returncode == 1 and "needs the parameter entity" in missing.stderr


def test_query_lists_and_shows(loaded: Path) -> None:
    listing = chipwatch("query")
    assert listing.returncode == 0
    for name in ("pressure-timeline", "actor-profile", "co-mentions", "quotes-by"):
        assert name in listing.stdout
    shown = chipwatch("query", "pressure-timeline", "--show")
    assert shown.stdout.startswith(":params {")
    assert "MATCH (e:Event)" in shown.stdout


def test_cypher_refuses_create(neo4j_driver: Driver) -> None:
    label = f"Refused_{uuid.uuid4().hex[:8]}"
    result = chipwatch("cypher", f"CREATE (n:{label}) RETURN n")
    assert result.returncode != 0
    assert "refused" in result.stderr
    records, _, _ = neo4j_driver.execute_query(f"MATCH (n:{label}) RETURN count(n) AS c")
    assert records[0]["c"] == 0


def test_cypher_reads_with_params_and_stdin(ns: str, loaded: Path) -> None:
    query = "MATCH (a:Article) WHERE a.url CONTAINS $ns RETURN count(a) AS articles"
    result = chipwatch("cypher", query, "-p", f"ns={ns}", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"articles": 4}]
    piped = chipwatch("cypher", "-", "-p", f"ns={ns}", "--format", "csv", stdin=query)
    assert piped.stdout.splitlines() == ["articles", "4"]


def test_cypher_warns_about_a_misspelt_property(loaded: Path) -> None:
    result = chipwatch("cypher", "MATCH (a:Article) RETURN a.no_such_property LIMIT 1")
    assert result.returncode == 0
    assert "note:" in result.stderr and "no_such_property" in result.stderr
