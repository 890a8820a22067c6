"""The durable article store (crawler/store.py): save outcomes, near-duplicate stories,
crash safety under kill -9, re-extraction inputs and the JSONL export."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from chipwatch.errors import CrawlError
from crawler import store as store_module
from crawler.items import Article
from crawler.store import (
    BANDS,
    MIN_DEDUP_WORDS,
    SCHEMA_VERSION,
    ArticleStore,
    shingles,
    similarity,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "crawler" / "store"
WRITER = FIXTURES / "writer.py"


class Clock:
    """A settable clock, so ``since`` and timestamps are exact."""

    def __init__(self) -> None:
        self.now = datetime(2024, 9, 6, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[ArticleStore]:
    with ArticleStore.open(tmp_path / "articles.sqlite", clock=clock) as s:
        yield s


@pytest.fixture(scope="module")
def texts() -> dict[str, Any]:
    return json.loads((FIXTURES / "near_duplicates.json").read_text(encoding="utf-8"))


def body(n: int, seed: str = "") -> str:
    """A text of n distinct-ish words; different seeds share no 5-gram."""
    return " ".join(f"{seed}w{i}" for i in range(n))


def art(url: str, text: str, **kw: Any) -> Article:
    return Article(url=kw.pop("url_fetched", url), canonical_url=url, text=text, **kw)


def from_fixture(item: dict[str, str], **kw: Any) -> Article:
    return Article(
        url=item["url"], canonical_url=item["url"], title=item["title"], text=item["text"], **kw
    )


# --- opening ----------------------------------------------------------------------------------


def test_open_creates_a_wal_database_at_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "a.sqlite"
    ArticleStore.open(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "articles",
        "raw_pages",
        "fetch_log",
        "url_aliases",
        "validators",
        "stories",
        "runs",
        "lsh_bands",
    } <= tables


def test_reopening_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    with ArticleStore.open(path) as s:
        s.save(art("https://a.example/1", body(50)))
    with ArticleStore.open(path, synchronous="FULL") as s:
        assert s.is_known("https://a.example/1")
        assert s.counts()["articles"] == 1


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    ArticleStore.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(CrawlError, match="newer than this chipwatch"):
        ArticleStore.open(path)


def test_a_file_that_is_not_a_database_is_a_crawl_error(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CrawlError, match=r"a\.sqlite: cannot open the article store"):
        ArticleStore.open(path)


def test_the_migration_hook_upgrades_an_old_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.sqlite"
    with ArticleStore.open(path) as s:
        s.save(art("https://a.example/1", body(50)))

    def add_column(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE articles ADD COLUMN wordy INTEGER NOT NULL DEFAULT 7")

    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(store_module.MIGRATIONS, SCHEMA_VERSION, add_column)
    with ArticleStore.open(path) as s:
        assert s.counts()["articles"] == 1
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert conn.execute("SELECT wordy FROM articles").fetchone()[0] == 7


def test_a_closed_store_says_so(tmp_path: Path) -> None:
    s = ArticleStore.open(tmp_path / "a.sqlite")
    s.close()
    s.close()  # twice is fine
    with pytest.raises(CrawlError, match="closed"):
        s.is_known("https://a.example/")


# --- save outcomes ----------------------------------------------------------------------------


def test_new_unchanged_updated(store: ArticleStore, clock: Clock) -> None:
    url = "https://a.example/news/1"
    first = store.save(art(url, body(60), title="First"), b"<html>v1</html>", run_id="r1")
    assert first.status == "new" and first.canonical_url == url and first.story_id
    clock.advance(hours=1)
    again = store.save(art(url, body(60), title="First", url_fetched=url + "?utm_source=x"))
    assert again.status == "unchanged" and again.story_id == first.story_id
    rec = store.record(url)
    assert rec is not None
    assert rec.first_seen == "2024-09-06T12:00:00.000000Z"
    assert rec.last_seen == "2024-09-06T13:00:00.000000Z"
    assert rec.updated_at == rec.first_seen  # nothing changed
    assert store.is_known(url + "?utm_source=x")  # the tracking URL became an alias

    clock.advance(hours=1)
    edited = store.save(
        art(url, body(60) + " correction appended", title="First"),
        b"<html>v2</html>",
        extractor_version="2",
    )
    assert edited.status == "updated" and edited.story_id == first.story_id
    rec = store.record(url)
    assert rec is not None
    assert rec.article.text.endswith("correction appended")
    assert rec.updated_at == "2024-09-06T14:00:00.000000Z" and rec.extractor_version == "2"
    assert store.raw_html(url) == b"<html>v2</html>"
    assert store.counts()["articles"] == 1


def test_a_metadata_change_is_an_update_and_a_missing_field_does_not_erase(
    store: ArticleStore,
) -> None:
    url = "https://a.example/2"
    store.save(art(url, body(60), title="T", published="2024-09-04", authors=["A. Writer"]))
    result = store.save(art(url, body(60), title="T", published=None, authors=[]))
    assert result.status == "unchanged"  # nothing new: missing values keep the stored ones
    a = store.get(url)
    assert a is not None and a.published == "2024-09-04" and a.authors == ["A. Writer"]
    result = store.save(art(url, body(60), title="T (updated)", published="2024-09-05"))
    assert result.status == "updated"
    a = store.get(url)
    assert a is not None and (a.title, a.published) == ("T (updated)", "2024-09-05")


def test_same_text_under_another_url_is_a_duplicate_alias(store: ArticleStore) -> None:
    text = body(80)
    first = store.save(art("https://a.example/story", text, source="a"), b"<p>a</p>")
    # Re-wrapped and upper-cased: the content hash folds both.
    dup = store.save(
        art("https://b.example/copy", "  " + text.upper().replace(" ", "\n")), b"<p>b</p>"
    )
    assert dup.status == "duplicate"
    assert dup.duplicate_of == dup.canonical_url == "https://a.example/story"
    assert dup.story_id == first.story_id
    assert store.is_known("https://b.example/copy")
    got = store.get("https://b.example/copy")
    assert got is not None and got.canonical_url == "https://a.example/story"
    assert store.raw_html("https://b.example/copy") == b"<p>a</p>"  # not stored again
    c = store.counts()
    assert (c["articles"], c["aliases"], c["raw_pages"]) == (1, 1, 1)


def test_short_identical_texts_are_not_merged(store: ArticleStore) -> None:
    teaser = "Subscribe to continue reading this article."
    assert len(teaser.split()) < MIN_DEDUP_WORDS
    assert store.save(art("https://p.example/1", teaser, paywalled=True)).status == "new"
    assert store.save(art("https://p.example/2", teaser, paywalled=True)).status == "new"
    assert store.counts()["articles"] == 2 and store.stories() == []


def test_skipped_articles_are_kept_with_their_reason(store: ArticleStore) -> None:
    url = "https://gadgets.example/review"
    result = store.save(art(url, body(60)), b"<html/>", skip_reason="off-topic: no policy terms")
    assert result.status == "skipped" and result.story_id is None
    assert store.is_known(url)
    rec = store.record(url)
    assert rec is not None and rec.status == "skipped"
    assert rec.skip_reason == "off-topic: no policy terms"
    assert [a.canonical_url for a in store.iter_articles()] == []
    assert [a.canonical_url for a in store.iter_articles(include_skipped=True)] == [url]
    assert store.export_jsonl(io.StringIO()) == 0
    # A looser filter later: the same article saved without a reason becomes ok.
    again = store.save(art(url, body(60)))
    assert again.status == "updated" and again.story_id is not None
    assert store.counts()["articles"] == 1 and store.counts()["skipped"] == 0


def test_is_known_ignores_fragments_and_unknown_urls(store: ArticleStore) -> None:
    store.save(art("https://a.example/x", body(50)))
    assert store.is_known("https://a.example/x#comments")
    assert not store.is_known("https://a.example/y")
    assert (
        store.get("https://a.example/y") is None and store.raw_html("https://a.example/y") is None
    )


def test_add_alias_for_a_redirect(store: ArticleStore) -> None:
    store.save(art("https://a.example/final", body(50)))
    store.add_alias("https://short.example/abc", "https://a.example/final")
    assert store.is_known("https://short.example/abc")
    with pytest.raises(CrawlError, match="is not stored"):
        store.add_alias("https://short.example/zzz", "https://a.example/never-saved")
    assert not store.is_known("https://short.example/zzz")


# --- near-duplicates --------------------------------------------------------------------------


def test_fixture_texts_sit_on_the_right_sides_of_the_threshold(texts: dict[str, Any]) -> None:
    wire = shingles(texts["wire"]["text"])
    jac, _ = similarity(wire, shingles(texts["republished"]["text"]))
    assert 0.7 <= jac < 0.95  # lightly edited: similar, not identical
    jac, contained = similarity(wire, shingles(texts["other_story"]["text"]))
    assert jac < 0.1 and contained < 0.1


def test_a_republished_wire_story_joins_the_story_but_another_story_does_not(
    store: ArticleStore, texts: dict[str, Any]
) -> None:
    wire = store.save(from_fixture(texts["wire"], source="wire"))
    repub = store.save(from_fixture(texts["republished"], source="paper"))
    other = store.save(from_fixture(texts["other_story"], source="trade"))
    assert wire.status == repub.status == other.status == "new"
    assert repub.story_id == wire.story_id
    assert repub.near_duplicate_of == texts["wire"]["url"]
    assert other.story_id not in (None, wire.story_id) and other.near_duplicate_of is None
    # Both publications are stored, each under its own URL.
    assert store.counts()["articles"] == 3
    assert store.stories() == [[texts["wire"]["url"], texts["republished"]["url"]]]
    assert store.counts()["stories"] == 1


def test_a_story_survives_an_update_of_its_first_publication(
    store: ArticleStore, texts: dict[str, Any]
) -> None:
    wire = store.save(from_fixture(texts["wire"]))
    store.save(from_fixture(texts["republished"]))
    update = store.save(from_fixture(texts["wire_update"]))
    assert update.status == "updated" and update.story_id == wire.story_id
    assert store.stories() == [[texts["wire"]["url"], texts["republished"]["url"]]]


def test_a_lone_article_edited_into_a_copy_joins_that_story(
    store: ArticleStore, texts: dict[str, Any]
) -> None:
    wire = store.save(from_fixture(texts["wire"]))
    url = texts["republished"]["url"]
    early = store.save(art(url, body(60, "x")))  # first version: unrelated text
    assert early.story_id != wire.story_id
    later = store.save(from_fixture(texts["republished"]))
    assert later.status == "updated" and later.story_id == wire.story_id
    assert later.near_duplicate_of == texts["wire"]["url"]
    n_stories = sqlite3.connect(store.path).execute("SELECT COUNT(*) FROM stories").fetchone()[0]
    assert n_stories == 1  # its old, now empty, story is gone


def test_a_skipped_near_duplicate_does_not_join(store: ArticleStore, texts: dict[str, Any]) -> None:
    store.save(from_fixture(texts["wire"]))
    res = store.save(from_fixture(texts["republished"]), skip_reason="off-topic: test")
    assert res.status == "skipped" and res.story_id is None
    assert store.stories() == []


# --- failures leave the store as it was -------------------------------------------------------


@pytest.mark.parametrize(
    ("article", "why"),
    [
        (art("https://bad.example/surrogate", "broken \ud800 text " + body(50)), "surrogate"),
        (art("https://bad.example/authors", body(50), authors=[object()]), "serializable"),
        (Article(url="", canonical_url="", text=body(50)), "neither a canonical URL"),
    ],
    ids=["lone-surrogate", "bad-authors", "no-url"],
)
def test_bad_data_raises_crawl_error_and_loses_nothing(
    store: ArticleStore, article: Article, why: str
) -> None:
    store.save(art("https://good.example/1", body(50)))
    before = store.counts()
    with pytest.raises(CrawlError, match=why) as err:
        store.save(article, b"<html/>")
    assert article.canonical_url in str(err.value) or "<no url>" in str(err.value)
    assert store.counts() == before
    assert store.save(art("https://good.example/2", body(50, "g"))).status == "new"


def test_a_failure_midway_through_a_save_rolls_it_all_back(
    store: ArticleStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error (simulated)")

    # The article row, its story and LSH bands are written before the raw page: all must go.
    monkeypatch.setattr(ArticleStore, "_store_raw", boom)
    url = "https://a.example/half"
    with pytest.raises(CrawlError, match=r"could not save https://a\.example/half: disk I/O"):
        store.save(art(url, body(80)), b"<html/>")
    monkeypatch.undo()
    assert not store.is_known(url)
    conn = sqlite3.connect(store.path)
    for table in ("articles", "stories", "lsh_bands", "url_aliases", "raw_pages"):
        assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
    assert store.save(art(url, body(80)), b"<html/>").status == "new"


# --- validators, fetch log, runs --------------------------------------------------------------


def test_validators_round_trip(store: ArticleStore) -> None:
    url = "https://feeds.example/rss"
    assert store.validators(url) == (None, None)
    store.set_validators(url, '"abc"', "Fri, 06 Sep 2024 10:00:00 GMT")
    assert store.validators(url) == ('"abc"', "Fri, 06 Sep 2024 10:00:00 GMT")
    store.set_validators(url, None, "Sat, 07 Sep 2024 10:00:00 GMT")
    assert store.validators(url) == (None, "Sat, 07 Sep 2024 10:00:00 GMT")
    store.set_validators(url, None, None)
    assert store.validators(url) == (None, None)


def test_runs_and_fetch_log(store: ArticleStore) -> None:
    run_id = store.start_run()
    assert run_id.startswith("20240906T120000Z-")
    store.log_fetch("https://a.example/1", 200, source="a", elapsed_ms=12.6, run_id=run_id)
    store.log_fetch("https://a.example/2", 404, source="a", run_id=run_id)
    store.log_fetch("https://a.example/3", None, source="a", error="timeout", run_id=run_id)
    store.finish_run(run_id, {"new": 1, "errors": 2})
    (run,) = store.runs()
    assert run["run_id"] == run_id and run["counts"] == {"new": 1, "errors": 2}
    assert run["finished"] is not None
    c = store.counts()
    assert (c["fetches"], c["fetch_errors"], c["runs"]) == (3, 2, 1)
    row = (
        sqlite3.connect(store.path)
        .execute("SELECT elapsed_ms, run_id FROM fetch_log WHERE status = 200")
        .fetchone()
    )
    assert row == (13, run_id)
    with pytest.raises(CrawlError, match="no run 'nope'"):
        store.finish_run("nope", {})


# --- reading, export --------------------------------------------------------------------------


def test_export_jsonl_round_trip(store: ArticleStore) -> None:
    saved = [
        art(
            "https://a.example/1",
            body(50, "a"),
            title="Dutch rule",
            published="2024-09-06",
            authors=["Jan de Vries"],
            site_name="A",
            language="en",
        ),
        art("https://b.example/2", body(50, "b") + " gallium – ü", title="Ünïcode", language="de"),
    ]
    for a in saved:
        store.save(a)
    store.save(art("https://c.example/3", body(50, "c")), skip_reason="off-topic")
    store.save_document("https://a.example/1", {"document_number": "2022-21658", "type": "Rule"})
    out = io.StringIO()
    assert store.export_jsonl(out) == 2
    lines = out.getvalue().splitlines()
    records = [json.loads(line) for line in lines]
    assert all(r.pop("story_id").startswith("story") for r in records)
    assert records[0].pop("document") == {"document_number": "2022-21658", "type": "Rule"}
    assert records == [a.to_extract_input() for a in saved]
    assert "Ünïcode" in lines[1]  # written as UTF-8 text, not \u escapes


def test_since_selects_what_was_stored_or_changed_later(store: ArticleStore, clock: Clock) -> None:
    store.save(art("https://a.example/old", body(50, "o")))
    clock.advance(days=2)
    store.save(art("https://a.example/new", body(50, "n")))
    clock.advance(days=1)
    store.save(art("https://a.example/old", body(50, "o") + " updated"))

    def since(value: str) -> list[str]:
        return [a.canonical_url for a in store.iter_articles(since=value)]

    both = ["https://a.example/old", "https://a.example/new"]  # in the order first stored
    assert since("2024-09-01") == both
    assert since("2024-09-08") == both
    assert since("2024-09-08T12:00:00Z") == both
    assert since("2024-09-08T12:00:01Z") == ["https://a.example/old"]
    assert since("2024-09-09T00:00:00+00:00") == ["https://a.example/old"]
    assert since("2024-09-09T14:00:00+02:00") == ["https://a.example/old"]  # 12:00 UTC
    assert since("2024-09-10") == []
    assert store.export_jsonl(io.StringIO(), since="2024-09-09") == 1
    with pytest.raises(CrawlError, match="since must be an ISO date"):
        list(store.iter_articles(since="last week"))


def test_iterating_while_saving_visits_each_article_once(store: ArticleStore) -> None:
    for i in range(450):  # more than two batches
        store.save(art(f"https://a.example/{i}", body(45, f"s{i}-")))
    seen = []
    for a in store.iter_articles():  # a re-extraction loop: every article is saved back
        seen.append(a.canonical_url)
        assert store.save(replace(a, title="re-extracted")).status == "updated"
    assert len(seen) == len(set(seen)) == 450


# --- kill -9 ----------------------------------------------------------------------------------


def load_writer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("store_writer", WRITER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_writer(db: Path, start: int, stop: int) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(db), str(start), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def reported(lines: list[str]) -> list[tuple[str, str]]:
    # A line cut by the kill has no newline: it was never fully reported.
    return [tuple(line.rstrip("\n").split("\t")) for line in lines if line.endswith("\n")]  # type: ignore[misc]


def check_consistent(db: Path, saved_urls: list[str], writer: ModuleType) -> int:
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
    with ArticleStore.open(db) as s:
        stored = [a.canonical_url for a in s.iter_articles()]
        assert len(stored) == len(set(stored))
        assert set(saved_urls) <= set(stored)  # everything reported saved is there
        assert len(stored) <= len(saved_urls) + 1  # plus at most the one not yet reported
        for url in stored:  # every stored article is whole, not half-written
            expected, html = writer.make_article(int(url.rsplit("/", 1)[1]))
            assert s.get(url) == expected and s.raw_html(url) == html
        counts = s.counts()
        assert counts["raw_pages"] == len(stored)
    conn = sqlite3.connect(db)
    bands = conn.execute("SELECT COUNT(*) FROM lsh_bands").fetchone()[0]
    stories = conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0]
    aliases = conn.execute("SELECT COUNT(*) FROM url_aliases").fetchone()[0]
    assert (bands, stories, aliases) == (BANDS * len(stored), len(stored), len(stored))
    return len(stored)


@pytest.mark.parametrize("kill_after", [1, 17, 60])
def test_kill_9_mid_run_leaves_every_reported_article_exactly_once(
    tmp_path: Path, kill_after: int
) -> None:
    writer = load_writer()
    db = tmp_path / "kill.sqlite"
    proc = run_writer(db, 0, 100_000)
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line)
        if len(lines) >= kill_after:
            break
    os.kill(proc.pid, signal.SIGKILL)
    # Through the same reader: communicate() would skip the lines it has already buffered.
    lines += proc.stdout.readlines()
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert proc.wait(timeout=30) == -signal.SIGKILL, err
    saved = [url for status, url in reported(lines)]
    assert len(saved) >= kill_after, err
    n = check_consistent(db, saved, writer)

    # Re-open and go on from the start: nothing is stored twice.
    total = n + 10
    proc = run_writer(db, 0, total)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    statuses = [status for status, url in reported(out.splitlines(keepends=True))]
    assert statuses == ["unchanged"] * n + ["new"] * 10
    assert (
        check_consistent(db, [f"https://news.invalid/story/{i}" for i in range(total)], writer)
        == total
    )


def test_touch_marks_a_not_modified_article_as_seen(store: ArticleStore, clock: Clock) -> None:
    assert store.touch("https://nowhere.example/x") is False
    store.save(art("https://a.example/t", body(50, "t")))
    before = store.record("https://a.example/t")
    clock.advance(hours=1)
    assert store.touch("https://a.example/t") is True
    after = store.record("https://a.example/t")
    assert before is not None and after is not None
    assert after.last_seen > before.last_seen
    assert after.updated_at == before.updated_at  # seen again, not changed


def test_document_metadata_needs_a_stored_article(store: ArticleStore) -> None:
    with pytest.raises(CrawlError, match="no stored article"):
        store.save_document("https://nowhere.example/doc", {"document_number": "x"})
