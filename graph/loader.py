"""Loads extraction records (``../shared/contract/extraction.md``, JSON Lines) into Neo4j.

How it stays correct when run again, replaced or cut short:

- Every record carries a fingerprint (a hash of its canonical JSON) on its ``Article``. A record
  whose fingerprint is already stored is *unchanged* and skipped; a known url with another
  fingerprint (a newer extractor, a fixed article) is *replaced*: its old facts are detached,
  the new ones written, and whatever only the old version supported (events, quotes, documents,
  entities, aliases, roles) is removed. The last record loaded for a url wins; the loader does
  not compare extractor versions.
- One batch is one managed transaction that writes its facts and its fingerprints. A
  batch is all there or not there, so a load killed half-way and run again ends in the same
  graph; the driver retries a transaction that lost its connection or hit a transient error.
- An event's key is its type, actor, one target, measure and *month* (``event_key``): reports
  of one event dated "2023-09" and "2023-09-01" meet, and an event with three targets is three
  events, as the contract says. Reports dated only by year ("last year") keep a year key and
  do not meet month-precise reports of the same event; reports of one event either side of a
  month boundary stay apart. Those are the price of a deterministic key.
- Bad records (unparsable line, missing url, wrong types, a type outside the closed sets) are
  counted and reported with their line number; the rest loads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from neo4j import Driver, ManagedTransaction, Session
from neo4j.exceptions import ClientError, DriverError, IncompleteCommit, Neo4jError

from chipwatch.errors import LoadError
from graph import queries
from graph.schema import TYPE_LABELS, EntityType, EventType, apply_schema

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 1000
COMMIT_RETRIES = 3
# Neo4j cannot index a value much over 8 kB; a key longer than this is a broken record.
MAX_KEY_CHARS = 1000
COUNTERS = (
    "nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted",
    "properties_set", "labels_added", "labels_removed",
)  # fmt: skip
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_ENTITY_TYPES = [t.value for t in EntityType]
_EVENT_TYPES = [t.value for t in EventType]
Record = dict[str, Any]


class RecordError(ValueError):
    """A record that does not follow the extraction contract; the message names the field."""


@dataclass(frozen=True)
class BadRecord:
    line: int
    reason: str


@dataclass
class LoadReport:
    """What a load did. ``new + replaced + unchanged + superseded + len(bad)`` is every record."""

    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    superseded: int = 0  # an earlier line for a url that a later line of the same file replaces
    bad: list[BadRecord] = field(default_factory=list)
    events_skipped: int = 0  # negated, or no actor the record can name
    counters: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def records(self) -> int:
        return self.new + self.replaced + self.unchanged + self.superseded + len(self.bad)

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records, "new": self.new, "replaced": self.replaced,
            "unchanged": self.unchanged, "superseded": self.superseded, "bad": len(self.bad),
            "events_skipped": self.events_skipped, "seconds": round(self.seconds, 3),
            **{k: self.counters.get(k, 0) for k in COUNTERS},
            "bad_records": [{"line": b.line, "reason": b.reason} for b in self.bad],
        }  # fmt: skip


@dataclass(frozen=True)
class Prepared:
    """A valid record, ready to write."""

    line: int
    url: str
    fingerprint: str
    record: Record


@dataclass
class _Unparsable:
    reason: str


# --- validation (pure) ---------------------------------------------------------------------


def _opt_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"{where}{key}: expected a string, got {type(value).__name__}")
    return value


def _req_str(obj: dict[str, Any], key: str, where: str) -> str:
    value = _opt_str(obj, key, where)
    if value is None or not value.strip():
        raise RecordError(f"{where}{key}: missing")
    return value.strip()


def _key(value: str | None, key: str, where: str) -> str | None:
    """A value that ends up in an index (an id, a url, a name): bounded in length."""
    if value is not None and len(value) > MAX_KEY_CHARS:
        raise RecordError(f"{where}{key}: longer than {MAX_KEY_CHARS} characters")
    return value


def _opt_date(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = _opt_str(obj, key, where)
    if value is not None and not _DATE.match(value):
        raise RecordError(f"{where}{key}: not a date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}")
    return value


def _opt_int(obj: dict[str, Any], key: str, where: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(f"{where}{key}: expected a whole number, got {type(value).__name__}")
    return value


def _opt_number(obj: dict[str, Any], key: str, where: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(f"{where}{key}: expected a number, got {type(value).__name__}")
    return float(value)


def _str_list(obj: dict[str, Any], key: str, where: str, *, nulls: bool = False) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    ok = isinstance(value, list) and all(isinstance(v, str) or (nulls and v is None) for v in value)
    if not ok:
        raise RecordError(f"{where}{key}: expected a list of strings")
    return list(value)


def _dicts(obj: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise RecordError(f"{key}: expected a list of objects")
    return value


def _choice(obj: dict[str, Any], key: str, where: str, allowed: list[str]) -> str:
    value = _req_str(obj, key, where)
    if value not in allowed:
        raise RecordError(f"{where}{key}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _entity(e: dict[str, Any], where: str) -> Record:
    roles = []
    for j, r in enumerate(_dicts(e, "roles")):
        w = f"{where}roles[{j}]."
        roles.append({
            "title": _key(_opt_str(r, "title", w), "title", w),
            "org_id": _key(_opt_str(r, "org_id", w), "org_id", w),
            "from": _opt_date(r, "from", w), "to": _opt_date(r, "to", w),
        })  # fmt: skip
    mentions = _opt_int(e, "mentions", where)
    return {
        "id": _key(_req_str(e, "id", where), "id", where),
        "name": _key(_req_str(e, "name", where), "name", where),
        "type": _choice(e, "type", where, _ENTITY_TYPES),
        "aliases": _str_list(e, "aliases_seen", where), "mentions": 1 if mentions is None else mentions,
        "wikidata": _opt_str(e, "wikidata", where), "role": _opt_str(e, "role", where),
        "roles": roles,
    }  # fmt: skip


def _event(ev: dict[str, Any], where: str) -> Record:
    negated = ev.get("negated", False)
    if not isinstance(negated, bool):
        raise RecordError(f"{where}negated: expected true or false")
    return {
        "type": _choice(ev, "type", where, _EVENT_TYPES),
        "actor": _opt_str(ev, "actor", where),
        "actor_id": _key(_opt_str(ev, "actor_id", where), "actor_id", where),
        "targets": _str_list(ev, "targets", where),
        "target_ids": [
            _key(t, "target_ids", where) for t in _str_list(ev, "target_ids", where, nulls=True)
        ],
        "measure": _key(_opt_str(ev, "measure", where), "measure", where),
        "measure_id": _key(_opt_str(ev, "measure_id", where), "measure_id", where),
        "date": _opt_date(ev, "date", where), "date_source": _opt_str(ev, "date_source", where),
        "sentence": _opt_str(ev, "sentence", where), "start": _opt_int(ev, "start", where),
        "end": _opt_int(ev, "end", where), "confidence": _opt_number(ev, "confidence", where),
        "negated": negated,
    }  # fmt: skip


def _quote(q: dict[str, Any], where: str) -> Record:
    return {
        "speaker": _key(_opt_str(q, "speaker", where), "speaker", where),
        "speaker_id": _key(_opt_str(q, "speaker_id", where), "speaker_id", where),
        "text": _req_str(q, "text", where), "start": _opt_int(q, "sentence_start", where),
    }  # fmt: skip


def _document(d: Any) -> Record | None:
    if d is None:
        return None
    if not isinstance(d, dict):
        raise RecordError("document: expected an object")
    w = "document."
    return {
        "document_number": _key(_req_str(d, "document_number", w), "document_number", w),
        "type": _opt_str(d, "type", w),
        "publication_date": _opt_date(d, "publication_date", w),
        "effective_on": _opt_date(d, "effective_on", w), "title": _opt_str(d, "title", w),
        "html_url": _opt_str(d, "html_url", w), "citation": _opt_str(d, "citation", w),
    }  # fmt: skip


def validate(obj: Any) -> Record:
    """The record in a normalised shape, or ``RecordError`` naming the first bad field."""
    if not isinstance(obj, dict):
        raise RecordError(f"expected a JSON object, got {type(obj).__name__}")
    url = _key(_req_str(obj, "url", ""), "url", "") or ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RecordError(f"url: not an http(s) URL: {url[:200]!r}")
    return {
        "url": url, "domain": _domain(parts.hostname),
        "published": _opt_date(obj, "published", ""), "title": _opt_str(obj, "title", ""),
        "site_name": _opt_str(obj, "site_name", ""), "authors": _str_list(obj, "authors", ""),
        "story_id": _key(_opt_str(obj, "story_id", ""), "story_id", ""), "extractor": _opt_str(obj, "extractor", ""),
        "entities": [_entity(e, f"entities[{i}].") for i, e in enumerate(_dicts(obj, "entities"))],
        "events": [_event(e, f"events[{i}].") for i, e in enumerate(_dicts(obj, "events"))],
        "quotes": [_quote(q, f"quotes[{i}].") for i, q in enumerate(_dicts(obj, "quotes"))],
        "document": _document(obj.get("document")),
    }  # fmt: skip


def _domain(host: str) -> str:
    return host.lower().removeprefix("www.")


def fingerprint(obj: Any) -> str:
    canonical = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def prepare(line: int, obj: Any) -> Prepared:
    """Validates one parsed record; raises ``RecordError``."""
    if isinstance(obj, _Unparsable):
        raise RecordError(obj.reason)
    record = validate(obj)
    return Prepared(line, record["url"], fingerprint(obj), record)


# --- rows for the write statements (pure) --------------------------------------------------


def event_period(date: str | None) -> str | None:
    """The date part of an event key: the month (``YYYY-MM``), or the year when that is all
    the report gives."""
    return None if date is None else date[:7]


def event_key(
    type_: str, actor_id: str, target_id: str | None, measure: str | None, period: str | None
) -> str:
    """The deterministic identity of one real-world event: a JSON array, so no id can run into
    its neighbour, and readable when an analyst looks at it."""
    parts = [type_, actor_id, target_id, measure, period]
    return json.dumps(parts, ensure_ascii=False, separators=(",", ":"))


def quote_key(speaker_id: str | None, speaker: str | None, text: str) -> str:
    """One quote, however many articles carry it: a hash, since quotes can be long."""
    who = speaker_id or (f"name:{speaker.strip()}" if speaker else None)
    canonical = json.dumps([who, " ".join(text.split())], ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class Rows:
    """The parameter lists of one batch, one per write statement."""

    sources: dict[str, Record] = field(default_factory=dict)
    articles: list[Record] = field(default_factory=list)
    entities: dict[str, Record] = field(default_factory=dict)
    mentions: dict[tuple[str, str], Record] = field(default_factory=dict)
    events: dict[str, Record] = field(default_factory=dict)
    reports: dict[tuple[str, str], Record] = field(default_factory=dict)
    quotes: dict[tuple[str, str], Record] = field(default_factory=dict)
    roles: list[Record] = field(default_factory=list)
    documents: list[Record] = field(default_factory=list)
    stories: list[Record] = field(default_factory=list)
    events_skipped: int = 0

    def statements(self) -> list[tuple[str, dict[str, Any]]]:
        """(statement, parameters) in dependency order."""
        plan: list[tuple[str, list[Record]]] = [
            (queries.MERGE_SOURCES, list(self.sources.values())),
            (queries.MERGE_ARTICLES, self.articles),
            (queries.MERGE_ENTITIES, list(self.entities.values())),
            (queries.MERGE_MENTIONS, _by_article(self.mentions.values())),
            (queries.MERGE_EVENTS, list(self.events.values())),
            (queries.MERGE_REPORTS, _by_article(self.reports.values())),
            (queries.MERGE_QUOTES, _by_article(self.quotes.values())),
            (queries.MERGE_ROLES, self.roles),
            (queries.MERGE_DOCUMENTS, self.documents),
            (queries.MERGE_SAME_STORY, self.stories),
        ]
        out = []
        for statement, rows in plan:
            if rows:
                params: dict[str, Any] = {"rows": rows}
                if statement is queries.MERGE_ENTITIES:
                    params["type_labels"] = TYPE_LABELS
                out.append((statement, params))
        return out


def _by_article(items: Iterable[Record]) -> list[Record]:
    grouped: dict[str, list[Record]] = {}
    for item in items:
        grouped.setdefault(item["url"], []).append(item)
    return [{"url": url, "items": group} for url, group in grouped.items()]


def build_rows(batch: Iterable[Prepared]) -> Rows:
    """Turns valid records into the rows the write statements take. Within a batch a later
    record's entity fields win over an earlier one's, as they would loading one by one."""
    rows = Rows()
    for p in batch:
        rec = p.record
        rows.sources[rec["domain"]] = {"domain": rec["domain"], "name": rec["site_name"]}
        rows.articles.append({
            "url": p.url, "domain": rec["domain"], "fingerprint": p.fingerprint,
            "props": _article_props(rec),
        })  # fmt: skip
        if rec["story_id"]:
            rows.stories.append({"url": p.url, "story_id": rec["story_id"]})
        if rec["document"]:
            doc = dict(rec["document"])
            number = doc.pop("document_number")
            rows.documents.append({"url": p.url, "document_number": number, "props": doc})
        known = _add_entities(rows, p.url, rec)
        _add_events(rows, p.url, rec, known)
        _add_quotes(rows, p.url, rec, known)
    return rows


def _article_props(rec: Record) -> Record:
    # Every property is present, None included: ``SET a += props`` then removes what a
    # replaced version had and this one lacks.
    keys = ("title", "published", "site_name", "authors", "story_id", "extractor")
    return {k: rec[k] for k in keys}


def _add_entities(rows: Rows, url: str, rec: Record) -> dict[str, str]:
    """Adds the record's entities, mentions and roles; returns its names and aliases (lower
    case) mapped to entity ids, for events and quotes that name an entity without its id."""
    known: dict[str, str] = {}
    for e in rec["entities"]:
        _put_entity(rows, {
            "id": e["id"], "name": e["name"], "type": e["type"], "wikidata": e["wikidata"],
            "aliases": sorted(set(e["aliases"])), "stub": False,
        })  # fmt: skip
        claims = []
        for r in e["roles"]:
            if r["title"] and r["org_id"]:
                claim = json.dumps([r["org_id"], r["title"]], ensure_ascii=False)
                claims.append(claim)
                _stub(rows, r["org_id"], None)
                rows.roles.append({"person_id": e["id"], "claim": claim, **r})
        mention = rows.mentions.get((url, e["id"]))
        if mention is not None:  # the record listed the entity twice: one mention, summed
            aliases = sorted(set(e["aliases"]) | set(mention["aliases"]))
            count = e["mentions"] + mention["count"]
            claims = sorted(set(claims) | set(mention["role_claims"] or []))
        else:
            aliases, count = sorted(set(e["aliases"])), e["mentions"]
        rows.mentions[(url, e["id"])] = {
            "url": url, "id": e["id"], "count": count, "aliases": aliases, "role": e["role"],
            "role_claims": sorted(claims) or None,
        }  # fmt: skip
        for name in (e["name"], *e["aliases"]):
            known.setdefault(name.strip().lower(), e["id"])
    return known


def _put_entity(rows: Rows, row: Record) -> None:
    old = rows.entities.get(row["id"])
    if old is not None:
        row["aliases"] = sorted(set(row["aliases"]) | set(old["aliases"]))
        row["wikidata"] = row["wikidata"] if row["wikidata"] is not None else old["wikidata"]
    rows.entities[row["id"]] = row


def _stub(rows: Rows, entity_id: str, name: str | None) -> None:
    if entity_id not in rows.entities:
        rows.entities[entity_id] = {
            "id": entity_id, "name": (name or "").strip()[:MAX_KEY_CHARS] or entity_id, "type": None,
            "wikidata": None, "aliases": [], "stub": True,
        }  # fmt: skip


def _resolve(entity_id: str | None, name: str | None, known: dict[str, str]) -> str | None:
    if entity_id:
        return entity_id
    return known.get(name.strip().lower()) if name else None


def _add_events(rows: Rows, url: str, rec: Record, known: dict[str, str]) -> None:
    for ev in rec["events"]:
        actor_id = _resolve(ev["actor_id"], ev["actor"], known)
        if ev["negated"] or actor_id is None:
            rows.events_skipped += 1
            continue
        names = ev["targets"] + [None] * (len(ev["target_ids"]) - len(ev["targets"]))
        ids = ev["target_ids"] + [None] * (len(names) - len(ev["target_ids"]))
        targets = [(_resolve(i, n, known), n) for i, n in zip(ids, names, strict=True)]
        resolved: list[tuple[str | None, str | None]] = [(i, n) for i, n in targets if i]
        if targets and not resolved:
            rows.events_skipped += 1  # it named whom it concerns, but nobody we can link
            continue
        measure_id = _resolve(ev["measure_id"], ev["measure"], known)
        measure_text = None if measure_id or not ev["measure"] else " ".join(ev["measure"].split())
        period = event_period(ev["date"] or rec["published"])
        _stub(rows, actor_id, ev["actor"])
        if measure_id:
            _stub(rows, measure_id, ev["measure"])
        for target_id, target_name in resolved or [(None, None)]:
            if target_id:
                _stub(rows, target_id, target_name)
            _add_event(rows, url, rec, ev, {
                "type": ev["type"], "actor_id": actor_id, "target_id": target_id,
                "measure_id": measure_id, "measure": measure_text, "period": period,
            })  # fmt: skip


def _add_event(rows: Rows, url: str, rec: Record, ev: Record, event: Record) -> None:
    key = event_key(
        event["type"], event["actor_id"], event["target_id"],
        event["measure_id"] or (f"text:{event['measure'].lower()}" if event["measure"] else None),
        event["period"],
    )  # fmt: skip
    rows.events[key] = {"key": key, **event}
    props = {
        "sentence": ev["sentence"], "start": ev["start"], "end": ev["end"],
        "confidence": ev["confidence"], "extractor": rec["extractor"], "date": ev["date"],
        "date_source": ev["date_source"],
    }  # fmt: skip
    old = rows.reports.get((key, url))
    # One article reporting one event twice is one piece of evidence: keep its best sentence.
    if old is None or _better(props, old["props"]):
        rows.reports[(key, url)] = {"key": key, "url": url, "props": props}


def _better(new: Record, old: Record) -> bool:
    new_rank = (new["confidence"] or 0.0, -(new["start"] or 0))
    old_rank = (old["confidence"] or 0.0, -(old["start"] or 0))
    return new_rank > old_rank


def _add_quotes(rows: Rows, url: str, rec: Record, known: dict[str, str]) -> None:
    for q in rec["quotes"]:
        speaker_id = _resolve(q["speaker_id"], q["speaker"], known)
        if speaker_id:
            _stub(rows, speaker_id, q["speaker"])
        key = quote_key(speaker_id, q["speaker"], q["text"])
        rows.quotes.setdefault((key, url), {
            "key": key, "url": url, "text": q["text"], "speaker": q["speaker"],
            "speaker_id": speaker_id, "start": q["start"],
        })  # fmt: skip


# --- writing -------------------------------------------------------------------------------


@dataclass
class _BatchResult:
    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    events_skipped: int = 0
    counters: Counter[str] = field(default_factory=Counter)


def _run(tx: ManagedTransaction, counters: Counter[str], statement: str, **params: Any) -> None:
    summary = tx.run(statement, params).consume()
    for name in COUNTERS:
        counters[name] += getattr(summary.counters, name)


@dataclass
class _Chunk:
    """One batch of valid records with its rows built ahead, and what was set aside on the way."""

    batch: list[Prepared]
    rows: Rows
    bad: list[BadRecord]
    superseded: int


def _write_batch(tx: ManagedTransaction, chunk: _Chunk) -> _BatchResult:
    """One batch in one transaction. The driver may call this again after a lost connection,
    so it decides what to write from what the database holds now, not from an earlier try."""
    result = _BatchResult()
    batch = chunk.batch
    stored = {
        r["url"]: r["fingerprint"]
        for r in tx.run(queries.FINGERPRINTS, urls=[p.url for p in batch])
    }
    todo = [p for p in batch if stored.get(p.url) != p.fingerprint]
    replaced = [p.url for p in todo if p.url in stored]
    result.unchanged = len(batch) - len(todo)
    result.replaced = len(replaced)
    result.new = len(todo) - len(replaced)
    old = _forget(tx, replaced, result.counters) if replaced else None
    rows = chunk.rows if not stored else build_rows(todo)
    result.events_skipped = rows.events_skipped
    for statement, params in rows.statements():
        _run(tx, result.counters, statement, **params)
    if old is not None:
        _drop_orphans(tx, old, result.counters)
    return result


def _forget(tx: ManagedTransaction, urls: list[str], counters: Counter[str]) -> dict[str, set[str]]:
    """Detaches the facts of articles about to be rewritten or deleted; returns what they
    pointed at, to check for orphans once the new facts are in."""
    old: dict[str, set[str]] = {
        k: set() for k in ("events", "quotes", "entities", "documents", "sources")
    }
    for record in tx.run(queries.OLD_LINKS, urls=urls):
        for k, keys in old.items():
            keys.update(record[k])
    _run(tx, counters, queries.FORGET_LINKS, urls=urls)
    return old


def _drop_orphans(tx: ManagedTransaction, old: dict[str, set[str]], counters: Counter[str]) -> None:
    # Roles first: an entity whose last tie was an unclaimed role is an orphan after that.
    ids = sorted(old["entities"])
    _run(tx, counters, queries.DROP_UNCLAIMED_ROLES, ids=ids)
    _run(tx, counters, queries.DROP_ORPHAN_EVENTS, keys=sorted(old["events"]))
    _run(tx, counters, queries.DROP_ORPHAN_QUOTES, keys=sorted(old["quotes"]))
    _run(tx, counters, queries.DROP_ORPHAN_DOCUMENTS, numbers=sorted(old["documents"]))
    _run(tx, counters, queries.DROP_ORPHAN_SOURCES, domains=sorted(old["sources"]))
    _run(tx, counters, queries.DROP_ORPHAN_ENTITIES, ids=ids)
    _run(tx, counters, queries.RECOMPUTE_ALIASES, ids=ids)


def _chunks(
    records: Iterable[tuple[int, Any]], size: int, skip_lines: frozenset[int]
) -> Iterator[_Chunk]:
    """Validates records and groups them into batches of ``size`` distinct urls; a url twice in
    one batch keeps its later record, as loading them one by one would."""
    batch: dict[str, Prepared] = {}
    bad: list[BadRecord] = []
    superseded = 0
    for line, obj in records:
        if line in skip_lines:
            superseded += 1
            continue
        try:
            item = prepare(line, obj)
        except RecordError as e:
            logger.debug("line %d: %s", line, e)
            bad.append(BadRecord(line, str(e)))
            continue
        if batch.pop(item.url, None) is not None:
            superseded += 1
        batch[item.url] = item
        if len(batch) >= size:
            yield _Chunk(list(batch.values()), build_rows(batch.values()), bad, superseded)
            batch, bad, superseded = {}, [], 0
    if batch or bad or superseded:
        yield _Chunk(list(batch.values()), build_rows(batch.values()), bad, superseded)


_DONE = object()


def _prefetch(items: Iterator[_Chunk], depth: int = 2) -> Iterator[_Chunk]:
    """Prepares the next batches in a thread while Neo4j writes the current one: parsing and
    shaping records is a third of a load's time, and the driver waits on the socket."""
    handoff: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except Exception as e:
            put(e)

    worker = threading.Thread(target=produce, name="chipwatch-load-prefetch", daemon=True)
    worker.start()
    try:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=10)


