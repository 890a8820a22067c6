"""The durable article store: one SQLite file that survives a crash at any instant.

Every crawl writes here and every later stage reads from here (``export_jsonl`` gives the
input of ``chipwatch extract``). What it keeps:

- ``articles``: one row per canonical URL, ``status`` 'ok' or 'skipped' (off-topic and other
  rejects are kept with their reason, so a stricter or looser rule can be re-applied);
- ``raw_pages``: the fetched HTML, zlib-compressed, for re-extraction without re-fetching;
- ``url_aliases``: every URL seen -> the canonical URL it resolved to, so nothing known is
  fetched twice; exact duplicates (same text under another URL) become aliases, not rows;
- ``stories`` and ``lsh_bands``: near-duplicates (one wire story on several sites) stay
  separate publications but share a ``story_id``, found by MinHash + LSH banding on word
  5-gram shingles and confirmed on the shingles themselves;
- ``validators`` (ETag / Last-Modified for conditional requests), ``fetch_log``, ``runs``.

Crash safety: WAL journal, and every write is one ``BEGIN IMMEDIATE ... COMMIT``; SQLite's
journal makes a kill -9 at any instant leave either the whole save or none of it. With
``synchronous=NORMAL`` (the default) a committed save survives a killed process; only a
power cut can lose the last few commits (never corrupt the file). ``FULL`` closes that too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import IO, Any, Literal, Self

import numpy as np

from chipwatch.errors import CrawlError
from crawler.items import Article, content_hash

logger = logging.getLogger(__name__)

SaveStatus = Literal["new", "updated", "unchanged", "duplicate", "skipped"]
Synchronous = Literal["NORMAL", "FULL"]

SCHEMA_VERSION = 2
SHINGLE_WORDS = 5
NUM_PERM = 128
BANDS = 32  # x 4 rows: pairs at Jaccard 0.7 collide in some band with p > 0.999
NEAR_DUP_JACCARD = 0.7
# A republication that cuts the story short has a low Jaccard but is almost wholly contained
# in the original; it is the same story all the same.
NEAR_DUP_CONTAINMENT = 0.85
# Below this many words texts are teasers or boilerplate ("Subscribe to read"): identical
# ones are not the same story, so they are never merged or grouped.
MIN_DEDUP_WORDS = 40
_MAX_CANDIDATES = 20
_BATCH = 200

_WORD = re.compile(r"\w+")
_MERSENNE = (1 << 31) - 1  # prime; a*x + b stays below 2**63 for x, a, b < 2**31

# ---------------------------------------------------------------------------------------------
# Near-duplicate signatures (pure)
# ---------------------------------------------------------------------------------------------


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    """Word k-grams of the case-folded text; a text shorter than k words is one shingle."""
    words = _WORD.findall(text.lower())
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def _perm_coefficients() -> tuple[np.ndarray, np.ndarray]:
    # Derived from a hash, not a RNG, so signatures stored by one numpy version still match
    # those computed by the next.
    def coef(tag: str) -> int:
        digest = hashlib.blake2b(tag.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "little") % (_MERSENNE - 1) + 1

    a = np.array([coef(f"a{i}") for i in range(NUM_PERM)], dtype=np.uint64)
    b = np.array([coef(f"b{i}") for i in range(NUM_PERM)], dtype=np.uint64)
    return a, b


_A, _B = _perm_coefficients()


def minhash(shingle_set: set[str]) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` uint32 values) of a non-empty shingle set."""
    # crc32 only has to tell shingles apart; the random affine maps below do the mixing,
    # and it is several times faster than a cryptographic hash per shingle.
    hashes = np.fromiter(
        (zlib.crc32(s.encode("utf-8")) % _MERSENNE for s in shingle_set),
        dtype=np.uint64,
        count=len(shingle_set),
    )
    perms = (_A[:, None] * hashes[None, :] + _B[:, None]) % _MERSENNE
    return perms.min(axis=1).astype(np.uint32)


def lsh_buckets(signature: np.ndarray) -> list[tuple[int, int]]:
    """(band, bucket) pairs: two texts are candidates when they share any pair."""
    rows = NUM_PERM // BANDS
    out = []
    for band in range(BANDS):
        chunk = signature[band * rows : (band + 1) * rows].astype("<u4").tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        out.append((band, int.from_bytes(digest, "little", signed=True)))
    return out


