"""The curated knowledge base (``nlp/kb/*.jsonl``) is data reviewed like code: these tests are its
review rules. They read the files directly (no spaCy, no loader) so a broken line is reported
with its file and line number."""

from __future__ import annotations

from nlp.kb import norm  # the scorer's normalisation: what counts as the same name

import json
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

KB_DIR = Path(__file__).resolve().parents[2] / "nlp" / "kb"
FILES = {
    "Person": "people.jsonl", "Company": "companies.jsonl", "Government": "governments.jsonl",
    "Country": "countries.jsonl", "Organization": "organizations.jsonl", "Media": "media.jsonl",
    "Product": "products.jsonl", "Technology": "technologies.jsonl", "Measure": "measures.jsonl",
}  # fmt: skip
PREFIX = {
    "Person": "person", "Company": "company", "Government": "government", "Country": "country",
    "Organization": "org", "Media": "media", "Product": "product", "Technology": "tech", "Measure": "measure",
}  # fmt: skip
MINIMUM = {
    "Person": 90, "Company": 70, "Government": 40, "Country": 20, "Media": 15, "Organization": 15,
    "Product": 35, "Technology": 25, "Measure": 30,
}  # fmt: skip
MINIMUM_TOTAL = 300
# Keys in their written order; the optional ones sit where they are listed.
HEAD = ["id", "name", "type", "aliases"]
TAIL = ["wikidata", "country", "roles", "descriptions"]
EXTRA_AFTER_ALIASES = {"Country": ["demonyms", "capitals"]}
EXTRA_BEFORE_NOTE = {"Product": ["maker"], "Measure": ["imposed_by", "date"]}
ROLE_KEYS = ["title", "org", "from", "to"]
ID_RE = re.compile(
    r"^(person|company|government|country|org|media|product|tech|measure)/[a-z0-9]+(?:-[a-z0-9]+)*$"
)
COUNTRY_ID_RE = re.compile(r"^country/[a-z]{2}$")
ROLE_DATE_RE = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2]))?$")
MEASURE_DATE_RE = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")
WIKIDATA_RE = re.compile(r"^Q\d+$")
CONCEPTS = {"Technology", "Measure"}
# Named forms match case-sensitively, concept forms in any case (nlp/components/gazetteer.py):
# these would fire on ordinary English words, month abbreviations or pronouns.
RISKY_NAMED = {"He", "It", "May", "Will", "Can", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Oct",
               "Nov", "Dec", "The", "A", "An", "House", "Screen", "Disco", "Interface", "Austin", "Sumitomo"}  # fmt: skip
RISKY_FOLDED = {"the house", "the journal", "the alliance", "the commission", "the department", "the information",
                "the economist", "the times", "the post", "the party", "the council", "the bloc"}  # fmt: skip
RISKY_CONCEPT = {"ear", "resist", "he", "it", "may", "can", "will", "us", "duties", "levies", "licensing", "service",
                 "list", "rule", "rules", "law"}  # fmt: skip


@lru_cache(maxsize=1)
def lines() -> tuple[tuple[str, int, str], ...]:
    """(type, line number, text) for every line of every file."""
    out: list[tuple[str, int, str]] = []
    for type_, name in FILES.items():
        text = (KB_DIR / name).read_text(encoding="utf-8")
        for n, line in enumerate(text.split("\n"), 1):
            if line == "" and n == len(text.split("\n")):
                continue  # the final newline
            out.append((type_, n, line))
    return tuple(out)


@lru_cache(maxsize=1)
def entities() -> tuple[tuple[str, str, dict[str, Any]], ...]:
    """(file:line, type, entity) for every line."""
    return tuple((f"{FILES[t]}:{n}", t, json.loads(line)) for t, n, line in lines())


def all_forms(e: dict[str, Any]) -> list[str]:
    return [e["name"], *e["aliases"], *e.get("demonyms", []), *e.get("capitals", [])]


