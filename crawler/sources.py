"""The source registry: which feeds, sitemaps and APIs the crawler reads, as data.

Sources live in ``crawler/sources.toml`` (or any TOML file of the same shape, or a list of
dicts built in code, e.g. by the demo site) and are validated strictly when loaded: a typo
in a key or a URL outside the source's ``allowed_domains`` is a ``ConfigError`` naming the
file and the source, not a crawl that silently fetches nothing or wanders off-site.

``{name}`` placeholders in ``urls`` and ``allowed_domains`` are filled from ``variables``;
the demo site uses ``{demo}`` for its base URL (``http://127.0.0.1:PORT``).
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from chipwatch.errors import ConfigError
from crawler.topic import topic_check

logger = logging.getLogger(__name__)

SourceKind = Literal["feed", "sitemap", "news_sitemap", "federal_register"]
KINDS: tuple[str, ...] = get_args(SourceKind)
DEFAULT_SOURCES = Path(__file__).with_name("sources.toml")

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_DOMAIN = re.compile(r"^[a-z0-9.-]+$")
_SOURCE_KEYS = frozenset(
    {
        "name",
        "kind",
        "urls",
        "allowed_domains",
        "language",
        "topic_filter",
        "politeness",
        "enabled",
        "description",
    }
)
_POLITENESS_KEYS = frozenset({"download_delay", "concurrency", "autothrottle_target"})


@dataclass(frozen=True)
class Politeness:
    """Per-source overrides of the crawler's global politeness; ``None`` keeps the default."""

    download_delay: float | None = None  # seconds between requests to the site
    concurrency: int | None = None  # requests in flight to the site at once
    autothrottle_target: float | None = None  # AutoThrottle's target concurrency

    def as_settings(self) -> dict[str, float | int]:
        """The overrides as Scrapy setting names (only those that are set)."""
        pairs = {
            "DOWNLOAD_DELAY": self.download_delay,
            "CONCURRENT_REQUESTS_PER_DOMAIN": self.concurrency,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": self.autothrottle_target,
        }
        return {k: v for k, v in pairs.items() if v is not None}


@dataclass
class Source:
    """One place articles are discovered: its entry URLs, and the domains it may fetch."""

    name: str
    kind: SourceKind
    urls: list[str]
    allowed_domains: list[str]
    language: str = "en"
    # False: keep everything. True: the default export-control filter. A list: own keywords.
    topic_filter: bool | list[str] = False
    politeness: Politeness = field(default_factory=Politeness)
    enabled: bool = True
    description: str = ""

    @property
    def filters_topic(self) -> bool:
        return self.topic_filter is not False

    @property
    def topic_keywords(self) -> list[str] | None:
        """The source's own keywords, or ``None`` for the default filter (or no filter)."""
        return self.topic_filter if isinstance(self.topic_filter, list) else None

    def check_topic(self, title: str, text: str) -> tuple[bool, str]:
        """``topic_check`` as this source is configured: always on topic without a filter."""
        if not self.filters_topic:
            return True, "no topic filter"
        return topic_check(title, text, self.topic_keywords)

    def allows(self, url: str) -> bool:
        """Whether ``url``'s host is one of ``allowed_domains`` or a subdomain of one."""
        return _host_allowed(urlsplit(url).hostname or "", self.allowed_domains)


