"""Main text: trafilatura on a prepared tree, then block-level clean-up of what it returns.

Settings were tuned on the Scrapinghub article-extraction benchmark
(``benchmarks/article_extraction.py``): precision mode with a fall back to the balanced mode
when precision keeps almost nothing, and line rules for the boilerplate both modes let through.
"""

from __future__ import annotations

import logging
import re
from copy import deepcopy

import lxml.etree
import lxml.html
import trafilatura
from trafilatura.xml import xmltotxt

logger = logging.getLogger(__name__)

# Precision mode sometimes keeps only a reprint notice: below this share of the balanced
# extraction's length we take the balanced one (0.2 was best on the benchmark, 0.3-0.6 close).
_FALLBACK_SHARE = 0.2
# Only short precision results are worth a second (balanced) run.
_FALLBACK_BELOW = 2500

_INLINE_IN_P = "span", "font"
_NEVER_TEXT = "script", "style", "noscript", "svg", "template", "iframe", "canvas", "object"
_INLINE = "span", "font", "b", "i", "em", "strong", "small", "u", "abbr", "mark", "sup", "sub"
_MAX_ELEMENTS = 30_000
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCKS = ("div", "p", "section", "li", "article", "main", "q", "blockquote", "pre", "dd", "dt")
_EMPTY_CUT: tuple[str, ...] = (*_BLOCKS, *_HEADINGS, "span", "strong", "b", "em", "i")
# Spans that carry figures, credits or widgets stay wrapped, so trafilatura still drops them.
_KEEP_SPAN = re.compile(
    r"caption|credit|image|photo|picture|media|figure|share|social|hidden|sr-only|screen-reader|"
    r"visually|(?:^|[\s_-])ads?(?:$|[\s_-])|promo|related|newsletter",
    re.IGNORECASE,
)
_BODY_CLASS = re.compile(
    r"(?:^|[\s_-])(?:article|story|post|entry)?[_-]*(?:body|content|text)(?:$|[\s_-])",
    re.IGNORECASE,
)
# Repeated containers that are not one article cut in pieces.
_NOT_BODY_CLASS = re.compile(
    r"comment|widget|teaser|card|related|promo|sidebar|footer|nav|menu|caption|author|bio|excerpt",
    re.IGNORECASE,
)


def extract_text(tree: lxml.html.HtmlElement, url: str | None, title: str | None = None) -> str:
    """The article body as paragraphs separated by blank lines ("" when nothing is found)."""
    work = deepcopy(tree)
    _slim(work)
    _unwrap_inline(work)
    _merge_split_bodies(work)
    blocks = _run(work, url, precision=True)
    size = sum(len(b) for b in blocks)
    if size < _FALLBACK_BELOW:
        balanced = _run(work, url, precision=False)
        if size < _FALLBACK_SHARE * sum(len(b) for b in balanced):
            logger.debug("precision extraction too short (%d chars), using balanced", size)
            blocks = balanced
    return "\n\n".join(clean_blocks(blocks, title))


def _run(tree: lxml.html.HtmlElement, url: str | None, *, precision: bool) -> list[str]:
    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            favor_precision=precision,
            include_comments=False,
            include_tables=True,
            with_metadata=False,
            deduplicate=False,
        )
    except RecursionError:
        logger.warning("trafilatura hit the recursion limit on %s", url)
        return []
    body = getattr(doc, "body", None)  # a Document (None when nothing was found)
    if body is None:
        return []
    blocks: list[str] = []
    for child in body:
        try:
            text = xmltotxt(child, False)
        except RecursionError:
            text = " ".join(child.itertext())
        lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
        lines = [line for line in lines if line]
        if child.tag in ("list", "table"):
            # items stand alone, so promo items can be dropped singly
            blocks.extend(_BULLET.sub("", line) for line in lines)
        elif lines:
            blocks.append("\n".join(lines))
    return blocks


_BULLET = re.compile(r"^- ")  # the item marker xmltotxt adds
_SPACES = re.compile(r"[ \t\u00a0\u2009\u200a\u202f]+")


def _slim(tree: lxml.html.HtmlElement) -> None:
    """Remove what never holds article text, and on huge trees unwrap inline tags: parts of
    trafilatura are quadratic in the number of elements (a page of 400,000 spans took minutes)."""
    for el in list(tree.iter(*_NEVER_TEXT)):
        if el.getparent() is not None:
            el.drop_tree()
    if sum(1 for _ in tree.iter()) > _MAX_ELEMENTS:
        logger.debug("huge tree: flattening inline tags before extraction")
        _flatten_inline_runs(tree)
    if sum(1 for _ in tree.iter()) > _MAX_ELEMENTS:
        lxml.etree.strip_tags(tree, *_INLINE)
        # libxml2 keeps the freed text as many adjacent nodes, which every later .text read
        # concatenates again: store each text back once as a single node.
        for el in tree.iter():
            if el.text:
                el.text = el.text
            if el.tail:
                el.tail = el.tail