def by_id() -> dict[str, dict[str, Any]]:
    return {e["id"]: e for _, _, e in entities()}


def test_files_exist_and_end_with_newline() -> None:
    for name in FILES.values():
        path = KB_DIR / name
        assert path.is_file(), f"missing {path}"
        assert path.read_text(encoding="utf-8").endswith("\n"), f"{name}: no final newline"


def test_every_line_is_one_compact_json_object() -> None:
    for type_, n, line in lines():
        where = f"{FILES[type_]}:{n}"
        assert line.strip(), f"{where}: blank line"
        obj = json.loads(line)
        assert isinstance(obj, dict), f"{where}: not an object"
        canonical = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        assert line == canonical, (
            f"{where}: not in compact form (json.dumps(..., ensure_ascii=False, separators=(',', ':')))"
        )


def test_keys_present_and_in_order() -> None:
    for where, type_, e in entities():
        want = (
            HEAD
            + EXTRA_AFTER_ALIASES.get(type_, [])
            + TAIL
            + EXTRA_BEFORE_NOTE.get(type_, [])
            + ["note"]
            + (["generic"] if "generic" in e else [])  # optional, last
        )
        assert list(e) == want, f"{where}: keys {list(e)} != {want}"
        assert e.get("generic", True) is True, f"{where}: generic is true or absent"
        assert isinstance(e["name"], str) and e["name"].strip() == e["name"] and e["name"], where
        assert isinstance(e["note"], str), where
        assert isinstance(e["aliases"], list) and isinstance(e["descriptions"], list), where
        assert isinstance(e["roles"], list), where


def test_ids_unique_well_formed_and_typed() -> None:
    seen: dict[str, str] = {}
    for where, type_, e in entities():
        id_ = e["id"]
        assert ID_RE.match(id_), f"{where}: malformed id {id_!r}"
        assert id_ not in seen, f"{where}: id {id_} already used at {seen.get(id_)}"
        seen[id_] = where
        assert e["type"] == type_, f"{where}: type {e['type']} in the {FILES[type_]} file"
        assert id_.split("/", 1)[0] == PREFIX[type_], (
            f"{where}: id prefix does not match type {type_}"
        )
        if type_ == "Country":
            assert COUNTRY_ID_RE.match(id_), f"{where}: country ids are ISO alpha-2, lower case"


def test_aliases_are_clean_and_start_with_the_name() -> None:
    for where, _, e in entities():
        aliases = e["aliases"]
        assert aliases and aliases[0] == e["name"], f"{where}: the name must be the first alias"
        assert len(aliases) == len(set(aliases)), f"{where}: duplicate alias"
        for a in aliases:
            assert isinstance(a, str) and a == a.strip() and "  " not in a, (
                f"{where}: untidy alias {a!r}"
            )
            assert norm(a), f"{where}: alias {a!r} normalises to nothing"


def test_descriptions_are_lower_case_phrases() -> None:
    for where, _, e in entities():
        for d in e["descriptions"]:
            assert isinstance(d, str) and d == d.strip() and d, f"{where}: bad description {d!r}"
            assert d == d.lower(), f"{where}: description {d!r} is not lower case"
        assert len(e["descriptions"]) == len(set(e["descriptions"])), (
            f"{where}: duplicate description"
        )


def test_country_demonyms_and_capitals() -> None:
    for where, type_, e in entities():
        if type_ != "Country":
            assert "demonyms" not in e and "capitals" not in e, where
            continue
        assert e["demonyms"], f"{where}: a country needs its demonyms"
        missing = [x for x in e["demonyms"] + e["capitals"] if x not in e["aliases"]]
        assert not missing, f"{where}: demonyms/capitals must also be aliases: {missing}"


