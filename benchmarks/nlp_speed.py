"""Words per second of the whole chipwatch pipeline against bare en_core_web_sm, both measured
in this run on the same texts (the demo site's articles, which we wrote), and the speed-up of
n_process=2.

    .venv/bin/python benchmarks/nlp_speed.py [--docs 300]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from crawler.demo_site.content import load_articles  # noqa: E402
from nlp.pipeline import extract_many, load_pipeline, model_name  # noqa: E402


def texts(n: int) -> list[str]:
    pool = [a.text for a in load_articles() if a.language == "en"]
    return [pool[i % len(pool)] for i in range(n)]


def rate(words: int, seconds: float) -> float:
    return words / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=300)
    docs = texts(parser.parse_args().docs)
    words = sum(len(t.split()) for t in docs)

    bare = spacy.load(model_name())
    ours = load_pipeline()
    list(bare.pipe(docs[:5]))  # warm both up: lazy tables, the KB's matchers
    list(ours.pipe(docs[:5]))

    t = time.perf_counter()
    list(bare.pipe(docs, batch_size=32))
    bare_s = time.perf_counter() - t
    articles = [{"url": f"u{i}", "published": "2024-01-01", "text": x} for i, x in enumerate(docs)]
    t = time.perf_counter()
    list(extract_many(articles, n_process=1))
    ours_s = time.perf_counter() - t
    t = time.perf_counter()
    list(extract_many(articles, n_process=2))
    two_s = time.perf_counter() - t

    print(f"{len(docs)} documents, {words} words")
    print(f"bare {model_name()}: {rate(words, bare_s):,.0f} words/s")
    print(f"chipwatch pipeline (records included): {rate(words, ours_s):,.0f} words/s")
    print(f"ratio chipwatch/bare: {bare_s / ours_s:.2f} (target >= 0.75)")
    print(f"chipwatch n_process=2: {rate(words, two_s):,.0f} words/s, "
          f"speed-up {ours_s / two_s:.2f}x over n_process=1")


if __name__ == "__main__":
    main()
