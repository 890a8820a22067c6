// ally-responses
// What pressed allies did next: each RESTRICTION, LICENSING or RESISTANCE event of an entity
// that had been the target of PRESSURE in the same month or before, with who had pressed it,
// the month of the latest such pressure and whether a pressure had been about the same measure.
// @param ally   str = null    One ally, by id or exact name, e.g. country/jp; all when null.
// @param since  str = ""      First month of the responses: YYYY, YYYY-MM or YYYY-MM-DD.
// @param until  str = "9999"  Last month of the responses, in the same forms.
// @param limit  int = 500     Most rows.

OPTIONAL MATCH (x:Entity) WHERE x.id = $ally OR x.name = $ally
WITH collect(x) AS chosen
WHERE $ally IS NULL OR size(chosen) > 0
MATCH (p:Event)-[:TARGET]->(ally:Entity)
WHERE p.type = 'PRESSURE' AND (size(chosen) = 0 OR ally IN chosen)
WITH ally, collect(p) AS pressures
MATCH (r:Event)-[:ACTOR]->(ally)
WHERE r.type IN ['RESTRICTION', 'LICENSING', 'RESISTANCE']
  AND r.period >= left($since, 7) AND r.period <= $until + '~'
WITH ally, r, [p IN pressures WHERE p.period <= r.period] AS before
WHERE size(before) > 0
CALL (r, before) {
  UNWIND before AS p
  MATCH (p)-[:ACTOR]->(presser:Entity)
  WITH p, presser ORDER BY presser.name
  WITH collect(DISTINCT presser.name) AS pressed_by, max(p.period) AS last_pressure,
       collect(p.measure_id) AS measures
  RETURN pressed_by, last_pressure,
         r.measure_id IS NOT NULL AND r.measure_id IN measures AS same_measure
}
OPTIONAL MATCH (r)-[:TARGET]->(target:Entity)
OPTIONAL MATCH (r)-[:CONCERNS]->(m:Entity)
RETURN ally.name AS ally, r.period AS month, r.type AS response, target.name AS target,
       coalesce(m.name, r.measure) AS measure,
       COUNT { (r)-[:REPORTED_IN]->(:Article) } AS reports,
       pressed_by, last_pressure, same_measure, ally.id AS ally_id, r.key AS event
ORDER BY ally, month, response, target
LIMIT $limit