def similarity(a: set[str], b: set[str]) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger) of two shingle sets."""
    if not a or not b:
        return 0.0, 0.0
    inter = len(a & b)
    return inter / len(a | b), inter / min(len(a), len(b))


def is_near_duplicate(a: set[str], b: set[str]) -> bool:
    jac, contained = similarity(a, b)
    return jac >= NEAR_DUP_JACCARD or contained >= NEAR_DUP_CONTAINMENT


# ---------------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------------

_SCHEMA_V1 = (
    """CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        canonical_url TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        source TEXT,
        title TEXT,
        published TEXT,
        modified TEXT,
        authors TEXT NOT NULL DEFAULT '[]',
        text TEXT NOT NULL DEFAULT '',
        site_name TEXT,
        language TEXT,
        description TEXT,
        paywalled INTEGER NOT NULL DEFAULT 0,
        content_hash TEXT NOT NULL,
        word_count INTEGER NOT NULL DEFAULT 0,
        signature BLOB,
        story_id TEXT,
        status TEXT NOT NULL CHECK (status IN ('ok', 'skipped')),
        skip_reason TEXT,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        extractor_version TEXT,
        run_id TEXT
    )""",
    "CREATE INDEX articles_content_hash ON articles (content_hash)",
    "CREATE INDEX articles_story ON articles (story_id)",
    "CREATE INDEX articles_updated ON articles (updated_at)",
    """CREATE TABLE raw_pages (
        canonical_url TEXT PRIMARY KEY
            REFERENCES articles (canonical_url) ON DELETE CASCADE ON UPDATE CASCADE,
        url TEXT NOT NULL,
        html BLOB NOT NULL,
        fetched_at TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT
    )""",
    """CREATE TABLE url_aliases (
        url TEXT PRIMARY KEY,
        canonical_url TEXT NOT NULL,
        first_seen TEXT NOT NULL
    )""",
    "CREATE INDEX url_aliases_canonical ON url_aliases (canonical_url)",
    """CREATE TABLE validators (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE stories (
        story_id TEXT PRIMARY KEY,
        first_canonical_url TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE lsh_bands (
        band INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        PRIMARY KEY (band, bucket, article_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX lsh_bands_article ON lsh_bands (article_id)",
    """CREATE TABLE fetch_log (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL,
        source TEXT,
        status INTEGER,
        error TEXT,
        elapsed_ms INTEGER,
        at TEXT NOT NULL,
        run_id TEXT
    )""",
    "CREATE INDEX fetch_log_url ON fetch_log (url)",
    """CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        counts TEXT
    )""",
)


def _create_v1(conn: sqlite3.Connection) -> None:
    for statement in _SCHEMA_V1:
        conn.execute(statement)


# Migration hook: MIGRATIONS[n] upgrades a database at user_version n to n + 1, inside one
# transaction with the version bump. Add a function here (never edit an old one) to change
# the schema.
def _add_documents_v2(conn: sqlite3.Connection) -> None:
    # Official documents (Federal Register rules) keep the API's metadata beside the article.
    conn.execute(
        """CREATE TABLE documents (
            canonical_url TEXT PRIMARY KEY
                REFERENCES articles (canonical_url) ON DELETE CASCADE ON UPDATE CASCADE,
            meta TEXT NOT NULL
        )"""
    )


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _create_v1, 1: _add_documents_v2}

_ARTICLE_COLUMNS = (
    "url, canonical_url, title, published, modified, authors, text, site_name, language, "
    "description, paywalled, source"
)

# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    """What ``ArticleStore.save`` did with one article."""

    status: SaveStatus
    canonical_url: str  # the stored article this URL now resolves to
    story_id: str | None = None
    near_duplicate_of: str | None = None  # set when it joined an existing story
    duplicate_of: str | None = None  # set for status "duplicate"


@dataclass(frozen=True)
class ArticleRecord:
    """A stored article with its bookkeeping (``get`` gives the bare ``Article``)."""

    article: Article
    status: Literal["ok", "skipped"]
    skip_reason: str | None
    content_hash: str
    story_id: str | None
    first_seen: str
    last_seen: str
    updated_at: str
    extractor_version: str | None


@dataclass(frozen=True)
class _Prepared:
    """What ``save`` computes from the article; the costlier parts only when needed."""

    article: Article
    key: str
    content_hash: str
    authors_json: str
    words: int
    raw: bytes | None
    status: Literal["ok", "skipped"]
    skip_reason: str | None
    extractor_version: str | None
    etag: str | None
    last_modified: str | None

    @property
    def dedupable(self) -> bool:
        return self.words >= MIN_DEDUP_WORDS

    @cached_property
    def shingles(self) -> set[str]:
        """Shingles of an ok article long enough to group; empty otherwise."""
        if self.status != "ok" or not self.dedupable:
            return set()
        return shingles(self.article.text or "")

    @cached_property
    def signature(self) -> np.ndarray | None:
        return minhash(self.shingles) if self.shingles else None

    def signature_blob(self) -> bytes | None:
        return None if self.signature is None else self.signature.astype("<u4").tobytes()


def _prepare(
    article: Article,
    raw_html: bytes | None,
    skip_reason: str | None,
    extractor_version: str | None,
    etag: str | None,
    last_modified: str | None,
) -> _Prepared:
    key = (article.canonical_url or article.url or "").strip()
    if not key:
        raise ValueError("the article has neither a canonical URL nor a URL")
    text = article.text or ""
    words = len(_WORD.findall(text))
    return _Prepared(
        article=article,
        key=key,
        content_hash=content_hash(text),
        authors_json=json.dumps(list(article.authors or []), ensure_ascii=False),
        words=words,
        raw=zlib.compress(bytes(raw_html), 6) if raw_html is not None else None,
        status="skipped" if skip_reason else "ok",
        skip_reason=skip_reason or None,
        extractor_version=extractor_version,
        etag=etag,
        last_modified=last_modified,
    )


def _row_to_article(row: sqlite3.Row) -> Article:
    return Article(
        url=row["url"],
        canonical_url=row["canonical_url"],
        title=row["title"],
        published=row["published"],
        modified=row["modified"],
        authors=json.loads(row["authors"] or "[]"),
        text=row["text"],
        site_name=row["site_name"],
        language=row["language"],
        description=row["description"],
        paywalled=bool(row["paywalled"]),
        source=row["source"],
    )


def _story_id_for(canonical_url: str) -> str:
    # Named after its first publication, so rebuilding the store gives the same ids.
    return "story-" + hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _since_text(since: str | None) -> str | None:
    """Normalise a user's ``since`` (date or ISO timestamp) to the stored timestamp format."""
    if since is None:
        return None
    try:
        moment = datetime.fromisoformat(since.strip())
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(since.strip()), datetime.min.time())
        except ValueError as e:
            raise CrawlError(f"since must be an ISO date or timestamp, got {since!r}") from e
    return _utc_text(moment)


def _defragment(url: str) -> str:
    return url.split("#", 1)[0]


# Columns an update may change, compared to tell "updated" from "unchanged". ``url`` and
# ``source`` keep their first value: a later fetch through a tracking URL or another source is
# recorded as an alias, not as a change of the article.
_META_COLUMNS = (
    "title",
    "published",
    "modified",
    "authors",
    "site_name",
    "language",
    "description",
    "paywalled",
)


def _new_values(prep: _Prepared) -> dict[str, Any]:
    a = prep.article
    return {
        "title": a.title,
        "published": a.published,
        "modified": a.modified,
        "authors": prep.authors_json,
        "site_name": a.site_name,
        "language": a.language,
        "description": a.description,
        "paywalled": int(bool(a.paywalled)),
    }


class ArticleStore:
    """The crawler's SQLite store. Open with ``ArticleStore.open(path)``; use as a context
    manager or call ``close()``. One instance per thread (sqlite3 connections are not shared);
    several processes may open the same file, their writes are serialised by SQLite."""

    def __init__(
        self, conn: sqlite3.Connection, path: str, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._conn: sqlite3.Connection | None = conn
        self.path = path
        self._clock = clock or (lambda: datetime.now(UTC))

    # -- lifecycle ------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        synchronous: Synchronous = "NORMAL",
        clock: Callable[[], datetime] | None = None,
    ) -> ArticleStore:
        """Open (creating and migrating as needed) the store at ``path``; ``":memory:"`` works.

        ``clock`` returns the current time (tests pass a fixed one). Raises ``CrawlError``.
        """
        if synchronous not in ("NORMAL", "FULL"):
            raise CrawlError(f"synchronous must be NORMAL or FULL, got {synchronous!r}")
        where = str(path)
        try:
            if where != ":memory:":
                Path(where).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(where, isolation_level=None, timeout=30.0)
        except (OSError, sqlite3.Error) as e:
            raise CrawlError(f"{where}: cannot open the article store: {e}") from e
        conn.row_factory = sqlite3.Row
        store = cls(conn, where, clock)
        try:
            conn.execute("PRAGMA journal_mode=WAL").fetchone()
            conn.execute(f"PRAGMA synchronous={synchronous}")  # checked against a closed set
            conn.execute("PRAGMA foreign_keys=ON")
            store._migrate()
        except (sqlite3.Error, CrawlError) as e:
            conn.close()
            if isinstance(e, CrawlError):
                raise
            raise CrawlError(f"{where}: cannot open the article store: {e}") from e
        return store

    def close(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute("PRAGMA optimize")
        except sqlite3.Error:
            logger.debug("PRAGMA optimize failed on %s", self.path, exc_info=True)
        self._conn.close()
        self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise CrawlError(f"{self.path}: the article store is closed")
        return self._conn

    def _now(self) -> str:
        return _utc_text(self._clock())

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so two writers queue instead of failing
        # half-way with SQLITE_BUSY on the first write.
        conn = self._db
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _migrate(self) -> None:
        while True:
            with self._transaction() as conn:
                # Read under the write lock: another process may have migrated meanwhile.
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                if version >= SCHEMA_VERSION:
                    break
                step = MIGRATIONS.get(version)
                if step is None:
                    raise CrawlError(f"{self.path}: no migration from schema version {version}")
                step(conn)
                conn.execute(f"PRAGMA user_version = {version + 1:d}")
            logger.info("article store %s migrated to schema version %d", self.path, version + 1)
        if version > SCHEMA_VERSION:
            raise CrawlError(
                f"{self.path}: schema version {version} is newer than this chipwatch "
                f"({SCHEMA_VERSION}); upgrade chipwatch"
            )

    # -- saving ---------------------------------------------------------------------------

    def save(
        self,
        article: Article,
        raw_html: bytes | None = None,
        *,
        run_id: str | None = None,
        skip_reason: str | None = None,
        extractor_version: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> SaveResult:
        """Store one article (and its raw HTML) in one transaction; see ``SaveResult``.

        ``skip_reason`` stores it as 'skipped' (kept, not exported). ``etag``/``last_modified``
        are the response's validators, kept with the raw page. Raises ``CrawlError`` naming
        the URL if it cannot be saved; the store is then exactly as before the call.
        """
        where = article.canonical_url or article.url or "<no url>"
        try:
            prep = _prepare(article, raw_html, skip_reason, extractor_version, etag, last_modified)
            with self._transaction():
                result = self._save_locked(prep, run_id)
        except CrawlError:
            raise
        except (sqlite3.Error, ValueError, TypeError, OverflowError, zlib.error) as e:
            raise CrawlError(f"could not save {where}: {e}") from e
        logger.debug("saved %s: %s", where, result.status)
        return result

    def _save_locked(self, prep: _Prepared, run_id: str | None) -> SaveResult:
        conn = self._db
        now = self._now()
        row = conn.execute("SELECT * FROM articles WHERE canonical_url = ?", (prep.key,)).fetchone()
        if row is not None:
            return self._resave(row, prep, run_id, now)
        if prep.dedupable:
            dup = conn.execute(
                "SELECT canonical_url, story_id FROM articles"
                " WHERE content_hash = ? AND word_count >= ? ORDER BY id LIMIT 1",
                (prep.content_hash, MIN_DEDUP_WORDS),
            ).fetchone()
            if dup is not None:
                self._add_aliases(prep, dup["canonical_url"], now)
                return SaveResult(
                    "duplicate",
                    dup["canonical_url"],
                    story_id=dup["story_id"],
                    duplicate_of=dup["canonical_url"],
                )
        return self._insert(prep, run_id, now)

    def _insert(self, prep: _Prepared, run_id: str | None, now: str) -> SaveResult:
        a = prep.article
        params = _new_values(prep) | {
            "canonical_url": prep.key,
            "url": a.url or prep.key,
            "source": a.source,
            "text": a.text or "",
            "content_hash": prep.content_hash,
            "word_count": prep.words,
            "signature": prep.signature_blob(),
            "status": prep.status,
            "skip_reason": prep.skip_reason,
            "now": now,
            "extractor_version": prep.extractor_version,
            "run_id": run_id,
        }
        cur = self._db.execute(
            "INSERT INTO articles (canonical_url, url, source, title, published, modified,"
            " authors, text, site_name, language, description, paywalled, content_hash,"
            " word_count, signature, status, skip_reason, first_seen, last_seen, updated_at,"
            " extractor_version, run_id) VALUES (:canonical_url, :url, :source, :title,"
            " :published, :modified, :authors, :text, :site_name, :language, :description,"
            " :paywalled, :content_hash, :word_count, :signature, :status, :skip_reason, :now,"
            " :now, :now, :extractor_version, :run_id)",
            params,
        )
        story_id = near = None
        if prep.status == "ok":
            story_id, near = self._place_in_story(int(cur.lastrowid or 0), prep, now, None)
        self._store_raw(prep, now)
        self._add_aliases(prep, prep.key, now)
        return SaveResult("skipped" if prep.skip_reason else "new", prep.key, story_id, near)

    def _resave(
        self, row: sqlite3.Row, prep: _Prepared, run_id: str | None, now: str
    ) -> SaveResult:
        conn = self._db
        text_changed = row["content_hash"] != prep.content_hash
        # A field the new extraction lacks keeps its stored value: one fetch that misses
        # the date must not erase it.
        values = {
            col: new if new not in (None, "", "[]") else row[col]
            for col, new in _new_values(prep).items()
        }
        status_changed = (row["status"], row["skip_reason"]) != (prep.status, prep.skip_reason)
        changed = text_changed or status_changed or any(values[c] != row[c] for c in _META_COLUMNS)
        if changed:
            conn.execute(
                "UPDATE articles SET title = :title, published = :published,"
                " modified = :modified, authors = :authors, site_name = :site_name,"
                " language = :language, description = :description, paywalled = :paywalled,"
                " text = :text, content_hash = :hash, word_count = :words,"
                " signature = :signature, status = :status, skip_reason = :skip_reason,"
                " updated_at = :now WHERE id = :id",
                values
                | {
                    "text": prep.article.text or "",
                    "hash": prep.content_hash,
                    "words": prep.words,
                    "signature": prep.signature_blob(),
                    "status": prep.status,
                    "skip_reason": prep.skip_reason,
                    "now": now,
                    "id": row["id"],
                },
            )
        conn.execute(
            "UPDATE articles SET last_seen = ?, run_id = COALESCE(?, run_id),"
            " extractor_version = COALESCE(?, extractor_version),"
            " source = COALESCE(source, ?) WHERE id = ?",
            (now, run_id, prep.extractor_version, prep.article.source, row["id"]),
        )
        story_id, near = row["story_id"], None
        if prep.status == "skipped":
            self._leave_story(row["id"], row["story_id"])
            story_id = None
        elif text_changed or row["status"] == "skipped" or row["story_id"] is None:
            story_id, near = self._restory(row, prep, now)
        self._store_raw(prep, now)
        self._add_aliases(prep, prep.key, now)
        status: SaveStatus = "updated" if changed else "unchanged"
        return SaveResult("skipped" if prep.skip_reason else status, prep.key, story_id, near)

    # -- stories --------------------------------------------------------------------------

    def _index(self, article_id: int, prep: _Prepared) -> list[tuple[int, int]]:
        conn = self._db
        conn.execute("DELETE FROM lsh_bands WHERE article_id = ?", (article_id,))
        if prep.signature is None:
            return []
        buckets = lsh_buckets(prep.signature)
        conn.executemany(
            "INSERT OR IGNORE INTO lsh_bands (band, bucket, article_id) VALUES (?, ?, ?)",
            [(band, bucket, article_id) for band, bucket in buckets],
        )
        return buckets

    def _find_near_duplicate(
        self, article_id: int, prep: _Prepared, buckets: list[tuple[int, int]]
    ) -> sqlite3.Row | None:
        if not buckets:
            return None
        pairs = ", ".join("(?, ?)" for _ in buckets)  # placeholders only, never values
        params: list[Any] = [x for pair in buckets for x in pair]
        # Probing through a CTE join makes SQLite use the (band, bucket) key; a row-value
        # IN (...) scans the whole table, and saving would slow down as the store grows.
        candidates = self._db.execute(
            f"WITH probe (band, bucket) AS (VALUES {pairs}),"
            " hits AS (SELECT l.article_id, COUNT(*) AS n FROM probe"
            "  JOIN lsh_bands AS l ON l.band = probe.band AND l.bucket = probe.bucket"
            "  WHERE l.article_id <> ? GROUP BY l.article_id)"
            " SELECT a.id, a.canonical_url, a.story_id, a.text FROM hits"
            " JOIN articles AS a ON a.id = hits.article_id"
            " WHERE a.status = 'ok' AND a.story_id IS NOT NULL"
            " ORDER BY hits.n DESC, a.id LIMIT ?",
            [*params, article_id, _MAX_CANDIDATES],
        ).fetchall()
        best, best_jaccard = None, -1.0
        for cand in candidates:
            other = shingles(cand["text"])
            if not is_near_duplicate(prep.shingles, other):
                continue
            jac, _ = similarity(prep.shingles, other)
            if jac > best_jaccard:
                best, best_jaccard = cand, jac
        return best

    def _place_in_story(
        self, article_id: int, prep: _Prepared, now: str, current: str | None
    ) -> tuple[str, str | None]:
        """Join the story of the closest near-duplicate, or start (or keep) its own."""
        match = self._find_near_duplicate(article_id, prep, self._index(article_id, prep))
        if match is not None:
            story_id, near = str(match["story_id"]), str(match["canonical_url"])
        else:
            story_id, near = current or _story_id_for(prep.key), None
            self._db.execute(
                "INSERT OR IGNORE INTO stories (story_id, first_canonical_url, created_at)"
                " VALUES (?, ?, ?)",
                (story_id, prep.key, now),
            )
        self._db.execute("UPDATE articles SET story_id = ? WHERE id = ?", (story_id, article_id))
        return story_id, near

    def _story_members(self, story_id: str, exclude: int) -> int:
        row = self._db.execute(
            "SELECT COUNT(*) FROM articles WHERE story_id = ? AND id <> ?", (story_id, exclude)
        ).fetchone()
        return int(row[0])

    def _leave_story(self, article_id: int, story_id: str | None) -> None:
        self._db.execute("DELETE FROM lsh_bands WHERE article_id = ?", (article_id,))
        self._db.execute("UPDATE articles SET story_id = NULL WHERE id = ?", (article_id,))
        if story_id and self._story_members(story_id, article_id) == 0:
            self._db.execute("DELETE FROM stories WHERE story_id = ?", (story_id,))

    def _restory(self, row: sqlite3.Row, prep: _Prepared, now: str) -> tuple[str, str | None]:
        """After a text change: an article sharing its story stays (an edit does not split
        a story); one alone in its story may now join another."""
        old = row["story_id"]
        if old is not None and self._story_members(old, row["id"]) > 0:
            self._index(row["id"], prep)
            return old, None
        story_id, near = self._place_in_story(row["id"], prep, now, old)
        if old is not None and story_id != old:
            self._db.execute("DELETE FROM stories WHERE story_id = ?", (old,))
        return story_id, near

    # -- aliases and raw pages ------------------------------------------------------------

    def _add_aliases(self, prep: _Prepared, canonical_url: str, now: str) -> None:
        urls = dict.fromkeys(u for u in (prep.key, prep.article.url) if u)
        for url in urls:
            self._upsert_alias(url, canonical_url, now)

    def _upsert_alias(self, url: str, canonical_url: str, now: str) -> None:
        # A stored article's own URL always stays its own: a page that later declares another
        # canonical must not hide an article already stored under that URL.
        self._db.execute(
            "INSERT INTO url_aliases (url, canonical_url, first_seen) VALUES (?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET canonical_url = excluded.canonical_url"
            " WHERE url_aliases.url <> url_aliases.canonical_url",
            (url, canonical_url, now),
        )

    def _store_raw(self, prep: _Prepared, now: str) -> None:
        if prep.raw is None:
            return
        self._db.execute(
            "INSERT INTO raw_pages (canonical_url, url, html, fetched_at, etag, last_modified)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (canonical_url) DO UPDATE SET"
            " url = excluded.url, html = excluded.html, fetched_at = excluded.fetched_at,"
            " etag = excluded.etag, last_modified = excluded.last_modified",
            (prep.key, prep.article.url or prep.key, prep.raw, now, prep.etag, prep.last_modified),
        )

    def add_alias(self, url: str, canonical_url: str) -> None:
        """Record that ``url`` (e.g. a redirect's first URL) leads to a stored article."""
        try:
            with self._transaction():
                target = self._resolve(canonical_url)
                if target is None:
                    raise CrawlError(f"cannot alias {url}: {canonical_url} is not stored")
                self._upsert_alias(url, target, self._now())
        except sqlite3.Error as e:
            raise CrawlError(f"could not record the alias {url} -> {canonical_url}: {e}") from e

    def _resolve(self, url: str) -> str | None:
        """The canonical URL a URL is stored under, via the aliases; ``None`` if unknown."""
        for candidate in dict.fromkeys((url, _defragment(url))):
            row = self._db.execute(
                "SELECT canonical_url FROM articles WHERE canonical_url = ?"
                " UNION ALL SELECT canonical_url FROM url_aliases WHERE url = ? LIMIT 1",
                (candidate, candidate),
            ).fetchone()
            if row is not None:
                return str(row[0])
        return None

    # -- reading --------------------------------------------------------------------------

    def is_known(self, url: str) -> bool:
        """Whether ``url`` was stored (ok or skipped) under it or any alias of it."""
        try:
            return self._resolve(url) is not None
        except sqlite3.Error as e:
            raise CrawlError(f"could not look up {url}: {e}") from e

    def get(self, url: str) -> Article | None:
        """The stored article for a canonical URL (or any alias of it), ok or skipped."""
        record = self.record(url)
        return None if record is None else record.article

    def record(self, url: str) -> ArticleRecord | None:
        """``get`` with the bookkeeping: status, skip reason, story, timestamps."""
        canonical = self._resolve(url)
        if canonical is None:
            return None
        row = self._db.execute(
            "SELECT * FROM articles WHERE canonical_url = ?", (canonical,)
        ).fetchone()
        if row is None:  # an alias whose article is gone
            return None
        return ArticleRecord(
            article=_row_to_article(row),
            status=row["status"],
            skip_reason=row["skip_reason"],
            content_hash=row["content_hash"],
            story_id=row["story_id"],
            first_seen=row["first_seen"],
            last_seen=row["last_seen"],
            updated_at=row["updated_at"],
            extractor_version=row["extractor_version"],
        )

    def raw_html(self, url: str) -> bytes | None:
        """The last fetched HTML of a stored article, decompressed; ``None`` if not kept."""
        canonical = self._resolve(url)
        if canonical is None:
            return None
        row = self._db.execute(
            "SELECT html FROM raw_pages WHERE canonical_url = ?", (canonical,)
        ).fetchone()
        if row is None:
            return None
        try:
            return zlib.decompress(row[0])
        except zlib.error as e:
            raise CrawlError(f"the stored HTML of {canonical} is corrupt: {e}") from e

    def iter_articles(
        self, *, include_skipped: bool = False, since: str | None = None
    ) -> Iterator[Article]:
        """Stored articles in the order first stored; ``since`` (ISO date or timestamp, UTC
        unless it says otherwise) keeps those stored or changed at or after it.

        Reads in batches and holds no cursor between them, so the caller may ``save`` while
        iterating (re-extraction does).
        """
        params: dict[str, Any] = {
            "last": 0,
            "all": int(include_skipped),
            "since": _since_text(since),
            "n": _BATCH,
        }
        while True:
            rows = self._db.execute(
                f"SELECT id, {_ARTICLE_COLUMNS} FROM articles WHERE id > :last"
                " AND (:all OR status = 'ok') AND (:since IS NULL OR updated_at >= :since)"
                " ORDER BY id LIMIT :n",
                params,
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _row_to_article(row)
            params["last"] = rows[-1]["id"]

    def extract_inputs(self, *, since: str | None = None) -> Iterator[dict[str, Any]]:
        """Every ok article as ``chipwatch extract`` reads it, with its story id and any
        official-document metadata: the one place the NLP stage's input is built."""
        for article in self.iter_articles(since=since):
            record = article.to_extract_input()
            row = self._db.execute(
                "SELECT a.story_id, d.meta FROM articles a LEFT JOIN documents d"
                " ON d.canonical_url = a.canonical_url WHERE a.canonical_url = ?",
                (article.canonical_url,),
            ).fetchone()
            record["story_id"] = row["story_id"] if row else None
            if row and row["meta"]:
                record["document"] = json.loads(row["meta"])
            yield record

    def export_jsonl(self, fp: IO[str], *, since: str | None = None) -> int:
        """Write ``extract_inputs`` as JSON lines; returns the count."""
        n = 0
        for record in self.extract_inputs(since=since):
            fp.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
        return n

    def save_document(self, url: str, meta: Mapping[str, Any]) -> None:
        """Keeps an official document's metadata with its stored article (any alias of it)."""
        canonical = self._resolve(url)
        if canonical is None:
            raise CrawlError(f"no stored article for document {url}")
        try:
            with self._transaction() as conn:
                conn.execute(
                    "INSERT INTO documents (canonical_url, meta) VALUES (?, ?)"
                    " ON CONFLICT (canonical_url) DO UPDATE SET meta = excluded.meta",
                    (canonical, json.dumps(dict(meta), ensure_ascii=False, default=str)),
                )
        except sqlite3.Error as e:
            raise CrawlError(f"could not save document metadata for {url}: {e}") from e

    def touch(self, url: str) -> bool:
        """Marks a stored article as seen now (a 304 answer); False when it is not stored."""
        canonical = self._resolve(url)
        if canonical is None:
            return False
        with self._transaction() as conn:
            conn.execute(
                "UPDATE articles SET last_seen = ? WHERE canonical_url = ?", (self._now(), canonical)
            )
        return True

    def stories(self) -> list[list[str]]:
        """Canonical URLs of each story told by more than one stored publication, first
        publication first, stories in the order they began."""
        rows = self._db.execute(
            "SELECT story_id, canonical_url FROM articles WHERE status = 'ok' AND story_id IN"
            " (SELECT story_id FROM articles WHERE status = 'ok' AND story_id IS NOT NULL"
            "  GROUP BY story_id HAVING COUNT(*) > 1) ORDER BY id"
        ).fetchall()
        groups: dict[str, list[str]] = {}
        for row in rows:
            groups.setdefault(row["story_id"], []).append(row["canonical_url"])
        return list(groups.values())

    def counts(self) -> dict[str, int]:
        """Row counts for status lines and run summaries."""
        q = {
            "articles": "SELECT COUNT(*) FROM articles WHERE status = 'ok'",
            "skipped": "SELECT COUNT(*) FROM articles WHERE status = 'skipped'",
            "aliases": "SELECT COUNT(*) FROM url_aliases WHERE url <> canonical_url",
            "stories": "SELECT COUNT(*) FROM (SELECT story_id FROM articles WHERE status = 'ok'"
            " AND story_id IS NOT NULL GROUP BY story_id HAVING COUNT(*) > 1)",
            "raw_pages": "SELECT COUNT(*) FROM raw_pages",
            "fetches": "SELECT COUNT(*) FROM fetch_log",
            "fetch_errors": "SELECT COUNT(*) FROM fetch_log"
            " WHERE error IS NOT NULL OR status IS NULL OR status >= 400",
            "runs": "SELECT COUNT(*) FROM runs",
        }
        return {name: int(self._db.execute(sql).fetchone()[0]) for name, sql in q.items()}

    # -- conditional requests, fetch log, runs --------------------------------------------

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) last seen for ``url``, for If-None-Match / If-Modified-Since."""
        row = self._db.execute(
            "SELECT etag, last_modified FROM validators WHERE url = ?", (url,)
        ).fetchone()
        return (None, None) if row is None else (row["etag"], row["last_modified"])

    def set_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Remember a response's validators; both ``None`` forgets them."""
        try:
            with self._transaction() as conn:
                if etag is None and last_modified is None:
                    conn.execute("DELETE FROM validators WHERE url = ?", (url,))
                    return
                conn.execute(
                    "INSERT INTO validators (url, etag, last_modified, updated_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,"
                    " last_modified = excluded.last_modified, updated_at = excluded.updated_at",
                    (url, etag, last_modified, self._now()),
                )
        except sqlite3.Error as e:
            raise CrawlError(f"could not store validators of {url}: {e}") from e

    def log_fetch(
        self,
        url: str,
        status: int | None,
        *,
        source: str | None,
        error: str | None = None,
        elapsed_ms: float | None = None,
        run_id: str | None = None,
    ) -> None:
        """Record one fetch: HTTP status (``None`` when no response came), why it failed."""
        ms = None if elapsed_ms is None else round(elapsed_ms)
        try:
            with self._transaction() as conn:
                conn.execute(
                    "INSERT INTO fetch_log (url, source, status, error, elapsed_ms, at, run_id)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (url, source, status, error, ms, self._now(), run_id),
                )
        except sqlite3.Error as e:
            raise CrawlError(f"could not log the fetch of {url}: {e}") from e

    def start_run(self) -> str:
        """Open a run and return its id (``YYYYMMDDTHHMMSSZ-xxxxxx``)."""
        started = self._clock()
        run_id = f"{_utc_text(started)[:19].replace('-', '').replace(':', '')}Z-"
        run_id += secrets.token_hex(3)
        try:
            with self._transaction() as conn:
                conn.execute(
                    "INSERT INTO runs (run_id, started) VALUES (?, ?)",
                    (run_id, _utc_text(started)),
                )
        except sqlite3.Error as e:
            raise CrawlError(f"could not start a run: {e}") from e
        return run_id

    def finish_run(self, run_id: str, counts: Mapping[str, Any]) -> None:
        """Close a run with its counts (any JSON-able mapping)."""
        try:
            payload = json.dumps(dict(counts), sort_keys=True, default=str)
            with self._transaction() as conn:
                cur = conn.execute(
                    "UPDATE runs SET finished = ?, counts = ? WHERE run_id = ?",
                    (self._now(), payload, run_id),
                )
                if cur.rowcount == 0:
                    raise CrawlError(f"no run {run_id!r} to finish")
        except sqlite3.Error as e:
            raise CrawlError(f"could not finish run {run_id}: {e}") from e

    def runs(self) -> list[dict[str, Any]]:
        """All runs, oldest first: run_id, started, finished, counts."""
        rows = self._db.execute(
            "SELECT run_id, started, finished, counts FROM runs ORDER BY started, run_id"
        ).fetchall()
        return [
            {
                "run_id": r["run_id"],
                "started": r["started"],
                "finished": r["finished"],
                "counts": json.loads(r["counts"]) if r["counts"] else None,
            }
            for r in rows
        ]