def test_no_risky_aliases() -> None:
    for where, type_, e in entities():
        for a in all_forms(e):
            if type_ in CONCEPTS:
                assert a.lower() not in RISKY_CONCEPT, (
                    f"{where}: {a!r} matches ordinary English in any case"
                )
            else:
                assert a not in RISKY_NAMED, f"{where}: {a!r} matches ordinary English or a month"
                assert a.lower() not in RISKY_FOLDED, (
                    f"{where}: {a!r} is folded to common lower-case text"
                )


def collisions() -> dict[tuple[str, str], set[str]]:
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for _, type_, e in entities():
        for a in all_forms(e):
            owners[(type_, norm(a))].add(e["id"])
    return {k: v for k, v in owners.items() if len(v) > 1}


def test_aliases_unique_within_a_type_unless_allowed() -> None:
    allowed = json.loads((KB_DIR / "ambiguous.json").read_text(encoding="utf-8"))["entries"]
    allow = {(x["type"], norm(x["alias"])): set(x["ids"]) for x in allowed}
    assert len(allow) == len(allowed), "ambiguous.json lists one alias twice"
    for x in allowed:
        assert x.get("resolution"), f"ambiguous.json: {x['alias']!r} needs a resolution note"
    found = collisions()
    unlisted = {k: sorted(v) for k, v in found.items() if allow.get(k) != v}
    assert not unlisted, (
        f"aliases claimed by several entities of one type, not in ambiguous.json: {unlisted}"
    )
    stale = sorted(k for k in allow if k not in found)
    assert not stale, f"ambiguous.json entries that no longer collide: {stale}"


@pytest.mark.parametrize("type_", sorted(MINIMUM))
def test_counts_meet_minimums(type_: str) -> None:
    n = sum(1 for _, t, _ in entities() if t == type_)
    assert n >= MINIMUM[type_], f"{type_}: {n} entities, want at least {MINIMUM[type_]}"


def test_total_count() -> None:
    assert len(entities()) >= MINIMUM_TOTAL


def test_roles_have_iso_dates_in_order() -> None:
    for where, type_, e in entities():
        if type_ != "Person":
            assert e["roles"] == [], f"{where}: only people have roles"
        for r in e["roles"]:
            assert list(r) == ROLE_KEYS, f"{where}: role keys {list(r)}"
            assert isinstance(r["title"], str) and r["title"], f"{where}: role without a title"
            for k in ("from", "to"):
                assert r[k] is None or ROLE_DATE_RE.match(r[k]), (
                    f"{where}: role date {r[k]!r} is not YYYY or YYYY-MM"
                )
            if r["from"] and r["to"]:
                assert r["from"][: len(r["to"])] <= r["to"], (
                    f"{where}: role ends before it starts: {r}"
                )


def test_measure_dates() -> None:
    for where, type_, e in entities():
        if type_ == "Measure" and e["date"] is not None:
            assert MEASURE_DATE_RE.match(e["date"]), f"{where}: date {e['date']!r}"


def test_wikidata_ids() -> None:
    seen: dict[str, str] = {}
    for where, _, e in entities():
        q = e["wikidata"]
        if q is None:
            continue
        assert WIKIDATA_RE.match(q), f"{where}: wikidata {q!r}"
        assert q not in seen, f"{where}: {q} already on {seen[q]}"
        seen[q] = e["id"]


def test_references_resolve() -> None:
    ids = by_id()
    for where, type_, e in entities():
        if e["country"] is not None:
            assert e["country"] in ids and ids[e["country"]]["type"] == "Country", (
                f"{where}: country {e['country']}"
            )
        if type_ == "Country":
            assert e["country"] is None, f"{where}: a country has no country"
        for r in e["roles"]:
            assert r["org"] is None or r["org"] in ids, (
                f"{where}: role org {r['org']} is not in the KB"
            )
        if type_ == "Product":
            assert e["maker"] in ids and ids[e["maker"]]["type"] == "Company", (
                f"{where}: maker {e['maker']}"
            )
        if type_ == "Measure" and e["imposed_by"] is not None:
            assert e["imposed_by"] in ids, f"{where}: imposed_by {e['imposed_by']} is not in the KB"


