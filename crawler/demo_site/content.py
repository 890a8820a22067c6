"""The demo site's content: outlets, article records and the editions they appear in.

Articles are data, one text file each under ``articles/<outlet>/<id>.txt``, written for this
project (facts of real events, our own words). A file is a header of ``key: value`` lines, a
line ``---``, then the body: paragraphs separated by blank lines. An optional line
``=== edition N ===`` starts paragraphs that a revision appends in edition N (the header then
gives ``revised_modified``). List values (authors, related, tags) are separated by ``;``.

This module does no HTTP; the server renders what it loads here.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).with_name("articles")
EDITIONS: tuple[int, ...] = (1, 2)

Topic = Literal["export-controls", "off-topic"]
Quirk = Literal["malformed-html", "mislabeled-encoding", "paywall"]
_QUIRKS = ("malformed-html", "mislabeled-encoding", "paywall")
_LIST_KEYS = frozenset({"authors", "related", "tags"})
_KNOWN_KEYS = frozenset(
    {
        "id",
        "title",
        "published",
        "modified",
        "authors",
        "byline",
        "section",
        "language",
        "topic",
        "syndicates",
        "edition",
        "revised_modified",
        "description",
        "image_caption",
        "image_credit",
        "image_alt",
        "related",
        "tags",
        "quirk",
        "private",
        "slug",
    }
)
_REVISION = re.compile(r"^=== edition (\d+) ===$")


class ContentError(ValueError):
    """An article file is malformed (the message names the file)."""


@dataclass(frozen=True)
class Outlet:
    """One publisher of the demo site: its URL prefix, page template and feed flavour."""

    key: str
    name: str
    template: str  # file name under templates/
    feed: Literal["rss", "atom", "news_sitemap", "sitemap"]  # what sources() offers for it
    language: str = "en"
    # Labels of UTC offsets (minutes) the outlet prints beside times, e.g. {540: "JST"}.
    tz_labels: dict[int, str] = field(default_factory=dict)
    tracking: str = ""  # query string its feed appends to article links
    description: str = ""

    @property
    def prefix(self) -> str:
        return f"/{self.key}"


OUTLETS: dict[str, Outlet] = {
    o.key: o
    for o in (
        Outlet(
            key="meridian",
            name="Meridian Wire",
            template="wire.html.j2",
            feed="rss",
            tz_labels={0: "UTC"},
            description="An international news agency: short dateline stories, JSON-LD metadata",
        ),
        Outlet(
            key="ledger",
            name="The Harbour Ledger",
            template="broadsheet.html.j2",
            feed="atom",
            tz_labels={0: "GMT", 60: "BST"},
            tracking="utm_source=atom&utm_medium=feed&utm_campaign=world",
            description="A London broadsheet: OpenGraph metadata, cookie banner, newsletter box",
        ),
        Outlet(
            key="fabline",
            name="FabLine",
            template="trade.html.j2",
            feed="rss",
            tz_labels={-480: "PST", -420: "PDT"},
            tracking="utm_source=rss&utm_medium=feed",
            description="A semiconductor trade site: <time datetime>, WordPress-like markup",
        ),
        Outlet(
            key="acd",
            name="Asia Commerce Daily",
            template="asia_daily.html.j2",
            feed="news_sitemap",
            tz_labels={540: "JST"},
            description="A Tokyo business daily: microdata, pubdate meta, metered paywall",
        ),
        Outlet(
            key="press",
            name="Commerce Press Office",
            template="gov_press.html.j2",
            feed="sitemap",
            tz_labels={-300: "EST", -240: "EDT"},
            description="A government press-release page: Dublin Core meta, no bylines",
        ),
    )
}


@dataclass(frozen=True)
class DemoArticle:
    """One article as of one edition (``body`` already includes that edition's revision)."""

    id: str
    outlet: str
    slug: str
    title: str
    published: str  # ISO 8601 with offset, in the outlet's local time
    authors: tuple[str, ...]
    section: str
    language: str
    topic: Topic
    body: tuple[str, ...]
    modified: str | None = None
    byline: str | None = None  # how the page prints the byline, when not "By A and B"
    description: str | None = None
    image_caption: str | None = None
    image_credit: str | None = None
    image_alt: str | None = None
    related: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    syndicates: str | None = None  # id of the original of a republished wire story
    edition: int = 1  # first edition in which it is published
    quirk: Quirk | None = None
    private: bool = False  # served under /private/, which robots.txt disallows
    revisions: tuple[tuple[int, str, tuple[str, ...]], ...] = ()  # (edition, modified, paras)

    @property
    def published_dt(self) -> datetime:
        return datetime.fromisoformat(self.published)

    @property
    def modified_dt(self) -> datetime | None:
        return datetime.fromisoformat(self.modified) if self.modified else None

    @property
    def updated_dt(self) -> datetime:
        """The last time the article changed: modified if set, else published."""
        return self.modified_dt or self.published_dt

    @property
    def text(self) -> str:
        """The body text as an extractor should find it: paragraphs joined by blank lines."""
        return "\n\n".join(self.visible_body)

    @property
    def visible_body(self) -> tuple[str, ...]:
        """The paragraphs a reader sees; a paywalled page shows only the first three."""
        return self.body[:3] if self.quirk == "paywall" else self.body

    @property
    def summary(self) -> str:
        return self.description or _first_sentence(self.body[0])

    def word_count(self) -> int:
        return sum(len(p.split()) for p in self.body)

    def as_of(self, edition: int) -> DemoArticle:
        """The article as served in ``edition``: revisions up to it applied."""
        body, modified = self.body, self.modified
        for rev_edition, rev_modified, paragraphs in self.revisions:
            if rev_edition <= edition:
                body, modified = body + paragraphs, rev_modified
        return replace(self, body=body, modified=modified, revisions=())


def _first_sentence(paragraph: str) -> str:
    # A dateline ("TOKYO, May 23 (Meridian Wire) - ") is not part of a summary.
    text = re.sub(r"^[A-Z][A-Z .,'/-]+, [A-Z][a-z]{2,8}\.? \d{1,2} \([^)]*\) - ", "", paragraph)
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return (m.group(1) if m else text)[:300]


def parse_article_file(path: Path, outlet: str) -> DemoArticle:
    """Parse one article file (format in the module docstring)."""
    raw = path.read_text(encoding="utf-8")
    head, sep, rest = raw.partition("\n---\n")
    if not sep:
        raise ContentError(f"{path}: no '---' line between header and body")
    meta = _parse_header(head, path)
    body, revisions = _parse_body(rest, path, meta.get("revised_modified"))
    missing = [k for k in ("id", "title", "published", "topic") if k not in meta]
    if missing:
        raise ContentError(f"{path}: missing header keys {missing}")
    if meta["id"] != path.stem:
        raise ContentError(f"{path}: id {meta['id']!r} differs from the file name")
    quirk = meta.get("quirk")
    if quirk is not None and quirk not in _QUIRKS:
        raise ContentError(f"{path}: unknown quirk {quirk!r}")
    for key in ("published", "modified", "revised_modified"):
        if key in meta:
            _check_iso(meta[key], path, key)
    return DemoArticle(
        id=meta["id"],
        outlet=outlet,
        slug=meta.get("slug") or _slugify(meta["title"]),
        title=meta["title"],
        published=meta["published"],
        modified=meta.get("modified"),
        authors=tuple(meta.get("authors", ())),
        byline=meta.get("byline"),
        section=meta.get("section", "News"),
        language=meta.get("language", OUTLETS[outlet].language),
        topic=meta["topic"],  # type: ignore[arg-type]
        body=body,
        description=meta.get("description"),
        image_caption=meta.get("image_caption"),
        image_credit=meta.get("image_credit"),
        image_alt=meta.get("image_alt"),
        related=tuple(meta.get("related", ())),
        tags=tuple(meta.get("tags", ())),
        syndicates=meta.get("syndicates"),
        edition=int(meta.get("edition", 1)),
        quirk=quirk,  # type: ignore[arg-type]
        private=meta.get("private", "") == "true",
        revisions=revisions,
    )


def _parse_header(head: str, path: Path) -> dict:
    meta: dict = {}
    for n, line in enumerate(head.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or key not in _KNOWN_KEYS:
            raise ContentError(f"{path}:{n}: unknown header line {line!r}")
        meta[key] = (
            [v.strip() for v in value.split(";") if v.strip()] if key in _LIST_KEYS else value
        )
    if meta.get("topic") not in ("export-controls", "off-topic"):
        raise ContentError(f"{path}: topic must be export-controls or off-topic")
    return meta


def _parse_body(
    rest: str, path: Path, revised_modified: str | None
) -> tuple[tuple[str, ...], tuple[tuple[int, str, tuple[str, ...]], ...]]:
    sections: list[tuple[int, list[str]]] = [(0, [])]
    for block in re.split(r"\n\s*\n", rest.strip()):
        block = " ".join(line.strip() for line in block.splitlines()).strip()
        m = _REVISION.match(block)
        if m:
            sections.append((int(m.group(1)), []))
        elif block:
            sections[-1][1].append(block)
    if not sections[0][1]:
        raise ContentError(f"{path}: empty body")
    revisions = []
    for edition, paragraphs in sections[1:]:
        if not revised_modified:
            raise ContentError(f"{path}: a revision needs 'revised_modified' in the header")
        revisions.append((edition, revised_modified, tuple(paragraphs)))
    return tuple(sections[0][1]), tuple(revisions)


def _check_iso(value: str, path: Path, key: str) -> None:
    try:
        dt = datetime.fromisoformat(value)
    except ValueError as e:
        raise ContentError(f"{path}: {key} {value!r} is not ISO 8601") from e
    if dt.tzinfo is None:
        raise ContentError(f"{path}: {key} {value!r} has no UTC offset")


def _slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:80].rstrip("-") or "article"


@lru_cache(maxsize=4)
def load_articles(data_dir: Path = DATA_DIR) -> tuple[DemoArticle, ...]:
    """Every article record (all editions), sorted by outlet then publication time."""
    articles: list[DemoArticle] = []
    for outlet in OUTLETS:
        folder = data_dir / outlet
        if not folder.is_dir():
            raise ContentError(f"{folder}: no article folder for outlet {outlet!r}")
        articles.extend(parse_article_file(p, outlet) for p in sorted(folder.glob("*.txt")))
    _check_references(articles)
    return tuple(sorted(articles, key=lambda a: (a.outlet, a.published_dt, a.id)))


def _check_references(articles: list[DemoArticle]) -> None:
    ids = [a.id for a in articles]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ContentError(f"duplicate article ids: {sorted(dupes)}")
    known = set(ids)
    for a in articles:
        dangling = [
            r for r in (*a.related, *([a.syndicates] if a.syndicates else [])) if r not in known
        ]
        if dangling:
            raise ContentError(f"article {a.id}: unknown related/syndicated ids {dangling}")


def articles_in_edition(
    edition: int, articles: tuple[DemoArticle, ...] | None = None
) -> list[DemoArticle]:
    """The articles published in ``edition``, each as it reads in that edition."""
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}, not {edition!r}")
    pool = load_articles() if articles is None else articles
    return [a.as_of(edition) for a in pool if a.edition <= edition]
