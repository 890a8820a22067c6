// quotes-by
// What a person (or any entity) was quoted saying: one row per distinct quote, newest first,
// with the date it was first reported, how many articles carried it, by which outlets, and
// the first article.
// @param speaker  str = required  The speaker, by id or exact name, e.g. person/gina-raimondo.
// @param since    str = ""        First reported on or after: YYYY, YYYY-MM or YYYY-MM-DD.
// @param until    str = "9999"    First reported on or before, in the same forms.
// @param limit    int = 200       Most rows.

MATCH (x:Entity) WHERE x.id = $speaker OR x.name = $speaker
MATCH (x)<-[:SAID_BY]-(q:Quote)-[:QUOTED_IN]->(a:Article)
OPTIONAL MATCH (a)-[:PUBLISHED_BY]->(s:Source)
WITH x, q, a, s ORDER BY a.published, a.url
WITH x, q, collect(a) AS articles, collect(DISTINCT s.name) AS outlets
WITH x, q, articles, outlets, articles[0] AS first
WHERE coalesce(first.published, '') >= $since AND coalesce(first.published, '') <= $until + '~'
RETURN x.name AS speaker, first.published AS date, q.text AS quote, size(articles) AS articles,
       outlets, first.url AS source
ORDER BY date DESC, quote
LIMIT $limit
