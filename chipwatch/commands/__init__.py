"""The CLI's subcommands, one module per stage; each has ``register(subparsers)``."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from chipwatch.settings import Settings

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_NOT_RUNNING = 3  # as LSB init scripts report a stopped service

Handler = Callable[[argparse.Namespace, Settings], int]


def out(line: str) -> None:
    print(line, flush=True)


def add_command(
    sub: argparse._SubParsersAction, name: str, func: Handler, help_text: str
) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.set_defaults(func=func)
    return p


def scrapy_overrides(pairs: list[str]) -> dict[str, object]:
    """``--set KEY=VALUE`` Scrapy settings; values are parsed as JSON when they can be."""
    import json

    from chipwatch.errors import ConfigError

    result: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.isupper():
            raise ConfigError(f"--set takes SETTING=VALUE with an upper-case Scrapy setting, got {pair!r}")
        try:
            result[key] = json.loads(value)
        except ValueError:
            result[key] = value
    return result
