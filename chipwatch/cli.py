"""The ``chipwatch`` command line. Only this package configures logging and prints."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from chipwatch import __version__
from chipwatch.commands import EXIT_ERROR, crawl, db, extract, graph, nightly
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
    for module in (db, crawl, extract, graph, nightly):
        module.register(sub)
    return parser


class JsonLines(logging.Formatter):
    """One JSON object per log line, for the file ops point their log shipper at."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
            "logger": record.name, "message": record.getMessage(),
        }  # fmt: skip
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(verbose: bool) -> None:
    """Readable lines on stderr; JSON lines in CHIPWATCH_LOG_FILE as well when it is set."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="chipwatch: %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    log_file = os.environ.get("CHIPWATCH_LOG_FILE")
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(JsonLines())
        logging.getLogger().addHandler(handler)
    logging.getLogger("neo4j").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
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
