// co-mentions
// The entities most often mentioned in the same articles as the given one.
// @param entity        str = required  The entity, by id or exact name, e.g. company/smic.
// @param since         str = ""        Only articles published on or after: YYYY, YYYY-MM or YYYY-MM-DD.
// @param until         str = "9999"    Only articles published on or before, in the same forms.
// @param min_articles  int = 1         Leave out entities in fewer shared articles.
// @param limit         int = 50        Most rows, the most frequent first.

MATCH (x:Entity) WHERE x.id = $entity OR x.name = $entity
MATCH (x)<-[:MENTIONS]-(a:Article)-[:MENTIONS]->(other:Entity)
WHERE other <> x AND coalesce(a.published, '') >= $since
  AND coalesce(a.published, '') <= $until + '~'
WITH x, other, count(DISTINCT a) AS articles, max(a.published) AS last_seen
WHERE articles >= $min_articles
RETURN x.name AS entity, other.name AS other, other.type AS type, articles, last_seen,
       other.id AS other_id
ORDER BY articles DESC, other, other_id
LIMIT $limit
