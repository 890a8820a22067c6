"""Every Cypher statement the graph package runs itself: the schema and the loader's writes.

The analysts' named queries live beside this file in ``graph/cypher/*.cypher`` and are read by
``graph.library``. Nothing here is built by formatting: every value arrives as a parameter, and
the only labels that vary (the entity type labels) are set with Neo4j 5.26's ``$(...)`` dynamic
labels from a list that ``graph.loader`` has checked against ``graph.schema.EntityType``.

Every write is ``UNWIND $rows AS row MERGE ... {key: row.key}`` on a constrained key, so a
batch written twice (a retried transaction, a re-run after a crash) changes nothing the second
time. The deletes below remove what a replaced or deleted article alone supported.
"""

from __future__ import annotations

# --- schema --------------------------------------------------------------------------------

SCHEMA: tuple[str, ...] = (
    "CREATE CONSTRAINT article_url IF NOT EXISTS FOR (a:Article) REQUIRE a.url IS UNIQUE",
    "CREATE CONSTRAINT source_domain IF NOT EXISTS FOR (s:Source) REQUIRE s.domain IS UNIQUE",
    "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE",
    "CREATE CONSTRAINT event_key IF NOT EXISTS FOR (e:Event) REQUIRE e.key IS UNIQUE",
    "CREATE CONSTRAINT quote_key IF NOT EXISTS FOR (q:Quote) REQUIRE q.key IS UNIQUE",
    (
        "CREATE CONSTRAINT document_number IF NOT EXISTS "
        "FOR (d:Document) REQUIRE d.document_number IS UNIQUE"
    ),
    # The event queries seek (type, one party, month range) or (type, month range): an event's
    # parties are also properties of it (its key parts, which never change).
    "CREATE INDEX event_type_period IF NOT EXISTS FOR (e:Event) ON (e.type, e.period)",
    "CREATE INDEX event_type_actor IF NOT EXISTS FOR (e:Event) ON (e.type, e.actor_id, e.period)",
    (
        "CREATE INDEX event_type_target IF NOT EXISTS "
        "FOR (e:Event) ON (e.type, e.target_id, e.period)"
    ),
    (
        "CREATE INDEX event_type_measure IF NOT EXISTS "
        "FOR (e:Event) ON (e.type, e.measure_id, e.period)"
    ),
    "CREATE INDEX entity_name IF NOT EXISTS FOR (e:Entity) ON (e.name)",
    "CREATE INDEX article_story IF NOT EXISTS FOR (a:Article) ON (a.story_id)",
    "CREATE INDEX article_published IF NOT EXISTS FOR (a:Article) ON (a.published)",
    "CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (e:Entity) ON EACH [e.name, e.aliases]",
)
AWAIT_INDEXES = "CALL db.awaitIndexes(300)"
SHOW_CONSTRAINT_NAMES = "SHOW CONSTRAINTS YIELD name RETURN name"
SHOW_INDEX_NAMES = "SHOW INDEXES YIELD name RETURN name"

# --- reading what a batch will change ------------------------------------------------------

FINGERPRINTS = """
UNWIND $urls AS url
MATCH (a:Article {url: url})
RETURN a.url AS url, a.fingerprint AS fingerprint
"""

# What a replaced article pointed at, so that what only it supported can be removed afterwards.
OLD_LINKS = """
UNWIND $urls AS url
MATCH (a:Article {url: url})
RETURN
  [(a)<-[:REPORTED_IN]-(e:Event) | e.key] AS events,
  [(a)<-[:QUOTED_IN]-(q:Quote) | q.key] AS quotes,
  [(a)-[:MENTIONS]->(x:Entity) | x.id]
    + [(a)-[:MENTIONS]->(:Entity)-[:HOLDS_ROLE]->(x:Entity) | x.id]
    + [(a)<-[:REPORTED_IN]-(:Event)-[:ACTOR|TARGET|CONCERNS]->(x:Entity) | x.id]
    + [(a)<-[:QUOTED_IN]-(:Quote)-[:SAID_BY]->(x:Entity) | x.id] AS entities,
  [(a)-[:TEXT_OF]->(d:Document) | d.document_number] AS documents,
  [(a)-[:PUBLISHED_BY]->(s:Source) | s.domain] AS sources
"""

# --- removing one article's facts ----------------------------------------------------------

FORGET_LINKS = """
UNWIND $urls AS url
MATCH (a:Article {url: url})-[r:MENTIONS|REPORTED_IN|QUOTED_IN|SAME_STORY|TEXT_OF|PUBLISHED_BY]-()
DELETE r
"""

DELETE_ARTICLES = """
UNWIND $urls AS url
MATCH (a:Article {url: url})
DETACH DELETE a
"""

# --- removing what nothing supports any more -----------------------------------------------

DROP_ORPHAN_EVENTS = """
UNWIND $keys AS key
MATCH (e:Event {key: key})
WHERE NOT (e)-[:REPORTED_IN]->(:Article)
DETACH DELETE e
"""

DROP_ORPHAN_QUOTES = """
UNWIND $keys AS key
MATCH (q:Quote {key: key})
WHERE NOT (q)-[:QUOTED_IN]->(:Article)
DETACH DELETE q
"""

DROP_ORPHAN_DOCUMENTS = """
UNWIND $numbers AS number
MATCH (d:Document {document_number: number})
WHERE NOT (d)<-[:TEXT_OF]-(:Article)
DETACH DELETE d
"""

DROP_ORPHAN_SOURCES = """
UNWIND $domains AS domain
MATCH (s:Source {domain: domain})
WHERE NOT (s)<-[:PUBLISHED_BY]-(:Article)
DELETE s
"""

