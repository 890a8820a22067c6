// pressure-timeline
// Who pressed whom about what, by month: one row per PRESSURE event (one actor, target, measure
// and month, however many outlets reported it), with how many reports and distinct outlets
// corroborate it and links to the earliest reports.
// Entities are named by id (country/nl) or exact canonical name (Netherlands).
// @param ally     str = null    The pressed side, e.g. country/nl.
// @param actor    str = null    Who pressed, e.g. country/us.
// @param measure  str = null    What about, e.g. measure/servicing-ban.
// @param since    str = ""      First month: YYYY, YYYY-MM or YYYY-MM-DD (whole month counts).
// @param until    str = "9999"  Last month, in the same forms.
// @param links    int = 3       Source links per row, earliest first.
// @param limit    int = 500     Most rows, in month order.

OPTIONAL MATCH (x:Entity) WHERE x.id = $ally OR x.name = $ally
WITH collect(x.id) AS allies
OPTIONAL MATCH (x:Entity) WHERE x.id = $actor OR x.name = $actor
WITH allies, collect(x.id) AS actors
OPTIONAL MATCH (x:Entity) WHERE x.id = $measure OR x.name = $measure
WITH allies, actors, collect(x.id) AS measures, left($since, 7) AS first, $until + '~' AS last
// A filter that names nobody known matches nothing rather than everything.
WHERE ($ally IS NULL OR size(allies) > 0)
  AND ($actor IS NULL OR size(actors) > 0)
  AND ($measure IS NULL OR size(measures) > 0)
// Start from one index seek: (type, party, month range) for the first filter given, or
// (type, month range) when there is none; never a scan over all events. Sorting by the
// index's own order lets each seek stop after $limit events.
CALL (allies, actors, measures, first, last) {
  UNWIND allies AS id
  CALL (id, actors, measures, first, last) {
    MATCH (e:Event)
    WHERE e.type = 'PRESSURE' AND e.target_id = id AND e.period >= first AND e.period <= last
      AND (size(actors) = 0 OR e.actor_id IN actors)
      AND (size(measures) = 0 OR e.measure_id IN measures)
    WITH e ORDER BY e.type, e.target_id, e.period, e.actor_id, e.measure_id LIMIT $limit
    RETURN e
  }
  RETURN e
  UNION
  WITH * WHERE size(allies) = 0
  UNWIND measures AS id
  CALL (id, actors, first, last) {
    MATCH (e:Event)
    WHERE e.type = 'PRESSURE' AND e.measure_id = id AND e.period >= first AND e.period <= last
      AND (size(actors) = 0 OR e.actor_id IN actors)
    WITH e ORDER BY e.type, e.measure_id, e.period, e.actor_id, e.target_id LIMIT $limit
    RETURN e
  }
  RETURN e
  UNION
  WITH * WHERE size(allies) = 0 AND size(measures) = 0
  UNWIND actors AS id
  CALL (id, first, last) {
    MATCH (e:Event)
    WHERE e.type = 'PRESSURE' AND e.actor_id = id AND e.period >= first AND e.period <= last
    WITH e ORDER BY e.type, e.actor_id, e.period, e.target_id, e.measure_id LIMIT $limit
    RETURN e
  }
  RETURN e
  UNION
  WITH * WHERE size(allies) = 0 AND size(measures) = 0 AND size(actors) = 0
  CALL (first, last) {
    MATCH (e:Event)
    WHERE e.type = 'PRESSURE' AND e.period >= first AND e.period <= last
    WITH e ORDER BY e.type, e.period, e.actor_id, e.target_id, e.measure_id LIMIT $limit
    RETURN e
  }
  RETURN e
}
WITH e ORDER BY e.period, e.actor_id, e.target_id, e.measure_id LIMIT $limit
MATCH (e)-[:ACTOR]->(actor:Entity)
OPTIONAL MATCH (e)-[:TARGET]->(target:Entity)
OPTIONAL MATCH (e)-[:CONCERNS]->(measure:Entity)
CALL (e) {
  MATCH (e)-[:REPORTED_IN]->(a:Article)-[:PUBLISHED_BY]->(s:Source)
  WITH a, s ORDER BY a.published, a.url
  RETURN count(a) AS reports, count(DISTINCT s) AS outlets, collect(a.url)[..$links] AS sources
}
RETURN e.period AS month, actor.name AS actor, target.name AS target,
       coalesce(measure.name, e.measure) AS measure, reports, outlets, sources,
       actor.id AS actor_id, target.id AS target_id, measure.id AS measure_id, e.key AS event
ORDER BY month, actor_id, target_id, measure_id
