"""The ``chipwatch`` command line. Only this module configures logging and prints."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from chipwatch import __version__
from chipwatch.errors import ChipwatchError
from chipwatch.settings import Settings

logger = logging.getLogger("chipwatch")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_NOT_RUNNING = 3  # as LSB init scripts report a stopped service


def _out(line: str) -> None:
    print(line, flush=True)


def cmd_db_start(args: argparse.Namespace, settings: Settings) -> int:
    from graph import local

    if settings.neo4j.external:
        return _check_external(settings)
    if not local.status(settings).running:
        _out(f"starting Neo4j at {local.local_uri(settings)} (data in {local.paths(settings).db_home})")
    result = local.start(settings)
    if result.removed_stale_pid:
        _out("removed a stale pid file left by a Neo4j that is no longer running")
    if result.already_running:
        _out(f"Neo4j is already running (pid {result.pid}) at {result.uri}")
    else:
        _out(f"Neo4j is ready at {result.uri} (pid {result.pid}, {result.seconds:.1f} s)")
    return EXIT_OK


def _check_external(settings: Settings) -> int:
    from graph.connection import connect

    _out(f"NEO4J_URI is set: using {settings.neo4j.uri}; chipwatch starts no server of its own")
    connect(settings).close()
    _out(f"Neo4j at {settings.neo4j.uri} answers")
    return EXIT_OK


def cmd_db_stop(args: argparse.Namespace, settings: Settings) -> int:
    from graph import local

    if settings.neo4j.external:
        _out(f"NEO4J_URI is set ({settings.neo4j.uri}): chipwatch does not stop that server")
        return EXIT_OK
    _out("Neo4j stopped" if local.stop(settings) else "Neo4j was not running")
    return EXIT_OK


def cmd_db_status(args: argparse.Namespace, settings: Settings) -> int:
    from graph import local

    if settings.neo4j.external:
        return _check_external(settings)
    st = local.status(settings)
    if st.running:
        _out(f"Neo4j is running (pid {st.pid}) at {st.uri}, data in {st.home}")
        return EXIT_OK
    note = " (stale pid file found)" if st.stale_pid_file else ""
    _out(f"Neo4j is not running{note}; start it with: chipwatch db start")
    return EXIT_NOT_RUNNING


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """For now: make sure Neo4j runs and answers a query over Bolt."""
    from graph.connection import connect, database

    if not settings.neo4j.external:
        cmd_db_start(args, settings)
    with connect(settings) as driver:
        records, _, _ = driver.execute_query(
            "CALL dbms.components() YIELD name, versions, edition "
            "RETURN name, versions[0] AS version, edition",
            database_=database(settings),
        )
        for r in records:
            _out(f"smoke query: {r['name']} {r['version']} {r['edition']} answers over Bolt")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chipwatch",
        description="Policy-news tracker and knowledge graph for semiconductor export controls.",
    )
    parser.add_argument("--version", action="version", version=f"chipwatch {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="manage the local Neo4j (ignored when NEO4J_URI is set)")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    _add(db_sub, "start", cmd_db_start, "start the local Neo4j and wait until Bolt answers")
    _add(db_sub, "stop", cmd_db_stop, "stop the local Neo4j cleanly")
    _add(db_sub, "status", cmd_db_status, "say whether the local Neo4j runs (exit 3 if not)")

    _add(sub, "demo", cmd_demo, "start Neo4j and run a smoke query")
    return parser


def _add(
    sub: argparse._SubParsersAction,
    name: str,
    func: Callable[[argparse.Namespace, Settings], int],
    help_text: str,
) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.set_defaults(func=func)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="chipwatch: %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("neo4j").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
        return int(args.func(args, settings))
    except ChipwatchError as e:
        print(f"chipwatch: error: {e}", file=sys.stderr, flush=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("chipwatch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