# An entity nobody mentions, acts, is targeted, speaks or holds a role any more.
DROP_ORPHAN_ENTITIES = """
UNWIND $ids AS id
MATCH (x:Entity {id: id})
WHERE NOT (x)--()
DELETE x
"""

DROP_UNCLAIMED_ROLES = """
UNWIND $ids AS id
MATCH (p:Entity {id: id})-[r:HOLDS_ROLE]->(:Entity)
WHERE NOT EXISTS { MATCH (p)<-[m:MENTIONS]-(:Article) WHERE r.claim IN m.role_claims }
DELETE r
"""

# Aliases are the union of what the articles that mention an entity called it; after an
# article is replaced, what only it said must go.
RECOMPUTE_ALIASES = """
UNWIND $ids AS id
MATCH (x:Entity {id: id})
CALL (x) {
  OPTIONAL MATCH (x)<-[m:MENTIONS]-(:Article)
  UNWIND coalesce(m.aliases, []) AS alias
  WITH DISTINCT alias ORDER BY alias
  RETURN collect(alias) AS aliases
}
SET x.aliases = aliases
"""

# --- writing a batch -----------------------------------------------------------------------

MERGE_SOURCES = """
UNWIND $rows AS row
MERGE (s:Source {domain: row.domain})
SET s.name = coalesce(row.name, s.name, row.domain)
"""

MERGE_ARTICLES = """
UNWIND $rows AS row
MERGE (a:Article {url: row.url})
SET a += row.props, a.fingerprint = row.fingerprint
WITH a, row
MATCH (s:Source {domain: row.domain})
MERGE (a)-[:PUBLISHED_BY]->(s)
"""

# Stubs are entities an event or a quote names without the record listing them: they must
# not overwrite what a full entry said.
MERGE_ENTITIES = """
UNWIND $rows AS row
MERGE (x:Entity {id: row.id})
SET x.name = CASE WHEN row.stub THEN coalesce(x.name, row.name) ELSE row.name END,
    x.type = coalesce(row.type, x.type),
    x.wikidata = coalesce(row.wikidata, x.wikidata)
WITH x, row
CALL (x, row) {
  UNWIND coalesce(x.aliases, []) + row.aliases AS alias
  WITH DISTINCT alias ORDER BY alias
  RETURN collect(alias) AS aliases
}
SET x.aliases = aliases
WITH x, row
WHERE row.type IS NOT NULL
REMOVE x:$([label IN labels(x) WHERE label IN $type_labels AND label <> row.type])
SET x:$(row.type)
"""

# Mentions, reports and quotes come grouped by article: one article lookup per record.
MERGE_MENTIONS = """
UNWIND $rows AS row
MATCH (a:Article {url: row.url})
UNWIND row.items AS item
MATCH (x:Entity {id: item.id})
MERGE (a)-[m:MENTIONS]->(x)
SET m.count = item.count, m.aliases = item.aliases, m.role = item.role,
    m.role_claims = item.role_claims
"""

MERGE_EVENTS = """
UNWIND $rows AS row
MERGE (e:Event {key: row.key})
ON CREATE SET e.type = row.type, e.period = row.period, e.actor_id = row.actor_id,
              e.target_id = row.target_id, e.measure_id = row.measure_id, e.measure = row.measure
WITH e, row
MATCH (actor:Entity {id: row.actor_id})
MERGE (e)-[:ACTOR]->(actor)
WITH e, row
CALL (e, row) {
  MATCH (target:Entity {id: row.target_id})
  MERGE (e)-[:TARGET]->(target)
}
CALL (e, row) {
  MATCH (measure:Entity {id: row.measure_id})
  MERGE (e)-[:CONCERNS]->(measure)
}
"""

MERGE_REPORTS = """
UNWIND $rows AS row
MATCH (a:Article {url: row.url})
UNWIND row.items AS item
MATCH (e:Event {key: item.key})
MERGE (e)-[r:REPORTED_IN]->(a)
SET r += item.props
"""

MERGE_QUOTES = """
UNWIND $rows AS row
MATCH (a:Article {url: row.url})
UNWIND row.items AS item
MERGE (q:Quote {key: item.key})
ON CREATE SET q.text = item.text, q.speaker = item.speaker
MERGE (q)-[r:QUOTED_IN]->(a)
SET r.start = item.start
WITH q, item
CALL (q, item) {
  MATCH (speaker:Entity {id: item.speaker_id})
  MERGE (q)-[:SAID_BY]->(speaker)
}
"""

# A role lasts while a mention claims it: the claim (org id and title) is kept on the MENTIONS
# of the article that said so, which a re-load replaces with the article's other facts.
MERGE_ROLES = """
UNWIND $rows AS row
MATCH (p:Entity {id: row.person_id})
MATCH (o:Entity {id: row.org_id})
MERGE (p)-[r:HOLDS_ROLE {title: row.title}]->(o)
SET r.claim = row.claim, r.from = coalesce(row.from, r.from), r.to = coalesce(row.to, r.to)
"""

MERGE_DOCUMENTS = """
UNWIND $rows AS row
MERGE (d:Document {document_number: row.document_number})
SET d += row.props
WITH d, row
MATCH (a:Article {url: row.url})
MERGE (a)-[:TEXT_OF]->(d)
"""

# One relationship per pair, pointing from the smaller url to the larger, so that the pair
# meets itself whichever of the two articles is loaded second.
MERGE_SAME_STORY = """
UNWIND $rows AS row
MATCH (a:Article {url: row.url})
MATCH (b:Article {story_id: row.story_id})
WHERE b.url <> a.url
WITH CASE WHEN a.url < b.url THEN a ELSE b END AS first,
     CASE WHEN a.url < b.url THEN b ELSE a END AS second
MERGE (first)-[:SAME_STORY]->(second)
"""
