"""Page metadata: title, dates, authors, site name, language, description, canonical URL.

Each field reads the most deliberate source first (JSON-LD, then publisher meta tags, then
visible markup) and cleans what it finds; htmldate is the last resort for the date.
"""

from __future__ import annotations

import html
import logging
import re
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from dateutil import parser as dateparser

from crawler.extraction import jsonld

logger = logging.getLogger(__name__)


@dataclass
class Meta:
    """Everything read from markup; the body text is extracted apart."""

    title: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    site_name: str | None = None
    language: str | None = None
    description: str | None = None
    canonical_url: str = ""
    free: bool | None = None  # JSON-LD isAccessibleForFree, when the page says


def read_meta(tree: lxml.html.HtmlElement, url: str) -> Meta:
    nodes = jsonld.nodes(jsonld.blocks(tree))
    article = jsonld.main_article(nodes)
    tags = meta_tags(tree)
    site = site_name(article, nodes, tags)
    return Meta(
        title=title(tree, article, tags, site, url),
        published=published_date(tree, article, nodes, tags, url),
        modified=modified_date(article, nodes, tags),
        authors=authors(tree, article, tags),
        site_name=site,
        language=declared_language(tree, article, tags),
        description=_first(tags, "og:description", "description", "twitter:description")
        or (jsonld.text(article.get("description")) if article else None),
        canonical_url=canonical_url(tree, url, tags),
        free=_accessible_for_free(article, nodes),
    )