# Surface forms the pipeline must be able to link, from the domain and the seed gold files.
KNOWN = [
    ("Washington", "country/us"), ("the Biden administration", "country/us"), ("U.S.", "country/us"),
    ("American", "country/us"), ("Beijing", "country/cn"), ("Chinese authorities", "country/cn"),
    ("The Hague", "country/nl"), ("the Dutch government", "country/nl"), ("Holland", "country/nl"),
    ("Tokyo", "country/jp"), ("Korea", "country/kr"), ("Seoul", "country/kr"), ("Taipei", "country/tw"),
    ("Berlin", "country/de"), ("Commerce Department", "government/us-commerce"),
    ("Commerce", "government/us-commerce"), ("BIS", "government/us-bis"), ("EU", "government/eu"),
    ("METI", "government/meti"), ("Japan's trade ministry", "government/meti"),
    ("Japan\u2019s ministry for economy, trade and industry", "government/meti"),
    ("MOTIE", "government/motie"), ("MOFCOM", "government/mofcom"),
    ("Senate Select Committee on Intelligence", "government/senate-intelligence-committee"),
    ("Estevez", "person/alan-estevez"), ("Raimondo", "person/gina-raimondo"), ("Kevin Wolf", "person/kevin-wolf"),
    ("Maros Sefcovic", "person/maros-sefcovic"), ("Šefčovič", "person/maros-sefcovic"),
    ("Jay Y. Lee", "person/lee-jae-yong"), ("C.C. Wei", "person/cc-wei"),
    ("SMIC", "company/smic"), ("Semiconductor Manufacturing International Corp (SMIC)", "company/smic"),
    ("ASML Holding", "company/asml"), ("Huawei\u2019s", "company/huawei"), ("Samsung", "company/samsung-electronics"),
    ("KLA-Tencor", "company/kla"), ("Akin Gump Strauss Hauer & Feld", "company/akin-gump"), ("Xtal", "company/xtal"),
    ("FT", "media/financial-times"), ("Reuters", "media/reuters"), ("Keidanren", "org/keidanren"),
    ("Georgetown CSET", "org/cset"), ("Wassenaar Arrangement", "org/wassenaar-arrangement"),
    ("Kirin 9000s", "product/kirin-9000s"), ("Mate Pro 60", "product/huawei-mate-60-pro"),
    ("Mate 60", "product/huawei-mate-60-pro"), ("NXT:2000i", "product/twinscan-nxt-2000i"),
    ("H20", "product/nvidia-h20"), ("7-nanometer", "tech/7nm-process"), ("7-nanometre", "tech/7nm-process"),
    ("5 nm", "tech/5nm-process"), ("extreme ultraviolet lithography (EUV)", "tech/euv-lithography"),
    ("high-bandwidth memory", "tech/hbm"), ("export controls", "measure/export-controls"),
    ("sanctions", "measure/export-controls"), ("tougher American controls", "measure/export-controls"),
    ("FDPR", "measure/fdpr"), ("stopping engineers from servicing", "measure/servicing-ban"),
    ("Huawei-related export licences", "measure/licence-requirement"),
    ("license revocation", "measure/licence-revocation"), ("October 7 rules", "measure/october-2022-export-controls"),
    ("Framework for AI Diffusion", "measure/ai-diffusion-rule"), ("Entity List", "measure/entity-list"),
]  # fmt: skip


@pytest.mark.parametrize(("form", "entity_id"), KNOWN)
def test_known_surface_forms_link(form: str, entity_id: str) -> None:
    e = by_id()[entity_id]
    assert norm(form) in {norm(a) for a in all_forms(e)}, f"{form!r} does not name {entity_id}"
    same_type = [
        x["id"]
        for _, t, x in entities()
        if t == e["type"] and norm(form) in {norm(a) for a in all_forms(x)}
    ]
    assert same_type == [entity_id], f"{form!r} also names {same_type}"
