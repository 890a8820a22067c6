"""Realistic synthetic extraction records, for the graph benchmarks and the larger graph tests.

The records follow ``../shared/contract/extraction.md`` plus the fields the NLP stage adds
(``title``, ``site_name``, ``authors``, ``story_id``, ``document``, ``roles``). Their shape is
modelled on the subject: the US and its officials press allies about named measures, allies
restrict, license and push back, Chinese firms produce, toolmakers supply; several outlets
report one story (one ``story_id``, the same events, dates a few days apart, so the loader
must fold their reports into one event); a few records are Federal Register rules. Entity
popularity is skewed as in real coverage (the US, China and Nvidia everywhere, Zeiss rarely).
The sentences are templates, not copied text.

Deterministic for a given ``seed``. ``namespace`` prefixes every url path, entity id, story id
and document number, so a benchmark or a test can load into a shared database and delete
exactly what it loaded.

Run: ``.venv/bin/python benchmarks/synthetic.py 1000 [--seed 7] [--namespace ns] > out.jsonl``
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

EXTRACTOR = "chipwatch 0.1.0 / en_core_web_sm 3.8.0 / kb 2024-11"

# (id, name, type, aliases, weight): weight is how often coverage names it.
ENTITIES: list[tuple[str, str, str, list[str], int]] = [
    ("country/us", "United States", "Country", ["US", "Washington", "the Biden administration"], 60),
    ("country/cn", "China", "Country", ["Beijing", "Chinese"], 55),
    ("country/nl", "Netherlands", "Country", ["The Hague", "the Dutch government", "Dutch"], 25),
    ("country/jp", "Japan", "Country", ["Tokyo", "Japanese government"], 22),
    ("country/kr", "South Korea", "Country", ["Seoul", "Korea"], 15),
    ("country/de", "Germany", "Country", ["Berlin", "German government"], 8),
    ("country/tw", "Taiwan", "Country", ["Taipei"], 10),
    ("government/eu", "European Union", "Government", ["EU", "Brussels"], 10),
    ("government/eu-commission", "European Commission", "Government", ["the Commission"], 5),
    ("government/us-bis", "Bureau of Industry and Security", "Government", ["BIS"], 20),
    ("government/us-commerce", "US Department of Commerce", "Government", ["Commerce Department"], 18),
    ("government/us-house-china-committee", "House Select Committee on the CCP", "Government", ["the select committee"], 4),
    ("government/jp-meti", "Ministry of Economy, Trade and Industry", "Government", ["METI"], 6),
    ("government/cn-mofcom", "Ministry of Commerce of China", "Government", ["MOFCOM"], 8),
    ("government/kr-motie", "Ministry of Trade, Industry and Energy", "Government", ["MOTIE"], 3),
    ("company/asml", "ASML", "Company", ["ASML Holding"], 20),
    ("company/tokyo-electron", "Tokyo Electron", "Company", ["TEL"], 8),
    ("company/nikon", "Nikon", "Company", [], 3),
    ("company/applied-materials", "Applied Materials", "Company", ["AMAT"], 8),
    ("company/lam-research", "Lam Research", "Company", ["Lam"], 6),
    ("company/kla", "KLA", "Company", ["KLA Corp"], 4),
    ("company/smic", "SMIC", "Company", ["Semiconductor Manufacturing International Corp"], 15),
    ("company/huawei", "Huawei", "Company", ["Huawei Technologies"], 20),
    ("company/ymtc", "YMTC", "Company", ["Yangtze Memory Technologies"], 5),
    ("company/cxmt", "CXMT", "Company", ["ChangXin Memory"], 4),
    ("company/nvidia", "Nvidia", "Company", ["Nvidia Corp"], 25),
    ("company/amd", "AMD", "Company", ["Advanced Micro Devices"], 6),
    ("company/samsung", "Samsung Electronics", "Company", ["Samsung"], 10),
    ("company/sk-hynix", "SK Hynix", "Company", ["Hynix"], 7),
    ("company/tsmc", "TSMC", "Company", ["Taiwan Semiconductor Manufacturing Co"], 14),
    ("company/zeiss", "Carl Zeiss", "Company", ["Zeiss"], 1),
    ("person/gina-raimondo", "Gina Raimondo", "Person", ["Raimondo"], 10),
    ("person/alan-estevez", "Alan Estevez", "Person", ["Estevez"], 6),
    ("person/jake-sullivan", "Jake Sullivan", "Person", ["Sullivan"], 4),
    ("person/joe-biden", "Joe Biden", "Person", ["Biden"], 6),
    ("person/donald-trump", "Donald Trump", "Person", ["Trump"], 6),
    ("person/howard-lutnick", "Howard Lutnick", "Person", ["Lutnick"], 3),
    ("person/mark-rutte", "Mark Rutte", "Person", ["Rutte"], 3),
    ("person/liesje-schreinemacher", "Liesje Schreinemacher", "Person", ["Schreinemacher"], 2),
    ("person/yasutoshi-nishimura", "Yasutoshi Nishimura", "Person", ["Nishimura"], 2),
    ("person/wang-wentao", "Wang Wentao", "Person", ["Wang"], 2),
    ("person/jensen-huang", "Jensen Huang", "Person", ["Huang"], 6),
    ("person/peter-wennink", "Peter Wennink", "Person", ["Wennink"], 3),
    ("media/global-times", "Global Times", "Media", [], 2),
    ("org/sia", "Semiconductor Industry Association", "Organization", ["SIA"], 3),
    ("org/csis", "Center for Strategic and International Studies", "Organization", ["CSIS"], 3),
    ("product/kirin-9000s", "Kirin 9000S", "Product", ["Kirin chip"], 4),
    ("product/mate-60-pro", "Mate 60 Pro", "Product", ["Mate 60"], 4),
    ("product/h20", "H20", "Product", ["H20 chip"], 6),
    ("product/h100", "H100", "Product", [], 5),
    ("product/twinscan-nxt-2000i", "Twinscan NXT:2000i", "Product", ["NXT:2000i"], 2),
    ("technology/euv", "EUV lithography", "Technology", ["extreme ultraviolet"], 8),
    ("technology/duv", "DUV lithography", "Technology", ["deep ultraviolet", "immersion DUV"], 8),
    ("technology/7nm", "7nm process", "Technology", ["7-nanometre"], 6),
    ("technology/hbm", "high-bandwidth memory", "Technology", ["HBM"], 5),
    ("measure/entity-list", "Entity List", "Measure", ["trade blacklist"], 12),
    ("measure/fdpr", "Foreign Direct Product Rule", "Measure", ["FDPR"], 6),
    ("measure/servicing-ban", "servicing ban", "Measure", ["curbs on servicing"], 5),
    ("measure/oct-2022-rules", "October 2022 export controls", "Measure", ["Oct. 7 rules"], 8),
    ("measure/oct-2023-update", "October 2023 export control update", "Measure", [], 5),
    ("measure/dec-2024-rule", "December 2024 export control rule", "Measure", [], 4),
    ("measure/ai-diffusion-rule", "AI diffusion rule", "Measure", ["AI diffusion framework"], 4),
    ("measure/h20-licence", "H20 licence requirement", "Measure", [], 4),
    ("measure/jp-23-tool-controls", "Japan controls on 23 tool types", "Measure", [], 4),
    ("measure/nl-duv-licences", "Dutch DUV licence requirement", "Measure", [], 5),
    ("measure/ga-ge-controls", "gallium and germanium export controls", "Measure", [], 4),
    ("measure/export-controls", "export controls", "Measure", ["chip curbs"], 14),
]  # fmt: skip

OUTLETS = [
    ("reuters.example", "Reuters"), ("bloomberg.example", "Bloomberg"), ("ft.example", "Financial Times"),
    ("nikkei.example", "Nikkei Asia"), ("scmp.example", "South China Morning Post"),
    ("wsj.example", "The Wall Street Journal"), ("nytimes.example", "The New York Times"),
    ("nrc.example", "NRC"), ("fd.example", "Het Financieele Dagblad"), ("koreaherald.example", "The Korea Herald"),
    ("yonhap.example", "Yonhap"), ("handelsblatt.example", "Handelsblatt"), ("politico.example", "Politico"),
    ("semianalysis.example", "SemiAnalysis"), ("tomshardware.example", "Tom's Hardware"),
    ("theregister.example", "The Register"), ("digitimes.example", "DigiTimes"), ("cnbc.example", "CNBC"),
    ("techcrunch.example", "TechCrunch"), ("eetimes.example", "EE Times"),
]  # fmt: skip

US_SIDE = ["country/us", "government/us-bis", "government/us-commerce", "person/gina-raimondo",
           "person/alan-estevez", "person/jake-sullivan", "person/joe-biden", "person/donald-trump",
           "person/howard-lutnick", "government/us-house-china-committee"]  # fmt: skip
ALLIES = ["country/nl", "country/jp", "country/kr", "country/de", "government/eu", "country/tw"]
ALLY_WEIGHTS = [30, 25, 15, 8, 8, 5]
CN_FIRMS = ["company/smic", "company/huawei", "company/ymtc", "company/cxmt"]
TOOLMAKERS = ["company/asml", "company/tokyo-electron", "company/nikon", "company/applied-materials",
              "company/lam-research", "company/kla"]  # fmt: skip
CHIPMAKERS = [
    "company/nvidia",
    "company/amd",
    "company/samsung",
    "company/sk-hynix",
    "company/tsmc",
]
PRODUCTS = ["product/kirin-9000s", "product/mate-60-pro", "product/h20", "product/h100",
            "technology/7nm", "technology/hbm"]  # fmt: skip
MEASURES = [e[0] for e in ENTITIES if e[2] == "Measure"]
PEOPLE = [e[0] for e in ENTITIES if e[2] == "Person"]
BY_ID = {e[0]: e for e in ENTITIES}
WEIGHTS = {e[0]: e[4] for e in ENTITIES}
RESPONSES = ["RESTRICTION", "LICENSING", "RESISTANCE"]

TEMPLATES = {
    "PRESSURE": "{actor} is pressing {target} to tighten the {measure}, officials said.",
    "RESTRICTION": "{actor} imposed new restrictions under the {measure} aimed at {target}.",
    "LICENSING": "{actor} revoked licences under the {measure} for shipments to {target}.",
    "INVESTIGATION": "{actor} opened an inquiry into whether {target} breached the {measure}.",
    "PRODUCTION": "{actor} has started making {target}, analysts who examined it said.",
    "SUPPLY": "{actor} kept shipping machines to {target} before the rules took effect.",
    "RESISTANCE": "{actor} has pushed back against {target} over the {measure}.",
}
QUOTES = [
    "We will keep working with our partners so that the most advanced tools stay out of reach.",
    "Any new rule has to be weighed against what it costs our own companies.",
    "These controls are about national security, not about holding anyone back.",
    "Our customers in China are asking for clarity, and we are asking for the same.",
    "We did not expect the rules to move this quickly.",
    "Unilateral measures only push the industry to find other suppliers.",
]


@dataclass(frozen=True)
class Story:
    """One real-world story; several outlets may report it."""

    sid: str
    day: date
    events: list[dict[str, Any]]
    cast: list[str]


def _ns_id(namespace: str, entity_id: str) -> str:
    return f"{namespace}:{entity_id}" if namespace else entity_id


def _pick(rng: random.Random, ids: list[str], weights: list[int] | None = None) -> str:
    return rng.choices(ids, weights=weights or [WEIGHTS.get(i, 1) for i in ids])[0]


def _day(rng: random.Random) -> date:
    # Coverage grows after October 2022: weight later months more.
    months = [(y, m) for y in range(2019, 2027) for m in range(1, 13) if (y, m) <= (2026, 6)]
    weights = [1 + 4 * (y >= 2022 and (y, m) >= (2022, 10)) + (y - 2019) for y, m in months]
    y, m = rng.choices(months, weights=weights)[0]
    return date(y, m, rng.randint(1, 28))


def _story_events(rng: random.Random) -> tuple[list[dict[str, Any]], list[str]]:
    kind = rng.choices(
        ["pressure", "restriction", "china", "company"], weights=[40, 25, 15, 20]
    )[0]  # fmt: skip
    events: list[dict[str, Any]] = []
    if kind == "pressure":
        actor = _pick(rng, US_SIDE)
        targets = sorted({_pick(rng, ALLIES, ALLY_WEIGHTS) for _ in range(rng.randint(1, 3))})
        measure = _pick(rng, MEASURES)
        events.append({"type": "PRESSURE", "actor": actor, "targets": targets, "measure": measure})
        if rng.random() < 0.5:
            ally = rng.choice(targets)
            events.append({"type": rng.choice(RESPONSES), "actor": ally,
                           "targets": [rng.choice(["country/cn", actor])], "measure": measure})  # fmt: skip
    elif kind == "restriction":
        actor = _pick(rng, ["government/us-bis", "country/us", "country/jp", "country/nl",
                            "government/cn-mofcom", "government/jp-meti"])  # fmt: skip
        events.append({"type": rng.choice(["RESTRICTION", "RESTRICTION", "LICENSING", "INVESTIGATION"]),
                       "actor": actor, "targets": [_pick(rng, CN_FIRMS + CHIPMAKERS + ["country/cn"])],
                       "measure": _pick(rng, MEASURES)})  # fmt: skip
    elif kind == "china":
        events.append({"type": "PRODUCTION", "actor": _pick(rng, CN_FIRMS),
                       "targets": [_pick(rng, PRODUCTS)], "measure": None})  # fmt: skip
    else:
        events.append({"type": "SUPPLY", "actor": _pick(rng, TOOLMAKERS + CHIPMAKERS),
                       "targets": [_pick(rng, CN_FIRMS + ["country/cn"])], "measure": None})  # fmt: skip
    cast = {e["actor"] for e in events} | {t for e in events for t in e["targets"]}
    cast |= {e["measure"] for e in events if e["measure"]}
    return events, sorted(cast)


def _entities(rng: random.Random, ns: str, cast: list[str], n_extra: int) -> list[dict[str, Any]]:
    ids = list(cast)
    while len(ids) < len(cast) + n_extra:
        extra = _pick(rng, list(BY_ID))
        if extra not in ids:
            ids.append(extra)
    out = []
    for entity_id in ids:
        _, name, type_, aliases, _ = BY_ID[entity_id]
        seen = [name] + rng.sample(aliases, k=rng.randint(0, len(aliases)))
        entry: dict[str, Any] = {
            "id": _ns_id(ns, entity_id), "name": name, "type": type_, "aliases_seen": seen,
            "mentions": rng.randint(1, 6), "wikidata": None, "role": None,
        }  # fmt: skip
        if entity_id == "person/gina-raimondo":
            entry["role"] = "Secretary of Commerce"
            entry["roles"] = [{"title": "Secretary of Commerce", "from": "2021-03-03", "to": "2025-01-20",
                               "org_id": _ns_id(ns, "government/us-commerce")}]  # fmt: skip
        out.append(entry)
    return out


def _event_record(rng: random.Random, ns: str, ev: dict[str, Any], day: date, published: date,
                  offset: int) -> dict[str, Any]:  # fmt: skip
    name = BY_ID[ev["actor"]][1]
    targets = [BY_ID[t][1] for t in ev["targets"]]
    measure = BY_ID[ev["measure"]][1] if ev["measure"] else None
    sentence = TEMPLATES[ev["type"]].format(
        actor=name, target=" and ".join(targets), measure=measure or "rules"
    )
    roll = rng.random()
    if roll < 0.55:
        when, source = published.isoformat()[:7], "published"
    elif roll < 0.9:
        when, source = day.isoformat() if rng.random() < 0.5 else day.isoformat()[:7], "text"
    else:
        when, source = str(day.year), "text"
    return {
        "type": ev["type"], "actor": name, "actor_id": _ns_id(ns, ev["actor"]), "targets": targets,
        "target_ids": [_ns_id(ns, t) for t in ev["targets"]], "measure": measure,
        "measure_id": _ns_id(ns, ev["measure"]) if ev["measure"] else None,
        "date": when, "date_source": source, "sentence": sentence, "start": offset,
        "end": offset + len(sentence), "confidence": round(rng.uniform(0.5, 0.98), 2),
        "negated": False,
    }  # fmt: skip


def _record(rng: random.Random, ns: str, story: Story, n: int) -> dict[str, Any]:
    published = story.day + timedelta(days=rng.randint(0, 3))
    domain, site = rng.choice(OUTLETS)
    slug = f"{story.sid.rsplit('/', 1)[-1]}-{n}"
    url = f"https://www.{domain}/{ns + '/' if ns else ''}{published:%Y/%m}/{slug}"
    entities = _entities(rng, ns, story.cast, rng.randint(2, 6))
    events = [
        _event_record(rng, ns, ev, story.day, published, 200 * i)
        for i, ev in enumerate(story.events)
    ]
    people = [e for e in entities if e["type"] == "Person"] or []
    quotes = [
        {"speaker": p["name"], "speaker_id": p["id"], "text": rng.choice(QUOTES), "sentence_start": 900 + 80 * i}
        for i, p in enumerate(people[: rng.randint(0, 2)])
    ]  # fmt: skip
    record: dict[str, Any] = {
        "url": url, "published": published.isoformat(), "title": events[0]["sentence"][:90],
        "site_name": site, "authors": [f"Reporter {rng.randint(1, 300)}"], "story_id": story.sid,
        "extractor": EXTRACTOR, "entities": entities, "events": events, "quotes": quotes,
    }  # fmt: skip
    if rng.random() < 0.02:  # a Federal Register rule, not a news story
        number = f"{ns + '-' if ns else ''}{published.year}-{n:05d}"
        record["url"] = (
            f"https://www.federalregister.gov/documents/{ns + '/' if ns else ''}{number}"
        )
        record["site_name"], record["story_id"], record["authors"] = "Federal Register", None, []
        record["document"] = {
            "document_number": number, "type": "Rule", "publication_date": published.isoformat(),
            "effective_on": (published - timedelta(days=3)).isoformat(), "title": record["title"],
            "html_url": record["url"], "citation": f"{published.year - 1935} FR {n}",
        }  # fmt: skip
    return record


def generate(count: int, *, seed: int = 0, namespace: str = "") -> Iterator[dict[str, Any]]:
    """``count`` records. About 35 % of them join a story another outlet already reported."""
    rng = random.Random(seed)
    open_stories: list[Story] = []
    for n in range(count):
        if open_stories and rng.random() < 0.35:
            story = rng.choice(open_stories[-50:])
        else:
            events, cast = _story_events(rng)
            sid = f"story/{namespace + '-' if namespace else ''}{n}"
            story = Story(sid, _day(rng), events, cast)
            open_stories.append(story)
        yield _record(rng, namespace, story, n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--namespace", default="")
    args = parser.parse_args()
    for record in generate(args.count, seed=args.seed, namespace=args.namespace):
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
