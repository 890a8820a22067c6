"""Is an article about semiconductor export controls? A pure, explainable keyword score.

General-news feeds (wires, papers, gadget sites) carry far more than the analyst needs, so
their articles pass through ``topic_check`` before they count. The rule: an article is on
topic when it names the chip world *and* a policy lever (export controls, Entity List,
sanctions, licences, ...) strongly enough, or when it is dense with export-control terms of
its own (a BIS rule on the Entity List needs no chip word). Each term has a weight; a term in
the title counts extra, because headlines say what a story is about.

Food, sport and finance uses of "chip" (fish and chips, a chip shot, blue-chip stocks, a
bargaining chip) are blanked out before scoring: they are the commonest false positives.
Off-topic articles are stored with the reason, not dropped, so a too-strict rule is
visible and reversible.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Group = Literal["chip", "policy", "place"]

# Needed to be on topic: chip + policy + place weight, with at least one chip and one policy term.
ON_TOPIC_SCORE = 5.0
# Export-control terms alone suffice when this many distinct strong ones add up to STRONG_SCORE.
STRONG_TERMS = 2
STRONG_SCORE = 6.0
TITLE_BONUS = 1.0
# Countries are context, not subject: a story naming five of them is no more on topic.
PLACE_CAP = 2.0


@dataclass(frozen=True)
class _Term:
    label: str
    group: Group
    weight: float
    pattern: re.Pattern[str]

    @property
    def strong(self) -> bool:
        return self.group == "policy" and self.weight >= 3


def _t(label: str, group: Group, weight: float, regex: str, *, case: bool = False) -> _Term:
    # Acronyms match case-sensitively: "BIS" is the bureau, "bis" is German for "until".
    flags = 0 if case else re.IGNORECASE
    return _Term(label, group, weight, re.compile(regex, flags))


_TERMS: tuple[_Term, ...] = (
    # The chip world: technology, equipment, materials, companies.
    _t("semiconductors", "chip", 2, r"\bsemiconductors?\b"),
    _t("chipmaking", "chip", 2, r"\bchip[- ]?(?:maker|makers|making)\b"),
    _t("chip", "chip", 1, r"\b(?:micro)?chips?\b"),
    _t("lithography", "chip", 2, r"\blithograph\w*"),
    _t("EUV/DUV", "chip", 2, r"\b[ED]UV\b|\b(?:extreme|deep) ultraviolet\b", case=True),
    _t("wafers", "chip", 1, r"\bwafers?\b"),
    _t("foundry", "chip", 1, r"\bfoundr(?:y|ies)\b"),
    _t("fabs", "chip", 1, r"\bfabs\b|\b(?:chip|wafer) fab\w*"),
    _t("process node", "chip", 1, r"\b\d{1,2}\s?(?:nm|-nanometer|nanometre)\b"),
    _t("GPU", "chip", 1, r"\bGPUs?\b", case=True),
    _t("AI accelerators", "chip", 1, r"\bAI (?:accelerators?|processors?)\b"),
    _t("HBM", "chip", 2, r"\bHBM\d?E?\b|\bhigh[- ]bandwidth memory\b", case=True),
    _t("memory", "chip", 1, r"\b(?:DRAM|NAND)\b", case=True),
    _t("gallium/germanium", "chip", 2, r"\bgallium\b|\bgermanium\b"),
    _t("ASML", "chip", 2, r"\bASML\b", case=True),
    _t("SMIC", "chip", 2, r"\bSMIC\b", case=True),
    _t("TSMC", "chip", 2, r"\bTSMC\b", case=True),
    _t("YMTC/CXMT", "chip", 2, r"\b(?:YMTC|CXMT)\b", case=True),
    _t("Tokyo Electron", "chip", 2, r"\bTokyo Electron\b"),
    _t("Applied Materials", "chip", 2, r"\bApplied Materials\b"),
    _t("Lam Research", "chip", 2, r"\bLam Research\b"),
    _t("KLA", "chip", 2, r"\bKLA\b", case=True),
    _t("Hua Hong", "chip", 2, r"\bHua Hong\b"),
    _t("SK Hynix", "chip", 1, r"\b(?:SK )?Hynix\b"),
    _t("Nvidia", "chip", 1, r"\bNvidia\b"),
    _t("AMD/Intel/Micron", "chip", 1, r"\b(?:AMD|Intel|Micron)\b", case=True),
    _t("Huawei", "chip", 1, r"\bHuawei\b"),
    _t("accelerator models", "chip", 1, r"\b(?:[ABH]\d{2,3}|MI\d{3}X?)\b", case=True),
    # Policy levers. Weight 3 are specific to export control ("strong").
    _t("export controls", "policy", 3, r"\bexport[- ]control\w*"),
    _t(
        "export restrictions",
        "policy",
        3,
        r"\bexport (?:restrictions?|curbs?|bans?|licen[cs]es?|licen[cs]ing|rules?)\b"
        r"|\b(?:restrict|curb|ban|limit)\w*\s+(?:\w+\s+){0,3}exports?\b",
    ),
    _t("Entity List", "policy", 3, r"\bentity list\b"),
    _t("BIS", "policy", 3, r"\bBIS\b|\bBureau of Industry and Security\b", case=True),
    _t("foreign direct product rule", "policy", 3, r"\bforeign direct product rule\b|\bFDPR\b"),
    _t("Wassenaar", "policy", 3, r"\bWassenaar\b"),
    _t("dual-use", "policy", 2, r"\bdual[- ]use\b"),
    _t("blacklist", "policy", 2, r"\bblack-?list\w*"),
    _t("licence requirement", "policy", 2, r"\blicen[cs]e (?:requirements?|applications?)\b"),
    _t(
        "licences and waivers",
        "policy",
        2,
        r"\blicen[cs](?:es?|ing)\b|\bwaivers?\b|\bvalidated end[- ]users?\b|\bVEU\b|\bexemptions?\b",
    ),
    _t("CHIPS Act", "policy", 2, r"\bCHIPS (?:and Science )?Act\b"),
    _t("sanctions", "policy", 1, r"\bsanction\w*"),
    _t("curbs", "policy", 1, r"\bcurbs?\b|\brestrictions?\b|\bembargo\w*"),
    _t("ban", "policy", 1, r"\bban(?:s|ned|ning)?\b"),
    _t("tariffs", "policy", 1, r"\btariffs?\b"),
    _t("national security", "policy", 1, r"\bnational security\b"),
    _t("smuggling", "policy", 1, r"\bsmuggl\w*"),
    _t(
        "trade ministries",
        "policy",
        1,
        r"\b(?:Commerce Department|Department of Commerce|Commerce Secretary"
        r"|Ministry of Commerce|MOFCOM|METI)\b",
    ),
    # Places: context that makes a chip-and-policy story more likely to be ours.
    _t("China", "place", 1, r"\bChin(?:a|ese)\b|\bBeijing\b"),
    _t("Netherlands", "place", 1, r"\bNetherlands\b|\bDutch\b|\bThe Hague\b"),
    _t("Japan", "place", 1, r"\bJapan(?:ese)?\b|\bTokyo\b"),
    _t("South Korea", "place", 1, r"\b(?:South )?Korea(?:n)?\b|\bSeoul\b"),
    _t("Taiwan", "place", 1, r"\bTaiwan(?:ese)?\b"),
    _t("United States", "place", 1, r"\bWashington\b|\bU\.S\.|\bUS\b|\bUnited States\b", case=True),
)

# Non-semiconductor "chips", blanked before scoring.
_NOT_CHIPS = re.compile(
    r"\b(?:fish|potato|tortilla|corn|chocolate|banana|kale|veggie|poker|casino|bargaining"
    r"|blue|wood|paint)[- ](?:and[- ])?chips?\b"
    r"|\bfish\s*(?:and|&|'n'?|n)\s*chips\b"
    r"|\bchips?\s*(?:and|&)\s*(?:salsa|dips?|guacamole|gravy)\b"
    r"|\bchip(?:s|ped|ping)? in\b"
    r"|\bchip[- ]shots?\b"
    r"|\bchip[- ]and[- ](?:pin|signature)\b"
    r"|\bchips? on (?:his|her|their|its|my|your) shoulders?\b"
    r"|\bchips? (?:are|were) down\b"
    r"|\blet the chips fall\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Score:
    chip: float
    policy: float
    place: float
    strong: int
    labels: tuple[str, ...]  # strongest first

    @property
    def total(self) -> float:
        return self.chip + self.policy + self.place


def _score(title: str, text: str) -> _Score:
    title = _NOT_CHIPS.sub(" ", title)
    text = _NOT_CHIPS.sub(" ", text)
    sums: dict[Group, float] = {"chip": 0.0, "policy": 0.0, "place": 0.0}
    found: list[tuple[float, str]] = []
    strong = 0
    for term in _TERMS:
        in_title = term.pattern.search(title) is not None
        if not in_title and term.pattern.search(text) is None:
            continue
        weight = term.weight + (TITLE_BONUS if in_title else 0.0)
        sums[term.group] += weight
        strong += term.strong
        found.append((weight, term.label))
    found.sort(key=lambda wl: -wl[0])  # stable: ties keep the table's order
    return _Score(
        chip=sums["chip"],
        policy=sums["policy"],
        place=min(sums["place"], PLACE_CAP),
        strong=strong,
        labels=tuple(label for _, label in found),
    )


def _listing(labels: Sequence[str], limit: int = 6) -> str:
    return ", ".join(labels[:limit]) + (", ..." if len(labels) > limit else "")


def _keyword_check(title: str, text: str, keywords: Sequence[str]) -> tuple[bool, str]:
    hits = [
        kw
        for kw in keywords
        if kw.strip()
        and re.search(rf"(?<!\w){re.escape(kw.strip())}(?!\w)", f"{title}\n{text}", re.IGNORECASE)
    ]
    if hits:
        return True, f"matched: {_listing(hits)}"
    return False, "off-topic: none of the source's keywords"


def topic_check(title: str, text: str, keywords: Sequence[str] | None = None) -> tuple[bool, str]:
    """Decide whether an article is on semiconductor export controls; say why.

    With ``keywords`` (a source's own list) the article is on topic when any of them occurs
    as a whole word or phrase, case-insensitively. Without, the weighted default applies.
    Returns ``(on_topic, reason)``, e.g. ``(True, "matched: export controls, ASML")`` or
    ``(False, "off-topic: no semiconductor terms")``.
    """
    title = title or ""
    text = text or ""
    if keywords is not None:
        return _keyword_check(title, text, keywords)
    s = _score(title, text)
    if s.strong >= STRONG_TERMS and s.policy >= STRONG_SCORE:
        return True, f"matched: {_listing(s.labels)}"
    if s.chip == 0:
        return False, "off-topic: no semiconductor terms"
    if s.policy == 0:
        return False, f"off-topic: no policy terms (only {_listing(s.labels)})"
    if s.total < ON_TOPIC_SCORE:
        return False, f"off-topic: weak match ({_listing(s.labels)}; score {s.total:g})"
    return True, f"matched: {_listing(s.labels)}"
