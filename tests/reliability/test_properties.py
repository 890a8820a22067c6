"""Property-based tests (hypothesis) of the pure stages on generated structured input: HTML
pages, feeds and sitemaps, date expressions and ``chipwatch extract`` inputs.

Two kinds of property: robustness (no exception but the documented ones, a well-formed result,
each example within a time limit: the same checks as the fuzz targets, ``targets.py``), and
preservation (what was put in comes out: every listed link, every paragraph, the date written).

``CHIPWATCH_RELIABILITY_LONG=1`` (``make reliability``) runs many more, randomised, examples;
the default is a small, derandomised run that suits ``make test``.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from tests.reliability import targets
from tests.reliability.replay import time_limit

LONG = os.environ.get("CHIPWATCH_RELIABILITY_LONG") == "1"
# hypothesis keeps caches in ./.hypothesis by default: keep the work tree clean.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / f"chipwatch-hypothesis-{os.getuid()}")
PER_EXAMPLE_SECONDS = 20.0


def profile(examples: int) -> settings:
    return settings(
        max_examples=examples * 25 if LONG else examples,
        deadline=None,  # time_limit() below is the hang check; a slow first call is not one
        derandomize=not LONG,
        database=None,  # no .hypothesis/ directory in the work tree
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


def run(target: str, data: bytes) -> None:
    with time_limit(PER_EXAMPLE_SECONDS):
        targets.TARGETS[target](data)


def xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


# Characters XML 1.0 cannot carry (C0 controls but tab, LF, CR) and those that break naive code.
CONTROLS = "\x00\x01\x02\x07\x08\x0b\x0c\x0e\x1b\x1f\x7f"
HOSTILE = [
    "'}) MATCH (n) DETACH DELETE n //",
    '"); DROP TABLE articles; --',
    "\\",
    "\\\\x00",
    "\u202e",
    "\u2028",
    "\ufeff",
    "\ufffd",
    "$param",
    "{{ x }}",
    "</script>",
    "]]>",
]
WORDS = [
    "the",
    "ministry",
    "said",
    "licences",
    "for",
    "etch",
    "tools",
    "were",
    "reviewed",
    "again",
    "by",
    "officials",
    "in",
    "Tokyo",
    "and",
    "The",
    "Hague",
    "after",
    "talks",
]

plain_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
any_text = st.text(max_size=40)  # hypothesis leaves out surrogates; control characters are in

# -- HTML ---------------------------------------------------------------------------------

TAGS = [
    "div",
    "p",
    "span",
    "article",
    "section",
    "main",
    "h1",
    "h2",
    "a",
    "b",
    "em",
    "table",
    "tr",
    "td",
    "ul",
    "li",
    "script",
    "style",
    "noscript",
    "time",
    "header",
    "footer",
    "aside",
    "nav",
    "figure",
    "figcaption",
    "iframe",
    "svg",
    "br",
    "img",
    "meta",
    "title",
    "blockquote",
    "pre",
    "form",
    "font",
    "center",
]
ATTRS = [
    "class",
    "id",
    "itemprop",
    "property",
    "content",
    "href",
    "datetime",
    "name",
    "lang",
    "charset",
    "rel",
    "style",
    "hidden",
    "src",
    "http-equiv",
]
CLASSES = [
    "article-body",
    "paywall",
    "content",
    "byline",
    "author",
    "date",
    "related",
    "nav",
    "story",
    "caption",
    "subscriber-only",
    "entry-content",
    "comment",
]
ODD_MARKUP = [
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&#xD800;",
    "&nbsp;",
    "&lol;",
    "<!-- c -->",
    "<![CDATA[x]]>",
    "</p>",
    "<p",
    "<",
    ">",
    "<?php ?>",
    "<!DOCTYPE html>",
    '<meta charset="utf-16">',
    "</html><html>",
    "<body><body>",
]


def element(tag: str, attrs: list[tuple[str, str]], children: list[str]) -> str:
    attr_text = "".join(f' {k}="{xml_escape(v)}"' for k, v in attrs)
    return f"<{tag}{attr_text}>{''.join(children)}</{tag}>"


attr_value = st.one_of(st.sampled_from(CLASSES), plain_text, st.sampled_from(HOSTILE))
leaf = st.one_of(
    plain_text.map(xml_escape),
    st.sampled_from(ODD_MARKUP),
    st.sampled_from(HOSTILE).map(xml_escape),
)
markup = st.recursive(
    leaf,
    lambda kids: st.builds(
        element,
        st.sampled_from(TAGS),
        st.lists(st.tuples(st.sampled_from(ATTRS), attr_value), max_size=3),
        st.lists(kids, max_size=6),
    ),
    max_leaves=80,
)
json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        plain_text,
        st.sampled_from(["2024-12-02T09:00:00Z", "2023-13-45", "NewsArticle", "Person", "False"]),
    ),
    lambda kids: st.one_of(
        st.lists(kids, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "@type",
                    "@graph",
                    "headline",
                    "datePublished",
                    "dateModified",
                    "author",
                    "name",
                    "isAccessibleForFree",
                    "publisher",
                    "url",
                    "mainEntityOfPage",
                    "@id",
                ]
            ),
            kids,
            max_size=5,
        ),
    ),
    max_leaves=20,
)


@st.composite
def pages(draw: st.DrawFn) -> bytes:
    head = draw(
        st.lists(
            st.one_of(
                markup,
                json_value.map(
                    lambda v: f'<script type="application/ld+json">{json.dumps(v)}</script>'
                ),
            ),
            max_size=3,
        )
    )
    body = draw(st.lists(markup, min_size=1, max_size=4))
    page = f"<html><head>{''.join(head)}</head><body>{''.join(body)}</body></html>"
    encoding = draw(
        st.sampled_from(["utf-8", "cp1252", "utf-16", "shift_jis", "latin-1", "gb18030"])
    )
    mode = draw(st.integers(0, 255))
    return bytes([mode]) + page.encode(encoding, errors="xmlcharrefreplace")


@profile(40)
@given(pages())
def test_html_extraction_survives_any_page(data: bytes) -> None:
    run("html", data)


@st.composite
def articles_with_controls(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    markers = [f"marker{i}x{draw(st.integers(100, 999))}" for i in range(5)]
    paragraphs = []
    for marker in markers:
        words = draw(st.lists(st.sampled_from(WORDS), min_size=25, max_size=40))
        words.insert(draw(st.integers(0, len(words))), marker)
        text = " ".join(words)
        for _ in range(draw(st.integers(0, 3))):
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(CONTROLS)) + text[at:]
        paragraphs.append(f"<p>{text}.</p>")
    page = f"<html><body><article><h1>Title</h1>{''.join(paragraphs)}</article></body></html>"
    return b"\x01" + page.encode(), markers


@profile(25)
@given(articles_with_controls())
def test_control_characters_cost_no_paragraph(case: tuple[bytes, list[str]]) -> None:
    from crawler.extract import extract_article

    data, markers = case
    with time_limit(PER_EXAMPLE_SECONDS):
        article = extract_article(data[1:], targets.URL, headers={"content-type": "text/html"})
    for marker in markers:
        assert marker in article.text, f"{marker} lost: {article.text[:300]!r}"


# -- feeds and sitemaps -------------------------------------------------------------------

link = st.builds(
    lambda host, path: f"https://{host}/{path}",
    st.sampled_from(["news.example.org", "www.example.com", "xn--bcher-kva.example"]),
    st.text("abcdefghij0123456789-_/%.", max_size=20),
)
raw_date = st.one_of(
    st.dates(date(1990, 1, 1), date(2039, 12, 31)).map(
        lambda d: d.strftime("%a, %d %b %Y 10:00:00 GMT")
    ),
    st.dates(date(1990, 1, 1), date(2039, 12, 31)).map(lambda d: d.isoformat() + "T10:00:00Z"),
    any_text,
    st.sampled_from(
        [
            "Mon, 32 Dec 2024 25:61:00 +9999",
            "0000-00-00",
            "2024-02-30",
            "Tue, 01 Jan 99999999999999 00:00:00 GMT",
            "9999-12-31T23:59:59-23:59",
        ]
    ),
)


def rss_feed(items: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f"<item><title>{xml_escape(t)}</title><link>{xml_escape(u)}</link>"
        f"<pubDate>{xml_escape(d)}</pubDate></item>"
        for t, u, d in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{body}</channel></rss>'
    )


def atom_feed(items: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f'<entry><title>{xml_escape(t)}</title><link rel="alternate" href="{xml_escape(u)}"/>'
        f"<updated>{xml_escape(d)}</updated></entry>"
        for t, u, d in items
    )
    return f'<feed xmlns="http://www.w3.org/2005/Atom">{body}</feed>'


def sitemap(items: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f"<url><loc>{xml_escape(u)}</loc><lastmod>{xml_escape(d)}</lastmod></url>"
        for _, u, d in items
    )
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'


feed_items = st.lists(
    st.tuples(
        plain_text, link, raw_date.map(lambda d: "".join(c for c in d if c >= " " or c in "\t\n\r"))
    ),
    min_size=1,
    max_size=12,
)


@profile(60)
@given(st.sampled_from([rss_feed, atom_feed, sitemap]), feed_items, st.booleans())
def test_every_listed_link_comes_out(
    shape: Any, items: list[tuple[str, str, str]], gz: bool
) -> None:
    import gzip

    from crawler.feeds import parse_listing

    body = shape(items).encode("utf-8")
    body = gzip.compress(body) if gz else body
    with time_limit(PER_EXAMPLE_SECONDS):
        listing = parse_listing(body)
    assert [e.url for e in listing.entries] == [u.strip() for _, u, _ in items]
    run("feed", body)


@profile(60)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "<rss>",
                    "<channel>",
                    "<item>",
                    "</item>",
                    "<link>",
                    "</link>",
                    "<feed>",
                    "<entry>",
                    "<urlset>",
                    "<url>",
                    "<loc>",
                    "<sitemapindex>",
                    "<!DOCTYPE x [",
                    "]>",
                    '<!ENTITY a "&b;&b;">',
                    '<!ENTITY b SYSTEM "file:///etc/passwd">',
                    "&a;",
                    "<![CDATA[",
                    "]]>",
                    "<x:y>",
                    "</x:y>",
                    "<dc:date>",
                ]
            ),
            any_text,
            link,
        ),
        max_size=40,
    ),
    st.booleans(),
)
def test_feed_parsing_survives_any_tag_soup(parts: list[str], gz: bool) -> None:
    import gzip

    body = "".join(parts).encode("utf-8", "surrogatepass")
    run("feed", gzip.compress(body)[: len(body) // 2 + 10] if gz else body)


# -- dates --------------------------------------------------------------------------------

DATE_TOKENS = [
    "January",
    "Jan.",
    "Feb",
    "March",
    "May",
    "may",
    "June",
    "Sept.",
    "Sep",
    "October",
    "last",
    "this",
    "next",
    "year",
    "month",
    "week",
    "earlier",
    "later",
    "ago",
    "two",
    "yesterday",
    "today",
    "Monday",
    "on",
    "since",
    "by",
    "until",
    "mid-",
    "early",
    "Q3",
    "H1",
    "first",
    "half",
    "quarter",
    "of",
    "the",
    ",",
    ".",
    "st",
    "th",
    "-",
    "$",
    " ",
    "\n",
    "\t",
    "\u2013",
]
numbers = st.one_of(st.integers(0, 40), st.integers(1890, 2110), st.integers(0, 99999)).map(str)


@profile(200)
@given(
    st.lists(st.one_of(st.sampled_from(DATE_TOKENS), numbers, any_text), max_size=60),
    st.sampled_from([" ", "", "  ", "\n"]),
    st.binary(min_size=4, max_size=4),
)
def test_date_finding_is_well_formed(tokens: list[str], sep: str, head: bytes) -> None:
    run("dates", head + sep.join(tokens).encode("utf-8", "surrogatepass"))


FORMATS = ["%B %d, %Y", "%d %B %Y", "%Y-%m-%d", "%b. %d, %Y", "%B %d %Y"]


@profile(150)
@given(
    st.dates(date(1990, 1, 1), date(2039, 12, 31)),
    st.sampled_from(FORMATS),
    st.lists(st.sampled_from(WORDS), max_size=20),
    st.lists(st.sampled_from(WORDS), max_size=20),
    st.dates(date(1990, 1, 1), date(2039, 12, 31)),
)
def test_a_written_date_is_read_back(
    day: date, fmt: str, before: list[str], after: list[str], published: date
) -> None:
    from nlp.dates import resolve

    written = day.strftime(fmt)
    prefix = " ".join(before) + (" " if before else "")
    text = f"{prefix}{written} {' '.join(after)}"
    with time_limit(PER_EXAMPLE_SECONDS):
        assert resolve(text, published, len(prefix)) == day.isoformat(), text


# -- chipwatch extract --------------------------------------------------------------------

SENTENCES = [
    "The United States restricted exports of chipmaking tools to China on October 7, 2022.",
    "The Netherlands said ASML would need licences for some DUV systems from September.",
    "\u201cWe act on security grounds,\u201d the minister said on Monday.",
    "Japan added 23 types of equipment to its list last year.",
    "SMIC did not comment.",
    "BIS updated the rules again in 2023.",
    "PRC officials objected.",
]
story = st.lists(
    st.one_of(st.sampled_from(SENTENCES), plain_text, st.sampled_from(HOSTILE)),
    min_size=1,
    max_size=12,
).map(" ".join)
field_value = st.one_of(st.none(), st.booleans(), st.integers(), plain_text, json_value)
article_objects = st.fixed_dictionaries(
    {"text": st.one_of(story, story, any_text, st.none(), st.integers())},
    optional={
        "url": st.one_of(link, field_value),
        "title": field_value,
        "authors": field_value,
        "published": st.one_of(
            st.dates().map(str),
            st.just("2024-12-02T10:00:00Z"),
            st.integers(),
            plain_text,
            st.none(),
        ),
        "site_name": field_value,
        "language": field_value,
        "story_id": field_value,
        "document": field_value,
    },
)


@profile(25)
@given(
    st.lists(st.one_of(article_objects, json_value), min_size=1, max_size=3),
    st.sampled_from([0, 1, 2, 0x10, 0x12]),
)
def test_extract_input_is_refused_or_extracted(items: list[Any], mode: int) -> None:
    if mode % 3 == 1:  # .jsonl
        payload = "\n".join(json.dumps(i) for i in items)
    elif mode % 3 == 0:  # .json: one object or a list
        payload = json.dumps(items[0] if len(items) == 1 else items)
    else:  # .txt
        payload = " ".join(str(i.get("text")) if isinstance(i, dict) else str(i) for i in items)
    run("extract", bytes([mode]) + payload.encode("utf-8"))