# --- the public entry points ---------------------------------------------------------------

Progress = Callable[[LoadReport], None]


def load_records(
    driver: Driver,
    records: Iterable[tuple[int, Any]],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    database: str | None = None,
    progress: Progress | None = None,
    skip_lines: frozenset[int] = frozenset(),
) -> LoadReport:
    """Loads ``(line number, parsed JSON)`` pairs in batches of ``batch_size`` records, one
    managed transaction each, after applying the schema; the records are validated and shaped
    in a background thread meanwhile. ``skip_lines`` are lines a later line for the same url
    supersedes. ``progress`` is called with the report so far after each batch. Raises
    ``LoadError`` when a batch still fails after the driver's retries; every batch before it
    stays loaded, and running again resumes."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    began = time.monotonic()
    report = LoadReport()
    try:
        apply_schema(driver, database=database)
    except (Neo4jError, DriverError) as e:
        raise LoadError(f"cannot reach Neo4j to apply the schema: {e}") from e
    # Notifications off: "property does not exist yet" on a first load is only noise.
    with driver.session(database=database, notifications_min_severity="OFF") as session:
        for chunk in _prefetch(_chunks(records, batch_size, skip_lines)):
            report.bad.extend(chunk.bad)
            report.superseded += chunk.superseded
            if chunk.batch:
                _write(session, chunk, report)
            report.seconds = time.monotonic() - began
            if progress is not None:
                progress(report)
    report.seconds = time.monotonic() - began
    return report


def _write(session: Session, chunk: _Chunk, report: LoadReport) -> None:
    """Writes one batch. A commit whose outcome the driver cannot know (the connection died
    during COMMIT) it does not retry; writing the batch again is safe, since what did commit is
    now unchanged. A batch Neo4j refuses is written record by record to find the bad one."""
    first, last = chunk.batch[0].line, chunk.batch[-1].line
    for attempt in range(1, COMMIT_RETRIES + 2):
        try:
            result = session.execute_write(_write_batch, chunk)
            break
        except IncompleteCommit as e:
            if attempt > COMMIT_RETRIES:
                raise LoadError(f"lines {first}-{last}: commit outcome unknown: {e}") from e
            logger.warning("lines %d-%d: commit outcome unknown; writing them again", first, last)
            time.sleep(attempt)
        except ClientError as e:
            if len(chunk.batch) > 1:
                logger.warning("lines %d-%d refused (%s); one by one now", first, last, e.message)
                for p in chunk.batch:
                    _write(session, _Chunk([p], build_rows([p]), [], 0), report)
            else:
                report.bad.append(BadRecord(first, f"refused by Neo4j: {e.message}"))
            return
        except (Neo4jError, DriverError) as e:
            raise LoadError(
                f"writing the batch of lines {first}-{last} failed: {e}. "
                "The batches before it are loaded; run the same load again to resume"
            ) from e
    report.new += result.new
    report.replaced += result.replaced
    report.unchanged += result.unchanged
    report.events_skipped += result.events_skipped
    report.counters.update(result.counters)


def read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """``(line number, parsed JSON)`` for each non-blank line; a line that is not JSON (or not
    UTF-8) comes as a marker that ``load_records`` reports as a bad record."""
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            try:
                yield number, json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                yield number, _Unparsable("not UTF-8 text")
            except json.JSONDecodeError as e:
                yield number, _Unparsable(f"not JSON: {e.msg} at column {e.colno}")


@dataclass(frozen=True)
class FileScan:
    records: int  # non-blank lines
    superseded: frozenset[int]  # lines a later line for the same url replaces


def scan_file(path: Path) -> FileScan:
    """One read of the file to count its records and find urls it holds more than once, so
    that loading it twice gives the same counts (the last line for a url wins)."""
    last: dict[str, int] = {}
    every: list[tuple[str, int]] = []
    count = 0
    for line, obj in read_jsonl(path):
        count += 1
        try:
            url = validate(obj)["url"]
        except RecordError:
            continue  # a bad line supersedes nothing: it is reported, the good one loads
        last[url] = line
        every.append((url, line))
    return FileScan(count, frozenset(line for url, line in every if last[url] != line))


def load_file(
    driver: Driver,
    path: Path | str,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    database: str | None = None,
    progress: Progress | None = None,
    scan: FileScan | None = None,
) -> LoadReport:
    """Loads a JSON Lines file of extraction records (see ``load_records``)."""
    path = Path(path)
    try:
        scan = scan or scan_file(path)
        return load_records(
            driver, read_jsonl(path), batch_size=batch_size, database=database,
            progress=progress, skip_lines=scan.superseded,
        )  # fmt: skip
    except OSError as e:
        raise LoadError(f"cannot read {path}: {e}") from e


def delete_articles(
    driver: Driver, urls: Iterable[str], *, database: str | None = None, batch_size: int = 1000
) -> int:
    """Deletes these articles and every fact only they supported (events, quotes, documents,
    sources, entities, aliases, roles); returns how many articles there were."""
    counters: Counter[str] = Counter()

    def delete_some(tx: ManagedTransaction, chunk: list[str]) -> int:
        old = _forget(tx, chunk, counters)
        summary = tx.run(queries.DELETE_ARTICLES, urls=chunk).consume()
        _drop_orphans(tx, old, counters)
        return int(summary.counters.nodes_deleted)

    deleted = 0
    chunk: list[str] = []
    with driver.session(database=database, notifications_min_severity="OFF") as session:
        for url in urls:
            chunk.append(url)
            if len(chunk) >= batch_size:
                deleted += session.execute_write(delete_some, chunk)
                chunk = []
        if chunk:
            deleted += session.execute_write(delete_some, chunk)
    return deleted
