// measure-history
// The life of one measure: every event that concerned it (who did what to whom, by month,
// with the number of reports) and the official documents (Federal Register rules) that
// reported such events, with their publication and effective dates.
// @param measure  str = required  The measure, by id or exact name, e.g. measure/entity-list.
// @param limit    int = 1000      Most rows, in date order.

MATCH (m:Entity) WHERE m.id = $measure OR m.name = $measure
CALL (m) {
  MATCH (m)<-[:CONCERNS]-(e:Event)-[:ACTOR]->(actor:Entity)
  OPTIONAL MATCH (e)-[:TARGET]->(target:Entity)
  CALL (e) {
    MATCH (e)-[:REPORTED_IN]->(a:Article)
    WITH a ORDER BY a.published, a.url
    RETURN count(a) AS reports, collect(a.url)[0] AS source
  }
  RETURN e.period AS date, 'event' AS kind, e.type AS type, actor.name AS actor,
         target.name AS target, reports, null AS document, null AS title,
         null AS effective_on, source
  UNION
  MATCH (m)<-[:CONCERNS]-(:Event)-[:REPORTED_IN]->(:Article)-[:TEXT_OF]->(d:Document)
  RETURN d.publication_date AS date, 'document' AS kind, d.type AS type, null AS actor,
         null AS target, null AS reports, d.document_number AS document, d.title AS title,
         d.effective_on AS effective_on, d.html_url AS source
}
RETURN m.name AS measure, date, kind, type, actor, target, reports, document, title,
       effective_on, source
ORDER BY date, kind, type, actor, target
LIMIT $limit
