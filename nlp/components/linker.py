"""Links every mention to one canonical entity and builds the article's entity table.

In order of trust: a KB surface form; a surname or acronym of a name already seen in the
article; a description ("the Chinese group") of a KB entity already seen; otherwise the name
itself, with a stable id made from its type and normalised form, so nothing is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from nlp import extensions
from nlp.kb import Entity, KnowledgeBase, make_id, norm, shared_kb

OUR_TYPES = {"Person", "Company", "Government", "Country", "Media", "Organization", "Product",
             "Technology", "Measure"}  # fmt: skip
_GOVERNMENT = re.compile(
    r"\b(ministry|department|committee|commission|agency|bureau|senate|house|parliament|"
    r"council|office|administration|cabinet|congress|government|authority|embassy|court)\b",
    re.IGNORECASE,
)
_ORGANIZATION = re.compile(
    r"\b(university|institute|association|center|centre|foundation|think tank|federation|"
    r"alliance|forum|society|school|academy|union|chamber|lobby|coalition)\b",
    re.IGNORECASE,
)
_COMPANY = re.compile(
    r"\b(corp|corporation|inc|ltd|llc|plc|co|group|holdings?|technologies|technology|"
    r"semiconductors?|electronics|microelectronics|photonics|systems|materials|devices|"
    r"instruments|labs?|industries|international|manufacturing|chips?|ag|nv|bv|sa|gmbh|"
    r"capital|partners|ventures|bank|motors|telecom|networks|software|optics)\b\.?$",
    re.IGNORECASE,
)
_MEDIA = re.compile(r"\b(news|times|post|journal|herald|tribune|gazette|daily|press|agency)\b", re.IGNORECASE)
# Words the small model often takes for names in this domain; never entities on their own.
_NOT_NAMES = {
    "chip", "chips", "commerce secretary", "secretary", "president", "minister", "ceo", "reuters graphics",
    "ai", "the", "tuesday", "monday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "republican", "republicans", "democrat", "democrats", "lawmakers", "allies",
}  # fmt: skip
TYPE_PRIORITY = {t: i for i, t in enumerate(
    ("Country", "Government", "Company", "Person", "Organization", "Media", "Product",
     "Technology", "Measure"))}  # fmt: skip


@dataclass
class Row:
    id: str
    name: str
    type: str
    aliases_seen: list[str] = field(default_factory=list)
    mentions: int = 0
    wikidata: str | None = None
    role: str | None = None
    first: int = 0  # token index of the first mention: the document's reading order

    def seen(self, text: str) -> None:
        self.mentions += 1
        if text not in self.aliases_seen:
            self.aliases_seen.append(text)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type,
                "aliases_seen": self.aliases_seen, "mentions": self.mentions,
                "wikidata": self.wikidata, "role": self.role}  # fmt: skip


def ner_type(span: Span) -> str | None:
    """Our type for a name the model found that the KB does not know."""
    text = span.text
    if span.label_ in {"PERSON", "ORG", "PRODUCT"} and _COMPANY.search(text) and len(span) >= 2:
        return "Company"  # the small model often takes "X Photonics" for a person
    if span.label_ == "PERSON":
        return "Person" if len(span) >= 2 and all(t.is_title or t.is_punct for t in span) else None
    if span.label_ == "PRODUCT":
        return "Product"
    if span.label_ == "ORG":
        if _GOVERNMENT.search(text):
            return "Government"
        if _ORGANIZATION.search(text):
            return "Organization"
        if _MEDIA.search(text) and len(span) <= 4:
            return "Media"
        return "Company"
    return None  # places and groups outside the KB are not entities of the story


def pattern_name(span: Span) -> str:
    # "tech/5nm-process" -> "5nm process"
    return span.kb_id_.split("/", 1)[-1].replace("-", " ")


class Linker:
    def __init__(self, nlp: Language, name: str, *, kb_dir: str) -> None:
        self.name = name
        self.kb_dir = kb_dir
        self._vocab = nlp.vocab
        self._make_doc = nlp.make_doc
        self._descriptions: PhraseMatcher | None = None

    @property
    def kb(self) -> KnowledgeBase:
        return shared_kb(self.kb_dir)

    def _description_matcher(self) -> PhraseMatcher:
        # Patterns are the descriptions as written ("china's biggest chipmaker"), each filed
        # under its normalised key, which is how the KB indexes them.
        if self._descriptions is None:
            m = PhraseMatcher(self._vocab, attr="LOWER")
            for entity in self.kb.entities.values():
                for desc in entity.descriptions:
                    m.add(norm(desc), [self._make_doc(desc.lower())])
            self._descriptions = m
        return self._descriptions

    @extensions.guarded
    def __call__(self, doc: Doc) -> Doc:
        table: dict[str, Row] = {}
        state = _DocState(self.kb, table)
        kept: list[Span] = []
        for span in doc.ents:
            if span.label_ not in OUR_TYPES and span.label_ not in {"PERSON", "ORG", "PRODUCT", "GPE", "NORP"}:
                kept.append(span)  # dates and numbers stay for the date resolver
                continue
            if span._.in_furniture or "\n" in span.text:
                continue
            linked = state.link(span)
            if linked is not None:
                kept.append(linked)
        kept.extend(self._resolve_descriptions(doc, state, kept))
        kept.extend(_bare_surnames(doc, state, kept))
        doc.ents = sorted(kept, key=lambda s: s.start)
        doc._.entity_table = {k: v.as_dict() for k, v in sorted(table.items(), key=lambda kv: kv[1].first)}
        return doc

    def _resolve_descriptions(self, doc: Doc, state: _DocState, kept: list[Span]) -> list[Span]:
        """'the Chinese group' -> the KB entity it describes, once that entity was named. A
        demonym inside the description ("Chinese") then no longer counts as the country."""
        demonyms = {s.start: s for s in kept if s.label_ == "Country" and len(s) == 1}
        taken = {i for s in kept for i in range(s.start, s.end) if s.start not in demonyms}
        out = []
        for match_id, start, end in self._description_matcher()(doc):
            if any(i in taken for i in range(start, end)):
                continue
            span = Span(doc, start, end)
            if span._.in_furniture:
                continue
            desc = self._vocab.strings[match_id]
            candidates = [i for i in self.kb.by_description.get(desc, []) if i in state.table
                          and state.table[i].first < start]  # fmt: skip
            if not candidates:
                continue
            best = max(candidates, key=lambda i: state.last_seen.get(i, -1))
            row = state.table[best]
            row.seen(span.text)
            state.last_seen[best] = start
            out.append(Span(doc, start, end, label=row.type, kb_id=best))
            taken.update(range(start, end))
            for i in range(start, end):
                if i in demonyms:
                    kept.remove(demonyms.pop(i))
        return out


def most_named_before(token: Token, label: str) -> Span | None:
    """The linked entity of ``label`` named most often before ``token`` (the latest of equals):
    whom "the company" or "the spokesperson" most likely means."""
    counts: dict[str, int] = {}
    last: dict[str, Span] = {}
    for ent in token.doc.ents:
        if ent.end <= token.i and ent.label_ == label and ent.kb_id_:
            counts[ent.kb_id_] = counts.get(ent.kb_id_, 0) + 1
            last[ent.kb_id_] = ent
    if not counts:
        return None
    return last[max(counts, key=lambda k: (counts[k], last[k].start))]


def _bare_surnames(doc: Doc, state: _DocState, kept: list[Span]) -> list[Span]:
    """A surname the model did not tag ("..., Finkle wrote.") after the full name was seen."""
    taken = {i for s in kept for i in range(s.start, s.end)}
    out = []
    for token in doc:
        if token.i in taken or token.pos_ != "PROPN" or not token.text[:1].isupper():
            continue
        entity_id = state.surnames.get(norm(token.text))
        row = state.table.get(entity_id) if entity_id else None
        if row is None or row.type != "Person" or row.first >= token.i:
            continue
        span = Span(doc, token.i, token.i + 1, label="Person", kb_id=row.id)
        if span._.in_furniture:
            continue
        row.seen(token.text)
        out.append(span)
    return out


SHORT_BODIES = {"Commission", "Council", "Parliament", "Committee", "Association"}


def _surnames(name: str, type_: str, kb: Entity | None) -> list[str]:
    """The short forms a person goes by after the first mention: the KB's one-word aliases
    (family names come first in "Xi Jinping"), else the last word of the name."""
    if type_ in {"Government", "Organization"} and len(name.split()) > 1 and name.split()[-1] in SHORT_BODIES:
        return [name.split()[-1]]  # "the European Commission ... a Commission spokesperson"
    if type_ != "Person" or len(name.split()) < 2:
        return []
    if kb is not None:
        short = [a for a in kb.aliases if len(a.split()) == 1 and a in name.split()]
        if short:
            return short
    return [name.split()[-1]]


class _DocState:
    """What the linker knows while it reads one document from the top."""

    def __init__(self, kb: KnowledgeBase, table: dict[str, Row]) -> None:
        self.kb = kb
        self.table = table
        self.last_seen: dict[str, int] = {}
        self.surnames: dict[str, str] = {}  # norm(surname) -> id of a full name seen
        self.acronyms: dict[str, str] = {}  # "SMIC" -> id of the long name it abbreviates

    def _row(self, entity_id: str, name: str, type_: str, span: Span, kb: Entity | None) -> Row:
        row = self.table.get(entity_id)
        if row is None:
            row = Row(entity_id, name, type_, first=span.start)
            if kb is not None:
                row.wikidata, row.role = kb.wikidata, kb.role
            self.table[entity_id] = row
        return row

    def _choose_kb(self, span: Span) -> Entity | None:
        if span.kb_id_ and span.kb_id_ in self.kb.entities:
            options = [self.kb.entities[span.kb_id_]]
            options += [e for e in self.kb.lookup(span.text) if e.id != span.kb_id_]
        else:
            options = self.kb.lookup(span.text)
        if not options:
            return None
        # An alias several entities share: one already in the article wins, else by type.
        return min(options, key=lambda e: (e.id not in self.table, TYPE_PRIORITY.get(e.type, 99)))

    def link(self, span: Span) -> Span | None:
        entity = self._choose_kb(span)
        if entity is not None and not self._bare_surname_unseen(span, entity):
            return self._record(span, entity.id, entity.name, entity.type, entity)
        key = norm(span.text)
        if key in self.surnames:
            row = self.table[self.surnames[key]]
            return self._record(span, row.id, row.name, row.type, None)
        if span.text in self.acronyms:
            row = self.table[self.acronyms[span.text]]
            return self._record(span, row.id, row.name, row.type, None)
        if entity is not None:  # a KB surname with no full name in the article, kept as such
            return self._record(span, entity.id, entity.name, entity.type, entity)
        if span.label_ in OUR_TYPES and span.kb_id_:  # a pattern's find ("5nm") outside the KB
            return self._record(span, span.kb_id_, pattern_name(span), span.label_, None)
        type_ = ner_type(span)
        if type_ is None or key in _NOT_NAMES or len(key) < 2:
            return None
        name = re.sub(r"^(?:the|The)\s+", "", span.text).strip()
        return self._record(span, make_id(type_, name), name, type_, None)

    def _bare_surname_unseen(self, span: Span, entity: Entity) -> bool:
        """A lone surname the KB knows, while another full name with it was seen first."""
        key = norm(span.text)
        return entity.type == "Person" and key in self.surnames and self.surnames[key] != entity.id

    def _record(self, span: Span, entity_id: str, name: str, type_: str, kb: Entity | None) -> Span:
        row = self._row(entity_id, name, type_, span, kb)
        row.seen(span.text)
        self.last_seen[entity_id] = span.start
        for surname in _surnames(name, type_, kb):
            self.surnames.setdefault(norm(surname), entity_id)
        self._note_acronym(span, entity_id)
        return Span(span.doc, span.start, span.end, label=type_, kb_id=entity_id)

    def _note_acronym(self, span: Span, entity_id: str) -> None:
        # "Semiconductor Manufacturing International Corp (SMIC)": SMIC now names that entity.
        doc = span.doc
        if span.end + 2 < len(doc) and doc[span.end].text == "(" and doc[span.end + 2].text == ")":
            short = doc[span.end + 1].text
            if short.isupper() and 2 <= len(short) <= 8:
                self.acronyms.setdefault(short, entity_id)


@Language.factory("chipwatch_linker", default_config={"kb_dir": ""})
def make_linker(nlp: Language, name: str, kb_dir: str) -> Linker:
    from nlp.kb import KB_DIR

    extensions.register()
    return Linker(nlp, name, kb_dir=kb_dir or str(KB_DIR))
