"""The ``chipwatch`` command line. Only this package configures logging and prints."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from chipwatch import __version__
from chipwatch.commands import EXIT_ERROR, crawl, db, extract
from chipwatch.errors import ChipwatchError
from chipwatch.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chipwatch",
        description="Policy-news tracker and knowledge graph for semiconductor export controls.",
    )
    parser.add_argument("--version", action="version", version=f"chipwatch {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (db, crawl, extract):
        module.register(sub)
    return parser


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
