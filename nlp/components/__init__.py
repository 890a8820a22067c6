"""chipwatch's spaCy components. Importing this package registers every factory (the one
import point the pipeline's config.cfg relies on)."""

from __future__ import annotations

from nlp.components import boilerplate, events, gazetteer, linker, quotes

__all__ = ["boilerplate", "events", "gazetteer", "linker", "quotes"]
