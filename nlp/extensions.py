"""Every custom attribute chipwatch puts on spaCy objects, declared once, here."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from spacy.tokens import Doc, Span

logger = logging.getLogger(__name__)


def register() -> None:
    """Idempotent: safe to call from every component factory."""
    for name, default in (
        ("published", None),  # ISO date of the article, set by the caller before processing
        ("excluded", None),  # [(start_char, end_char)] of captions, credits, bylines, datelines
        ("entity_table", None),  # id -> dict of the contract's entity fields
        ("events", None),  # list of the contract's event dicts
        ("quotes", None),  # list of the contract's quote dicts
        ("failed", None),  # why one of our components gave up on this document
    ):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    if not Span.has_extension("excluded"):
        Span.set_extension("excluded", getter=_span_excluded)
    if not Span.has_extension("in_furniture"):
        Span.set_extension("in_furniture", getter=_span_in_furniture)


def _span_excluded(span: Span) -> bool:
    """Whether the span lies wholly in furniture: a sentence that merely starts with a
    dateline or follows a byline is still story."""
    ranges = span.doc._.excluded or ()
    last = span.end_char - 1
    while last > span.start_char and span.doc.text[last].isspace():
        last -= 1
    return any(start <= span.start_char and last < end for start, end in ranges)


def _span_in_furniture(span: Span) -> bool:
    """Whether a mention starts in furniture (a name in a caption or a byline)."""
    ranges = span.doc._.excluded or ()
    return any(start <= span.start_char < end for start, end in ranges)


def guarded(component: Callable[[Any, Doc], Doc]) -> Callable[[Any, Doc], Doc]:
    """A per-document boundary for our components: an unexpected error on one article marks
    that document failed (the caller reports and skips it) instead of ending the batch."""

    @functools.wraps(component)
    def call(self: Any, doc: Doc) -> Doc:
        if doc._.failed:
            return doc
        try:
            return component(self, doc)
        except Exception as e:
            logger.exception("%s failed on a document", getattr(self, "name", "component"))
            doc._.failed = f"{getattr(self, 'name', 'component')}: {type(e).__name__}: {e}"
            return doc

    return call
