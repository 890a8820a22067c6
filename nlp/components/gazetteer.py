"""Finds mentions: the knowledge base's surface forms, process nodes, and the statistical
model's names, merged into ``doc.ents`` with our types as labels.

KB matches win over the model's guesses, which fixes its domain mistakes ("Kirin 9000S" as
LAW, "7nm" as DATE, "EUV" as ORG). The model's dates and numbers are kept for the date
resolver; its person, organisation and product names outside the KB are kept as candidates for
the linker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp import extensions
from nlp.kb import KB_DIR, KnowledgeBase, make_id, norm, shared_kb

TYPES = ("Person", "Company", "Government", "Country", "Media", "Organization", "Product",
         "Technology", "Measure")  # fmt: skip
CONCEPT_TYPES = ("Technology", "Measure")
KEEP_NER = {"DATE", "TIME", "CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"}
CANDIDATE_NER = {"PERSON", "ORG", "PRODUCT", "GPE", "NORP"}
PROCESS_NODE = re.compile(r"\b(\d{1,2}(?:\.\d)?)\s?-?\s?(?:nm|nanomet(?:er|re)s?)\b", re.IGNORECASE)
# Ranks among overlapping candidates: KB forms first, then patterns, then the model.
RANK_KB, RANK_PATTERN, RANK_NER = 0, 1, 2


class Gazetteer:
    def __init__(self, nlp: Language, name: str, *, kb_dir: str) -> None:
        self.name = name
        self.kb_dir = kb_dir
        self._matchers: tuple[PhraseMatcher, PhraseMatcher] | None = None
        self._vocab = nlp.vocab
        self._make_doc = nlp.make_doc

    @property
    def kb(self) -> KnowledgeBase:
        return shared_kb(self.kb_dir)

    def _build(self) -> tuple[PhraseMatcher, PhraseMatcher]:
        # Named forms match case-sensitively ("US" is not "us"); concept forms and longer
        # named forms also match in any case ("Export controls", "commerce department").
        exact = PhraseMatcher(self._vocab, attr="ORTH")
        folded = PhraseMatcher(self._vocab, attr="LOWER")
        for entity_id, forms in self.kb.surface_forms().items():
            entity = self.kb.entities[entity_id]
            exact.add(entity_id, [self._make_doc(f) for f in forms])
            loose = [f for f in forms if entity.type in CONCEPT_TYPES or len(f.split()) >= 2]
            if loose:
                folded.add(entity_id, [self._make_doc(f.lower()) for f in loose])
        return exact, folded

    @extensions.guarded
    def __call__(self, doc: Doc) -> Doc:
        if self._matchers is None:
            self._matchers = self._build()
        candidates: list[tuple[int, Span]] = []
        for matcher in self._matchers:
            for match_id, start, end in matcher(doc):
                entity_id = self._vocab.strings[match_id]
                label = self.kb.entities[entity_id].type
                candidates.append((RANK_KB, Span(doc, start, end, label=label, kb_id=entity_id)))
        candidates.extend((RANK_PATTERN, s) for s in self._process_nodes(doc))
        candidates.extend((RANK_NER, s) for s in doc.ents if s.label_ in CANDIDATE_NER | KEEP_NER)
        people = [s for s in doc.ents if s.label_ == "PERSON"]
        candidates = [c for c in candidates if not _someone_elses_surname(c, people)]
        orgs = [s for s in doc.ents if s.label_ == "ORG"]
        kb_spans = [c[1] for c in candidates if c[0] == RANK_KB]
        candidates = [_with_subsidiary(c, orgs, kb_spans) for c in candidates]
        doc.ents = _choose(candidates)
        return doc

    def _process_nodes(self, doc: Doc) -> Iterable[Span]:
        for m in PROCESS_NODE.finditer(doc.text):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is None:
                continue
            kb_id = f"tech/{m.group(1)}nm-process"
            if kb_id not in self.kb.entities:
                found = self.kb.lookup(f"{m.group(1)}nm")
                kb_id = found[0].id if found else make_id("Technology", f"{m.group(1)}nm process")
            yield Span(doc, span.start, span.end, label="Technology", kb_id=kb_id)


# Words before a surname that are a title, not a first name ("Secretary Raimondo").
TITLES = {"secretary", "minister", "president", "senator", "rep", "rep.", "representative", "mr", "mr.",
          "ms", "ms.", "mrs", "mrs.", "dr", "dr.", "chairman", "chair", "ceo", "premier", "governor",
          "commissioner", "ambassador", "vice", "deputy", "prime", "general", "director", "chief",
          "executive", "spokesperson", "spokesman", "spokeswoman", "commerce", "trade", "economy",
          "foreign", "finance", "undersecretary", "under", "assistant", "leader", "speaker", "energy",
          "industry", "affairs", "technology", "security", "state", "defense", "defence", "interior"}  # fmt: skip


def _someone_elses_surname(candidate: tuple[int, Span], people: list[Span]) -> bool:
    """A KB surname inside a longer name the model found ("Brady Wang" is not Wang Yi): the
    model's person wins unless the words before the surname are titles."""
    rank, span = candidate
    if rank != RANK_KB or span.label_ != "Person" or len(span) != 1:
        return False
    for person in people:  # "Brady Wang", and family name first: "Lee Jae-won"
        if person.start <= span.start and span.end <= person.end and len(person) > 1:
            others = [t for t in person if not span.start <= t.i < span.end and t.text != "-"]
            return any(t.lower_ not in TITLES for t in others)
    return False


def _with_subsidiary(candidate: tuple[int, Span], orgs: list[Span], kb_spans: list[Span]) -> tuple[int, Span]:
    """"SK hynix Semiconductor Dalian", "Samsung China Semiconductor": a company's unit named
    from the company, as the model found it, is the company; not "Alibaba and Tencent", nor
    "Siemens EDA", which the KB knows."""
    rank, span = candidate
    if rank != RANK_KB or span.label_ != "Company":
        return candidate
    for org in orgs:
        if org.start != span.start or org.end <= span.end or "\n" in org.text:
            continue
        extra = span.doc[span.end:org.end]
        if any(t.pos_ == "CCONJ" or t.text in {",", "&"} for t in extra) or any(
                k is not span and k.start < org.end and k.end > span.start and k.end > span.end for k in kb_spans):
            return candidate
        return rank, Span(span.doc, org.start, org.end, label=span.label_, kb_id=span.kb_id_)
    return candidate


def _choose(candidates: list[tuple[int, Span]]) -> list[Span]:
    """Non-overlapping spans, preferring higher rank, then longer spans."""
    ordered = sorted(candidates, key=lambda c: (c[0], -(c[1].end - c[1].start), c[1].start))
    taken = [False] * (max((s.end for _, s in candidates), default=0) + 1)
    chosen: list[Span] = []
    for _, span in ordered:
        if any(taken[i] for i in range(span.start, span.end)):
            continue
        for i in range(span.start, span.end):
            taken[i] = True
        chosen.append(span)
    return filter_spans(chosen)


@Language.factory("chipwatch_gazetteer", default_config={"kb_dir": ""})
def make_gazetteer(nlp: Language, name: str, kb_dir: str) -> Gazetteer:
    extensions.register()
    return Gazetteer(nlp, name, kb_dir=kb_dir or str(KB_DIR))


__all__ = ["Gazetteer", "norm"]
