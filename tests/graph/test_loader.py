"""The loader against the real Neo4j: idempotence, replacement, evidence folding, hostile text,
bad records, interrupted and killed loads, and a connection cut in the middle of a load.

Every test loads into a namespace of its own (``ns``): its urls' hosts, entity ids, story ids and
document numbers carry it, so it shares nothing with other tests or the demo graph, and the
fixture deletes exactly what it loaded. The helpers here are used by the other graph tests too.
"""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from neo4j import Driver, GraphDatabase

from benchmarks.synthetic import generate
from chipwatch.errors import LoadError
from chipwatch.settings import Settings
from graph import loader
from graph.connection import auth
from graph.loader import (
    RecordError,
    delete_articles,
    event_key,
    event_period,
    load_file,
    load_records,
    validate,
)

pytestmark = pytest.mark.neo4j

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "graph"
REUTERS, BLOOMBERG, NIKKEI, FEDREG = 0, 1, 2, 3


# --- helpers shared by the graph tests -----------------------------------------------------


def fixture_records() -> list[dict[str, Any]]:
    with open(FIXTURES / "records.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _ns_id(ns: str, value: str | None) -> str | None:
    return None if value is None else f"{ns}:{value}"


def namespaced(record: dict[str, Any], ns: str) -> dict[str, Any]:
    """The record moved into namespace ``ns``: url host, ids, story id, document number."""
    r = copy.deepcopy(record)
    netloc = urlsplit(r["url"]).netloc
    r["url"] = r["url"].replace(f"//{netloc}", f"//{ns}.{netloc}", 1)
    if r.get("story_id"):
        r["story_id"] = f"{ns}:{r['story_id']}"
    if r.get("document"):
        r["document"]["document_number"] = f"{ns}-{r['document']['document_number']}"
    for e in r.get("entities", []):
        e["id"] = _ns_id(ns, e["id"])
        for role in e.get("roles", []):
            role["org_id"] = _ns_id(ns, role.get("org_id"))
    for ev in r.get("events", []):
        ev["actor_id"] = _ns_id(ns, ev.get("actor_id"))
        ev["measure_id"] = _ns_id(ns, ev.get("measure_id"))
        ev["target_ids"] = [_ns_id(ns, t) for t in ev.get("target_ids", [])]
    for q in r.get("quotes", []):
        q["speaker_id"] = _ns_id(ns, q.get("speaker_id"))
    return r


def ns_fixtures(ns: str) -> list[dict[str, Any]]:
    return [namespaced(r, ns) for r in fixture_records()]


def synthetic(ns: str, count: int, seed: int = 5) -> list[dict[str, Any]]:
    return [namespaced(r, ns) for r in generate(count, seed=seed)]


def numbered(records: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    return list(enumerate(records, start=1))


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


_IN_NS = "any(v IN [n.url, n.id, n.key, n.domain, n.document_number] WHERE v CONTAINS $ns)"
_NODE_KEY = "coalesce(n.url, n.id, n.key, n.domain, n.document_number)"


def dump(driver: Driver, ns: str) -> tuple[list[str], list[str]]:
    """Every node and relationship of the namespace, canonical and sorted, for comparisons."""
    nodes, _, _ = driver.execute_query(
        f"MATCH (n) WHERE {_IN_NS} RETURN labels(n) AS labels, properties(n) AS props", ns=ns
    )
    rels, _, _ = driver.execute_query(
        f"MATCH (n)-[r]->(m) WHERE {_IN_NS} RETURN type(r) AS type, {_NODE_KEY} AS start, "
        f"{_NODE_KEY.replace('n.', 'm.')} AS end, properties(r) AS props",
        ns=ns,
    )
    return (
        sorted(json.dumps([sorted(r["labels"]), r["props"]], sort_keys=True) for r in nodes),
        sorted(
            json.dumps([r["type"], r["start"], r["end"], r["props"]], sort_keys=True) for r in rels
        ),
    )


def purge(driver: Driver, ns: str) -> None:
    records, _, _ = driver.execute_query(
        "MATCH (a:Article) WHERE a.url CONTAINS $ns RETURN a.url AS url", ns=ns
    )
    delete_articles(driver, [r["url"] for r in records])
    driver.execute_query(f"MATCH (n) WHERE {_IN_NS} DETACH DELETE n", ns=ns)


def one(driver: Driver, cypher: str, **params: Any) -> Any:
    records, _, _ = driver.execute_query(cypher, params)
    return records[0][0] if records else None


@pytest.fixture
def ns(neo4j_driver: Driver) -> Iterator[str]:
    name = "t" + uuid.uuid4().hex[:10]
    yield name
    purge(neo4j_driver, name)


# --- pure parts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "period"),
    [("2023-09-01", "2023-09"), ("2023-09", "2023-09"), ("2023", "2023"), (None, None)],
)
def test_event_period_is_month_precision(date: str | None, period: str | None) -> None:
    assert event_period(date) == period


def test_event_key_is_unambiguous() -> None:
    # A separator inside an id must not make two different events meet.
    assert event_key("PRESSURE", "a|b", "c", None, "2023-09") != event_key(
        "PRESSURE", "a", "b|c", None, "2023-09"
    )
    assert json.loads(event_key("PRESSURE", "country/us", None, "m", "2023")) == [
        "PRESSURE", "country/us", None, "m", "2023",
    ]  # fmt: skip


GOOD = {"url": "https://example.org/a", "published": "2024-03-06", "entities": [], "events": []}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"url": None}, "url: missing"),
        ({"url": "   "}, "url: missing"),
        ({"url": 42}, "url: expected a string"),
        ({"url": "ftp://example.org/a"}, "not an http(s) URL"),
        ({"url": "https://x.org/" + "a" * 1200}, "url: longer than"),
        ({"published": "06/03/2024"}, "published: not a date"),
        ({"entities": {"id": "x"}}, "entities: expected a list of objects"),
        ({"entities": [{"id": "x", "name": "X", "type": "GPE"}]}, "entities[0].type: 'GPE'"),
        ({"entities": [{"id": "x", "name": "X", "type": "Person})-[:X]->(n"}]}, "is not one of"),
        ({"entities": [{"id": "", "name": "X", "type": "Person"}]}, "entities[0].id: missing"),
        ({"entities": [{"id": "x", "name": "X", "type": "Person", "mentions": "3"}]}, "mentions"),
        (
            {"entities": [{"id": "x", "name": "X", "type": "Person", "aliases_seen": "X"}]},
            "aliases",
        ),
        ({"events": [{"type": "PRESSURE", "confidence": "high"}]}, "events[0].confidence"),
        ({"events": [{"type": "BRIBERY"}]}, "events[0].type"),
        ({"events": [{"type": "PRESSURE", "negated": "no"}]}, "negated"),
        ({"events": [{"type": "PRESSURE", "target_ids": [1]}]}, "target_ids"),
        ({"quotes": [{"speaker": "X"}]}, "quotes[0].text: missing"),
        ({"document": {"type": "Rule"}}, "document.document_number: missing"),
        ({"authors": "Jane Doe"}, "authors: expected a list of strings"),
    ],
)
def test_validate_names_the_bad_field(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError, match=re.escape(reason)):
        validate({**GOOD, **change})