def _host_allowed(host: str, domains: Iterable[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


class _Problem(Exception):
    """One validation failure inside a source; turned into a ConfigError with its context."""


def _fill(template: str, variables: Mapping[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in variables:
            known = ", ".join(sorted(variables)) or "none given"
            raise _Problem(f"unknown placeholder {{{key}}} in {template!r} (variables: {known})")
        value = str(variables[key])
        # "{demo}/feed.xml" with demo = "http://host/" must not become "http://host//feed.xml".
        return value.rstrip("/") if m.string.startswith("/", m.end()) else value

    return _PLACEHOLDER.sub(sub, template)


def _str_list(item: Mapping[str, Any], key: str) -> list[str]:
    value = item.get(key)
    if not isinstance(value, list) or not value:
        raise _Problem(f"{key} must be a non-empty list of strings")
    if not all(isinstance(v, str) and v.strip() for v in value):
        raise _Problem(f"{key} must hold only non-empty strings")
    return [v.strip() for v in value]


def _typed(item: Mapping[str, Any], key: str, kind: type | tuple[type, ...], default: Any) -> Any:
    value = item.get(key, default)
    # bool is an int in Python; a flag given where a number belongs is a mistake.
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        raise _Problem(f"{key} must be {_type_names(kind)}, got {value!r}")
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _type_names(kind: type | tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in _as_tuple(kind))


def _politeness(raw: Any) -> Politeness:
    if raw is None:
        return Politeness()
    if not isinstance(raw, Mapping):
        raise _Problem("politeness must be a table")
    unknown = sorted(set(raw) - _POLITENESS_KEYS)
    if unknown:
        raise _Problem(f"unknown politeness keys {unknown} (known: {sorted(_POLITENESS_KEYS)})")
    delay = _typed(raw, "download_delay", (int, float, type(None)), None)
    conc = _typed(raw, "concurrency", (int, type(None)), None)
    target = _typed(raw, "autothrottle_target", (int, float, type(None)), None)
    if delay is not None and delay < 0:
        raise _Problem("politeness.download_delay must be >= 0")
    if conc is not None and conc < 1:
        raise _Problem("politeness.concurrency must be >= 1")
    if target is not None and target <= 0:
        raise _Problem("politeness.autothrottle_target must be > 0")
    return Politeness(
        download_delay=None if delay is None else float(delay),
        concurrency=conc,
        autothrottle_target=None if target is None else float(target),
    )


def _topic_filter(raw: Any) -> bool | list[str]:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, list) and raw and all(isinstance(k, str) and k.strip() for k in raw):
        return [k.strip() for k in raw]
    raise _Problem(f"topic_filter must be true, false or a non-empty list of keywords, got {raw!r}")


def _domains(item: Mapping[str, Any], variables: Mapping[str, str]) -> list[str]:
    domains = [_fill(d, variables).lower() for d in _str_list(item, "allowed_domains")]
    for d in domains:
        # Scrapy's OffsiteMiddleware wants bare host names; a URL here would match nothing.
        if not _DOMAIN.match(d):
            raise _Problem(f"allowed_domains entry {d!r} must be a bare host name (no scheme/port)")
    return domains


def _urls(item: Mapping[str, Any], variables: Mapping[str, str], domains: list[str]) -> list[str]:
    urls = [_fill(u, variables) for u in _str_list(item, "urls")]
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _Problem(f"URL {url!r} is not an absolute http(s) URL")
        if not _host_allowed(parts.hostname, domains):
            raise _Problem(
                f"URL {url!r}: host {parts.hostname!r} is not in allowed_domains {domains}"
            )
    return urls


def _source(item: Any, variables: Mapping[str, str]) -> Source:
    if not isinstance(item, Mapping):
        raise _Problem("each source must be a table")
    unknown = sorted(set(item) - _SOURCE_KEYS)
    if unknown:
        raise _Problem(f"unknown keys {unknown} (known: {sorted(_SOURCE_KEYS)})")
    name = _typed(item, "name", str, None)
    if not _NAME.match(name):
        raise _Problem(f"name {name!r} must be lower-case letters, digits, '-', '_' or '.'")
    kind = _typed(item, "kind", str, None)
    if kind not in KINDS:
        raise _Problem(f"kind {kind!r} is not one of {list(KINDS)}")
    domains = _domains(item, variables)
    return Source(
        name=name,
        kind=kind,
        urls=_urls(item, variables, domains),
        allowed_domains=domains,
        language=_typed(item, "language", str, "en"),
        topic_filter=_topic_filter(item.get("topic_filter", False)),
        politeness=_politeness(item.get("politeness")),
        enabled=_typed(item, "enabled", bool, True),
        description=_typed(item, "description", str, "").strip(),
    )


def sources_from_dicts(
    items: Iterable[Mapping[str, Any]],
    origin: str = "<sources>",
    *,
    variables: Mapping[str, str] | None = None,
) -> list[Source]:
    """Validate source definitions given as dicts (the TOML tables' shape).

    ``origin`` names where they came from in error messages. Raises ``ConfigError``.
    """
    variables = dict(variables or {})
    sources: list[Source] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        label = f"#{i + 1}"
        if isinstance(item, Mapping) and isinstance(item.get("name"), str):
            label = repr(item["name"])
        try:
            source = _source(item, variables)
        except _Problem as e:
            raise ConfigError(f"{origin}: source {label}: {e}") from None
        if source.name in seen:
            raise ConfigError(f"{origin}: source {label}: duplicate name")
        seen.add(source.name)
        sources.append(source)
    logger.debug("loaded %d sources from %s", len(sources), origin)
    return sources


def load_sources(
    path: Path | None = None, *, variables: Mapping[str, str] | None = None
) -> list[Source]:
    """Load and validate a sources TOML file (default: the shipped ``crawler/sources.toml``).

    The file holds ``[[source]]`` tables and nothing else. Disabled sources are returned too;
    ``select`` leaves them out unless they are asked for by name.
    """
    path = Path(path) if path is not None else DEFAULT_SOURCES
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the sources file: {e.strerror or e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e
    unknown = sorted(set(data) - {"source"})
    if unknown:
        raise ConfigError(f"{path}: unknown top-level keys {unknown}; sources go in [[source]]")
    items = data.get("source", [])
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{path}: no [[source]] tables")
    return sources_from_dicts(items, origin=str(path), variables=variables)


def select(sources: Sequence[Source], names: Iterable[str] | None = None) -> list[Source]:
    """The sources to crawl: the named ones (in the order named, even if disabled), or every
    enabled source when no names are given. Unknown names are a ``ConfigError``."""
    wanted = [n for n in (names or []) if n]
    if not wanted:
        return [s for s in sources if s.enabled]
    by_name = {s.name: s for s in sources}
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        raise ConfigError(
            f"unknown source(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(by_name))}"
        )
    chosen = list(dict.fromkeys(wanted))  # asked twice, crawled once
    for name in chosen:
        if not by_name[name].enabled:
            logger.info("source %s is disabled but was asked for by name: crawling it", name)
    return [by_name[n] for n in chosen]
