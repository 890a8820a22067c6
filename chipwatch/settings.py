"""Settings, read once from the environment.

Two ways to reach Neo4j: set ``NEO4J_URI`` (with ``NEO4J_USERNAME``, ``NEO4J_PASSWORD`` and
optionally ``NEO4J_DATABASE``) to use an existing server, or leave it unset and chipwatch runs
its own embedded Neo4j on 127.0.0.1, with a generated password kept in a file only the user can
read. Secrets are never logged: ``Settings.__repr__`` hides them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from chipwatch.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_SIZE = re.compile(r"^\d+[kmg]?$", re.IGNORECASE)


def _default_home() -> Path:
    # In a source checkout the state lives beside the code (git-ignored ``var/``); an
    # installed copy has no checkout to write into.
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / "var"
    return Path.home() / ".local" / "share" / "chipwatch"


def _env_int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as e:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from e


def _env_size(env: dict[str, str], name: str, default: str) -> str:
    raw = env.get(name) or default
    if not _SIZE.match(raw):
        raise ConfigError(f"{name} must be a size such as 512m or 2g, got {raw!r}")
    return raw.lower()


@dataclass(frozen=True)
class Neo4jSettings:
    """How to reach Neo4j, and how to run the local one when no ``NEO4J_URI`` is given."""

    uri: str | None = None
    username: str = "neo4j"
    password: str | None = field(default=None, repr=False)
    database: str | None = None
    local_host: str = "127.0.0.1"
    local_port: int = 7687
    heap: str = "2g"
    pagecache: str = "1g"
    start_timeout: float = 180.0

    @property
    def external(self) -> bool:
        """True when the user pointed chipwatch at their own server."""
        return bool(self.uri)


@dataclass(frozen=True)
class Settings:
    home: Path
    neo4j: Neo4jSettings
    store_path: Path = Path("var/articles.sqlite")
    sources_file: Path = PROJECT_ROOT / "crawler" / "sources.toml"

    @property
    def neo4j_home(self) -> Path:
        return self.home / "neo4j"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        home = Path(env.get("CHIPWATCH_HOME") or _default_home()).expanduser().resolve()
        neo4j = Neo4jSettings(
            uri=env.get("NEO4J_URI") or None,
            username=env.get("NEO4J_USERNAME") or "neo4j",
            password=env.get("NEO4J_PASSWORD") or None,
            database=env.get("NEO4J_DATABASE") or None,
            local_host="127.0.0.1",
            local_port=_env_int(env, "CHIPWATCH_NEO4J_PORT", 7687),
            heap=_env_size(env, "CHIPWATCH_NEO4J_HEAP", "2g"),
            pagecache=_env_size(env, "CHIPWATCH_NEO4J_PAGECACHE", "1g"),
            start_timeout=float(_env_int(env, "CHIPWATCH_NEO4J_START_TIMEOUT", 180)),
        )
        store = Path(env.get("CHIPWATCH_STORE") or home / "articles.sqlite").expanduser()
        sources = Path(env.get("CHIPWATCH_SOURCES") or PROJECT_ROOT / "crawler" / "sources.toml")
        return cls(home=home, neo4j=neo4j, store_path=store, sources_file=sources)