def test_validate_accepts_a_minimal_record() -> None:
    record = validate({"url": "https://WWW.Example.org/a"})
    assert (record["url"], record["domain"], record["events"]) == (
        "https://WWW.Example.org/a", "example.org", [],
    )  # fmt: skip


# --- loading -------------------------------------------------------------------------------


def test_fixtures_load_into_the_expected_graph(neo4j_driver: Driver, ns: str) -> None:
    report = load_records(neo4j_driver, numbered(ns_fixtures(ns)))
    assert (report.new, report.bad) == (4, [])
    d = neo4j_driver
    assert one(d, "MATCH (a:Article) WHERE a.url CONTAINS $ns RETURN count(a)", ns=ns) == 4
    assert one(d, "MATCH (s:Source) WHERE s.domain CONTAINS $ns RETURN count(s)", ns=ns) == 4
    # Reuters and Bloomberg report one PRESSURE event: one node, two pieces of evidence.
    pressure = event_key(
        "PRESSURE", f"{ns}:country/us", f"{ns}:country/nl", f"{ns}:measure/servicing-ban", "2024-03"
    )
    assert one(d, "MATCH (:Event {key: $k})-[r:REPORTED_IN]->() RETURN count(r)", k=pressure) == 2
    # Reuters' event has two targets: two events.
    assert one(d, "MATCH (e:Event) WHERE e.actor_id = $a AND e.period = '2024-03' "
                  "RETURN count(e)", a=f"{ns}:country/us") == 2  # fmt: skip
    # The same words quoted by two outlets are one quote.
    assert one(d, "MATCH (:Entity {id: $id})<-[:SAID_BY]-(q:Quote)-[r:QUOTED_IN]->() "
                  "RETURN count(r)", id=f"{ns}:person/gina-raimondo") == 3  # fmt: skip
    assert one(d, "MATCH (p:Person {id: $id})-[r:HOLDS_ROLE]->(o) RETURN r.title + ' @ ' + o.name",
               id=f"{ns}:person/gina-raimondo") == "Secretary of Commerce @ US Department of Commerce"  # fmt: skip
    assert one(d, "MATCH (a:Article)-[:SAME_STORY]-(b:Article) WHERE a.url CONTAINS $ns "
                  "RETURN count(*)", ns=ns) == 2  # one relationship, seen from both ends  # fmt: skip
    assert one(d, "MATCH (:Article)-[:TEXT_OF]->(d:Document {document_number: $n}) "
                  "RETURN d.effective_on", n=f"{ns}-2024-28270") == "2024-12-02"  # fmt: skip
    assert one(d, "MATCH (e:Entity:Country {id: $id}) RETURN e.aliases", id=f"{ns}:country/nl") == [
        "Dutch", "Netherlands", "The Hague", "the Dutch government",
    ]  # fmt: skip


