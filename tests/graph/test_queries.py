"""The named queries on the fixture records (loaded once into a namespace of their own), the
typed Python functions, the read-only guard, and the timeline's plan."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from neo4j import Driver

from graph import library
from graph.library import QueryError
from graph.loader import load_records
from tests.graph.test_loader import ns_fixtures, numbered, purge

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def ns(neo4j_driver: Driver) -> Iterator[str]:
    name = "q" + uuid.uuid4().hex[:10]
    report = load_records(neo4j_driver, numbered(ns_fixtures(name)))
    assert report.new == 4
    yield name
    purge(neo4j_driver, name)


def rows(df: pd.DataFrame, *columns: str) -> list[tuple[Any, ...]]:
    return [
        tuple(None if pd.isna(v) else v for v in r)
        for r in df[list(columns)].itertuples(index=False)
    ]


def test_every_query_parses_and_has_a_function() -> None:
    named = library.queries()
    assert {
        "pressure-timeline", "actor-profile", "measure-history", "pressure-network",
        "ally-responses", "company-exposure", "co-mentions", "quotes-by",
    } <= set(named)  # fmt: skip
    for query in named.values():
        assert query.description, query.name
    # The typed functions take exactly the parameters their query's header declares.
    for name, function in library.FUNCTIONS.items():
        taken = set(inspect.signature(function).parameters) - {"driver", "database"}
        assert taken == {p.name for p in named[name].params}, name


def test_timeline_by_ally(neo4j_driver: Driver, ns: str) -> None:
    df = library.pressure_timeline(neo4j_driver, ally=f"{ns}:country/nl")
    assert rows(df, "month", "actor", "target", "measure", "reports", "outlets") == [
        ("2024-03", "United States", "Netherlands", "servicing ban", 2, 2),
    ]
    # Links to the reports, the earliest first.
    assert df.loc[0, "sources"][0].startswith(f"https://{ns}.www.reuters.example/")
    assert len(df.loc[0, "sources"]) == 2


def test_timeline_by_actor_and_dates(neo4j_driver: Driver, ns: str) -> None:
    us = f"{ns}:country/us"
    every = library.pressure_timeline(neo4j_driver, actor=us)
    assert rows(every, "month", "target", "measure") == [
        ("2023-01", "Japan", "Japan export controls on 23 chipmaking tool types"),
        ("2024-03", "Japan", "servicing ban"),
        ("2024-03", "Netherlands", "servicing ban"),
    ]
    since = library.pressure_timeline(neo4j_driver, actor=us, since="2024-03-15")
    assert rows(since, "month", "target") == [("2024-03", "Japan"), ("2024-03", "Netherlands")]
    until = library.pressure_timeline(neo4j_driver, actor=us, until="2023")
    assert rows(until, "month", "target") == [("2023-01", "Japan")]
    both = library.pressure_timeline(
        neo4j_driver, actor=us, ally=f"{ns}:country/jp", measure=f"{ns}:measure/servicing-ban"
    )
    assert rows(both, "month", "reports") == [("2024-03", 1)]
    assert library.pressure_timeline(neo4j_driver, actor=us, limit=1)["month"].tolist() == [
        "2023-01"
    ]


def test_timeline_filter_naming_nobody_returns_nothing(neo4j_driver: Driver, ns: str) -> None:
    assert library.pressure_timeline(neo4j_driver, ally=f"{ns}:country/atlantis").empty


def test_actor_profile(neo4j_driver: Driver, ns: str) -> None:
    raimondo = library.actor_profile(neo4j_driver, f"{ns}:person/gina-raimondo")
    assert rows(raimondo, "kind", "date", "what", "counterpart", "reports") == [
        ("role", "2021-03-03", "Secretary of Commerce", "US Department of Commerce", None),
        ("quote", "2023-07-24", "Japan has been a strong partner, and the rules it put in place matter.", None, 1),
        ("quote", "2024-03-06", "We are asking our partners to close the gaps that let advanced tools keep running in China.", None, 2),
    ]  # fmt: skip
    nl = library.actor_profile(neo4j_driver, f"{ns}:country/nl")
    assert rows(nl, "kind", "date", "what", "side", "counterpart", "reports") == [
        ("event", "2024-03", "PRESSURE", "target", "United States", 2),
        ("event", "2024-03", "RESISTANCE", "actor", "United States", 1),
    ]


def test_measure_history_lists_events_and_documents(neo4j_driver: Driver, ns: str) -> None:
    df = library.measure_history(neo4j_driver, f"{ns}:measure/fdpr")
    assert rows(df, "date", "kind", "type", "actor", "target", "document", "effective_on") == [
        ("2024-12", "event", "RESTRICTION", "Bureau of Industry and Security", "China", None, None),
        ("2024-12-05", "document", "Rule", None, None, f"{ns}-2024-28270", "2024-12-02"),
    ]


def test_pressure_network(neo4j_driver: Driver, ns: str) -> None:
    df = library.pressure_network(neo4j_driver, limit=10_000)
    mine = df[df["actor_id"].str.startswith(ns)]
    assert rows(mine, "actor", "target", "events", "reports", "first", "last") == [
        ("United States", "Japan", 2, 2, "2023-01", "2024-03"),
        ("United States", "Netherlands", 1, 2, "2024-03", "2024-03"),
    ]
    assert sorted(mine.iloc[0]["measures"]) == [
        "Japan export controls on 23 chipmaking tool types", "servicing ban",
    ]  # fmt: skip


def test_ally_responses(neo4j_driver: Driver, ns: str) -> None:
    nl = library.ally_responses(neo4j_driver, ally=f"{ns}:country/nl")
    assert rows(nl, "month", "response", "target", "measure", "last_pressure", "same_measure") == [
        ("2024-03", "RESISTANCE", "United States", "servicing ban", "2024-03", True),
    ]
    assert nl.loc[0, "pressed_by"] == ["United States"]
    jp = library.ally_responses(neo4j_driver, ally=f"{ns}:country/jp")
    # The March 2024 pressure came after the July 2023 restriction: not its cause.
    assert rows(jp, "month", "response", "target", "last_pressure", "same_measure") == [
        ("2023-07", "RESTRICTION", "China", "2023-01", True),
    ]


def test_company_exposure(neo4j_driver: Driver, ns: str) -> None:
    asml = library.company_exposure(neo4j_driver, f"{ns}:company/asml")
    assert rows(asml, "relation", "counterpart", "events", "reports", "first") == [
        ("supplies", "China", 1, 1, "2023"),
    ]
    tel = library.company_exposure(neo4j_driver, f"{ns}:company/tokyo-electron")
    assert rows(tel, "relation", "counterpart", "counterpart_type") == [
        ("makes", "EUV lithography", "Technology"),
    ]


def test_co_mentions(neo4j_driver: Driver, ns: str) -> None:
    df = library.co_mentions(neo4j_driver, f"{ns}:company/asml", min_articles=2)
    assert rows(df, "other", "articles") == [
        ("China", 2), ("Gina Raimondo", 2), ("Netherlands", 2), ("United States", 2),
        ("servicing ban", 2),
    ]  # fmt: skip
    assert len(library.co_mentions(neo4j_driver, f"{ns}:company/asml")) == 9
    assert library.co_mentions(neo4j_driver, f"{ns}:company/asml", since="2025").empty


def test_quotes_by(neo4j_driver: Driver, ns: str) -> None:
    df = library.quotes_by(neo4j_driver, f"{ns}:person/gina-raimondo")
    assert rows(df, "date", "articles") == [("2024-03-06", 2), ("2023-07-24", 1)]
    assert df.loc[0, "outlets"] == ["Reuters", "Bloomberg"]
    assert rows(library.quotes_by(neo4j_driver, f"{ns}:person/gina-raimondo", until="2023"),
                "date") == [("2023-07-24",)]  # fmt: skip


def test_entity_search_uses_aliases(neo4j_driver: Driver, ns: str) -> None:
    df = library.entity_search(neo4j_driver, "METI", limit=1000)
    assert f"{ns}:government/jp-meti" in df["id"].tolist()


def test_required_parameter_and_unknown_name(neo4j_driver: Driver) -> None:
    with pytest.raises(QueryError, match="needs the parameter entity"):
        library.run(neo4j_driver, "actor-profile", {})
    with pytest.raises(QueryError, match="has no parameter 'ally'"):
        library.run(neo4j_driver, "actor-profile", {"entity": "x", "ally": "y"})
    with pytest.raises(QueryError, match="no query named"):
        library.get("who-is-to-blame")


@pytest.mark.parametrize(
    "cypher",
    [
        "CREATE (n:ShouldNotExist) RETURN n",
        "MATCH (n:Article) SET n.touched = true",
        "MATCH (n:ShouldNotExist) DETACH DELETE n",
        "CREATE INDEX should_not_exist FOR (n:ShouldNotExist) ON (n.x)",
        "MERGE (n:ShouldNotExist {x: 1})",
    ],
)
def test_run_cypher_refuses_writes(neo4j_driver: Driver, cypher: str) -> None:
    with pytest.raises(QueryError, match="refused"):
        library.run_cypher(neo4j_driver, cypher)
    records, _, _ = neo4j_driver.execute_query(
        "MATCH (n:ShouldNotExist) RETURN count(n) AS c UNION ALL "
        "MATCH (a:Article) WHERE a.touched RETURN count(a) AS c"
    )
    assert [r["c"] for r in records] == [0, 0]


def test_run_cypher_reads(neo4j_driver: Driver, ns: str) -> None:
    df = library.run_cypher(
        neo4j_driver, "MATCH (a:Article) WHERE a.url CONTAINS $ns RETURN count(a) AS n", {"ns": ns}
    )
    assert df["n"].tolist() == [4]


def _operators(plan: dict[str, Any]) -> list[str]:
    found = [
        plan["operatorType"].split("@")[0] + " " + str(plan.get("args", {}).get("Details", ""))
    ]
    for child in plan.get("children", []):
        found += _operators(child)
    return found


@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({"ally": "country/nl"}, "Event(type, target_id, period)"),
        (
            {"actor": "country/us", "since": "2024-01", "until": "2024-06"},
            "Event(type, actor_id, period)",
        ),
        ({"measure": "measure/entity-list"}, "Event(type, measure_id, period)"),
        ({"since": "2025-01", "until": "2025-03"}, "Event(type, period)"),
    ],
)
def test_timeline_plan_seeks_indexes(
    neo4j_driver: Driver, params: dict[str, str], index: str
) -> None:
    """An index regression must fail here: every event access is an index seek, never a scan
    over all nodes or all events."""
    query = library.get("pressure-timeline")
    with neo4j_driver.session(notifications_min_severity="OFF") as session:
        plan = session.run("EXPLAIN " + query.cypher, query.bind(params)).consume().plan
    ops = _operators(plan)
    assert not [op for op in ops if "AllNodesScan" in op or "LabelScan" in op], ops
    event_access = [op for op in ops if ":Event" in op]
    assert event_access and all(op.startswith("NodeIndexSeek") for op in event_access), event_access
    assert any(index in op for op in event_access), event_access


def test_no_named_query_scans_all_nodes(neo4j_driver: Driver) -> None:
    for name, query in library.queries().items():
        params = {p.name: "x" for p in query.params if p.required}
        with neo4j_driver.session(notifications_min_severity="OFF") as session:
            plan = session.run("EXPLAIN " + query.cypher, query.bind(params)).consume().plan
        scans = [op for op in _operators(plan) if "AllNodesScan" in op]
        assert not scans, (name, scans)
