// entity-search
// Entities whose name or an alias matches the text (the full-text index; Lucene syntax, so
// "Tokyo Electron" finds both words, "Tok*" a prefix), with how many articles mention them.
// Use it to find the id another query wants.
// @param text   str = required  What to look for, e.g. SMIC.
// @param limit  int = 20        Most rows, best match first.

CALL db.index.fulltext.queryNodes('entity_names', $text) YIELD node, score
RETURN node.id AS id, node.name AS name, node.type AS type, node.aliases AS aliases,
       COUNT { (node)<-[:MENTIONS]-(:Article) } AS articles, score
ORDER BY score DESC, articles DESC, id
LIMIT $limit
