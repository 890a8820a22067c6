"""JSON-LD (schema.org) blocks of a page: parsed leniently, flattened, the main article found."""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import lxml.html

logger = logging.getLogger(__name__)

# Types whose headline and dates describe the page's own article.
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "blogposting",
        "liveblogposting",
        "techarticle",
        "scholarlyarticle",
        "report",
        "socialmediaposting",
        "advertisercontentarticle",
        "satiricalarticle",
        "medicalscholarlyarticle",
        "posting",
    }
)
PAGE_TYPES = frozenset({"webpage", "itempage", "aboutpage", "collectionpage", "profilepage"})
_WRAPPER = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_MAX_NODES = 5000  # a page with more JSON-LD nodes than this is not worth walking


def blocks(tree: lxml.html.HtmlElement) -> list[Any]:
    """Every parseable ld+json script of the page; broken ones are skipped with a debug log."""
    out = []
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        raw = _WRAPPER.sub("", (script.text or "").strip())
        if not raw:
            continue
        for attempt in (raw, _TRAILING_COMMA.sub(r"\1", raw)):
            try:
                out.append(json.loads(attempt, strict=False))
                break
            except (ValueError, RecursionError):
                continue
        else:
            logger.debug("unparseable JSON-LD block skipped (%d chars)", len(raw))
    return out


def nodes(data: list[Any]) -> list[dict[str, Any]]:
    """All objects of the blocks, breadth first (top-level first), through lists and @graph."""
    out: list[dict[str, Any]] = []
    queue: list[Any] = list(data)
    while queue and len(out) < _MAX_NODES:
        item = queue.pop(0)
        if isinstance(item, list):
            queue.extend(item)
        elif isinstance(item, dict):
            out.append(item)
            queue.extend(v for v in item.values() if isinstance(v, (dict, list)))
    return out


def types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type", [])
    values = value if isinstance(value, list) else [value]
    # "schema:NewsArticle" and "http://schema.org/NewsArticle" name the same type
    return {str(v).rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for v in values if v}


def main_article(all_nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The article node (the first with a headline, else the first), else a WebPage node."""
    articles = [n for n in all_nodes if types(n) & ARTICLE_TYPES]
    for node in articles:
        if text(node.get("headline")):
            return node
    if articles:
        return articles[0]
    pages = [n for n in all_nodes if types(n) & PAGE_TYPES]
    return pages[0] if pages else None


def text(value: Any) -> str | None:
    """A plain string from a JSON-LD value (strings, @value objects, first of lists)."""
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return None
    # Some CMSs put HTML entities into JSON-LD strings ("&#8216;family&#8217;").
    cleaned = " ".join(html.unescape(str(value)).split())
    return cleaned or None


def names(value: Any) -> list[str]:
    """Names of a Person/Organization value, or a list of them, or plain strings."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict):
            name = text(item.get("name"))
            if not name and item.get("givenName"):
                name = " ".join(
                    filter(None, (text(item.get("givenName")), text(item.get("familyName"))))
                )
            if name:
                out.append(name)
        elif isinstance(item, str) and item.strip():
            out.append(text(item) or "")
    return [n for n in out if n]


def find(all_nodes: list[dict[str, Any]], key: str, wanted: frozenset[str]) -> Iterator[Any]:
    """Values of ``key`` on nodes of the wanted types, in document order."""
    for node in all_nodes:
        if key in node and types(node) & wanted:
            yield node[key]
