"""Article extraction as a pure function: page bytes (or text) and URL in, ``Article`` out.

No I/O here: the spider, the CLI and the tests hand in what they fetched or read. The work is
split over ``crawler/extraction/``: ``decode`` (charset, parsing, input checks), ``body``
(trafilatura plus clean-up), ``meta`` and ``jsonld`` (title, dates, authors, canonical URL ...)
and ``language`` (a small fallback detector).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import lxml.html

from chipwatch.errors import ExtractionError
from crawler.extraction import body, decode, language, meta
from crawler.items import Article

logger = logging.getLogger(__name__)

__all__ = ["ExtractionError", "extract_article"]

# Class or id tokens that templates put on paywall and registration-wall boxes.
_PAYWALL_MARKER = re.compile(
    r"paywall|regwall|registration-wall|subscriber-only|subscribers-only|premium-content|"
    r"premium-article|metered-content|meteredcontent|piano-(?:offer|paywall)|locked-content|"
    r"article-locked|content-locked|gated-content|truncated-content|subscription-required",
    re.IGNORECASE,
)
_PAYWALL_TEXT = re.compile(
    r"subscribe (?:now )?to (?:continue|read|unlock)|to continue reading|already a subscriber|"
    r"this (?:article|story|content) is (?:only )?(?:available |reserved )?(?:for|to) (?:subscribers|members)|"
    r"for subscribers only|exclusive(?:ly)? (?:for|to) subscribers|register (?:now )?to continue|"
    r"log ?in to (?:continue|read)|become a (?:subscriber|member) to",
    re.IGNORECASE,
)
# Below this many characters a body next to paywall markers is taken for a teaser.
_TEASER_CHARS = 1000


def extract_article(
    html: str | bytes, url: str, *, headers: Mapping[str, str] | None = None
) -> Article:
    """Extract one article from a fetched page.

    ``headers`` are the response headers, used for the charset of ``bytes`` input and to
    refuse non-HTML content types. Raises ``ExtractionError`` for empty or non-HTML input;
    a page without recognisable article text gives an ``Article`` with empty ``text``.
    """
    if html is None or len(html) == 0:
        raise ExtractionError(f"empty page: nothing to extract from {url}")
    text = decode.decode(html, headers)
    tree = decode.parse(text)
    try:
        info = meta.read_meta(tree, url)
    except RecursionError:  # pathological nesting in JSON-LD or markup; keep going without
        logger.warning("metadata extraction hit the recursion limit on %s", url)
        info = meta.Meta(canonical_url=meta.canonical_url(tree, url, {}))
    body_text = _body(tree, url, info.title)
    lang = info.language or language.detect(body_text)
    return Article(
        url=url,
        canonical_url=info.canonical_url or url,
        title=info.title,
        published=info.published,
        modified=info.modified,
        authors=info.authors,
        text=body_text,
        site_name=info.site_name or _host(url),
        language=lang,
        description=info.description,
        paywalled=is_paywalled(tree, body_text, info),
    )


def _body(tree: lxml.html.HtmlElement, url: str, title: str | None) -> str:
    try:
        return body.extract_text(tree, url, title)
    except RecursionError:
        logger.warning("body extraction hit the recursion limit on %s; using plain paragraphs", url)
        paragraphs = (" ".join(p.text_content().split()) for p in tree.iter("p"))
        return "\n\n".join(p for p in paragraphs if len(p) > 40)


def is_paywalled(tree: lxml.html.HtmlElement, text: str, info: meta.Meta) -> bool:
    """True for a page that says it is not free, or that shows a teaser behind a wall."""
    if info.free is False:
        return True
    desc = info.description or ""
    if desc and len(text) < 400 and len(text) < 2 * len(desc):
        return True  # little more than the standfirst made it into the page
    if len(text) >= _TEASER_CHARS:
        return False
    if _PAYWALL_TEXT.search(text[-600:]):
        return True
    return any(
        _PAYWALL_MARKER.search(f"{el.get('class', '')} {el.get('id', '')}")
        for el in tree.iter()
        if isinstance(el.tag, str) and (el.get("class") or el.get("id"))
    )


def _host(url: str) -> str | None:
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None
