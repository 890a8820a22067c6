// company-exposure
// A company's exposure: what it makes, whom it supplies and who supplies it, and the
// restrictions, licensing decisions and investigations aimed at it, with counts of events and
// reports and the first and last month, per counterpart and measure.
// @param company  str = required  The company, by id or exact name, e.g. company/asml.
// @param limit    int = 500       Most rows.

MATCH (c:Entity) WHERE c.id = $company OR c.name = $company
CALL (c) {
  MATCH (c)<-[:ACTOR]-(e:Event)
  WHERE e.type IN ['PRODUCTION', 'SUPPLY']
  OPTIONAL MATCH (e)-[:TARGET]->(other:Entity)
  RETURN e, CASE e.type WHEN 'PRODUCTION' THEN 'makes' ELSE 'supplies' END AS relation, other
  UNION
  MATCH (c)<-[:TARGET]-(e:Event)-[:ACTOR]->(other:Entity)
  WHERE e.type IN ['SUPPLY', 'RESTRICTION', 'LICENSING', 'INVESTIGATION']
  RETURN e, CASE e.type
              WHEN 'SUPPLY' THEN 'supplied by'
              WHEN 'RESTRICTION' THEN 'restricted by'
              WHEN 'LICENSING' THEN 'licensing by'
              ELSE 'investigated by'
            END AS relation, other
}
OPTIONAL MATCH (e)-[:CONCERNS]->(m:Entity)
WITH c, relation, other, coalesce(m.name, e.measure) AS measure, e
WITH c, relation, other, measure, count(e) AS events,
     sum(COUNT { (e)-[:REPORTED_IN]->(:Article) }) AS reports,
     min(e.period) AS first, max(e.period) AS last
RETURN c.name AS company, relation, other.name AS counterpart, other.type AS counterpart_type,
       measure, events, reports, first, last, other.id AS counterpart_id
ORDER BY relation, reports DESC, counterpart, measure
LIMIT $limit
