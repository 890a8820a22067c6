"""Huge and deeply nested input stays bounded: each generated input runs in a child process
(``replay.py --generate``) that reports the time it took and how far the peak RSS rose above
what the process held before (the input itself included). The big variants run only with
``CHIPWATCH_RELIABILITY_LONG=1`` (``make reliability``)."""

from __future__ import annotations

import os

import pytest

from tests.reliability.replay import run_child

LONG = os.environ.get("CHIPWATCH_RELIABILITY_LONG") == "1"

# (target, generated input, seconds allowed, RSS rise allowed in MB, long only)
CASES = [
    ("html", "nested_divs_50mb", 30, 512, False),  # the page is cut at 5 MB, then flattened
    ("html", "nested_divs_5mb", 30, 512, False),
    ("html", "flat_paragraphs_50mb", 90, 1024, True),  # 5 MB of paragraphs: ~20 s of trafilatura
    ("feed", "nested_xml_100k", 10, 256, False),  # libxml2 stops at depth 256
    ("feed", "gzip_bomb_1gib", 10, 256, False),  # inflated only up to the 20 MB cap
    ("feed", "items_200k", 30, 512, False),
    ("dates", "date_soup_100kb", 10, 256, False),
    ("dates", "date_soup_1mb", 30, 512, True),
    ("extract", "deep_json_100k", 10, 256, False),
    ("extract", "huge_text_20kb", 30, 512, False),
    ("extract", "huge_text_50mb", 120, 2048, True),  # cut to 200,000 characters for spaCy
]


@pytest.mark.parametrize(
    ("target", "name", "seconds", "rise_mb"),
    [c[:4] for c in CASES if LONG or not c[4]],
    ids=[f"{c[0]}-{c[1]}" for c in CASES if LONG or not c[4]],
)
def test_huge_input_is_bounded(target: str, name: str, seconds: float, rise_mb: float) -> None:
    (result,) = run_child(
        target, "--generate", name, "--limit", str(seconds), timeout=seconds + 120
    )
    assert result["ok"], f"{name}: {result['error']}\n{result.get('traceback', '')}"
    assert result["seconds"] <= seconds
    rise = result["rss_mb"] - result["rss_before_mb"]
    assert rise <= rise_mb, f"{name}: peak RSS rose by {rise:.0f} MB (limit {rise_mb} MB)"
