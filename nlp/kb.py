"""The curated knowledge base (``nlp/kb/*.jsonl``): canonical entities and every surface form
that names them. Loaded once per process and shared by the components that need it."""

from __future__ import annotations

import json
import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from chipwatch.errors import ChipwatchError

logger = logging.getLogger(__name__)

# CHIPWATCH_KB_DIR points at a knowledge base of one's own (same file layout).
KB_DIR = Path(os.environ.get("CHIPWATCH_KB_DIR") or Path(__file__).resolve().parent / "kb")
TYPES = (
    "Person", "Company", "Government", "Country", "Media", "Organization", "Product",
    "Technology", "Measure",
)  # fmt: skip
_ID_PREFIX = {
    "Person": "person", "Company": "company", "Government": "government", "Country": "country",
    "Media": "media", "Organization": "org", "Product": "product", "Technology": "tech",
    "Measure": "measure",
}  # fmt: skip


class KBError(ChipwatchError):
    """A knowledge-base file that cannot be used; the message names the file and line."""


def norm(text: str) -> str:
    """The key aliases are looked up by: case, punctuation, possessives and "the" folded."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").lower()
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"^the ", "", text)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", norm(text)).strip("-") or "unnamed"


def make_id(type_: str, name: str) -> str:
    """A stable id for a name outside the KB, from its type and normalised name."""
    return f"{_ID_PREFIX.get(type_, 'entity')}/{slug(name)}"


@dataclass(frozen=True)
class Entity:
    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    country: str | None = None
    roles: tuple[dict[str, Any], ...] = ()
    descriptions: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    capitals: tuple[str, ...] = ()
    imposed_by: str | None = None  # for measures: the government that imposes it
    maker: str | None = None  # for products: the company that sells it
    generic: bool = False  # a broad concept: linked, but not listed as an entity of the story

    @property
    def role(self) -> str | None:
        """The latest role's title, for the contract's ``role`` field."""
        if not self.roles:
            return None
        latest = max(self.roles, key=lambda r: str(r.get("from") or ""))
        return latest.get("title")

    @property
    def surname(self) -> str | None:
        if self.type != "Person":
            return None
        parts = self.name.split()
        return parts[-1] if len(parts) > 1 else None


@dataclass
class KnowledgeBase:
    entities: dict[str, Entity] = field(default_factory=dict)
    by_alias: dict[str, list[str]] = field(default_factory=dict)  # norm(alias) -> ids
    by_description: dict[str, list[str]] = field(default_factory=dict)
    version: str = "kb"

    def add(self, entity: Entity) -> None:
        self.entities[entity.id] = entity
        for alias in {entity.name, *entity.aliases, *entity.demonyms, *entity.capitals}:
            ids = self.by_alias.setdefault(norm(alias), [])
            if entity.id not in ids:
                ids.append(entity.id)
        for desc in entity.descriptions:
            ids = self.by_description.setdefault(norm(desc), [])
            if entity.id not in ids:
                ids.append(entity.id)

    def lookup(self, text: str) -> list[Entity]:
        return [self.entities[i] for i in self.by_alias.get(norm(text), [])]

    def get(self, entity_id: str) -> Entity | None:
        return self.entities.get(entity_id)

    def surface_forms(self) -> dict[str, list[str]]:
        """Every alias as written, per entity id (for the phrase matcher)."""
        return {
            e.id: sorted({e.name, *e.aliases, *e.demonyms, *e.capitals}) for e in self.entities.values()
        }


def _entity(raw: dict[str, Any], where: str) -> Entity:
    try:
        type_ = raw["type"]
        if type_ not in TYPES:
            raise KBError(f"{where}: unknown type {type_!r}")
        return Entity(
            id=str(raw["id"]), name=str(raw["name"]), type=type_,
            aliases=tuple(raw.get("aliases") or ()), wikidata=raw.get("wikidata"),
            country=raw.get("country"), roles=tuple(raw.get("roles") or ()),
            descriptions=tuple(raw.get("descriptions") or ()),
            demonyms=tuple(raw.get("demonyms") or ()), capitals=tuple(raw.get("capitals") or ()),
            imposed_by=raw.get("imposed_by"), maker=raw.get("maker"), generic=bool(raw.get("generic")),
        )  # fmt: skip
    except KeyError as e:
        raise KBError(f"{where}: missing key {e}") from e


def load_kb(directory: Path = KB_DIR) -> KnowledgeBase:
    kb = KnowledgeBase()
    files = sorted(directory.glob("*.jsonl"))
    if not files:
        raise KBError(f"{directory}: no knowledge-base files (*.jsonl)")
    newest = 0.0
    for path in files:
        newest = max(newest, path.stat().st_mtime)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except ValueError as e:
                raise KBError(f"{path.name}:{n}: not JSON: {e}") from e
            kb.add(_entity(raw, f"{path.name}:{n}"))
    kb.version = f"kb {len(kb.entities)} entities"
    logger.debug("knowledge base: %d entities, %d aliases", len(kb.entities), len(kb.by_alias))
    return kb


@lru_cache(maxsize=4)
def shared_kb(directory: str = str(KB_DIR)) -> KnowledgeBase:
    """One KB per process: components look it up instead of pickling it into the pipeline."""
    return load_kb(Path(directory))
