"""Direct quotations and their speakers: "X said", "said X, who ...", "told reporters",
"according to X", a quote that goes on after "he added", and a paragraph that continues the
previous speaker's quote. The speaker is linked to the canonical person or organisation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from nlp import extensions
from nlp.components.gazetteer import TITLES as TITLE_WORDS
from nlp.components.linker import most_named_before
from nlp.kb import make_id

SPEECH = {"say", "tell", "add", "write", "state", "note", "explain", "warn", "argue", "insist",
          "stress", "claim", "continue", "conclude", "reply", "respond", "announce", "acknowledge",
          "admit", "comment", "declare", "emphasise", "emphasize", "observe", "remark", "suggest",
          "tweet", "post", "caution", "predict", "complain", "allege", "contend", "recall"}  # fmt: skip
SPEAKER_TYPES = {"Person", "Government", "Company", "Organization", "Country", "Media"}
PRONOUNS = {"he": "Person", "she": "Person", "they": None, "it": None, "we": None}
# An opening mark (curly or straight) to the next closing one in the same paragraph: writers
# and CMSes mix “curly” and "straight" marks, even within one quote.
_QUOTE = re.compile(r"[\u201c\"]([^\u201c\u201d\"\n]{2,2000}?)[\u201d\"]")
MIN_WORDS = 3
MIN_UNATTRIBUTED_WORDS = 8
WINDOW = 14  # tokens either side of a quote in which its speech verb is looked for


def quote_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, inner text) of each direct quotation, the quote marks excluded."""
    for m in _QUOTE.finditer(text):
        inner = m.group(1).strip()
        if len(inner.split()) >= MIN_WORDS:
            yield m.start(1), m.end(1), inner


class QuoteFinder:
    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    @extensions.guarded
    def __call__(self, doc: Doc) -> Doc:
        quotes: list[dict[str, Any]] = []
        last: dict[str, Any] | None = None
        for start, end, inner in quote_spans(doc.text):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None or span._.in_furniture:
                continue
            speaker = self._speaker(doc, span)
            continued = last is not None and self._continues(doc, last, start)
            if continued and last is not None and (speaker is None or (speaker.pop("pronoun", False) and _a_person(last))):
                # "..., said Kim Jung-kwan. '...,' he added": the person just quoted
                speaker = {"speaker": last["speaker"], "speaker_id": last["speaker_id"]}  # type: ignore[index]
            elif speaker is not None:
                speaker.pop("pronoun", None)
            if speaker is None and len(inner.split()) < MIN_UNATTRIBUTED_WORDS:
                continue  # a scare quote or a title ("the 'Foreign Direct Product Rule'")
            record = {
                "speaker": speaker["speaker"] if speaker else None,
                "speaker_id": speaker["speaker_id"] if speaker else None,
                "text": inner, "start": start, "end": end,
                "sentence_start": span.sent.start_char,
            }  # fmt: skip
            quotes.append(record)
            if speaker:
                last = record
        doc._.quotes = quotes
        return doc

    def _continues(self, doc: Doc, last: dict[str, Any], start: int) -> bool:
        # The next paragraph (or the rest of this one) going on with the same voice.
        between = doc.text[last["end"] : start]
        return between.count("\n\n") <= 1 and len(between) < 400

    def _speaker(self, doc: Doc, quote: Span) -> dict[str, Any] | None:
        inside = range(quote.start, quote.end)
        after = [t for t in doc[quote.end : min(len(doc), quote.end + WINDOW)] if t.i not in inside]
        before = [t for t in doc[max(0, quote.start - WINDOW) : quote.start]][::-1]
        for tokens in (_until_paragraph(after), _until_paragraph(before)):
            for token in tokens:
                if token.lemma_.lower() in SPEECH and token.pos_ in {"VERB", "AUX"}:
                    who = self._subject_of(token, quote)
                    if who is not None:
                        return who
                if token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
                    who = self._entity_after(doc, token.i + 2)
                    if who is not None:
                        return who
        return None

    def _subject_of(self, verb: Token, quote: Span) -> dict[str, Any] | None:
        for child in verb.children:
            if child.dep_ in {"nsubj", "nsubjpass"} and not (quote.start <= child.i < quote.end):
                return _linked(child) or _pronoun(child) or _described(child)
        return None

    def _entity_after(self, doc: Doc, i: int) -> dict[str, Any] | None:
        for token in doc[i : min(len(doc), i + 6)]:
            found = _linked(token)
            if found is not None:
                return found
        return None


def _until_paragraph(tokens: list[Token]) -> list[Token]:
    out = []
    for t in tokens:
        if "\n" in t.text:
            break
        out.append(t)
    return out


def _entity_of(token: Token) -> Span | None:
    for ent in token.doc.ents:
        if ent.start <= token.i < ent.end and ent.kb_id_ and ent.label_ in SPEAKER_TYPES:
            return ent
    return None


def _linked(token: Token) -> dict[str, Any] | None:
    """The subject's own entity; else a name the model missed ("said Kim Yang-paeng, a researcher
    at the Korea Institute"); else a person in its phrase, then any body ("a spokesperson for X")."""
    own = _entity_of(token)
    if own is not None and own.label_ == "Person":
        return _as_speaker(own)
    name = _proper_name(token)
    if name is not None:  # also "Minister of Trade, Industry and Energy Kim Jung-kwan"
        return name
    if own is not None:
        return _as_speaker(own)
    inside = [e for t in token.subtree if t.i != token.i for e in [_entity_of(t)] if e is not None]
    people = [e for e in inside if e.label_ == "Person"]
    return _as_speaker((people or inside)[0]) if inside else None


def _as_speaker(ent: Span) -> dict[str, Any]:
    row = ent.doc._.entity_table.get(ent.kb_id_, {})
    return {"speaker": row.get("name", ent.text), "speaker_id": ent.kb_id_}


