// actor-profile
// One entity's record: the roles it holds, the events it took part in (as actor or as target,
// with the other side, the measure and the number of reports) and what it was quoted saying.
// @param entity  str = required  The entity, by id or exact name, e.g. person/gina-raimondo.
// @param limit   int = 500       Most rows.

MATCH (x:Entity) WHERE x.id = $entity OR x.name = $entity
CALL (x) {
  MATCH (x)-[r:HOLDS_ROLE]->(org:Entity)
  RETURN 'role' AS kind, r.from AS date, r.title AS what, null AS side,
         org.name AS counterpart, null AS measure, null AS reports, r.to AS until, null AS source
  UNION ALL
  MATCH (x)<-[:ACTOR]-(e:Event)
  OPTIONAL MATCH (e)-[:TARGET]->(other:Entity)
  OPTIONAL MATCH (e)-[:CONCERNS]->(m:Entity)
  RETURN 'event' AS kind, e.period AS date, e.type AS what, 'actor' AS side,
         other.name AS counterpart, coalesce(m.name, e.measure) AS measure,
         COUNT { (e)-[:REPORTED_IN]->(:Article) } AS reports, null AS until, null AS source
  UNION ALL
  MATCH (x)<-[:TARGET]-(e:Event)-[:ACTOR]->(other:Entity)
  OPTIONAL MATCH (e)-[:CONCERNS]->(m:Entity)
  RETURN 'event' AS kind, e.period AS date, e.type AS what, 'target' AS side,
         other.name AS counterpart, coalesce(m.name, e.measure) AS measure,
         COUNT { (e)-[:REPORTED_IN]->(:Article) } AS reports, null AS until, null AS source
  UNION ALL
  MATCH (x)<-[:SAID_BY]-(q:Quote)-[:QUOTED_IN]->(a:Article)
  WITH q, a ORDER BY a.published, a.url
  WITH q, collect(a) AS articles
  RETURN 'quote' AS kind, articles[0].published AS date, q.text AS what, null AS side,
         null AS counterpart, null AS measure, size(articles) AS reports, null AS until,
         articles[0].url AS source
}
RETURN x.name AS entity, kind, date, what, side, counterpart, measure, reports, until, source
ORDER BY CASE kind WHEN 'role' THEN 0 WHEN 'event' THEN 1 ELSE 2 END, date, what, counterpart
LIMIT $limit