def _flatten_inline_runs(tree: lxml.html.HtmlElement) -> None:
    """Replace long runs of childless inline children by their text, in linear time
    (strip_tags merges text node by node, which is quadratic on such runs)."""
    for el in list(tree.iter()):
        if len(el) < 100 or not all(c.tag in _INLINE and len(c) == 0 for c in el):
            continue
        parts = [el.text or ""]
        for child in el:
            parts += [child.text or "", child.tail or ""]
        del el[:]
        el.text = "".join(parts)


def _unwrap_inline(tree: lxml.html.HtmlElement) -> None:
    """Unwrap spans inside paragraphs: trafilatura's precision mode drops a span whose class
    looks like boilerplate ("link"), losing words from the middle of a sentence."""
    # Precision mode deletes empty elements *with their tail text*: drop them first, keeping it.
    for el in list(tree.iter(*_EMPTY_CUT)):
        if len(el) == 0 and not (el.text and el.text.strip()) and el.getparent() is not None:
            el.drop_tag()
    for p in tree.iter("p"):
        for span in list(p.iter(*_INLINE_IN_P)):
            if not _KEEP_SPAN.search(f"{span.get('class', '')} {span.get('id', '')}") and not any(
                True for _ in span.iter("img", "picture", "figure", "svg", "video", "iframe")
            ):
                span.drop_tag()


def _merge_split_bodies(tree: lxml.html.HtmlElement) -> None:
    """Join an article body that the template splits into sibling chunks of the same class
    (between ads or newsletter boxes); trafilatura would keep only the first chunk."""
    by_class: dict[str, list[lxml.html.HtmlElement]] = {}
    for el in tree.iter("div", "section"):
        cls = el.get("class")
        if cls and _BODY_CLASS.search(cls) and not _NOT_BODY_CLASS.search(cls):
            by_class.setdefault(cls, []).append(el)
    for cls, els in by_class.items():
        if len(els) < 2:
            continue
        chunks = [e for e in els if _prose_len(e) >= 200 and not _nested_in(e, els)]
        if len(chunks) < 2:
            continue
        first = chunks[0]
        for other in chunks[1:]:
            for child in list(other):
                first.append(child)
            parent = other.getparent()
            if parent is not None:
                parent.remove(other)
        logger.debug("merged %d chunks of class %r", len(chunks), cls)


def _prose_len(el: lxml.html.HtmlElement) -> int:
    return sum(len(p.text_content()) for p in el.iter("p"))


def _nested_in(el: lxml.html.HtmlElement, others: list[lxml.html.HtmlElement]) -> bool:
    return any(a in others for a in el.iterancestors())


# --- block clean-up -------------------------------------------------------------------------

_NORM = re.compile(r"\W+", re.UNICODE)


def _norm(text: str) -> str:
    return _NORM.sub(" ", text).strip().lower()


