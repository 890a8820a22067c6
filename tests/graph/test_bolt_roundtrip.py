"""A Bolt round trip against the real Neo4j: schema, write, read, constraint enforcement."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from neo4j import Driver
from neo4j.exceptions import ConstraintError

pytestmark = pytest.mark.neo4j


@pytest.fixture
def label(neo4j_driver: Driver) -> Iterator[str]:
    # A label of its own per test keeps the shared database clean of test data afterwards.
    name = f"RoundTrip_{uuid.uuid4().hex[:10]}"
    yield name
    neo4j_driver.execute_query(f"MATCH (n:`{name}`) DETACH DELETE n")
    neo4j_driver.execute_query(f"DROP CONSTRAINT `{name}_key` IF EXISTS")


def test_return_one(neo4j_driver: Driver) -> None:
    records, _, _ = neo4j_driver.execute_query("RETURN 1 AS one")
    assert records[0]["one"] == 1


def test_constraint_write_read(neo4j_driver: Driver, label: str) -> None:
    neo4j_driver.execute_query(
        f"CREATE CONSTRAINT `{label}_key` IF NOT EXISTS FOR (n:`{label}`) REQUIRE n.key IS UNIQUE"
    )
    # Applying the schema twice must be harmless: loads apply it before every run.
    neo4j_driver.execute_query(
        f"CREATE CONSTRAINT `{label}_key` IF NOT EXISTS FOR (n:`{label}`) REQUIRE n.key IS UNIQUE"
    )
    rows = [{"key": "country/nl", "name": "Netherlands"}, {"key": "company/asml", "name": "ASML"}]
    summary = neo4j_driver.execute_query(
        f"UNWIND $rows AS row MERGE (n:`{label}` {{key: row.key}}) SET n.name = row.name",
        rows=rows,
    ).summary
    assert summary.counters.nodes_created == 2

    records, _, _ = neo4j_driver.execute_query(
        f"MATCH (n:`{label}`) RETURN n.key AS key, n.name AS name ORDER BY key"
    )
    assert [(r["key"], r["name"]) for r in records] == [
        ("company/asml", "ASML"),
        ("country/nl", "Netherlands"),
    ]

    constraints, _, _ = neo4j_driver.execute_query(
        "SHOW CONSTRAINTS YIELD name, type WHERE name = $name RETURN type", name=f"{label}_key"
    )
    assert constraints[0]["type"] == "UNIQUENESS"
    with pytest.raises(ConstraintError):
        neo4j_driver.execute_query(f"CREATE (:`{label}` {{key: 'country/nl'}})")


def test_parameters_are_data_not_cypher(neo4j_driver: Driver, label: str) -> None:
    hostile = "x'}) DETACH DELETE n //\"\\ {braces}"
    neo4j_driver.execute_query(f"CREATE (:`{label}` {{key: $k}})", k=hostile)
    records, _, _ = neo4j_driver.execute_query(f"MATCH (n:`{label}`) RETURN n.key AS k")
    assert [r["k"] for r in records] == [hostile]
