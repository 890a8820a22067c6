"""`chipwatch extract` as the contract describes it: JSON Lines out, bad inputs named on
stderr, the rest processed, a non-zero exit when any input failed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ARTICLE = {
    "url": "https://test.invalid/pressure",
    "title": "US presses allies",
    "published": "2024-03-06",
    "text": "The US has urged Japan and the Netherlands to tighten export controls on chip tools.",
}


def extract(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chipwatch", "extract", *args], input=stdin,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def test_json_and_txt_inputs(tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    a.write_text(json.dumps(ARTICLE))
    story = tmp_path / "story.txt"
    story.write_text("Japan restricted exports of 23 types of chipmaking tools last year.")
    r = extract(str(a), str(story), "--published", "2024-03-06", "--url", "https://test.invalid/s")
    assert r.returncode == 0, r.stderr
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x["url"] for x in records] == ["https://test.invalid/pressure", "https://test.invalid/s"]
    assert all(x["published"] == "2024-03-06" for x in records)
    first = records[0]
    assert {"url", "published", "extractor", "entities", "events", "quotes"} <= set(first)
    assert any(e["type"] == "PRESSURE" for e in first["events"])
    for e in first["entities"]:
        assert {"id", "name", "type", "aliases_seen", "mentions", "wikidata", "role"} <= set(e)
    restriction = [e for e in records[1]["events"] if e["type"] == "RESTRICTION"]
    assert restriction and restriction[0]["date"] == "2023"


def test_bad_files_are_named_and_the_rest_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(ARTICLE))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({**ARTICLE, "text": ""}))
    baddate = tmp_path / "baddate.json"
    baddate.write_text(json.dumps({**ARTICLE, "published": "last spring"}))
    missing = tmp_path / "missing.json"
    r = extract(str(broken), str(good), str(empty), str(missing), str(baddate))
    assert r.returncode == 1
    errors = [line for line in r.stderr.splitlines() if line.startswith("chipwatch: error:")]
    assert len(errors) == 4
    for f in (broken, empty, missing, baddate):
        assert any(str(f) in line for line in errors), f
    assert [json.loads(line)["url"] for line in r.stdout.splitlines()] == [ARTICLE["url"]]


def test_jsonl_from_stdin() -> None:
    lines = "\n".join(json.dumps({**ARTICLE, "url": f"https://test.invalid/{i}"}) for i in range(3))
    r = extract("-", stdin=lines)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 3


def test_a_component_failing_on_one_article_skips_only_that_one(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from nlp.components.events import EventExtractor
    from nlp.pipeline import extract_many

    original = EventExtractor._sentence

    def explode(self, sent, mentions):  # type: ignore[no-untyped-def]
        if "BOOM" in sent.text:
            raise RuntimeError("boom")
        return original(self, sent, mentions)

    monkeypatch.setattr(EventExtractor, "_sentence", explode)
    articles = [{**ARTICLE, "url": f"https://test.invalid/{i}"} for i in range(3)]
    articles[1]["text"] = "BOOM. The US urged Japan to act."
    failed: list[str] = []
    records = list(extract_many(articles, on_error=lambda a, e: failed.append(a["url"])))
    assert [r["url"] for r in records] == ["https://test.invalid/0", "https://test.invalid/2"]
    assert failed == ["https://test.invalid/1"]
