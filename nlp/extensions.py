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


def _span_excluded(span: Span) -> bool:
    ranges = span.doc._.excluded or ()
    return any(start <= span.start_char < end for start, end in ranges)