def test_loading_twice_changes_nothing(neo4j_driver: Driver, ns: str, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", ns_fixtures(ns))
    load_file(neo4j_driver, path)
    before = dump(neo4j_driver, ns)
    again = load_file(neo4j_driver, path)
    assert (again.new, again.replaced, again.unchanged) == (0, 0, 4)
    assert sum(again.counters.values()) == 0
    assert dump(neo4j_driver, ns) == before


def test_five_reports_of_one_event_are_one_event(neo4j_driver: Driver, ns: str) -> None:
    base = namespaced(fixture_records()[BLOOMBERG], ns)
    records = []
    # Five outlets, five ways of dating the same September 2023 event.
    for i, (date, published) in enumerate([
        ("2023-09", "2023-09-02"), ("2023-09-01", "2023-09-01"), ("2023-09-28", "2023-09-29"),
        (None, "2023-09-15"), ("2023-09", "2023-10-02"),
    ]):  # fmt: skip
        r = copy.deepcopy(base)
        r["url"] = f"https://outlet{i}.{ns}.example/story"
        r["published"] = published
        r["events"] = [dict(r["events"][0], date=date)]
        records.append(r)
    report = load_records(neo4j_driver, numbered(records))
    assert report.new == 5
    rows, _, _ = neo4j_driver.execute_query(
        "MATCH (e:Event {actor_id: $a}) RETURN e.period AS period, "
        "COUNT { (e)-[:REPORTED_IN]->() } AS reports, "
        "COUNT { (e)-[:REPORTED_IN]->(:Article)-[:PUBLISHED_BY]->(:Source) } AS outlets",
        a=f"{ns}:country/us",
    )
    assert [(r["period"], r["reports"], r["outlets"]) for r in rows] == [("2023-09", 5, 5)]


def _newer(record: dict[str, Any]) -> dict[str, Any]:
    """Reuters re-extracted by a newer extractor: Japan, Tokyo Electron, the DUV scanner, the
    Biden-administration alias, the role claim and the quote are gone."""
    r = copy.deepcopy(record)
    r["extractor"] = "chipwatch 0.2.0 / en_core_web_sm 3.8.0 / kb 2025-01"
    drop = ("country/jp", "company/tokyo-electron", "product/duv-immersion-scanner")
    r["entities"] = [e for e in r["entities"] if not e["id"].endswith(drop)]
    for e in r["entities"]:
        e["aliases_seen"] = [a for a in e["aliases_seen"] if a != "the Biden administration"]
        e.pop("roles", None)
        e["role"] = None
    r["events"][0]["targets"], r["events"][0]["target_ids"] = (
        r["events"][0]["targets"][:1], r["events"][0]["target_ids"][:1],
    )  # fmt: skip
    r["quotes"] = []
    return r


def test_reload_by_newer_extractor_replaces_that_articles_facts(
    neo4j_driver: Driver, ns: str
) -> None:
    records = ns_fixtures(ns)
    load_records(neo4j_driver, numbered(records))
    d, p = neo4j_driver, f"{ns}:"
    newer = _newer(records[REUTERS])
    report = load_records(d, numbered([newer, *records[1:]]))
    assert (report.replaced, report.unchanged, report.new) == (1, 3, 0)
    url = newer["url"]
    assert one(d, "MATCH (a:Article {url: $u}) RETURN a.extractor", u=url).startswith(
        "chipwatch 0.2"
    )
    # Its stale mentions and evidence are gone; what others support stays.
    assert one(d, "MATCH (:Article {url: $u})-[:MENTIONS]->(e) WHERE e.id = $id RETURN count(e)",
               u=url, id=p + "company/tokyo-electron") == 0  # fmt: skip
    assert (
        one(d, "MATCH (e:Entity {id: $id}) RETURN count(e)", id=p + "company/tokyo-electron") == 1
    )
    assert one(d, "MATCH (e:Entity {id: $id}) RETURN count(e)",
               id=p + "product/duv-immersion-scanner") == 0  # fmt: skip
    gone = event_key("PRESSURE", p + "country/us", p + "country/jp", p + "measure/servicing-ban",
                     "2024-03")  # fmt: skip
    assert one(d, "MATCH (e:Event {key: $k}) RETURN count(e)", k=gone) == 0
    kept = event_key("PRESSURE", p + "country/us", p + "country/nl", p + "measure/servicing-ban",
                     "2024-03")  # fmt: skip
    extractors = one(d, "MATCH (:Event {key: $k})-[r:REPORTED_IN]->() RETURN collect(r.extractor)",
                     k=kept)  # fmt: skip
    assert sorted(extractors) == sorted([records[BLOOMBERG]["extractor"], newer["extractor"]])
    assert "the Biden administration" not in one(
        d, "MATCH (e:Entity {id: $id}) RETURN e.aliases", id=p + "country/us"
    )
    assert one(d, "MATCH (:Entity {id: $id})-[r:HOLDS_ROLE]->() RETURN count(r)",
               id=p + "person/gina-raimondo") == 0  # fmt: skip
    assert one(d, "MATCH (q:Quote)-[r:QUOTED_IN]->(:Article {url: $u}) RETURN count(r)", u=url) == 0
    # The strongest check: the graph equals a fresh load of the new set of records.
    replaced = dump(d, ns)
    purge(d, ns)
    load_records(d, numbered([newer, *records[1:]]))
    assert dump(d, ns) == replaced


HOSTILE = [
    "x'}) DETACH DELETE n //",
    'Robert"); MATCH (n) DETACH DELETE n; //',
    "{braces} and $param and `backticks` and \\backslash",
    "line\nbreak\ttab \u0000 nul",
    "MERGE (a:Article {url: 'evil'}) SET a.pwned = true",
    "日本の輸出規制 — ‘curly’ «quotes»",
]
MEASURE = "a measure ${x} }) RETURN 1 // named by no entity"


def test_hostile_text_is_stored_as_data(neo4j_driver: Driver, ns: str) -> None:
    sentinel = one(neo4j_driver, "CREATE (s:Sentinel {ns: $ns}) RETURN elementId(s)", ns=ns)
    try:
        record = namespaced(fixture_records()[REUTERS], ns)
        record["title"] = HOSTILE[0]
        record["authors"] = HOSTILE
        for e, text in zip(record["entities"], HOSTILE, strict=False):
            e["name"] = text
            e["aliases_seen"] = HOSTILE
            e["id"] = f"{ns}:{text}"
        ids = {e["name"]: e["id"] for e in record["entities"]}
        record["events"] = [{
            "type": "PRESSURE", "actor": HOSTILE[0], "actor_id": ids[HOSTILE[0]],
            "targets": [HOSTILE[1]], "target_ids": [ids[HOSTILE[1]]], "measure": MEASURE,
            "measure_id": None, "date": "2024-03", "sentence": HOSTILE[3], "start": 0, "end": 5,
            "confidence": 0.5,
        }]  # fmt: skip
        record["quotes"] = [{"speaker": HOSTILE[4], "speaker_id": ids[HOSTILE[4]],
                             "text": HOSTILE[4], "sentence_start": 1}]  # fmt: skip
        report = load_records(neo4j_driver, numbered([record]))
        assert (report.new, report.bad) == (1, [])
        d = neo4j_driver
        assert one(d, "MATCH (a:Article {url: $u}) RETURN a.authors", u=record["url"]) == HOSTILE
        for text in HOSTILE:
            assert one(d, "MATCH (e:Entity {id: $id}) RETURN e.name", id=f"{ns}:{text}") == text
        assert one(d, "MATCH (e:Event)-[r:REPORTED_IN]->(:Article {url: $u}) "
                      "RETURN [e.measure, r.sentence]", u=record["url"]) == [MEASURE, HOSTILE[3]]  # fmt: skip
        assert one(d, "MATCH (q:Quote)-[:QUOTED_IN]->(:Article {url: $u}) RETURN q.text",
                   u=record["url"]) == HOSTILE[4]  # fmt: skip
        assert one(d, "MATCH (s:Sentinel) WHERE elementId(s) = $id RETURN s.ns", id=sentinel) == ns
        assert one(d, "MATCH (a:Article) WHERE a.pwned RETURN count(a)") == 0
    finally:
        neo4j_driver.execute_query("MATCH (s:Sentinel {ns: $ns}) DELETE s", ns=ns)


def test_bad_records_are_counted_with_line_numbers(
    neo4j_driver: Driver, ns: str, tmp_path: Path
) -> None:
    good = ns_fixtures(ns)
    bad_type = copy.deepcopy(good[NIKKEI])
    bad_type["entities"][0]["type"] = "GPE"
    no_url = {k: v for k, v in good[FEDREG].items() if k != "url"}
    lines = [
        json.dumps(good[REUTERS]),
        json.dumps(no_url),
        "{not json",
        json.dumps(bad_type),
        "",
        json.dumps([1, 2]),
        json.dumps(good[BLOOMBERG]),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = load_file(neo4j_driver, path)
    assert report.new == 2
    assert [(b.line, b.reason.split(":")[0]) for b in report.bad] == [
        (2, "url"), (3, "not JSON"), (4, "entities[0].type"), (6, "expected a JSON object, got list"),
    ]  # fmt: skip
    assert (
        one(neo4j_driver, "MATCH (a:Article) WHERE a.url CONTAINS $ns RETURN count(a)", ns=ns) == 2
    )


def test_a_later_line_for_the_same_url_wins(neo4j_driver: Driver, ns: str, tmp_path: Path) -> None:
    first = ns_fixtures(ns)[REUTERS]
    second = copy.deepcopy(first)
    second["title"] = "corrected headline"
    path = write_jsonl(tmp_path / "dup.jsonl", [first, second])
    report = load_file(neo4j_driver, path)
    assert (report.new, report.superseded) == (1, 1)
    again = load_file(neo4j_driver, path)
    assert (again.unchanged, again.superseded, again.replaced) == (1, 1, 0)
    title = one(neo4j_driver, "MATCH (a:Article {url: $u}) RETURN a.title", u=first["url"])
    assert title == "corrected headline"


def test_delete_articles_leaves_nothing_behind(neo4j_driver: Driver, ns: str) -> None:
    records = ns_fixtures(ns)
    load_records(neo4j_driver, numbered(records))
    assert delete_articles(neo4j_driver, [r["url"] for r in records]) == 4
    assert dump(neo4j_driver, ns) == ([], [])


def test_events_resolve_names_and_skip_what_they_cannot_link(neo4j_driver: Driver, ns: str) -> None:
    record = namespaced(fixture_records()[BLOOMBERG], ns)
    by_name = dict(record["events"][0], actor_id=None, actor="American", target_ids=[None],
                   targets=["The Hague"], measure_id=None, measure="curbs on servicing")  # fmt: skip
    unknown_actor = dict(record["events"][0], actor_id=None, actor="Atlantis")
    negated = dict(record["events"][1], negated=True)
    record["events"] = [by_name, unknown_actor, negated]
    report = load_records(neo4j_driver, numbered([record]))
    assert report.events_skipped == 2
    rows, _, _ = neo4j_driver.execute_query(
        "MATCH (a:Entity)<-[:ACTOR]-(e:Event)-[:TARGET]->(t:Entity), (e)-[:CONCERNS]->(m:Entity) "
        "WHERE e.actor_id STARTS WITH $ns RETURN a.id AS a, t.id AS t, m.id AS m",
        ns=ns,
    )
    assert [(r["a"], r["t"], r["m"]) for r in rows] == [
        (f"{ns}:country/us", f"{ns}:country/nl", f"{ns}:measure/servicing-ban"),
    ]


def test_an_entity_keeps_one_type_label(neo4j_driver: Driver, ns: str) -> None:
    first = namespaced(fixture_records()[NIKKEI], ns)
    second = copy.deepcopy(first)
    second["url"] = second["url"] + "-update"
    meti = next(e for e in second["entities"] if e["id"].endswith("government/jp-meti"))
    meti["type"] = "Organization"
    load_records(neo4j_driver, numbered([first]))
    load_records(neo4j_driver, numbered([second]))
    labels = one(neo4j_driver, "MATCH (e:Entity {id: $id}) RETURN labels(e)", id=meti["id"])
    assert sorted(labels) == ["Entity", "Organization"]


class _Stop(Exception):
    pass


def test_interrupted_load_then_rerun_equals_uninterrupted(neo4j_driver: Driver, ns: str) -> None:
    records = synthetic(ns, 60)
    load_records(neo4j_driver, numbered(records), batch_size=10)
    uninterrupted = dump(neo4j_driver, ns)
    purge(neo4j_driver, ns)
    assert dump(neo4j_driver, ns) == ([], [])

    def stop_after_three(report: loader.LoadReport) -> None:
        if report.new >= 30:
            raise _Stop

    with pytest.raises(_Stop):
        load_records(neo4j_driver, numbered(records), batch_size=10, progress=stop_after_three)
    assert (
        one(neo4j_driver, "MATCH (a:Article) WHERE a.url CONTAINS $ns RETURN count(a)", ns=ns) == 30
    )
    rerun = load_records(neo4j_driver, numbered(records), batch_size=10)
    assert (rerun.unchanged, rerun.new) == (30, 30)
    assert dump(neo4j_driver, ns) == uninterrupted


_LOAD_SCRIPT = """
import sys
from chipwatch.settings import Settings
from graph.connection import connect
from graph.loader import load_file
with connect(Settings.from_env()) as driver:
    load_file(driver, sys.argv[1], batch_size=int(sys.argv[2]))
"""


def test_killed_load_then_rerun_equals_uninterrupted(
    neo4j_driver: Driver, ns: str, tmp_path: Path
) -> None:
    records = synthetic(ns, 2000, seed=9)
    path = write_jsonl(tmp_path / "big.jsonl", records)
    load_file(neo4j_driver, path, batch_size=25)
    uninterrupted = dump(neo4j_driver, ns)
    purge(neo4j_driver, ns)

    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", _LOAD_SCRIPT, str(path), "25"], cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)}, stderr=subprocess.PIPE,
    )  # fmt: skip
    count = "MATCH (a:Article) WHERE a.url CONTAINS $ns RETURN count(a)"
    deadline = time.monotonic() + 120
    loaded = 0
    while loaded < 200 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        loaded = one(neo4j_driver, count, ns=ns)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    partial = one(neo4j_driver, count, ns=ns)
    assert 0 < partial < len(records), f"the loader was not killed mid-load ({partial} loaded)"
    assert partial % 25 == 0  # whole batches only
    rerun = load_file(neo4j_driver, path, batch_size=25)
    assert (rerun.unchanged, rerun.new) == (partial, len(records) - partial)
    assert dump(neo4j_driver, ns) == uninterrupted


class FlakyProxy:
    """A TCP relay to Neo4j that cuts every open connection once, after ``cut_after`` bytes
    from clients: a lost connection in the middle of a load."""

    def __init__(self, target: tuple[str, int], cut_after: int) -> None:
        self.target, self.cut_after = target, cut_after
        self.relayed = 0
        self.cut = False
        self.lock = threading.Lock()
        self.open: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.open += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, count: bool) -> None:
        try:
            while data := src.recv(65536):
                if count:
                    with self.lock:
                        self.relayed += len(data)
                        if not self.cut and self.relayed > self.cut_after:
                            self.cut = True
                            for s in self.open:
                                try:
                                    s.shutdown(socket.SHUT_RDWR)
                                except OSError:
                                    pass  # already closed by its other pump
                            return
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                s.close()

    def close(self) -> None:
        self.listener.close()


