"""The disk filling up while the store is written: the failing save is an error naming the
article, nothing saved before it is lost, and once there is room the run finishes the work."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from crawler.items import Article
from crawler.store import ArticleStore

CHILD = r"""
import resource, signal, sys
from crawler.items import Article
from crawler.store import ArticleStore
from chipwatch.errors import CrawlError

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full disk: writes fail with EFBIG
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
store = ArticleStore.open(sys.argv[1])
for i in range(10_000):
    url = f"https://n.invalid/{i}"
    text = f"Story {i}: " + " ".join(f"w{i}x{j}" for j in range(400))
    try:
        store.save(Article(url=url, canonical_url=url, title=f"t{i}", text=text), text.encode() * 3)
    except CrawlError as e:
        print("FAILED", url, e, flush=True)
        sys.exit(3)
    print("SAVED", url, flush=True)
"""


def article(i: int) -> Article:
    url = f"https://n.invalid/{i}"
    text = f"Story {i}: " + " ".join(f"w{i}x{j}" for j in range(400))
    return Article(url=url, canonical_url=url, title=f"t{i}", text=text)


def test_disk_full_loses_nothing_and_the_next_run_completes(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    ArticleStore.open(db).close()  # created with room to spare
    proc = subprocess.run([sys.executable, "-c", CHILD, str(db), str(400_000)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 3, proc.stderr[-2000:]
    saved = [line.split()[1] for line in proc.stdout.splitlines() if line.startswith("SAVED")]
    failed = [line for line in proc.stdout.splitlines() if line.startswith("FAILED")]
    assert saved and len(failed) == 1
    assert failed[0].split()[1] in failed[0].split(" ", 2)[2]  # the error names the article

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with ArticleStore.open(db) as store:
        assert all(store.get(url) is not None for url in saved)
        for i in range(len(saved) + 5):  # room again: the run goes on where it stopped
            result = store.save(article(i), None)
            assert result.status in {"new", "unchanged", "updated"}
        urls = [a.canonical_url for a in store.iter_articles()]
    assert len(urls) == len(set(urls)) == len(saved) + 5
