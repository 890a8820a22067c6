"""News-metadata benchmark: publication date and title against Fundus's reviewed parser output.

Data: ``<repo>/../shared/benchmarks/news-metadata`` (53 publisher pages, see its README),
read in place. A date counts when it is within one day of the expected one (time zones
differ between what publishers print and what Fundus stores); a title counts when it
equals the expected one with case and punctuation aside. Authors are reported too
(expected names found, case and punctuation aside), without a target.

Baseline in the same run: trafilatura's own metadata (``bare_extraction(with_metadata=True)``).

Run: ``.venv/bin/python benchmarks/news_metadata.py [--quiet]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "benchmarks" / "news-metadata"

if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

DATE_TARGET = 0.98
TITLE_TARGET = 0.94
_NON_WORD = re.compile(r"\W+", re.UNICODE)


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    html: str
    title: str
    published: date
    authors: list[str]


@dataclass(frozen=True)
class Guess:
    title: str | None
    published: str | None
    authors: list[str]


def norm(text: str | None) -> str:
    return _NON_WORD.sub("", text or "").lower()


def load() -> list[Page]:
    if not DATA.is_dir():
        raise SystemExit(f"benchmark data not found at {DATA}")
    manifest = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
    pages = []
    for e in manifest["entries"]:
        html = gzip.decompress((DATA / e["html_file"]).read_bytes()).decode("utf-8", "replace")
        pages.append(
            Page(
                name=e["html_file"].removesuffix(".html.gz"),
                url=e["url"],
                html=html,
                title=e["title"],
                published=date.fromisoformat(e["publishing_date"][:10]),
                authors=list(e["authors"]),
            )
        )
    return pages


def date_ok(expected: date, got: str | None) -> bool:
    if not got:
        return False
    try:
        return abs((date.fromisoformat(got[:10]) - expected).days) <= 1
    except ValueError:
        return False


def title_sources(page: Page) -> str:
    """Which of the page's title sources hold the expected title and ours: the reason for a miss."""
    from crawler.extraction import decode, meta

    cands = meta.read_title_candidates(decode.parse(page.html), page.url)
    has = [k for k, v in cands.items() if v and norm(v) == norm(page.title)]
    return f"expected title is in: {', '.join(has) or 'no source'}; sources: " + ", ".join(
        f"{k}={v!r}" for k, v in cands.items()
    )


def ours(page: Page) -> Guess:
    from crawler.extract import extract_article

    a = extract_article(page.html, page.url)
    return Guess(a.title, a.published, a.authors)


def baseline(page: Page) -> Guess:
    import trafilatura

    doc = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
    if doc is None:
        return Guess(None, None, [])
    author = getattr(doc, "author", None) or ""
    authors = [a.strip() for a in author.split(";") if a.strip()]
    return Guess(getattr(doc, "title", None), getattr(doc, "date", None), authors)


def evaluate(
    name: str, fn: Callable[[Page], Guess], pages: list[Page], *, verbose: bool
) -> dict[str, float]:
    dates = titles = author_hits = author_total = 0
    start = time.perf_counter()
    for page in pages:
        try:
            guess = fn(page)
        except Exception as e:  # noqa: BLE001 - counted as a miss on every field, and shown
            print(f"  [{name}] {page.name}: raised {type(e).__name__}: {e}")
            guess = Guess(None, None, [])
        if date_ok(page.published, guess.published):
            dates += 1
        elif verbose:
            print(f"  [{name}] DATE  {page.name}: expected {page.published}, got {guess.published}")
        if norm(guess.title) == norm(page.title):
            titles += 1
        elif verbose:
            print(
                f"  [{name}] TITLE {page.name}:\n      expected {page.title!r}\n      got      {guess.title!r}"
            )
            print(f"      {title_sources(page)}")
        got = {norm(a) for a in guess.authors}
        author_hits += sum(1 for a in page.authors if norm(a) in got)
        author_total += len(page.authors)
    n = len(pages)
    return {
        "date": dates / n,
        "title": titles / n,
        "authors": author_hits / author_total if author_total else 0.0,
        "pages_per_s": n / (time.perf_counter() - start),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quiet", action="store_true", help="only the summary table")
    args = ap.parse_args(argv)
    pages = load()
    print(f"news-metadata: {len(pages)} pages from {DATA}")
    results = {
        "chipwatch": evaluate("chipwatch", ours, pages, verbose=not args.quiet),
        "trafilatura metadata": evaluate("trafilatura", baseline, pages, verbose=False),
    }
    print(f"{'system':22} {'date±1d':>8} {'title':>7} {'authors':>8} {'pages/s':>8}")
    for name, r in results.items():
        print(
            f"{name:22} {r['date']:8.3f} {r['title']:7.3f} {r['authors']:8.3f} {r['pages_per_s']:8.1f}"
        )
    ours_r = results["chipwatch"]
    print(
        f"targets: date >= {DATE_TARGET} {'met' if ours_r['date'] >= DATE_TARGET else 'MISSED'}, "
        f"title >= {TITLE_TARGET} {'met' if ours_r['title'] >= TITLE_TARGET else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
