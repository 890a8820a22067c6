"""The crawler's record type: one ``Article`` per extracted page.

This is the crawler stage's boundary: nlp/ and graph/ import this record and nothing else of
the crawler. ``to_extract_input`` gives the input shape of ``chipwatch extract``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from typing import Any

_SPACE = re.compile(r"\s+")


def content_hash(text: str) -> str:
    """Hash of the text with white space and case folded, so re-wrapped copies hash alike."""
    norm = _SPACE.sub(" ", text).strip().lower()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


@dataclass
class Article:
    url: str
    canonical_url: str
    title: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    modified: str | None = None  # ISO date, YYYY-MM-DD
    authors: list[str] = field(default_factory=list)
    text: str = ""
    site_name: str | None = None
    language: str | None = None
    description: str | None = None
    paywalled: bool = False
    source: str | None = None  # the registry name of the source it was found through

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["content_hash"] = self.content_hash
        return d

    def to_extract_input(self) -> dict[str, Any]:
        """The article as ``chipwatch extract`` reads it (../shared/contract/extraction.md)."""
        return {
            "url": self.canonical_url or self.url,
            "title": self.title,
            "published": self.published,
            "text": self.text,
            "authors": self.authors,
            "site_name": self.site_name,
            "language": self.language,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        names = cls.__dataclass_fields__.keys()
        return cls(**{k: v for k, v in d.items() if k in names})


@dataclass
class FetchedPage:
    """What a spider hands to the pipeline: a page it navigated to, not yet extracted."""

    url: str  # the URL as discovered (feed link, sitemap loc)
    final_url: str  # after redirects
    status: int
    body: bytes = field(default=b"", repr=False)
    headers: dict[str, str] = field(default_factory=dict)
    source: str = ""
    language: str = "en"
    listed_date: str | None = None  # the date the feed or sitemap gave, ISO
    document: dict[str, Any] | None = None  # official-document metadata (Federal Register)