def test_lost_connection_mid_load_is_retried(
    neo4j_driver: Driver, settings: Settings, ns: str
) -> None:
    records = synthetic(ns, 300, seed=4)
    load_records(neo4j_driver, numbered(records), batch_size=20)
    expected = dump(neo4j_driver, ns)
    purge(neo4j_driver, ns)

    host, port = settings.neo4j.local_host, settings.neo4j.local_port
    if settings.neo4j.uri:
        parts = urlsplit(settings.neo4j.uri)
        host, port = parts.hostname or host, parts.port or 7687
    proxy = FlakyProxy((host, port), cut_after=200_000)
    try:
        with GraphDatabase.driver(f"bolt://127.0.0.1:{proxy.port}", auth=auth(settings)) as flaky:
            report = load_records(flaky, numbered(records), batch_size=20)
    finally:
        proxy.close()
    assert proxy.cut, "the proxy never cut the connection: raise the load or lower cut_after"
    assert report.bad == []
    assert dump(neo4j_driver, ns) == expected


def test_a_load_that_cannot_reach_neo4j_says_so(ns: str, settings: Settings) -> None:
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]  # a port nobody listens on once closed
    dead = GraphDatabase.driver(
        f"bolt://127.0.0.1:{port}", auth=auth(settings), max_transaction_retry_time=1
    )
    with dead, pytest.raises(LoadError, match="cannot reach Neo4j"):
        load_records(dead, numbered(ns_fixtures(ns)))