def meta_tags(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """First content of each <meta> by lower-cased name, property, itemprop or http-equiv."""
    tags: dict[str, str] = {}
    for el in tree.iter("meta"):
        content = el.get("content")
        if content is None or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                tags.setdefault(key.strip().lower(), " ".join(html.unescape(content).split()))
    return tags


def _first(tags: dict[str, str], *keys: str) -> str | None:
    return next((tags[k] for k in keys if tags.get(k)), None)


# --- title ----------------------------------------------------------------------------------

_SEP = re.compile(r"\s+[|\-–—·•»:/]{1,2}\s+|\s*[|·•»]\s*")
_NON_WORD = re.compile(r"\W+", re.UNICODE)


def norm(text: str) -> str:
    """Case- and punctuation-free form used to compare titles and names."""
    return _NON_WORD.sub("", text).lower()


def title_candidates(
    tree: lxml.html.HtmlElement,
    article: dict[str, Any] | None,
    tags: dict[str, str],
    site: str | None,
    url: str,
) -> dict[str, str | None]:
    """Each title source of the page, cleaned of site and section affixes."""
    h1s = _h1s(tree)
    raw_title = tree.findtext(".//title")
    names = _site_names(site, article, tags, url)
    raw = {
        "jsonld": jsonld.text(article.get("headline")) if article else None,
        "og": _first(tags, "og:title", "twitter:title"),
        "title": " ".join(raw_title.split()) if raw_title else None,
    }
    out = {key: _clean_title(value, names, h1s) for key, value in raw.items()}
    out["h1"] = h1s[0] if h1s else None
    return out


def title(
    tree: lxml.html.HtmlElement,
    article: dict[str, Any] | None,
    tags: dict[str, str],
    site: str | None,
    url: str,
) -> str | None:
    """JSON-LD headline, og:title, <title>, <h1> - cleaned of site and section affixes.

    When og:title and the visible h1 agree with each other but not with the JSON-LD
    headline, the editors changed the headline after publication: the visible one wins.
    """
    c = title_candidates(tree, article, tags, site, url)
    headline, og = c["jsonld"], c["og"]
    if headline and og and norm(og) != norm(headline):
        if any(norm(h) == norm(og) for h in _h1s(tree)):
            return og
        if headline.endswith(("…", "...")) and norm(og).startswith(norm(headline).rstrip()):
            return og  # JSON-LD headlines are often cut at 110 characters
    return next((t for t in (headline, og, c["title"], c["h1"]) if t), None)


def read_title_candidates(tree: lxml.html.HtmlElement, url: str) -> dict[str, str | None]:
    """``title_candidates`` from the tree alone (for diagnostics such as the benchmark)."""
    nodes = jsonld.nodes(jsonld.blocks(tree))
    article = jsonld.main_article(nodes)
    tags = meta_tags(tree)
    return title_candidates(tree, article, tags, site_name(article, nodes, tags), url)


def _h1s(tree: lxml.html.HtmlElement) -> list[str]:
    out = []
    for h1 in tree.iter("h1"):
        text = " ".join(h1.text_content().split())
        if 10 <= len(text) <= 300:
            out.append(text)
    return out


def _site_names(
    site: str | None, article: dict[str, Any] | None, tags: dict[str, str], url: str
) -> set[str]:
    names = {norm(n) for n in (site, tags.get("application-name"), tags.get("og:site_name")) if n}
    if article:
        names.update(norm(n) for n in jsonld.names(article.get("publisher")))
    host = urlsplit(url).hostname or ""
    labels = [lbl for lbl in host.split(".") if lbl not in ("www", "m", "amp", "edition", "mobile")]
    if labels:
        # "reuters" of reuters.com, "globalnews" of globalnews.ca, "timesofindia" of a subdomain
        names.update(norm(lbl) for lbl in labels[:-1] if len(lbl) > 2)
        names.add(norm(".".join(labels[-2:])))
    return {n for n in names if n}


def _is_site(part: str, names: set[str]) -> bool:
    p = norm(part)
    if not p:
        return True
    return any(p == n or (len(n) >= 4 and n in p and len(p) <= len(n) + 12) for n in names)


def _clean_title(raw: str | None, names: set[str], h1s: list[str]) -> str | None:
    if not raw:
        return None
    raw = " ".join(raw.split())
    for h1 in h1s:  # the visible headline inside a decorated title is the clean title
        if norm(h1) and norm(h1) == norm(raw):
            return raw
    for h1 in h1s:
        n = norm(h1)
        if len(n) >= 12 and n in norm(raw) and len(n) >= 0.4 * len(norm(raw)):
            return h1
    parts = _SEP.split(raw)
    seps = _SEP.findall(raw)
    if len(parts) < 2:
        return raw
    keep = list(range(len(parts)))
    # Drop site names from either end, then a short section name left next to one.
    for end in (-1, 0):
        removed = False
        while len(keep) > 1 and _is_site(parts[keep[end]], names):
            keep.pop(end)
            removed = True
        if removed and len(keep) > 1 and len(parts[keep[end]].split()) <= 3 and end == -1:
            keep.pop(end)
    first, last = keep[0], keep[-1]
    text = parts[first]
    for i in range(first + 1, last + 1):
        text += seps[i - 1] + parts[i]
    return text.strip() or raw


# --- dates ----------------------------------------------------------------------------------

_PUBLISHED_TAGS = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "article:published",
    "published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published-date",
    "article.published",
    "sailthru.date",
    "parsely-pub-date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "dc.date.created",
    "citation_publication_date",
    "citation_date",
    "original-publish-date",
    "article_date_original",
    "date_published",
    "pub_date",
    "date",
    "datecreated",
    "cxenseparse:recs:publishtime",
    "og:pubdate",
)
_MODIFIED_TAGS = (
    "article:modified_time",
    "og:updated_time",
    "og:modified_time",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "lastmod",
    "article.updated",
    "modified_time",
    "revised",
)
_ISO = re.compile(r"^\s*(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})(?:$|[T\s_])")
_EPOCH = re.compile(r"^\s*(\d{10})(\d{3})?\s*$")
_MIN_YEAR, _MAX_YEAR = 1990, 2100
_DEFAULT = datetime(1, 1, 1)


