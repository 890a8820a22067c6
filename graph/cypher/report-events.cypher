// report-events
// Every event with its evidence, as the HTML report shows it: one row per event (type, actor,
// target, measure and month), each report's sentence, date and article, earliest first.
// @param since  str = ""    First month: YYYY, YYYY-MM or YYYY-MM-DD; "" for all.
// @param limit  int = 5000  Most rows, in month order.

MATCH (e:Event)
WHERE coalesce(e.period, '') >= left($since, 7)
WITH e ORDER BY e.period, e.key LIMIT $limit
MATCH (e)-[:ACTOR]->(actor:Entity)
OPTIONAL MATCH (e)-[:TARGET]->(target:Entity)
OPTIONAL MATCH (e)-[:CONCERNS]->(measure:Entity)
CALL (e) {
  MATCH (e)-[r:REPORTED_IN]->(a:Article)
  OPTIONAL MATCH (a)-[:PUBLISHED_BY]->(s:Source)
  WITH r, a, s ORDER BY a.published, a.url
  RETURN collect({sentence: r.sentence, date: r.date, url: a.url, title: a.title,
                  published: a.published, source: s.name}) AS evidence
}
RETURN e.key AS key, e.type AS type, e.period AS month, actor.name AS actor,
       actor.id AS actor_id, target.name AS target, target.id AS target_id,
       coalesce(measure.name, e.measure) AS measure, evidence
ORDER BY month, key
