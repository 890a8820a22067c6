"""`chipwatch extract`: articles in, extraction records out (../shared/contract/extraction.md)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from chipwatch.commands import EXIT_ERROR, EXIT_OK, add_command
from chipwatch.errors import ExtractionError
from chipwatch.settings import Settings


def read_articles(name: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """The articles of one input: ``.json`` (an object or a list), ``.jsonl``, ``.txt`` or ``-``."""
    try:
        raw = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ExtractionError(f"{name}: cannot read: {e}") from e
    if name.endswith(".txt"):
        return [{"url": args.url or Path(name).resolve().as_uri(), "title": None,
                 "published": args.published, "text": raw}]  # fmt: skip
    try:
        if name.endswith(".jsonl") or name == "-":
            items = [json.loads(line) for line in raw.splitlines() if line.strip()]
        else:
            loaded = json.loads(raw)
            items = loaded if isinstance(loaded, list) else [loaded]
    except (ValueError, RecursionError) as e:
        raise ExtractionError(f"{name}: not valid JSON: {e}") from e
    return [_checked(item, name, n) for n, item in enumerate(items, 1)]


def _checked(item: Any, name: str, n: int) -> dict[str, Any]:
    where = f"{name} (article {n})"
    if not isinstance(item, dict):
        raise ExtractionError(f"{where}: an article is a JSON object, got {type(item).__name__}")
    if not isinstance(item.get("text"), str) or not item["text"].strip():
        raise ExtractionError(f"{where}: no \"text\"")
    try:
        json.dumps(item, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError) as e:
        raise ExtractionError(f"{where}: text that is not valid Unicode: {e}") from e
    published = item.get("published")
    if published is not None:
        try:
            date.fromisoformat(str(published)[:10])
        except ValueError as e:
            raise ExtractionError(f"{where}: \"published\" is not a date: {published!r}") from e
    return item


def _inputs(args: argparse.Namespace, failures: list[str]) -> Iterator[dict[str, Any]]:
    for name in args.inputs:
        try:
            yield from read_articles(name, args)
        except ExtractionError as e:
            failures.append(str(e))
            print(f"chipwatch: error: {e}", file=sys.stderr, flush=True)


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from nlp.pipeline import extract_many

    failures: list[str] = []
    count = 0
    for record in extract_many(_inputs(args, failures), n_process=args.n_process):
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    sys.stdout.flush()
    print(f"chipwatch: extracted {count} article(s); {len(failures)} input(s) failed",
          file=sys.stderr)  # fmt: skip
    return EXIT_ERROR if failures else EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "extract", cmd_extract,
                    "entities, events and quotes of articles, as JSON Lines on stdout")  # fmt: skip
    p.add_argument("inputs", nargs="+", metavar="ARTICLE",
                   help="ARTICLE.json, ARTICLES.jsonl, STORY.txt (with --published/--url) or -")  # fmt: skip
    p.add_argument("--published", help="publication date (YYYY-MM-DD) of .txt inputs")
    p.add_argument("--url", help="URL of .txt inputs")
    p.add_argument("--n-process", type=int, default=1, help="worker processes for spaCy")
