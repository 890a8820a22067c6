"""Article-body benchmark: our ``extract_article`` against plain trafilatura, same run, same metric.

Data: ``<repo>/../shared/benchmarks/article-extraction`` (the Scrapinghub / Zyte benchmark, 181
pages), read in place. The metric is re-implemented from that folder's README (the original
``evaluate.py`` is not copied): 4-token shingles over ``\\w+`` tokens, per-document TP/FP/FN
normalised to sum to 1, macro precision and recall, F1 as their harmonic mean.

Run: ``.venv/bin/python benchmarks/article_extraction.py [--limit N] [--worst K] [--no-baseline]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "benchmarks" / "article-extraction"

if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

_TOKEN = re.compile(r"\w+", re.UNICODE)
SHINGLE = 4


@dataclass(frozen=True)
class Counts:
    """One document's shingle overlap, normalised so that tp + fp + fn == 1."""

    tp: float
    fp: float
    fn: float


@dataclass(frozen=True)
class Score:
    f1: float
    precision: float
    recall: float
    accuracy: float


def shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    # A text shorter than n tokens is one shorter shingle (an empty text is none at all).
    grams = [tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1))]
    return Counter(g for g in grams if g)


def counts(gold: str, pred: str) -> Counts:
    g, p = shingles(gold), shingles(pred)
    tp = sum((g & p).values())
    fp = sum((p - g).values())
    fn = sum((g - p).values())
    total = tp + fp + fn
    if total == 0:
        return Counts(0.0, 0.0, 0.0)
    # Normalised so that a long document weighs no more than a short one.
    return Counts(tp / total, fp / total, fn / total)


def _ratio(tp: float, other: float, c: Counts) -> float:
    if c.fp == 0 and c.fn == 0:
        return 1.0
    if tp == 0:
        return 0.0
    return tp / (tp + other)


def score(pairs: Iterable[tuple[str, str]]) -> Score:
    """Macro precision / recall over (gold, predicted) pairs; F1 of the two means."""
    precisions: list[float] = []
    recalls: list[float] = []
    exact = 0
    n = 0
    for gold, pred in pairs:
        n += 1
        c = counts(gold, pred)
        if c.tp + c.fp > 0:
            precisions.append(_ratio(c.tp, c.fp, c))
        if c.tp + c.fn > 0:
            recalls.append(_ratio(c.tp, c.fn, c))
        exact += _TOKEN.findall(gold or "") == _TOKEN.findall(pred or "")
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Score(f1, p, r, exact / n if n else 0.0)


def doc_f1(gold: str, pred: str) -> float:
    c = counts(gold, pred)
    p, r = _ratio(c.tp, c.fp, c), _ratio(c.tp, c.fn, c)
    return 2 * p * r / (p + r) if p + r else 0.0


def load(limit: int | None = None) -> list[tuple[str, str, str, str]]:
    """(id, url, gold body, html) for each page, in id order."""
    if not DATA.is_dir():
        raise SystemExit(f"benchmark data not found at {DATA}")
    truth = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    rows = []
    for key in sorted(truth)[:limit]:
        html = gzip.decompress((DATA / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8")
        rows.append((key, truth[key]["url"], truth[key]["articleBody"], html))
    return rows


def run(
    name: str, fn: Callable[[str, str], str], rows: list[tuple[str, str, str, str]]
) -> tuple[Score, float, dict[str, str]]:
    preds: dict[str, str] = {}
    start = time.perf_counter()
    for key, url, _gold, html in rows:
        try:
            preds[key] = fn(html, url) or ""
        except Exception as e:  # noqa: BLE001 - a crash is an empty body for scoring, and is reported
            print(f"  {name}: {key[:12]} raised {type(e).__name__}: {e}", file=sys.stderr)
            preds[key] = ""
    elapsed = time.perf_counter() - start
    result = score((gold, preds[key]) for key, _u, gold, _h in rows)
    return result, len(rows) / elapsed if elapsed else 0.0, preds


def ours(html: str, url: str) -> str:
    from crawler.extract import extract_article

    return extract_article(html, url).text


def baseline(html: str, url: str) -> str:
    import trafilatura

    # As the benchmark's own runner called it: no URL, defaults otherwise.
    return trafilatura.extract(html, include_comments=False) or ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="only the first N pages")
    ap.add_argument("--worst", type=int, default=0, help="list our K worst pages")
    ap.add_argument("--no-baseline", action="store_true", help="skip the trafilatura baseline")
    args = ap.parse_args(argv)

    rows = load(args.limit)
    print(f"article-extraction: {len(rows)} pages from {DATA}")
    results = [("chipwatch", *run("chipwatch", ours, rows))]
    if not args.no_baseline:
        results.append(("trafilatura (default)", *run("trafilatura", baseline, rows)))
    print(f"{'system':24} {'F1':>7} {'prec':>7} {'recall':>7} {'acc':>7} {'pages/s':>8}")
    for name, s, speed, _preds in results:
        print(
            f"{name:24} {s.f1:7.3f} {s.precision:7.3f} {s.recall:7.3f} {s.accuracy:7.3f} {speed:8.1f}"
        )
    if len(results) == 2:
        print(f"F1 ratio chipwatch / baseline: {results[0][1].f1 / results[1][1].f1:.3f}")
    if args.worst:
        preds = results[0][3]
        worst = sorted(rows, key=lambda r: doc_f1(r[2], preds[r[0]]))[: args.worst]
        for key, url, gold, _h in worst:
            c = counts(gold, preds[key])
            print(
                f"  {doc_f1(gold, preds[key]):.3f} tp={c.tp:.2f} fp={c.fp:.2f} fn={c.fn:.2f} {key[:12]} {url}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
