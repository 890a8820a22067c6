"""A small mimic of the Federal Register documents API (``/api/v1/documents.json``).

Supports what the crawler uses of the real API: ``conditions[agencies][]``,
``conditions[publication_date][gte]``/``[lte]``, ``conditions[type][]`` (RULE, PRORULE,
NOTICE), ``order`` (newest, oldest), ``page`` and ``per_page``; the answer has ``count``,
``total_pages``, ``results`` and, when there is a next page, ``next_page_url`` (absent on
the last page, as in the real API). Pure functions: the server passes the query in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

DATA_FILE = Path(__file__).with_name("federal_register.json")
API_PATH = "/api/v1/documents.json"
BIS_SLUG = "industry-and-security-bureau"
_AGENCIES = [
    {
        "raw_name": "DEPARTMENT OF COMMERCE",
        "name": "Commerce Department",
        "id": 54,
        "slug": "commerce-department",
        "parent_id": None,
    },
    {
        "raw_name": "Bureau of Industry and Security",
        "name": "Industry and Security Bureau",
        "id": 241,
        "slug": BIS_SLUG,
        "parent_id": 54,
    },
]
_TYPE_CODES = {"RULE": "Rule", "PRORULE": "Proposed Rule", "NOTICE": "Notice"}
_MAX_PER_PAGE = 1000


class QueryError(ValueError):
    """A query parameter the API rejects (the server answers 400)."""


@dataclass(frozen=True)
class FrQuery:
    agencies: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    date_gte: str | None = None
    date_lte: str | None = None
    order: str = "newest"
    page: int = 1
    per_page: int = 20


@lru_cache(maxsize=1)
def load_documents(path: Path = DATA_FILE) -> tuple[dict[str, Any], ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(data["documents"])


def documents_in_edition(edition: int) -> list[dict[str, Any]]:
    return [d for d in load_documents() if d.get("edition", 1) <= edition]


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:100].rstrip("-")


def document_path(doc: dict[str, Any]) -> str:
    y, m, d = doc["publication_date"].split("-")
    return f"/documents/{y}/{m}/{d}/{doc['document_number']}/{_slug(doc['title'])}"


def pdf_path(doc: dict[str, Any]) -> str:
    return f"/fr/pdf/{doc['document_number']}.pdf"


def public_record(doc: dict[str, Any], base_url: str) -> dict[str, Any]:
    """A document as the API lists it (the fields of the real API's default result)."""
    agencies = [
        {
            **ag,
            "url": f"{base_url}/agencies/{ag['slug']}",
            "json_url": f"{base_url}/api/v1/agencies/{ag['id']}",
        }
        for ag in _AGENCIES
    ]
    return {
        "title": doc["title"],
        "type": doc["type"],
        "abstract": doc["abstract"],
        "document_number": doc["document_number"],
        "html_url": base_url + document_path(doc),
        "pdf_url": base_url + pdf_path(doc),
        "public_inspection_pdf_url": None,
        "publication_date": doc["publication_date"],
        "effective_on": doc.get("effective_on"),
        "agencies": agencies,
        "excerpts": None,
    }


def parse_query(params: dict[str, list[str]]) -> FrQuery:
    """Read the query string (as ``parse_qs`` gives it) into a query; bad values raise."""

    def one(key: str, default: str | None = None) -> str | None:
        values = params.get(key)
        return values[-1] if values else default

    try:
        page = int(one("page", "1") or "1")
        per_page = int(one("per_page", "20") or "20")
    except ValueError as e:
        raise QueryError(f"page and per_page must be integers: {e}") from e
    if page < 1 or not 1 <= per_page <= _MAX_PER_PAGE:
        raise QueryError(f"page must be >= 1 and per_page between 1 and {_MAX_PER_PAGE}")
    order = one("order", "newest") or "newest"
    if order not in ("newest", "oldest", "relevance"):
        raise QueryError(f"unknown order {order!r}")
    types = tuple(params.get("conditions[type][]", []))
    unknown = [t for t in types if t.upper() not in _TYPE_CODES]
    if unknown:
        raise QueryError(f"unknown document types {unknown}")
    return FrQuery(
        agencies=tuple(params.get("conditions[agencies][]", [])),
        types=tuple(_TYPE_CODES[t.upper()] for t in types),
        date_gte=one("conditions[publication_date][gte]"),
        date_lte=one("conditions[publication_date][lte]"),
        order="oldest" if order == "oldest" else "newest",
        page=page,
        per_page=per_page,
    )


def _matches(doc: dict[str, Any], q: FrQuery) -> bool:
    slugs = {ag["slug"] for ag in _AGENCIES}
    if q.agencies and not slugs.intersection(q.agencies):
        return False
    if q.types and doc["type"] not in q.types:
        return False
    if q.date_gte and doc["publication_date"] < q.date_gte:
        return False
    return not (q.date_lte and doc["publication_date"] > q.date_lte)


def api_response(
    docs: list[dict[str, Any]], params: dict[str, list[str]], base_url: str
) -> dict[str, Any]:
    """The JSON body for one page of results."""
    q = parse_query(params)
    hits = sorted(
        (d for d in docs if _matches(d, q)),
        key=lambda d: (d["publication_date"], d["document_number"]),
        reverse=q.order == "newest",
    )
    total_pages = max(1, -(-len(hits) // q.per_page))
    start = (q.page - 1) * q.per_page
    body: dict[str, Any] = {
        "count": len(hits),
        "description": "Documents of the Industry and Security Bureau (demo mirror)",
        "total_pages": total_pages,
        "results": [public_record(d, base_url) for d in hits[start : start + q.per_page]],
    }
    if q.page < total_pages:
        body["next_page_url"] = _page_url(params, q.page + 1, base_url)
    if q.page > 1:
        body["previous_page_url"] = _page_url(params, q.page - 1, base_url)
    return body


def _page_url(params: dict[str, list[str]], page: int, base_url: str) -> str:
    pairs = [(k, v) for k, values in params.items() if k != "page" for v in values]
    pairs.append(("page", str(page)))
    return f"{base_url}{API_PATH}?{urlencode(pairs)}"


def find_by_path(docs: list[dict[str, Any]], path: str) -> dict[str, Any] | None:
    for d in docs:
        if path.rstrip("/") == document_path(d):
            return d
    return None


def find_pdf(docs: list[dict[str, Any]], path: str) -> dict[str, Any] | None:
    for d in docs:
        if path == pdf_path(d):
            return d
    return None


def minimal_pdf(text: str) -> bytes:
    """A valid one-page PDF showing ``text`` (ASCII), so pdf_url answers with a real PDF."""
    safe = (
        re.sub(r"[^ -~]", "?", text).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    )
    stream = f"BT /F1 11 Tf 50 750 Td ({safe[:90]}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>"
        ),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
