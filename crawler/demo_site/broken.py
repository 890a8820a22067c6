"""The broken corner of the demo site: pages that fail the ways real sites do.

``/broken/feed.xml`` lists them all, so a crawl can opt in to the trouble. The pages:

====================  =====================================================================
``/broken/empty``     200 with an empty body
``/broken/loop-a``    302 to ``/broken/loop-b``, which redirects back (a redirect loop)
``/broken/moved``     301 to a real article (a redirect that works)
``/broken/error-500`` 500 Internal Server Error
``/broken/missing``   404 Not Found
``/broken/huge``      a > 5 MB article page (a short story drowned in reader comments)
``/broken/slow``      a small article page sent after ``slow_delay`` seconds
====================  =====================================================================

Two real articles are broken too (see their ``quirk``): one with malformed HTML, one declared
UTF-8 but sent as Windows-1252.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from crawler.demo_site.render import render_plain

HUGE_MIN_BYTES = 5 * 1024 * 1024 + 1


@dataclass(frozen=True)
class PlainPage:
    """A small article page of the broken corner (its ground truth is these fields)."""

    title: str
    published: str
    paragraphs: tuple[str, ...]


SLOW = PlainPage(
    title="Harbour ferry timetable changes for the winter season",
    published="2024-11-04T08:00:00+00:00",
    paragraphs=(
        (
            "The harbour ferry will run every 40 minutes instead of every 30 from the first "
            "Monday of December, the operator said, as it takes two boats out of service for "
            "repainting."
        ),
        (
            "Evening sailings after 10pm will be cut on weekdays but kept at weekends. Season "
            "tickets bought before the change will be honoured until they expire."
        ),
    ),
)
HUGE = PlainPage(
    title="Readers have their say on the future of the old tram depot",
    published="2024-06-12T18:00:00+00:00",
    paragraphs=(
        (
            "We asked readers what should happen to the old tram depot on Quay Street, which "
            "the council plans to sell next year. More than a thousand of you replied."
        ),
        (
            "Most wanted the building kept as a market hall or a workshop space; a smaller "
            "group argued that housing was the better use of the site. A selection of comments "
            "follows."
        ),
    ),
)


def broken_pages(base_url: str) -> list[tuple[str, str, str]]:
    """(path, title, what it does) for each broken page, as the broken feed lists them."""
    return [
        ("/broken/empty", "An empty page", "200 with an empty body"),
        ("/broken/loop-a", "A redirect loop", "302 to loop-b, which redirects back"),
        ("/broken/moved", "A moved story", "301 to a real article"),
        ("/broken/error-500", "A server error", "500 Internal Server Error"),
        ("/broken/missing", "A missing story", "404 Not Found"),
        ("/broken/huge", HUGE.title, "a page larger than 5 MB"),
        ("/broken/slow", SLOW.title, "a page that answers slowly"),
    ]


def slow_page() -> str:
    return render_plain(SLOW.title, SLOW.paragraphs, SLOW.published)


@lru_cache(maxsize=1)
def huge_page() -> bytes:
    """A valid article page padded past 5 MB with generated reader comments."""
    page = render_plain(HUGE.title, HUGE.paragraphs, HUGE.published)
    comment = (
        '<div class="comment" id="c{n}"><p class="comment-meta">reader{n} wrote:</p>'
        "<p>Keep the depot as a market hall, with space for small workshops upstairs and "
        "bicycle parking outside. Comment number {n}.</p></div>\n"
    )
    parts = ['<section class="comments">\n']
    size, n = 0, 0
    while size < HUGE_MIN_BYTES:
        chunk = comment.format(n=n)
        parts.append(chunk)
        size += len(chunk)
        n += 1
    parts.append("</section>\n")
    return page.replace("<!-- COMMENTS -->", "".join(parts)).encode("utf-8")


def error_page(status: int, message: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><title>{status} {message}</title></head>"
        f"<body><h1>{status} {message}</h1><p>Demo server.</p></body></html>"
    )


def feed_dates() -> dict[str, datetime]:
    """A fixed date per broken page, so the broken feed is stable between requests."""
    base = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    paths = [p for p, _, _ in broken_pages("")]
    return {p: base.replace(day=1 + i) for i, p in enumerate(paths)}
