"""HTML for article pages, outlet front pages and the Federal Register document pages.

Each outlet has its own Jinja2 template under ``templates/`` so that the pages differ the way
real sites do: where the date is (JSON-LD, OpenGraph, ``<time>``, microdata, Dublin Core),
how the byline is marked up, and what page furniture surrounds the body. Pure functions: the
server decides what to render and when.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from crawler.demo_site.content import OUTLETS, DemoArticle, Outlet

TEMPLATE_DIR = Path(__file__).with_name("templates")
DEMO_NOTICE = "Demo content written for chipwatch tests; not a real publication."

_MONTHS_SHORT = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["jsonld"] = jsonld
    return env


def jsonld(data: Any) -> str:
    """JSON for a ``<script type="application/ld+json">`` block ("</" cannot end the script)."""
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")


# --- URLs ---------------------------------------------------------------------------------


def article_path(a: DemoArticle) -> str:
    """The clean path of an article page (what rel=canonical names)."""
    dt = a.published_dt
    if a.private:
        return f"/private/{a.outlet}/{a.slug}"
    if a.outlet == "meridian":
        return f"/meridian/news/{dt:%Y/%m/%d}/{a.slug}/"
    if a.outlet == "ledger":
        section = re.sub(r"[^a-z]+", "-", a.section.lower()).strip("-")
        return f"/ledger/{section}/{dt:%Y}/{_MONTHS_SHORT[dt.month - 1]}/{dt:%d}/{a.slug}"
    if a.outlet == "fabline":
        return f"/fabline/{dt:%Y/%m}/{a.slug}.html"
    if a.outlet == "acd":
        section = re.sub(r"[^a-z]+", "-", a.section.lower()).strip("-")
        return f"/acd/business/{section}/{a.slug}"
    if a.outlet == "press":
        return f"/press/news/{dt:%Y/%m}/{a.slug}"
    raise ValueError(f"no URL scheme for outlet {a.outlet!r}")


def feed_link(a: DemoArticle, base_url: str) -> str:
    """The article link as the outlet's feed gives it: with tracking parameters, if any."""
    tracking = OUTLETS[a.outlet].tracking
    url = base_url + article_path(a)
    return f"{url}?{tracking}" if tracking else url


# --- dates --------------------------------------------------------------------------------


def _offset_minutes(dt: datetime) -> int:
    off = dt.utcoffset() or timedelta(0)
    return int(off.total_seconds() // 60)


def tz_label(dt: datetime, outlet: Outlet) -> str:
    minutes = _offset_minutes(dt)
    if minutes in outlet.tz_labels:
        return outlet.tz_labels[minutes]
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def display_date(iso: str, outlet: Outlet) -> str:
    """The date as the outlet prints it for readers (each outlet its own way)."""
    dt = datetime.fromisoformat(iso)
    tz = tz_label(dt, outlet)
    hour12 = dt.hour % 12 or 12
    ampm = "AM" if dt.hour < 12 else "PM"
    if outlet.key == "meridian":
        return f"{dt:%B} {dt.day}, {dt:%Y} {hour12}:{dt:%M} {ampm} {tz}"
    if outlet.key == "ledger":
        return f"{dt:%a} {dt.day} {dt:%b %Y %H}.{dt:%M} {tz}"
    if outlet.key == "fabline":
        return f"{dt:%B} {dt.day}, {dt:%Y}"
    if outlet.key == "acd":
        return f"{dt:%Y/%m/%d %H:%M} {tz}"
    return f"{dt:%A}, {dt:%B} {dt.day}, {dt:%Y}"


def byline_text(a: DemoArticle) -> str:
    if a.byline:
        return a.byline
    names = list(a.authors)
    if not names:
        return ""
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"By {joined}"


# --- pages --------------------------------------------------------------------------------


def article_context(
    a: DemoArticle, base_url: str, related: Sequence[DemoArticle]
) -> dict[str, Any]:
    outlet = OUTLETS[a.outlet]
    canonical = base_url + article_path(a)
    return {
        "a": a,
        "outlet": outlet,
        "base_url": base_url,
        "canonical": canonical,
        "published_display": display_date(a.published, outlet),
        "modified_display": display_date(a.modified, outlet) if a.modified else "",
        "published_date": a.published[:10],
        "byline": byline_text(a),
        "related": [(r.title, base_url + article_path(r)) for r in related],
        "paragraphs": list(a.visible_body),
        "paywalled": a.quirk == "paywall",
        "json_ld": _news_article_ld(a, outlet, canonical),
        "notice": DEMO_NOTICE,
        "image_url": f"{base_url}/static/img/{a.id}.jpg",
        # A WordPress-style numeric post id, stable across runs.
        "post_id": 10000 + zlib.crc32(a.id.encode()) % 90000,
    }


def _news_article_ld(a: DemoArticle, outlet: Outlet, canonical: str) -> dict[str, Any]:
    ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "datePublished": a.published,
        "author": [{"@type": "Person", "name": n} for n in a.authors],
        "publisher": {"@type": "NewsMediaOrganization", "name": outlet.name},
        "mainEntityOfPage": canonical,
        "inLanguage": a.language,
        "articleSection": a.section,
        "description": a.summary,
    }
    if a.modified:
        ld["dateModified"] = a.modified
    return ld


def render_article(a: DemoArticle, base_url: str, related: Sequence[DemoArticle] = ()) -> str:
    """The article's page in its outlet's template (with its quirk applied, if any)."""
    template = environment().get_template(OUTLETS[a.outlet].template)
    html = template.render(**article_context(a, base_url, related))
    if a.quirk == "malformed-html":
        html = break_html(html)
    return html


def break_html(html: str) -> str:
    """Damage a page the way sloppy CMS output does, keeping its text intact.

    Closing ``</p>`` tags go missing, the article container is never closed, a stray
    ``</span></div>`` appears, attribute quotes are dropped and the page ends mid-document.
    """
    html = html.replace("</p>", "")
    html = html.replace('class="entry-content"', "class=entry-content")
    html = html.replace("</article>", "</span></div>", 1)
    html = html.replace("<strong>", "<b>").replace("</strong>", "")
    cut = html.rfind("</body>")
    return html[:cut] if cut > 0 else html


def render_index(outlet: Outlet, articles: Sequence[DemoArticle], base_url: str) -> str:
    """An outlet's front page: the newest articles, linked by their clean URLs."""
    items = [
        (a.title, base_url + article_path(a), display_date(a.published, outlet), a.summary)
        for a in sorted(articles, key=lambda x: x.published_dt, reverse=True)
        if not a.private
    ]
    return (
        environment()
        .get_template("index.html.j2")
        .render(outlet=outlet, items=items, base_url=base_url, notice=DEMO_NOTICE)
    )


def render_home(outlets: Sequence[Outlet], base_url: str) -> str:
    return (
        environment()
        .get_template("home.html.j2")
        .render(outlets=outlets, base_url=base_url, notice=DEMO_NOTICE)
    )


def render_fr_document(doc: dict[str, Any], base_url: str) -> str:
    return (
        environment()
        .get_template("fr_document.html.j2")
        .render(doc=doc, base_url=base_url, notice=DEMO_NOTICE)
    )


def render_plain(title: str, paragraphs: Sequence[str], published: str) -> str:
    """A bare article page used by the broken-pages section (slow and huge pages)."""
    return (
        environment()
        .get_template("plain.html.j2")
        .render(title=title, paragraphs=paragraphs, published=published, notice=DEMO_NOTICE)
    )
