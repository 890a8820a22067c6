"""`chipwatch db start | stop | status` and, for now, `chipwatch demo`."""

from __future__ import annotations

import argparse

from chipwatch.commands import EXIT_NOT_RUNNING, EXIT_OK, add_command, out
from chipwatch.settings import Settings


def cmd_db_start(args: argparse.Namespace, settings: Settings) -> int:
    from graph import local

    if settings.neo4j.external:
        return _check_external(settings)
    if not local.status(settings).running:
        out(f"starting Neo4j at {local.local_uri(settings)} (data in {local.paths(settings).db_home})")
    result = local.start(settings)
    if result.removed_stale_pid:
        out("removed a stale pid file left by a Neo4j that is no longer running")
    if result.already_running:
        out(f"Neo4j is already running (pid {result.pid}) at {result.uri}")
    else:
        out(f"Neo4j is ready at {result.uri} (pid {result.pid}, {result.seconds:.1f} s)")
    return EXIT_OK


def _check_external(settings: Settings) -> int:
    from graph.connection import connect

    out(f"NEO4J_URI is set: using {settings.neo4j.uri}; chipwatch starts no server of its own")
    connect(settings).close()
    out(f"Neo4j at {settings.neo4j.uri} answers")
    return EXIT_OK


def cmd_db_stop(args: argparse.Namespace, settings: Settings) -> int:
    from graph import local

    if settings.neo4j.external:
        out(f"NEO4J_URI is set ({settings.neo4j.uri}): chipwatch does not stop that server")
        return EXIT_OK
    out("Neo4j stopped" if local.stop(settings) else "Neo4j was not running")
    return EXIT_OK


def cmd_db_status(args: argparse.Namespace, settings: Settings) -> int:
    from graph import local

    if settings.neo4j.external:
        return _check_external(settings)
    st = local.status(settings)
    if st.running:
        out(f"Neo4j is running (pid {st.pid}) at {st.uri}, data in {st.home}")
        return EXIT_OK
    note = " (stale pid file found)" if st.stale_pid_file else ""
    out(f"Neo4j is not running{note}; start it with: chipwatch db start")
    return EXIT_NOT_RUNNING


def register(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="manage the local Neo4j (ignored when NEO4J_URI is set)")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    add_command(db_sub, "start", cmd_db_start, "start the local Neo4j and wait until Bolt answers")
    add_command(db_sub, "stop", cmd_db_stop, "stop the local Neo4j cleanly")
    add_command(db_sub, "status", cmd_db_status, "say whether the local Neo4j runs (exit 3 if not)")
