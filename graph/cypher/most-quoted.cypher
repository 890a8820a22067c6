// most-quoted
// The people quoted most often: how many distinct quotes each has, with one of them.
// @param limit  int = 15  Most rows.

MATCH (p:Person)<-[:SAID_BY]-(q:Quote)
WITH p, count(q) AS quotes, collect(q.text)[0] AS example
RETURN p.name AS speaker, p.id AS speaker_id, quotes, example
ORDER BY quotes DESC, speaker
LIMIT $limit
