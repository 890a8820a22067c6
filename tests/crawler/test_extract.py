"""``extract_article``: fixture pages we wrote (expected JSON beside each) and tables of ugly cases."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from chipwatch.errors import ExtractionError
from crawler.extract import extract_article
from crawler.extraction import body, decode, language, meta
from crawler.items import Article

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "crawler" / "extract"
PAGES = sorted(FIXTURES.glob("*.html"))
URL = "https://news.example/2023/10/17/chip-rules"

# Prose long enough for trafilatura to accept as an article body (our own words).
PARAS = [
    (
        "The Commerce Department widened its controls on advanced computing chips on Tuesday, "
        "closing gaps that let designers ship slightly slower parts to customers in China."
    ),
    (
        "Officials said the update replaces the interconnect test with a performance density "
        "threshold and extends licence requirements to dozens of additional countries."
    ),
    (
        "Chip designers said they were studying the rules, while toolmakers in the Netherlands "
        "and Japan expected little change because national measures were already in place."
    ),
    (
        "Analysts expect further adjustments next year as the agencies review comments and "
        "watch how companies redesign products to stay under the new limits."
    ),
]
BODY = "".join(f"<p>{p}</p>" for p in PARAS)


def page(head: str = "", body_html: str = BODY, *, lang: str = "en", wrap: str = "article") -> str:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{head}</head>'
        f"<body><{wrap}><h1>Commerce widens advanced chip controls</h1>{body_html}</{wrap}></body></html>"
    )


# --- fixture pages --------------------------------------------------------------------------


def test_there_are_enough_fixture_pages() -> None:
    assert len(PAGES) >= 6
    for html_path in PAGES:
        assert html_path.with_suffix(".json").is_file(), f"{html_path.name} has no expected JSON"


@pytest.mark.parametrize("html_path", PAGES, ids=[p.stem for p in PAGES])
def test_fixture_page(html_path: Path) -> None:
    spec = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
    article = extract_article(html_path.read_bytes(), spec["url"], headers=spec.get("headers"))
    got = article.to_dict()
    for key, expected in spec["expected"].items():
        assert got[key] == expected, f"{key}: expected {expected!r}, got {got[key]!r}"
    for snippet in spec["text_contains"]:
        assert snippet in article.text, f"text lacks {snippet!r}"
    for snippet in spec["text_not_contains"]:
        assert snippet not in article.text, f"text keeps boilerplate {snippet!r}"
    assert article.url == spec["url"]
    # Paragraphs come separated by one blank line, none empty.
    paragraphs = article.text.split("\n\n")
    assert len(paragraphs) >= 2 and all(p.strip() == p and p for p in paragraphs)


def test_result_is_an_article_and_round_trips() -> None:
    article = extract_article(page("<title>Commerce widens advanced chip controls</title>"), URL)
    assert isinstance(article, Article)
    assert Article.from_dict(article.to_dict()) == article
    assert article.text.startswith("The Commerce Department widened")


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "headers", "message"),
    [
        (b"", None, "empty"),
        ("", None, "empty"),
        ("   \n\t ", None, "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", None, "not HTML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "not HTML"),
        (b"\x00\x01\x02\x03" * 200, None, "not HTML"),
        (
            b"<html><body><p>x</p></body></html>",
            {"Content-Type": "application/pdf"},
            "Content-Type",
        ),
        ("just a line of plain text without any markup at all", None, "no markup"),
    ],
    ids=["empty-bytes", "empty-str", "blank", "pdf", "png", "binary", "pdf-header", "plain-text"],
)
def test_bad_input_raises_extraction_error(
    data: str | bytes, headers: dict[str, str] | None, message: str
) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract_article(data, URL, headers=headers)


# --- charsets -------------------------------------------------------------------------------

GERMAN = "Die Bundesregierung prüft schärfere Regeln für Ausfuhren nach Übersee und Großbritannien."


@pytest.mark.parametrize(
    ("encoding", "headers", "meta_charset"),
    [
        ("cp1252", {"Content-Type": "text/html; charset=windows-1252"}, ""),
        ("cp1252", {"content-type": "text/html; charset=utf-8"}, ""),  # wrong header
        ("cp1252", None, '<meta charset="iso-8859-1">'),  # latin-1 label means cp1252
        ("utf-8", {"Content-Type": "text/html; charset=ISO-8859-1"}, ""),  # server default label
        (
            "utf-8",
            None,
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
        ),
        ("cp1252", None, ""),  # no label at all: detection
        ("utf-16", None, ""),  # BOM
        ("utf-8", {"Content-Type": "text/html; charset=no-such-charset"}, ""),
    ],
    ids=[
        "header",
        "wrong-header",
        "meta-latin1",
        "latin1-header-utf8",
        "wrong-meta",
        "detect",
        "bom",
        "unknown",
    ],
)
def test_charsets(encoding: str, headers: dict[str, str] | None, meta_charset: str) -> None:
    html = (
        f"<html><head>{meta_charset}<title>Ausfuhrregeln</title></head><body><article>"
        + f"<p>{GERMAN}</p>" * 6
        + "</article></body></html>"
    )
    article = extract_article(html.encode(encoding), URL, headers=headers)
    assert GERMAN in article.text


def test_undecodable_bytes_do_not_crash() -> None:
    data = (
        b"<html><body><article>"
        + (b"<p>Bytes \xff\xfe\x81 broken \xc3( text here, " + b"x" * 80 + b"</p>") * 6
        + b"</article></body></html>"
    )
    article = extract_article(data, URL, headers={"Content-Type": "text/html; charset=utf-8"})
    assert "broken" in article.text


def test_shift_jis_with_header_charset() -> None:
    text = "半導体製造装置の輸出管理を強化すると政府が発表した。対象は二十三品目である。"
    html = (
        f"<html><body><article>{'<p>' + text + '</p>' * 1}" * 1
        + f"<p>{text}</p>" * 5
        + "</article></body></html>"
    )
    article = extract_article(
        html.encode("shift_jis"), URL, headers={"Content-Type": "text/html; charset=Shift_JIS"}
    )
    assert text in article.text
    assert article.language == "ja"


# --- title ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "h1", "url", "expected"),
    [
        (
            "<title>Dutch DUV rule takes effect - Reuters</title>",
            None,
            "https://www.reuters.com/x",
            "Dutch DUV rule takes effect",
        ),
        (
            "<title>Chip ban widens | The Register</title>",
            None,
            "https://www.theregister.com/x",
            "Chip ban widens",
        ),
        (
            '<title>Chip ban widens | Hardware News | Byte Post</title><meta property="og:site_name" content="Byte Post">',
            None,
            "https://bytepost.example/x",
            "Chip ban widens",
        ),
        (
            "<title>Tech News | Japan lists 23 tools | Pacific Daily</title>",
            "Japan lists 23 tools",
            "https://pd.example/x",
            "Japan lists 23 tools",
        ),
        (
            "<title>Tool makers brace - National | Globalnews.ca</title>",
            None,
            "https://globalnews.ca/x",
            "Tool makers brace",
        ),
        (
            (
                '<meta property="og:title" content="Nvidia needs a licence for H20 – Chip Times">'
                '<meta property="og:site_name" content="Chip Times">'
            ),
            None,
            "https://chiptimes.example/x",
            "Nvidia needs a licence for H20",
        ),
        # a dash inside the headline is not a separator
        (
            "<title>US-China chip talks stall - Harbor Wire</title>",
            None,
            "https://harborwire.example/x",
            "US-China chip talks stall",
        ),
        # separators inside the real title survive when no part is the site
        (
            "<title>Gallium: China's answer to the chip rules</title>",
            None,
            "https://a.example/x",
            "Gallium: China's answer to the chip rules",
        ),
        # JSON-LD headline first, entities decoded
        (
            (
                '<title>Other | Site</title><script type="application/ld+json">{"@type": "NewsArticle", '
                '"headline": "SMIC&#8217;s 7nm surprise"}</script>'
            ),
            None,
            "https://a.example/x",
            "SMIC’s 7nm surprise",
        ),
        # og:title confirmed by the visible h1 beats a stale JSON-LD headline
        (
            (
                '<meta property="og:title" content="Dutch rules widen to older DUV tools">'
                '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Dutch rules to widen"}</script>'
            ),
            "Dutch rules widen to older DUV tools",
            "https://a.example/x",
            "Dutch rules widen to older DUV tools",
        ),
        ("", "Only an h1 names this page", "https://a.example/x", "Only an h1 names this page"),
    ],
    ids=[
        "reuters",
        "register",
        "section-suffix",
        "section-prefix-h1",
        "domain-suffix",
        "og-site",
        "hyphen-word",
        "colon",
        "jsonld",
        "og-h1",
        "h1-only",
    ],
)
def test_title_cleaning(head: str, h1: str | None, url: str, expected: str) -> None:
    h1_html = f"<h1>{h1}</h1>" if h1 else ""
    html = (
        f'<html lang="en"><head>{head}</head><body><article>{h1_html}{BODY}</article></body></html>'
    )
    assert extract_article(html, url).title == expected


# --- canonical URL --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/p?utm_source=x&utm_medium=y&id=7", "https://a.example/p?id=7"),
        ("https://a.example/p?fbclid=IwAR0&gclid=1&mc_cid=2&mc_eid=3", "https://a.example/p"),
        ("https://A.Example/p?ref_src=twsrc&page=2#section-3", "https://a.example/p?page=2"),
        ("https://a.example/p?smid=tw-share&b=2&a=1", "https://a.example/p?b=2&a=1"),
    ],
)
def test_strip_tracking(url: str, expected: str) -> None:
    assert meta.strip_tracking(url) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            '<link rel="canonical" href="/news/story-1?utm_campaign=c">',
            "https://news.example/news/story-1",
        ),
        (
            '<link rel="Canonical" href="https://news.example/news/story-1#top">',
            "https://news.example/news/story-1",
        ),
        (
            '<meta property="og:url" content="https://news.example/news/story-2?gclid=9">',
            "https://news.example/news/story-2",
        ),
        # a template that points every page at the home page is ignored
        (
            '<link rel="canonical" href="https://news.example/">',
            "https://news.example/2023/10/17/chip-rules",
        ),
        (
            '<link rel="canonical" href="javascript:void(0)">',
            "https://news.example/2023/10/17/chip-rules",
        ),
        ("", "https://news.example/2023/10/17/chip-rules"),
    ],
    ids=["relative", "case-fragment", "og-url", "home-page", "javascript", "none"],
)
def test_canonical_url(head: str, expected: str) -> None:
    assert extract_article(page(head), URL + "?utm_source=feed").canonical_url == expected


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "published"),
    [
        (
            (
                '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
                '{"@type": "WebPage", "datePublished": "2023-10-18"}, '
                '{"@type": "NewsArticle", "headline": "x", "datePublished": "2023-10-17T09:00:00-04:00"}]}</script>'
            ),
            "2023-10-17",
        ),
        (
            (
                '<script type="application/ld+json">[{"@type": "Organization", "name": "X"}, '
                '{"@type": ["NewsArticle"], "datePublished": "2024-12-02T10:00:00Z",}]</script>'
            ),
            "2024-12-02",
        ),
        (
            '<meta property="article:published_time" content="2023-08-29T07:00:00+00:00">',
            "2023-08-29",
        ),
        ('<meta name="sailthru.date" content="2023-07-03 18:00:00">', "2023-07-03"),
        ('<meta name="parsely-pub-date" content="2025-01-13T12:00:00Z">', "2025-01-13"),
        ('<meta name="DC.date" content="2022-10-07">', "2022-10-07"),
        ('<meta itemprop="datePublished" content="2025-04-15">', "2025-04-15"),
        ('<meta name="pubdate" content="20230901">', "2023-09-01"),
        ('<meta name="date" content="September 1, 2023">', "2023-09-01"),
    ],
    ids=[
        "jsonld-graph",
        "jsonld-list-trailing-comma",
        "article-meta",
        "sailthru",
        "parsely",
        "dc",
        "itemprop",
        "compact",
        "words",
    ],
)
def test_published_date_sources(head: str, published: str) -> None:
    assert extract_article(page(head), URL).published == published


def test_time_element_and_modified_date() -> None:
    html = page(
        '<meta property="article:modified_time" content="2023-10-19T08:00:00Z">',
        body_html='<time datetime="2023-10-17T14:00:00-04:00">Oct 17</time>' + BODY,
    )
    article = extract_article(html, URL)
    assert (article.published, article.modified) == ("2023-10-17", "2023-10-19")


def test_htmldate_fallback_reads_visible_date() -> None:
    html = page(body_html='<p class="date">Published on 17 October 2023</p>' + BODY)
    assert extract_article(html, "https://news.example/story").published == "2023-10-17"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-10-17T09:00:00-04:00", "2023-10-17"),
        ("2023/10/17", "2023-10-17"),
        ("Tue, 17 Oct 2023 13:00:00 GMT", "2023-10-17"),
        ("1697547600", "2023-10-17"),
        (1697547600000, "2023-10-17"),
        ("2023-02-30", None),
        ("October 2023", None),
        ("yesterday", None),
        ("", None),
        (None, None),
        ("1875-01-01", None),
    ],
)
def test_iso_date(value: object, expected: str | None) -> None:
    assert meta.iso_date(value) == expected


# --- authors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Jane Doe and John Roe"], ["Jane Doe", "John Roe"]),
        (["Jane Doe, John Roe & Ana Lima"], ["Jane Doe", "John Roe", "Ana Lima"]),
        (["TOM KRISHER, AP Auto Writer"], ["TOM KRISHER"]),
        (["Jane Doe (jane@news.example)"], ["Jane Doe"]),
        (["jane@news.example", "Staff Writer", "https://news.example/author/jd"], []),
        (["Von Anna Schmidt und Jörg Weiß"], ["Anna Schmidt", "Jörg Weiß"]),
        (["Sarah E. Needleman"], ["Sarah E. Needleman"]),
        (["Toby Sterling in Amsterdam"], ["Toby Sterling"]),
        (["Jane Doe", "jane doe", "JANE DOE"], ["Jane Doe"]),
        (["Lena Marsh, Senior Analyst"], ["Lena Marsh"]),
    ],
)
def test_clean_authors(raw: list[str], expected: list[str]) -> None:
    assert meta.clean_authors(raw) == expected


def test_multiple_authors_from_jsonld_and_meta() -> None:
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": ['
        '{"@type": "Person", "name": "Mia Chen"}, {"@type": "Person", "givenName": "Omar", "familyName": "Said"}, '
        '"By Lisa Berg"]}</script>'
    )
    assert extract_article(page(ld), URL).authors == ["Mia Chen", "Omar Said", "Lisa Berg"]
    tag = '<meta name="author" content="By Mia Chen and Omar Said">'
    assert extract_article(page(tag), URL).authors == ["Mia Chen", "Omar Said"]


# --- paywall --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "body_html", "paywalled"),
    [
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": false}</script>',
            BODY,
            True,
        ),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": "False"}</script>',
            BODY,
            True,
        ),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": true}</script>',
            BODY,
            False,
        ),
        (
            "",
            f"<p>{PARAS[0]}</p><div class='paywall-overlay'><p>Subscribe to continue reading.</p></div>",
            True,
        ),
        (
            "",
            f"<p>{PARAS[0]} {PARAS[1]}</p><p>Already a subscriber? Subscribe now to continue reading.</p>",
            True,
        ),
        (f'<meta name="description" content="{PARAS[0]} {PARAS[1]}">', f"<p>{PARAS[0]}</p>", True),
        # a long free article inside a template class named "paywall" is not a teaser
        ("", f"<div class='paywall'>{BODY * 2}</div>", False),
        ("", BODY, False),
    ],
    ids=[
        "jsonld-false",
        "jsonld-string",
        "jsonld-true",
        "marker-short",
        "prompt-text",
        "teaser-vs-description",
        "long-in-paywall-class",
        "free",
    ],
)
def test_paywall(head: str, body_html: str, paywalled: bool) -> None:
    assert extract_article(page(head, body_html), URL).paywalled is paywalled


# --- language -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang_attr", "head", "expected"),
    [
        ("en-GB", "", "en"),
        ("", '<meta property="og:locale" content="de_DE">', "de"),
        ("", '<meta http-equiv="content-language" content="fr-FR">', "fr"),
        ("", "", "en"),  # detected from the text
    ],
)
def test_language(lang_attr: str, head: str, expected: str) -> None:
    html = page(head).replace(' lang="en"', f' lang="{lang_attr}"' if lang_attr else "")
    assert extract_article(html, URL).language == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" ".join(PARAS), "en"),
        (
            (
                "Die Regierung hat die Regeln für die Ausfuhr von Anlagen verschärft, und die Industrie ist nicht "
                "erfreut. Es wird erwartet, dass sich die Lage im Sommer mit der neuen Strategie ändert."
            ),
            "de",
        ),
        (
            (
                "Le gouvernement a renforcé les règles pour les exportations et les industriels ne sont pas "
                "contents. Il est prévu que la situation change dans les mois qui viennent avec une nouvelle loi."
            ),
            "fr",
        ),
        (
            "政府は半導体製造装置の輸出管理を強化すると発表した。対象は二十三品目で、七月から施行される。",
            "ja",
        ),
        ("정부는 반도체 장비 수출 통제를 강화한다고 발표했다. 대상은 스물세 개 품목이다.", "ko"),
        (
            "Правительство объявило об ужесточении экспортного контроля на оборудование для чипов.",
            "ru",
        ),
        ("too short", None),
    ],
)
def test_detect_language(text: str, expected: str | None) -> None:
    assert language.detect(text) == expected


# --- structure and robustness ---------------------------------------------------------------


def test_deeply_nested_divs_do_not_break_extraction() -> None:
    depth = 5000
    html = (
        "<html><head><title>Nested rule story</title></head><body>"
        + "<div>" * depth
        + BODY
        + "</div>" * depth
        + "</body></html>"
    )
    started = time.perf_counter()
    article = extract_article(html, URL)
    assert PARAS[0] in article.text
    assert time.perf_counter() - started < 30


def test_huge_input_is_capped() -> None:
    filler = "<div class='x'>" + "<span>filler</span>" * 400_000 + "</div>"
    html = page(body_html=BODY + filler)
    assert len(html) > decode.MAX_BYTES
    started = time.perf_counter()
    article = extract_article(html.encode("utf-8"), URL)
    assert PARAS[0] in article.text
    assert time.perf_counter() - started < 60


def test_broken_jsonld_is_skipped() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
        '<meta property="article:published_time" content="2023-10-17">'
    )
    article = extract_article(page(head), URL)
    assert article.published == "2023-10-17"
    assert article.title == "Commerce widens advanced chip controls"


def test_split_article_body_chunks_are_joined() -> None:
    chunk = "<div class='article-body'>{}</div><div class='ad-slot'><p>Advertisement</p></div>"
    html = page(
        body_html="".join(chunk.format(f"<p>{p}</p><p>{p}</p>") for p in PARAS), wrap="main"
    )
    text = extract_article(html, URL).text
    for p in PARAS:
        assert p in text


def test_paragraphs_are_separated_by_blank_lines() -> None:
    text = extract_article(page(), URL).text
    assert text.split("\n\n") == PARAS


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        (
            [
                "Commerce widens advanced chip controls",
                "Updated 5:45 AM EST Oct 17, 2023",
                "Body text.",
            ],
            ["Body text."],
        ),
        (["By Jane Doe and John Roe", "Body text."], ["Body text."]),
        (
            ["Body text.", "Read more: Japan lists 23 tools", "Related: other story", "More text."],
            ["Body text.", "More text."],
        ),
        (
            ["Body text.", "Sign up for our newsletter to get the briefing in your inbox."],
            ["Body text."],
        ),
        (
            ["Body text.", "Photo: Jane Doe/Harbor Wire", "(Image credit: Getty Images)"],
            ["Body text."],
        ),
        (["Body text.", "© 2023 Harbor Wire. All rights reserved."], ["Body text."]),
        (["Body text.", "Email Jane at jane@news.example or follow her @janedoe."], ["Body text."]),
        (["Body text.", "Advertisement"], ["Body text."]),
        (["Line one\nRead more: a promo\nLine two"], ["Line one\nLine two"]),
        # a single label word inside a broken paragraph is text, not furniture
        (["Photos\nwhich were released online"], ["Photos\nwhich were released online"]),
        (
            ["By the end of the year, rules tightened."],
            ["By the end of the year, rules tightened."],
        ),
    ],
    ids=[
        "title-stamp",
        "byline",
        "promos",
        "newsletter",
        "credits",
        "copyright",
        "contact",
        "ad-label",
        "in-block",
        "label-in-block",
        "not-byline",
    ],
)
def test_clean_blocks(blocks: list[str], expected: list[str]) -> None:
    assert body.clean_blocks(blocks, "Commerce widens advanced chip controls") == expected


def test_no_article_text_gives_empty_text_not_an_error() -> None:
    html = "<html><head><title>Index</title></head><body><img src='/logo.png'></body></html>"
    article = extract_article(html, URL)
    assert article.text == ""
    assert article.title == "Index"
