"""The graph model: the closed sets of labels and relationship types, and applying the schema.

Nodes (key property in brackets, each with a named uniqueness constraint)::

    (:Article [url])  -[:PUBLISHED_BY]->  (:Source [domain])
    (:Article)        -[:MENTIONS {count, aliases, role, role_claims}]->  (:Entity:<Type> [id])
    (:Article)        -[:TEXT_OF]->        (:Document [document_number])
    (:Article)        -[:SAME_STORY]->     (:Article)          near-duplicates (same story_id)
    (:Event [key])    -[:ACTOR]-> (:Entity)   -[:TARGET]-> (:Entity)   -[:CONCERNS]-> (:Entity:Measure)
    (:Event)          -[:REPORTED_IN {sentence, start, end, confidence, extractor, date, date_source}]->
                      (:Article)
    (:Quote [key])    -[:SAID_BY]-> (:Entity)   -[:QUOTED_IN {start}]-> (:Article)
    (:Entity:Person)  -[:HOLDS_ROLE {title, from, to, claim}]-> (:Entity)

An ``Event`` is one real-world fact, not one sentence: its key is built from its type, actor,
target, measure and month (see ``graph.loader.event_key``), so five outlets reporting it make one
``Event`` with five ``REPORTED_IN`` links. Every fact an article contributes hangs off that
article (``MENTIONS``, ``REPORTED_IN``, ``QUOTED_IN``; a ``HOLDS_ROLE`` lasts while a ``MENTIONS``
carries its ``claim`` in ``role_claims``), which is what lets a re-load replace one article's
facts and nothing else.

``TEXT_OF`` is the one relationship the issue did not name: it ties a Federal Register document
to the article record its text came from, so a rule crawled at two addresses is one ``Document``.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from neo4j import Driver, ManagedTransaction

from graph import queries

logger = logging.getLogger(__name__)


class EntityType(StrEnum):
    """The entity types of the extraction contract; each is also a label on its ``Entity``."""

    PERSON = "Person"
    COMPANY = "Company"
    GOVERNMENT = "Government"
    COUNTRY = "Country"
    MEDIA = "Media"
    ORGANIZATION = "Organization"
    PRODUCT = "Product"
    TECHNOLOGY = "Technology"
    MEASURE = "Measure"


class EventType(StrEnum):
    PRESSURE = "PRESSURE"
    RESTRICTION = "RESTRICTION"
    LICENSING = "LICENSING"
    INVESTIGATION = "INVESTIGATION"
    PRODUCTION = "PRODUCTION"
    SUPPLY = "SUPPLY"
    RESISTANCE = "RESISTANCE"


NODE_LABELS: frozenset[str] = frozenset(
    {"Article", "Source", "Entity", "Event", "Quote", "Document", *EntityType}
)
REL_TYPES: frozenset[str] = frozenset(
    {
        "PUBLISHED_BY", "MENTIONS", "ACTOR", "TARGET", "CONCERNS", "REPORTED_IN", "SAID_BY",
        "QUOTED_IN", "HOLDS_ROLE", "SAME_STORY", "TEXT_OF",
    }
)  # fmt: skip
TYPE_LABELS: list[str] = [t.value for t in EntityType]


def apply_schema(driver: Driver, *, database: str | None = None) -> None:
    """Creates every constraint and index (``IF NOT EXISTS``: harmless to repeat) and waits
    until they are online, so the load that follows MERGEs on indexed keys from its first row."""
    # "already exists" notices on every repeat would only be noise.
    with driver.session(database=database, notifications_min_severity="OFF") as session:
        for statement in (*queries.SCHEMA, queries.AWAIT_INDEXES):
            session.execute_write(_consume, statement)
    logger.debug("schema applied (%d statements)", len(queries.SCHEMA))


def _consume(tx: ManagedTransaction, statement: str) -> None:
    tx.run(statement).consume()


def schema_names(driver: Driver, *, database: str | None = None) -> dict[str, set[str]]:
    """The names of the constraints and indexes the database holds, for checks and tests."""
    constraints, _, _ = driver.execute_query(queries.SHOW_CONSTRAINT_NAMES, database_=database)
    indexes, _, _ = driver.execute_query(queries.SHOW_INDEX_NAMES, database_=database)
    return {
        "constraints": {r["name"] for r in constraints},
        "indexes": {r["name"] for r in indexes},
    }
