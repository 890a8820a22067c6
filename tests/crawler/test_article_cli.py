"""`chipwatch article` and `chipwatch articles export` as users run them."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

from crawler.items import Article
from crawler.store import ArticleStore

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "crawler" / "extract"


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "chipwatch", *args], input=stdin,
                          capture_output=True, timeout=120)  # fmt: skip


def a_fixture() -> tuple[Path, dict]:
    page = sorted(FIXTURES.glob("*.html"))[0]
    return page, json.loads(page.with_suffix(".json").read_text())


def test_article_prints_the_extracted_fields(tmp_path: Path) -> None:
    page, fixture = a_fixture()
    expected = fixture["expected"]
    r = cli("article", str(page), "--url", fixture["url"])
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    for key in ("url", "canonical_url", "title", "published", "authors", "text", "language"):
        assert key in got
    assert got["title"] == expected["title"]
    assert got["published"] == expected["published"]
    assert got["canonical_url"] == expected["canonical_url"]
    assert fixture["text_contains"][0] in got["text"]


def test_article_reads_gzip_and_stdin(tmp_path: Path) -> None:
    page, fixture = a_fixture()
    expected = fixture["expected"]
    gz = tmp_path / "page.html.gz"
    gz.write_bytes(gzip.compress(page.read_bytes()))
    from_gz = json.loads(cli("article", str(gz), "--url", "https://example.invalid/a").stdout)
    from_stdin = json.loads(cli("article", "-", "--url", "https://example.invalid/a",
                                stdin=page.read_bytes()).stdout)  # fmt: skip
    assert from_gz["title"] == from_stdin["title"] == expected["title"]


def test_article_names_a_bad_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    for path in (empty, tmp_path / "missing.html"):
        r = cli("article", str(path))
        assert r.returncode == 1
        assert str(path) in r.stderr.decode()


def test_articles_export_writes_extract_input(tmp_path: Path) -> None:
    store_path = tmp_path / "a.sqlite"
    with ArticleStore.open(store_path) as store:
        store.save(Article(url="https://n.invalid/1", canonical_url="https://n.invalid/1",
                           title="Japan curbs tool exports", published="2023-03-31",
                           text="Japan said it would restrict exports of 23 types of tools. " * 8))  # fmt: skip
        store.save(Article(url="https://n.invalid/2", canonical_url="https://n.invalid/2",
                           title="Recipe", text="Fry the fish and the chips. " * 10),
                   skip_reason="off-topic: no policy terms")  # fmt: skip
    out = tmp_path / "articles.jsonl"
    r = cli("articles", "export", "--store", str(store_path), "--out", str(out))
    assert r.returncode == 0, r.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [x["url"] for x in records] == ["https://n.invalid/1"]
    assert {"url", "title", "published", "text"} <= set(records[0])

    missing = cli("articles", "export", "--store", str(tmp_path / "none.sqlite"))
    assert missing.returncode == 1 and b"no article store" in missing.stderr
