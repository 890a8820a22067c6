// pressure-network
// Who presses whom: one row per (actor, target) pair over PRESSURE events in the period, with
// the number of distinct events, their reports, the measures involved and the first and last
// month. An edge list for a network view.
// @param since       str = ""      First month: YYYY, YYYY-MM or YYYY-MM-DD.
// @param until       str = "9999"  Last month, in the same forms.
// @param min_events  int = 1       Leave out pairs with fewer events.
// @param limit       int = 200     Most pairs, the busiest first.

MATCH (e:Event)
WHERE e.type = 'PRESSURE' AND e.period >= left($since, 7) AND e.period <= $until + '~'
MATCH (e)-[:ACTOR]->(actor:Entity)
MATCH (e)-[:TARGET]->(target:Entity)
OPTIONAL MATCH (e)-[:CONCERNS]->(m:Entity)
WITH actor, target, e, coalesce(m.name, e.measure) AS measure
WITH actor, target, count(e) AS events,
     sum(COUNT { (e)-[:REPORTED_IN]->(:Article) }) AS reports,
     collect(DISTINCT measure) AS measures, min(e.period) AS first, max(e.period) AS last
WHERE events >= $min_events
RETURN actor.name AS actor, target.name AS target, events, reports, measures, first, last,
       actor.id AS actor_id, target.id AS target_id
ORDER BY events DESC, reports DESC, actor_id, target_id
LIMIT $limit
