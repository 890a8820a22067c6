"""Every custom attribute chipwatch puts on spaCy objects, declared once, here."""

from __future__ import annotations

from spacy.tokens import Doc, Span


def register() -> None:
    """Idempotent: safe to call from every component factory."""
    for name, default in (
        ("published", None),  # ISO date of the article, set by the caller before processing
        ("excluded", None),  # [(start_char, end_char)] of captions, credits, bylines, datelines
        ("entity_table", None),  # id -> dict of the contract's entity fields
        ("events", None),  # list of the contract's event dicts
        ("quotes", None),  # list of the contract's quote dicts
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
