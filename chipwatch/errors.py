"""The one exception tree of chipwatch: a subclass per stage, third-party errors wrapped."""

from __future__ import annotations


class ChipwatchError(Exception):
    """Base of every error chipwatch raises on purpose; the CLI prints these as one line."""


class ConfigError(ChipwatchError):
    """The settings or the environment are not usable (missing Java, bad value, ...)."""


class DatabaseError(ChipwatchError):
    """Neo4j could not be started, stopped or reached."""


class CrawlError(ChipwatchError):
    """A crawl could not run."""


class ExtractionError(ChipwatchError):
    """An article or text could not be extracted."""


class LoadError(ChipwatchError):
    """Extraction records could not be loaded into the graph."""