def iso_date(value: Any) -> str | None:
    """YYYY-MM-DD from an ISO or free-form date string or a Unix timestamp; None if unclear.

    The date is kept as the publisher wrote it (its own time zone): that is the day
    readers of the page saw.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    found: date | None = None
    if m := _EPOCH.match(value):
        found = datetime.fromtimestamp(int(m.group(1)), tz=UTC).date()
    elif m := _ISO.match(value):
        try:
            found = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            found = None
    else:
        found = _free_form(value)
    if found is None or not _MIN_YEAR <= found.year <= _MAX_YEAR:
        return None
    return found.isoformat()


def _free_form(value: str) -> date | None:
    if len(value) > 60 or not re.search(r"\d", value):
        return None
    try:
        parsed = dateparser.parse(value, default=_DEFAULT, ignoretz=True)
    except (ValueError, OverflowError, TypeError):
        return None
    # A string without a year or a day is too vague to be a publication date.
    if parsed is None or parsed.year == 1 or not re.search(r"\b\d{1,2}(?:st|nd|rd|th)?\b", value):
        return None
    return parsed.date()


def published_date(
    tree: lxml.html.HtmlElement,
    article: dict[str, Any] | None,
    nodes: list[dict[str, Any]],
    tags: dict[str, str],
    url: str,
) -> str | None:
    candidates: list[Any] = []
    if article:
        candidates += [article.get("datePublished"), article.get("dateCreated")]
    candidates += list(jsonld.find(nodes, "datePublished", jsonld.ARTICLE_TYPES))
    candidates += [tags.get(k) for k in _PUBLISHED_TAGS]
    candidates += list(jsonld.find(nodes, "datePublished", jsonld.PAGE_TYPES))
    candidates += _time_elements(tree)
    for value in candidates:
        for v in value if isinstance(value, list) else [value]:
            if found := iso_date(v):
                return found
    return _htmldate(tree, url, original=True)


def modified_date(
    article: dict[str, Any] | None, nodes: list[dict[str, Any]], tags: dict[str, str]
) -> str | None:
    candidates: list[Any] = [article.get("dateModified")] if article else []
    candidates += list(jsonld.find(nodes, "dateModified", jsonld.ARTICLE_TYPES | jsonld.PAGE_TYPES))
    candidates += [tags.get(k) for k in _MODIFIED_TAGS]
    for value in candidates:
        for v in value if isinstance(value, list) else [value]:
            if found := iso_date(v):
                return found
    return None


def _time_elements(tree: lxml.html.HtmlElement) -> list[str]:
    """<time datetime> marked as the publication time first, then the first in the article."""
    marked = tree.xpath(
        '//time[@datetime][@pubdate or @itemprop="datePublished" or contains(@class, "publish")]/@datetime'
        ' | //*[@itemprop="datePublished"][not(self::meta)]/@datetime'
        ' | //*[@itemprop="datePublished"][not(self::meta)][not(@datetime)]/text()'
    )
    in_article = tree.xpath("(//article//time[@datetime] | //main//time[@datetime])[1]/@datetime")
    return [str(v) for v in marked + in_article]


def _htmldate(tree: lxml.html.HtmlElement, url: str, *, original: bool) -> str | None:
    # Imported here: htmldate is only needed for the few pages without declared dates.
    from htmldate import find_date

    try:
        # htmldate prunes the tree it is given, so it gets a copy.
        found = find_date(deepcopy(tree), url=url, original_date=original, extensive_search=True)
    except (ValueError, TypeError, RecursionError) as e:
        logger.debug("htmldate failed on %s: %s", url, e)
        return None
    return iso_date(found) if found else None


# --- authors --------------------------------------------------------------------------------

_AUTHOR_TAGS = (
    "author",
    "article:author",
    "sailthru.author",
    "parsely-author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "citation_author",
)
_BY = re.compile(
    r"^\s*(?:(?:written|posted|reported|photos?|words|text|story)\s+)?(?:by|von|par|por|di|door)\b[:\s]*",
    re.IGNORECASE,
)
# "and" in the languages of our sources; a lone letter only between spaces ("Sarah E. Needleman").
_SPLIT = re.compile(r"\s*(?:,|;|\||&|/)\s*|\s+(?:and|und|et|y|e|en|og|och)\s+", re.IGNORECASE)
_ROLE_WORDS = (
    r"(?:reporter|writer|correspondent|editor|contributor|columnist|journalist|analyst|producer|"
    r"photographer|author|staff|bureau chief|intern|presenter|anchor)s?"
)
# A role instead of a name: "Staff Writer", "AP Auto Writer", "Reporter in Tokyo".
_ROLE = re.compile(rf"^(?:.*\b{_ROLE_WORDS}|{_ROLE_WORDS}\b.*)$", re.IGNORECASE)
_DATELINE = re.compile(r"\s+in\s+[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*$")  # "Jane Doe in Tokyo"
_NOT_NAME = re.compile(r"@|https?://|www\.|\d{3,}|^\W+$")


def authors(
    tree: lxml.html.HtmlElement, article: dict[str, Any] | None, tags: dict[str, str]
) -> list[str]:
    raw: list[str] = []
    if article:
        raw = jsonld.names(article.get("author")) or jsonld.names(article.get("creator"))
    if not raw:
        raw = [v for k in _AUTHOR_TAGS if (v := tags.get(k)) and not v.startswith("http")][:1]
    if not raw:
        raw = [
            " ".join(el.text_content().split())
            for el in tree.xpath(
                '//*[@rel="author"] | //*[@itemprop="author"]'
                ' | //*[contains(concat(" ", normalize-space(@class), " "), " byline ")]'
            )[:3]
        ]
    return clean_authors(raw)


def clean_authors(raw: list[str]) -> list[str]:
    """Split "A and B", strip "By", roles, emails and handles; keep order, drop repeats."""
    out: list[str] = []
    seen: set[str] = set()
    for entry in raw:
        entry = html.unescape(entry).strip()
        if entry.startswith(("http://", "https://", "www.")):
            continue  # a profile link, not a name
        entry = re.sub(r"\([^)]*\)|\S+@\S+", " ", entry)  # "(Reuters)", addresses
        for part in _SPLIT.split(_BY.sub("", entry)):
            name = _BY.sub("", " ".join(part.split())).strip(" .:-–—\u00b7")
            name = _DATELINE.sub("", name)
            if not name or _ROLE.match(name) or _NOT_NAME.search(name):
                continue
            if (
                not 2 <= len(name) <= 60
                or len(name.split()) > 6
                or not re.search(r"[^\W\d_]", name)
            ):
                continue
            if (key := norm(name)) not in seen:
                seen.add(key)
                out.append(name)
    return out


# --- site, language, canonical, access ------------------------------------------------------


def site_name(
    article: dict[str, Any] | None, nodes: list[dict[str, Any]], tags: dict[str, str]
) -> str | None:
    if name := _first(tags, "og:site_name", "application-name", "twitter:app:name:iphone"):
        return name
    if article and (publisher := jsonld.names(article.get("publisher"))):
        return publisher[0]
    orgs = [
        jsonld.text(n.get("name"))
        for n in nodes
        if jsonld.types(n) & {"newsmediaorganization", "website"}
    ]
    return next((o for o in orgs if o), None)


_LANG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{2,8})*$", re.IGNORECASE)


def language_code(value: str | None) -> str | None:
    if not value:
        return None
    m = _LANG.match(value.strip().split(",")[0].strip())
    return m.group(1).lower() if m else None


def declared_language(
    tree: lxml.html.HtmlElement, article: dict[str, Any] | None, tags: dict[str, str]
) -> str | None:
    candidates = [
        tree.get("lang"),
        tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        tags.get("content-language"),
        tags.get("og:locale"),
        jsonld.text(article.get("inLanguage")) if article else None,
        tags.get("language"),
        tags.get("dc.language"),
    ]
    return next((code for c in candidates if (code := language_code(c))), None)


_TRACKING = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|gclsrc|dclid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid|"
    r"ref_src|ref_url|cmpid|cmp|icid|ito|mbid|smid|smtyp|s_cid|wt\.mc_id|wt_mc|ns_\w+|"
    r"oly_enc_id|oly_anon_id|vero_id|__twitter_impression|rss|pk_\w+|mtm_\w+|hsa_\w+|_hs\w+|"
    r"soc_src|soc_trk|guccounter|guce_\w+|sr_share|at_\w+|xtor|ocid|taid|cid|share)$",
    re.IGNORECASE,
)


def strip_tracking(url: str) -> str:
    """The URL without tracking parameters and fragment, scheme and host lower-cased."""
    parts = urlsplit(url.strip())
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    ]
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), "")
    )


def canonical_url(tree: lxml.html.HtmlElement, url: str, tags: dict[str, str]) -> str:
    """rel=canonical, else og:url, resolved against the page URL; the page URL if neither fits."""
    hrefs = tree.xpath(
        '//link[contains(concat(" ", translate(@rel, "CANONICAL", "canonical"), " "), " canonical ")]/@href'
    )
    candidates = [str(h) for h in hrefs] + [tags.get("og:url") or ""]
    page = urlsplit(url)
    for href in candidates:
        href = href.strip()
        if not href:
            continue
        resolved = urljoin(url, href)
        target = urlsplit(resolved)
        if target.scheme not in ("http", "https") or not target.netloc:
            continue
        # A template that points every page at the home page is not naming this article.
        if target.path in ("", "/") and page.path not in ("", "/"):
            continue
        return strip_tracking(resolved)
    return strip_tracking(url) if urlsplit(url).scheme in ("http", "https") else url


def _accessible_for_free(
    article: dict[str, Any] | None, nodes: list[dict[str, Any]]
) -> bool | None:
    values = [article.get("isAccessibleForFree")] if article else []
    values += [n.get("isAccessibleForFree") for n in nodes if "isAccessibleForFree" in n]
    for v in values:
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.strip().lower() in ("false", "true"):
            return v.strip().lower() == "true"
    return None
