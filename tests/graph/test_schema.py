"""The schema: named constraints and indexes, applied idempotently; closed sets of names; and no
Cypher text of the package that formats values in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from neo4j import Driver
from neo4j.exceptions import ConstraintError

from graph import queries
from graph.schema import NODE_LABELS, REL_TYPES, TYPE_LABELS, apply_schema, schema_names

pytestmark = pytest.mark.neo4j

CONSTRAINTS = {
    "article_url",
    "source_domain",
    "entity_id",
    "event_key",
    "quote_key",
    "document_number",
}
INDEXES = {
    "event_type_period", "event_type_actor", "event_type_target", "event_type_measure",
    "entity_name", "article_story", "article_published", "entity_names",
}  # fmt: skip


def _schema_rows(driver: Driver) -> list[tuple[str, str, list[str], list[str]]]:
    records, _, _ = driver.execute_query(
        "SHOW INDEXES YIELD name, type, labelsOrTypes, properties "
        "RETURN name, type, labelsOrTypes, properties ORDER BY name"
    )
    return [(r["name"], r["type"], r["labelsOrTypes"], r["properties"]) for r in records]


def test_schema_is_applied_and_idempotent(neo4j_driver: Driver) -> None:
    apply_schema(neo4j_driver)
    names = schema_names(neo4j_driver)
    assert CONSTRAINTS <= names["constraints"]
    assert INDEXES | CONSTRAINTS <= names["indexes"]  # a uniqueness constraint owns an index
    before = _schema_rows(neo4j_driver)
    apply_schema(neo4j_driver)
    apply_schema(neo4j_driver)
    assert _schema_rows(neo4j_driver) == before


def test_indexes_cover_what_the_queries_seek(neo4j_driver: Driver) -> None:
    apply_schema(neo4j_driver)
    rows = {name: (kind, labels, props) for name, kind, labels, props in _schema_rows(neo4j_driver)}
    assert rows["event_type_target"] == ("RANGE", ["Event"], ["type", "target_id", "period"])
    assert rows["event_type_period"] == ("RANGE", ["Event"], ["type", "period"])
    assert rows["entity_names"] == ("FULLTEXT", ["Entity"], ["name", "aliases"])


def test_article_url_is_unique(neo4j_driver: Driver) -> None:
    apply_schema(neo4j_driver)
    url = "https://schema-test.invalid/duplicate"
    try:
        neo4j_driver.execute_query("CREATE (:Article {url: $url})", url=url)
        with pytest.raises(ConstraintError):
            neo4j_driver.execute_query("CREATE (:Article {url: $url})", url=url)
    finally:
        neo4j_driver.execute_query("MATCH (a:Article {url: $url}) DELETE a", url=url)


def test_closed_sets() -> None:
    assert set(TYPE_LABELS) == {
        "Person", "Company", "Government", "Country", "Media", "Organization", "Product",
        "Technology", "Measure",
    }  # fmt: skip
    assert set(TYPE_LABELS) < NODE_LABELS
    assert {"MENTIONS", "REPORTED_IN", "SAME_STORY", "HOLDS_ROLE"} < REL_TYPES


def _statements() -> list[str]:
    return [v for k, v in vars(queries).items() if k.isupper() and isinstance(v, str)] + [
        *queries.SCHEMA
    ]


def test_package_cypher_uses_only_known_labels_and_types() -> None:
    cypher = "\n".join(_statements())
    cypher += "\n".join(p.read_text() for p in (Path(queries.__file__).parent / "cypher").glob("*"))
    labels = set(re.findall(r"[(:]\s*\w*:(\w+)", cypher)) - {"param", "params"}
    rels = set(re.findall(r"\[\w*:([A-Z_|]+)", cypher))
    rel_types = {t for group in rels for t in group.split("|")}
    assert labels <= NODE_LABELS, labels - NODE_LABELS
    assert rel_types <= REL_TYPES, rel_types - REL_TYPES


def test_no_statement_is_built_by_formatting() -> None:
    # Values reach Cypher only as $parameters: no str.format / %-style holes in the text.
    for statement in _statements():
        assert not re.search(r"\{\d*\}|%s|%\(", statement), statement