# Lines that are page furniture wherever they stand: promos, share prompts, credits, notices.
_FURNITURE = r"""
        (?:related|read\ more|see\ more|also\ read|also\ on\ [\w.]+|more|watch|listen|download)\s*:.*
      | also\ on\ [\w.]+\ .*
      | (?:like\ this\ story|enjoy(?:ed)?\ this\ (?:article|story)).*
      | (?:follow|like)\ (?:us|\w+(?:\ \w+){0,3})\ on\ (?:twitter|facebook|instagram|x|linkedin|threads).*
      | .*\b(?:sign\ up|subscribe)\b.{0,80}\bnewsletters?\b.*
      | .*\bnewsletters?\b.{0,80}\b(?:sign\ up|subscribe|inbox)\b.*
      | get\ the\ latest\ .{0,60}\binbox\b.*
      | (?:\(?(?:photo|image|picture|video)\ (?:credit|courtesy|by)|credit:|photos?:|photograph:|foto:|фото:).*
      | .*\b(?:getty\ images|afp\ via\ getty|shutterstock|\(ap\ photo[/\w\ .,-]*\))\s*\)?\s*
      | (?:copyright|©|\(c\))\s*(?:\d{4}|[a-z]).{0,120}
      | .*all\ rights\ reserved\.?\s*
      | (?:filed\ under|tags?|topics?)\s*:.*
      | tempo\ de\ leitura:.*
      | reading\ time:.*|\d+\ min(?:ute)?s?\ read
      | click\ (?:here|to)\ .{0,40}
      | this\ copy\ is\ for\ your\ personal,\ non-commercial\ use.*
      | need\ help\?|visit\ our\ adblocking\ instructions\ page\.?
"""
_DROP_LINE = re.compile(rf"^(?:{_FURNITURE})$", re.IGNORECASE | re.VERBOSE)
# A block of one label word is furniture too; inside a paragraph such a word is not.
_DROP_BLOCK = re.compile(
    rf"""^(?:{_FURNITURE}
      | (?:related|read\ more|see\ more|more|also|watch|listen|recommended|
           most\ read(?:\ in\ [\w\ ]+)?|don'?t\ miss|you\ may\ also\ like|tags?|filed\ under|share(?:\ this)?
          |advertisement|comments?|\d*\ comments|source|sources?|image\ credits?|photo|photos|video)
        \s*[:|.…]?\s*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Contact lines: an address or a handle with little else around it.
_CONTACT = re.compile(
    r"(?:e-?mail|reach|contact|follow)\b.*(?:\S+@\S+\.\w+|(?:^|\s)@\w{2,})|.*\bmay be reached at\b",
    re.IGNORECASE,
)
_CLICK_TO_TWEET = re.compile(r"\s*Click To Tweet\s*$", re.IGNORECASE)
# Date and time stamp lines ("Updated 5:45 AM PST 11/19/2019", "22 de janeiro de 2018 às 0:13").
_STAMP = re.compile(
    r"^(?:(?:published|updated|posted|last\ updated|publicado|aktualisiert)\b.{0,60}|"
    r".{0,40}\b(?:\d{1,2}:\d{2}|\d{4})\b.{0,30})$",
    re.IGNORECASE | re.VERBOSE,
)
# "By Jane Doe and John Roe", "Von Anna Schmidt": a byline line above the text.
_BYLINE = re.compile(
    r"^(?:[Bb]y|BY|[Vv]on|[Pp]ar|[Pp]or|[Dd]oor)\s+[A-ZÀ-ÖØ-Þ][\w.'’-]*"
    r"(?:,?\s+(?:and|und|et|y|e|en|de|da|van|von|der|del|&)|,?\s+[A-ZÀ-ÖØ-Þ][\w.'’-]*)*\s*$"
)
_DATE_WORD = re.compile(
    r"\b(?:\d{4}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janeiro|fevereiro|março|abril|"
    r"maio|junho|julho|agosto|setembro|outubro|novembro|dezembro|am|pm|gmt|utc|ist|[ap]\.m\.)\b",
    re.IGNORECASE,
)


def clean_blocks(blocks: list[str], title: str | None) -> list[str]:
    """Drop boilerplate blocks: the title repeated on top, stamps, promos, credits, contacts."""
    blocks = _strip_head(blocks, title)
    kept: list[str] = []
    for block in blocks:
        lines = [_CLICK_TO_TWEET.sub("", line) for line in block.split("\n")]
        if len(lines) > 1:  # lines of a <br>-broken block are judged one by one
            lines = [line for line in lines if line and not _DROP_LINE.match(line)]
        block = "\n".join(lines)
        if not block or _is_furniture(block):
            continue
        kept.append(block)
    return kept


def _is_furniture(block: str) -> bool:
    if _DROP_BLOCK.match(block):
        return True
    # "Email X at x@y.com or follow @x": short lines built around a contact
    return len(block) < 200 and bool(_CONTACT.match(block))


def _strip_head(blocks: list[str], title: str | None) -> list[str]:
    """Leading headline, standfirst-like repeats and date stamps (the record has them apart)."""
    i = 0
    while i < min(len(blocks), 4):
        b = blocks[i]
        if title and _repeats_title(b, title):
            i += 1
            continue
        if len(b) < 80 and _STAMP.match(b) and _DATE_WORD.search(b):
            i += 1
            continue
        if len(b) < 120 and _BYLINE.match(b):
            i += 1
            continue
        break
    return blocks[i:]


def _repeats_title(block: str, title: str) -> bool:
    """The headline again, possibly with a kicker or a trailing stamp around it."""
    nb, nt = _norm(block), _norm(title)
    if not nb or not nt:
        return False
    return nb == nt or (len(nb) > 20 and (nb in nt or nt in nb) and len(block) < 1.3 * len(title))
