"""The one place a Neo4j driver is made from settings.

The driver is created at the edge (CLI, notebook, test fixture) and passed in to the code that
uses it. For the local server the password comes from the file the launcher was started with.
"""

from __future__ import annotations

from neo4j import Driver, GraphDatabase

from chipwatch.errors import DatabaseError
from chipwatch.settings import Settings
from graph import local


def bolt_uri(settings: Settings) -> str:
    n = settings.neo4j
    return n.uri if n.uri else f"bolt://{n.local_host}:{n.local_port}"


def auth(settings: Settings) -> tuple[str, str]:
    n = settings.neo4j
    if n.external:
        return n.username, n.password or ""
    return "neo4j", local.read_password(settings)


def connect(settings: Settings, *, verify: bool = True) -> Driver:
    """A driver for the configured server; ``verify`` fails fast with a clear message."""
    uri = bolt_uri(settings)
    driver = GraphDatabase.driver(uri, auth=auth(settings), user_agent="chipwatch")
    if verify:
        try:
            driver.verify_connectivity()
        except Exception as e:
            driver.close()
            hint = "" if settings.neo4j.external else " (is it running? try: chipwatch db start)"
            raise DatabaseError(f"cannot reach Neo4j at {uri}: {e}{hint}") from e
    return driver


def database(settings: Settings) -> str | None:
    """The database name to pass to ``execute_query``; None means the server's default."""
    return settings.neo4j.database