def _proper_name(token: Token) -> dict[str, Any] | None:
    """The last run of two to four capitalised words in the subject's own phrase that no entity
    covers and no title word opens: a person the model did not tag. Recorded in the entity table."""
    aside = {t.i for c in token.subtree if c.i != token.i and c.dep_ in {"appos", "relcl", "acl"} for t in c.subtree}
    phrase = [t for t in token.subtree if t.i not in aside]
    runs: list[list[Token]] = [[]]
    for t in phrase:
        hyphen_tail = t.i > 0 and t.doc[t.i - 1].text == "-" and t.text.isalpha()  # "Yang-paeng"
        if (t.text[:1].isupper() or t.text == "-" or hyphen_tail) and t.lower_ not in TITLE_WORDS \
                and _entity_of(t) is None and t.pos_ in {"PROPN", "PUNCT", "NOUN", "ADJ"}:
            runs[-1].append(t)
        else:
            runs.append([])
    words = [r for r in runs if 2 <= len([t for t in r if t.text != "-"]) <= 4 and r[-1].text != "-"]
    if not words or token.pos_ != "PROPN":
        return None
    run = words[-1]
    text = token.doc[run[0].i: run[-1].i + 1].text
    entity_id = make_id("Person", text)
    token.doc._.entity_table.setdefault(entity_id, {
        "id": entity_id, "name": text, "type": "Person", "aliases_seen": [text], "mentions": 1,
        "wikidata": None, "role": None})  # fmt: skip
    return {"speaker": text, "speaker_id": entity_id}


def _pronoun(token: Token) -> dict[str, Any] | None:
    """He/she -> the person last named as a subject (else last named); they -> the first of
    coordinated subjects ("Rubio and Stefanik ... they wrote"), else the latest organisation."""
    lower = token.lower_
    if lower not in PRONOUNS:
        return None
    doc = token.doc
    before = [e for e in doc.ents if e.end <= token.i and e.kb_id_ and e.label_ in SPEAKER_TYPES]
    before = [e for e in before if token.i - e.start < 200]  # a few sentences back at most
    if PRONOUNS[lower] == "Person":
        people = [e for e in before if e.label_ == "Person"]
        subjects = [e for e in people if _is_subject(e)]
        chosen = (subjects or people)[-1:] if people else []
    elif lower == "they":
        pairs = [e for e in before if e.label_ == "Person" and _is_subject(e) and _has_conj(e)]
        others = [e for e in before if e.label_ not in {"Person", "Country"}]
        chosen = pairs[-1:] or others[-1:]
    else:
        chosen = [e for e in before if e.label_ not in {"Person", "Country"}][-1:]
    if not chosen:
        return None
    row = doc._.entity_table.get(chosen[0].kb_id_, {})
    return {"speaker": row.get("name", chosen[0].text), "speaker_id": chosen[0].kb_id_, "pronoun": lower in {"he", "she"}}


def _a_person(quote: dict[str, Any]) -> bool:
    return str(quote.get("speaker_id") or "").startswith("person/")


# "the company said", "the ministry said in a statement": the latest body of that kind named
DESCRIBED = {"company": {"Company"}, "firm": {"Company"}, "group": {"Company"}, "chipmaker": {"Company"},
             "maker": {"Company"}, "ministry": {"Government"}, "department": {"Government"},
             "regulator": {"Government"}, "agency": {"Government"}, "bureau": {"Government"},
             "government": {"Government", "Country"}, "association": {"Organization"},
             "commission": {"Government"}}  # fmt: skip


SPOKESPEOPLE = {"spokesperson", "spokesman", "spokeswoman", "representative", "official"}


def _described(token: Token) -> dict[str, Any] | None:
    """"the company said"; "a ministry spokesperson said": the body the spokesperson speaks for."""
    lemma = token.lemma_.lower()
    types: set[str] | None
    if lemma in SPOKESPEOPLE:
        body = next((c for c in token.children if c.dep_ in {"compound", "amod"} and c.lemma_.lower() in DESCRIBED), None)
        if body is None:  # "the spokesperson said": for the body the story is about
            return _salient(token, ("Government", "Company", "Organization"))
        types = DESCRIBED[body.lemma_.lower()]
    else:
        types = DESCRIBED.get(lemma)
        if types is None or not any(c.dep_ == "det" and c.lower_ == "the" for c in token.children):
            return None
    doc = token.doc
    before = [e for e in doc.ents if e.end <= token.i and e.kb_id_ and e.label_ in types and token.i - e.start < 400]
    if not before:
        return None
    # the one last the subject of a clause ("Nvidia said DeepSeek's work complied ... the company
    # said": Nvidia), else the one last named
    subjects = [e for e in before if e.root.dep_ in {"nsubj", "nsubjpass"}]
    return _as_speaker((subjects or before)[-1])


def _salient(token: Token, types: tuple[str, ...]) -> dict[str, Any] | None:
    """The entity of the first of ``types`` named most often before ``token``."""
    for type_ in types:
        found = most_named_before(token, type_)
        if found is not None:
            return _as_speaker(found)
    return None


def _is_subject(ent: Span) -> bool:
    root = ent.root
    while root.dep_ in {"conj", "appos", "compound"} and root.head.i != root.i:
        root = root.head
    return root.dep_ in {"nsubj", "nsubjpass"}


def _has_conj(ent: Span) -> bool:
    return any(c.dep_ == "conj" for c in ent.root.children) or ent.root.dep_ == "conj"


@Language.factory("chipwatch_quotes")
def make_quotes(nlp: Language, name: str) -> QuoteFinder:
    extensions.register()
    return QuoteFinder(nlp, name)
