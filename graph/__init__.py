"""graph: the Neo4j side of chipwatch (connection, the local launcher, schema, loader, queries)."""
