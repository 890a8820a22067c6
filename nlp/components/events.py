"""Dated events from the dependency parse: who pressed, restricted, licensed, investigated,
made, supplied or resisted what, with the evidence sentence and its offsets.

A trigger word fixes the type; the actor is its subject (or the "by" agent in the passive),
the targets its objects and prepositional objects (coordinated lists expanded), the measure the
nearest Measure entity in the sentence. A negated trigger gives no event. Reported speech
("the US wants its allies to curb ...") is the main verb's event, not the embedded one's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from nlp import extensions
from nlp.components.linker import most_named_before
from nlp.dates import carry_day, find_dates, parse_published
from nlp.kb import KB_DIR, shared_kb

# lemma -> event type. Verbs; a few nouns are handled below ("pressure on", "ban on").
TRIGGERS: dict[str, str] = {
    **dict.fromkeys(("urge", "press", "push", "pressure", "lobby", "ask", "call", "demand",
                     "want", "encourage", "persuade", "prod", "nudge", "request", "appeal",
                     "implore", "convince", "coax", "seek", "prompt"), "PRESSURE"),  # fmt: skip
    **dict.fromkeys(("restrict", "ban", "bar", "block", "prohibit", "curb", "limit", "tighten",
                     "impose", "blacklist", "sanction", "add", "expand", "introduce", "unveil",
                     "announce", "target", "tighten", "broaden", "extend", "halt", "stop",
                     "control", "cut", "list", "designate", "freeze", "place", "put", "prevent"), "RESTRICTION"),  # fmt: skip
    **dict.fromkeys(("license", "licence", "grant", "revoke", "deny", "approve", "issue", "remove", "strip",
                     "suspend", "exempt", "waive", "authorize", "authorise", "rescind",
                     "reject"), "LICENSING"),  # fmt: skip
    **dict.fromkeys(("investigate", "probe", "examine", "scrutinize", "scrutinise", "audit",
                     "subpoena", "review", "summon", "question", "raid", "indict", "prosecute",
                     "fine", "penalize", "penalise", "sue", "charge"), "INVESTIGATION"),  # fmt: skip
    **dict.fromkeys(("make", "produce", "manufacture", "develop", "launch", "build", "release",
                     "design", "fabricate", "mass-produce", "debut", "roll"), "PRODUCTION"),  # fmt: skip
    **dict.fromkeys(("sell", "supply", "ship", "export", "service", "provide", "deliver",
                     "maintain", "repair", "sell"), "SUPPLY"),  # fmt: skip
    **dict.fromkeys(("resist", "refuse", "decline", "oppose", "balk", "criticize",
                     "criticise", "condemn", "protest", "rebuff", "object", "retaliate",
                     "dismiss", "slam", "reject", "accuse", "blame", "denounce", "lambast",
                     "rebuke", "attack", "assail", "decry", "blast", "fault", "deplore",
                     "lament"), "RESISTANCE"),  # fmt: skip
}
ADJ_TRIGGERS = {"reluctant": "RESISTANCE", "unwilling": "RESISTANCE", "opposed": "RESISTANCE",
                "disappointed": "RESISTANCE",
                "resistant": "RESISTANCE", "hesitant": "RESISTANCE"}  # fmt: skip
# Nouns that stand for the government last named: "the government's probe", "officials said".
GENERIC_ACTORS = {"government", "administration", "department", "ministry", "official", "officials",
                  "authority", "authorities", "regulator", "regulators", "washington", "agency", "bureau",
                  "commission", "lawmaker", "lawmakers"}  # fmt: skip (lemmas, and plurals the tagger keeps)
NOUN_TRIGGERS = {
    "pressure": "PRESSURE", "push": "PRESSURE", "request": "PRESSURE",
    "ban": "RESTRICTION", "restriction": "RESTRICTION", "curb": "RESTRICTION",
    "control": "RESTRICTION", "sanction": "RESTRICTION",
    "investigation": "INVESTIGATION", "probe": "INVESTIGATION", "subpoena": "INVESTIGATION",
    "inquiry": "INVESTIGATION",
    "complaint": "RESISTANCE", "challenge": "RESISTANCE", "objection": "RESISTANCE",
}  # fmt: skip
LICENCE_WORDS = {"licence", "license", "licenses", "licences", "licensing", "exemption",
                 "exemptions", "waiver", "waivers", "authorization", "authorisation", "permit",
                 "permits", "veu", "validated", "permission", "approval", "approvals"}  # fmt: skip
ACTOR_TYPES = {
    "PRESSURE": {"Country", "Government", "Person", "Organization", "Company"},
    "RESTRICTION": {"Country", "Government", "Person"},
    "LICENSING": {"Country", "Government", "Person"},
    "INVESTIGATION": {"Country", "Government", "Person", "Organization", "Media", "Company"},
    "PRODUCTION": {"Company", "Country"},
    "SUPPLY": {"Company", "Country"},
    "RESISTANCE": {"Country", "Government", "Person", "Company", "Organization"},
}
TARGET_TYPES = {
    "PRESSURE": {"Country", "Government", "Person", "Company", "Organization"},
    "RESTRICTION": {"Country", "Company", "Government", "Organization"},
    "LICENSING": {"Company", "Country"},
    "INVESTIGATION": {"Company", "Person", "Country", "Government", "Organization"},
    "PRODUCTION": {"Product"},
    "SUPPLY": {"Company", "Country", "Government"},
    "RESISTANCE": {"Country", "Government", "Person", "Company", "Organization"},
}
# Weak triggers only count with the frame that makes them an event.
NEEDS_COMPLEMENT = {"want", "ask", "call", "seek", "push", "encourage", "prompt", "appeal", "demand"}
NEEDS_MEASURE_OR_LIST = {"limit", "prevent", "block", "place", "put", "add", "expand", "introduce", "unveil", "announce", "extend", "list",
                         "designate", "cut", "stop", "halt", "control", "target", "broaden",
                         "impose", "tighten"}  # fmt: skip
RESTRICTION_WORDS = {"export", "exports", "sales", "shipments", "controls", "restrictions", "ban",
                     "rules", "sanctions", "curbs", "licence", "license", "licences", "licenses"}  # fmt: skip
NEEDS_LICENCE = {"remove", "strip", "grant", "revoke", "deny", "approve", "issue", "suspend", "rescind", "reject",
                 "authorize", "authorise", "exempt", "waive"}  # fmt: skip
# "published export controls", "will require export licences": a measure as the object.
MEASURE_VERBS = {"publish", "issue", "adopt", "require", "implement", "update", "finalize",
                 "finalise", "enforce", "apply", "unveil", "announce", "introduce", "impose",
                 "expand", "tighten", "extend", "strengthen", "widen", "enact", "set", "roll",
                 "release", "revise", "broaden", "toughen", "step"}  # fmt: skip
NOUN_SUPPLY = {"sale", "sales", "shipment", "shipments", "export", "exports", "delivery",
               "deliveries"}  # fmt: skip
_NOUN_TARGET_PREPS = {"SUPPLY": {"to"}, "PRESSURE": {"on", "against", "to"},
                      "RESISTANCE": {"over", "against", "about", "to"},
                      "RESTRICTION": {"on", "against", "to"}, "INVESTIGATION": {"into", "of", "on"}}  # fmt: skip
PARTIES = {"Country", "Government", "Person", "Company", "Organization"}
PRESSED_WORDS = {"them", "him", "her", "allies", "ally", "partners", "governments", "countries",
                 "officials", "lawmakers", "administration"}  # fmt: skip
PRONOUN_SUBJECTS = {"it", "they", "he", "she"}  # "we" in a quote is its speaker: not resolved
NO_COMMENT = {"comment", "discuss", "elaborate", "say", "confirm", "respond", "disclose", "describe",
              "detail", "reveal", "explain", "share", "specify",
              "give", "provide", "name", "identify", "answer", "reply"}  # fmt: skip
# Heads whose complement is not an event of its own: "declined to restrict", "stop selling".
EMBEDDING = {"reluctant", "unwilling", "hesitant", "consider", "plan", "discuss", "draft", "prepare",
             "order", "instruct",
             "explore", "contemplate", "study",
             "threaten", "weigh", "mull", "propose"}  # fmt: skip
ENFORCEMENT = {"indict", "prosecute", "fine", "penalize", "penalise", "sue", "charge", "raid", "subpoena"}
# Causes whose complement happened: the demand succeeded, or the action was let through.
FACTIVE_CAUSES = {"persuade", "convince", "force", "compel", "let", "allow", "enable", "permit"}
# A company obliged to hold a licence is restricted by whoever requires it.
LICENCE_NEEDS = {"need", "obtain", "apply", "seek", "get"}
LAUNCH_VERBS = {"unveil", "announce", "introduce", "launch", "release", "debut", "roll", "show",
                "present", "start", "begin"}  # fmt: skip
# "retaliated by banning": the gerund's doer is the verb's subject; not "banned X from selling"
SHARED_SUBJECT_PREPS = {"by", "in", "after", "while", "through"}
LIFTING = {"drop", "lift", "ease", "remove", "rescind", "scrap", "relax", "end", "withdraw", "loosen", "roll"}
UNDECIDED = "undecided"  # what _phrase_type returns when the phrase does not settle the type
RECEIVING = {"receive", "face", "get"}  # "faces a probe by", "received subpoenas from"
# The buyer's side of a sale: "SMIC used equipment from ASML", "bought 46% of ASML's systems",
# "the biggest buyers of Nvidia's chips". The supplier acts, the buyer is its target.
BUY_VERBS = {"buy", "purchase", "import", "acquire", "order", "use", "obtain", "source", "procure"}
CUSTOMER_NOUNS = {"buyer", "customer", "client", "purchaser", "importer"}
REVENUE_NOUNS = {"revenue", "sale", "income", "order", "shipment", "business"}
# A measure as the subject: "the rules stop Lam Research from servicing Chinese fabs".
MEASURE_NOUNS = {"rule", "control", "restriction", "regulation", "sanction", "ban", "curb",
                 "measure", "requirement", "law", "policy", "order", "limit"}  # fmt: skip
NEED_TARGETS = {"PRODUCTION", "SUPPLY", "LICENSING", "INVESTIGATION"}
SUBJECTS = {"nsubj", "csubj"}
RELATIVE = {"which", "that", "who", "whom"}
PASSIVE_SUBJECTS = {"nsubjpass", "csubjpass"}
OBJECTS = {"dobj", "dative", "attr", "oprd", "pobj", "obj", "iobj"}
TARGET_PREPS = {"to", "on", "against", "into", "for", "of", "from", "with"}  # not "at talks in London"


@dataclass(frozen=True)
class _Ref:
    """A party the text implies but names inside another entity ("US" in "US restrictions")."""

    kb_id_: str
    label_: str
    name: str


@dataclass
class Mentions:
    """Token index -> the linked entity span covering it."""

    by_token: dict[int, Span]

    @classmethod
    def of(cls, doc: Doc) -> Mentions:
        by_token = {}
        for ent in doc.ents:
            if ent.kb_id_:
                for i in range(ent.start, ent.end):
                    by_token[i] = ent
        return cls(by_token)

    def at(self, token: Token) -> Span | None:
        return self.by_token.get(token.i)

    @staticmethod
    def of_token(token: Token) -> Span | None:
        """The linked entity span covering ``token``."""
        for ent in token.doc.ents:
            if ent.start <= token.i < ent.end and ent.kb_id_:
                return ent
        return None

    def in_subtree(self, token: Token, types: set[str], skip: set[int] = frozenset()) -> list[Span]:  # type: ignore[assignment]
        seen: dict[str, Span] = {}
        # what describes a named party is not a party: "SMIC, China's biggest chipmaker"
        described = {d.i for t in token.subtree if t.dep_ == "appos" and t.head.i in self.by_token
                     for d in t.subtree}  # fmt: skip
        for t in token.subtree:
            if t.i in skip or t.i in described:
                continue
            ent = self.by_token.get(t.i)
            if ent is not None and ent.label_ in types and ent.kb_id_ not in seen:
                seen[ent.kb_id_] = ent
        return list(seen.values())


def _negated(trigger: Token) -> bool:
    """"did not restrict", "declined not ..."; and what someone should do, which is advice."""
    t = trigger
    for _ in range(3):  # "has not been able to ship", "did not resume shipments"
        if any(_negation(c) for c in t.children):
            return True
        if t.dep_ == "pcomp" and t.head.lower_ in SHARED_SUBJECT_PREPS and t.head.head.i != t.head.i:
            t = t.head.head  # "would not follow the US in banning"
            continue
        climbs = t.dep_ in {"xcomp", "acomp"} or (t.pos_ == "NOUN" and t.dep_ in {"dobj", "obj"})
        if not climbs or t.head.i == t.i or t.head.lemma_.lower() in {"decline", "refuse"}:
            break
        t = t.head
    if _conditional(trigger) or _no_one_does(trigger) or _counterfactual(trigger):
        return True
    return trigger.dep_ in {"xcomp", "ccomp"} and any(c.dep_ == "neg" for c in trigger.head.children) \
        and trigger.head.lemma_ not in {"decline", "refuse"}


def _negation(child: Token) -> bool:
    """"not", "never", "no longer"; "should" (advice), "can", "may" (a power, not its use)."""
    if child.dep_ == "neg" or (child.dep_ == "aux" and child.lower_ in {"should", "can", "could", "may"}):
        return True
    return child.dep_ == "advmod" and child.lower_ == "longer" and any(g.lower_ == "no" for g in child.children)


def _no_one_does(trigger: Token) -> bool:
    """"neither government has agreed to stop ...", "no ally has joined": the subject denies it."""
    t = trigger
    for _ in range(3):
        subject = next((c for c in t.children if c.dep_ in SUBJECTS), None)
        if subject is not None:
            return any(c.dep_ in {"det", "preconj"} and c.lower_ in {"neither", "no", "none"} for c in subject.children) \
                or subject.lower_ in {"neither", "none", "nobody"}
        if t.dep_ not in {"xcomp", "conj"} or t.head.i == t.i:
            return False
        t = t.head
    return False


def _counterfactual(trigger: Token) -> bool:
    """"would have needed approval": what did not happen; "investigating whether TSMC had made
    chips for Huawei", "if Tokyo restricts": what may not have."""
    aux = {c.lower_ for c in trigger.children if c.dep_ == "aux"}
    unsure = any(c.dep_ == "mark" and c.lower_ in {"whether", "if"} for c in trigger.children)
    return unsure or (bool(aux & {"would", "could", "might", "'d"}) and "have" in aux)


def _conditional(trigger: Token) -> bool:
    """"Beijing would retaliate if Tokyo restricted ...": a threat, not an act."""
    hypothetical = any(c.dep_ == "aux" and c.lower_ in {"would", "could", "might", "'d"} for c in trigger.children)
    return hypothetical and any(
        c.dep_ == "advcl" and any(g.dep_ == "mark" and g.lower_ in {"if", "unless"} for g in c.children)
        for c in trigger.children)  # fmt: skip


def _embedded(trigger: Token, sent: Span) -> bool:
    """A verb inside what someone is urged or asked to do ("urged Japan to stop servicing"):
    the demand is the event, not the action demanded."""
    t = trigger
    while _complement(t) and t.head.i != t.i and t.head.i >= sent.start:
        t = t.head
        lemma = t.lemma_.lower()
        if lemma in FACTIVE_CAUSES:
            return False  # "persuaded Japan to restrict", "let Qualcomm supply Huawei": it happened
        if TRIGGERS.get(lemma) in {"PRESSURE", "RESISTANCE", "LICENSING"} or lemma in EMBEDDING:
            return True  # also what a licence lets one do ("granted licences to keep shipping")
    # "licences to (keep) sell(ing) the H20 in China": what a licence would allow, not a sale
    if t.dep_ in {"acl", "relcl"} and t.head.lower_ in LICENCE_WORDS:
        return True
    # "opposes the Netherlands' attempt to restrict trade": what is opposed, not done
    if t.dep_ == "acl" and t.head.dep_ in {"dobj", "obj", "pobj"} and TRIGGERS.get(t.head.head.lemma_.lower()) in {"PRESSURE", "RESISTANCE"}:
        return True
    # "drafting a rule that would restrict ...": not made yet
    return t.dep_ in {"acl", "relcl"} and t.head.dep_ in {"dobj", "obj"} and t.head.head.lemma_.lower() in EMBEDDING


def _presses_someone(verb: Token) -> bool:
    """"wants Japan to act", "called on Tokyo": another party is to act, not the subject
    itself ("wants to keep serving customers", "called it a blockade")."""
    if verb.lemma_.lower() == "call":
        return any(c.dep_ == "prep" and c.lower_ in {"on", "for"} for c in verb.children)
    for c in verb.children:
        if c.dep_ in {"dobj", "obj"} and (c.ent_type_ in PARTIES or c.lower_ in PRESSED_WORDS):
            return True  # "urged Japan", not "demanded decisive action"
        if c.dep_ in {"xcomp", "ccomp"} and any(g.dep_ in {"nsubj", "nsubjpass"} for g in c.children):
            return True
        if c.dep_ == "prep" and (c.lower_ == "on" or (c.lower_ == "for" and verb.lemma_.lower() in {"push", "lobby", "press"})):
            return True  # "pushed for tighter rules"; not "asked for public comments"
    return False


def _recipients(trigger: Token, types: set[str], m: Mentions, skip: set[int]) -> list[Span]:
    """Who is supplied: "sold machines to SMIC", "supply Huawei with chips", "for Chinese
    customers"; not what is sold ("American tools")."""
    found: list[Span] = []
    for child in trigger.children:
        if child.dep_ == "dative" or (child.dep_ == "prep" and child.lower_ in {"to", "for", "in", "into"}):
            found += m.in_subtree(child, types, skip)
        elif child.dep_ in {"dobj", "obj"}:
            found += [e for t in _conj_expand(child) for e in [m.at(t)]
                      if e is not None and e.label_ in types]  # fmt: skip
            # "sells a quarter of its equipment to Chinese customers": the "to" hung on the object
            found += [e for t in _phrase(child) if t.dep_ == "prep" and t.lower_ == "to"
                      for e in m.in_subtree(t, types, skip)]  # fmt: skip
    # "to Chinese customers such as ByteDance and Alibaba": the customers named, not China
    return ([e for e in found if not _modifier(e)] or found)[:8]


def _modified_noun(trigger: Token) -> Token | None:
    """The noun a participle describes: "a chip designed by HiSilicon and made by SMIC"."""
    t = trigger
    while t.dep_ == "conj" and t.head.i != t.i:
        t = t.head
        if t.pos_ in {"NOUN", "PROPN"}:
            return t  # the parser joined the participle to the noun itself
    return t.head if t.dep_ == "acl" else None


def _has_measure_object(verb: Token) -> bool:
    """"imposed export controls", not "released a phone that surprised export control experts"."""
    for child in verb.children:
        # a named measure, or a measure noun ("published its own rules", "imposed curbs")
        if child.dep_ in {"dobj", "obj", "nsubjpass"} and (
                child.lemma_.lower() in MEASURE_NOUNS
                or any(t.ent_type_ == "Measure" and "tariff" not in t.ent_kb_id_ for t in _phrase(child))):
            return True
    return False


def _complement(t: Token) -> bool:
    """An infinitive or clause that completes its head: "pushing allies to tighten ..."."""
    if t.dep_ in {"xcomp", "ccomp"}:
        return True
    if t.dep_ == "conj":  # "to restrict and ban", not "..., and officials said" (a clause of its own)
        return not any(c.dep_ in SUBJECTS for c in t.children)
    return t.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in t.children)


def _conj_expand(token: Token) -> list[Token]:
    out = [token]
    for c in token.children:
        if c.dep_ == "conj":
            out.extend(_conj_expand(c))
    return out


def _subject(trigger: Token) -> Token | None:
    t = trigger
    for _ in range(4):  # climb xcomp/conj chains: "agreed to restrict", "met and urged"
        for c in t.children:
            if c.dep_ in SUBJECTS:
                # "makers such as KLA, which sell to China": the noun the clause describes
                if c.lower_ in RELATIVE and t.dep_ == "relcl":
                    head = t.head
                    while head.dep_ == "conj" and head.head.i != head.i:
                        head = head.head  # "Japan and the Netherlands, which tightened": both
                    return head
                return c
        if t.dep_ == "pcomp" and t.head.dep_ == "prep" and t.head.lower_ in SHARED_SUBJECT_PREPS \
                and t.head.head.i != t.head.i:
            t = t.head.head  # "retaliated by banning", "joined the US in restricting"
            continue
        # "the bloc would be reluctant to ...": the copula's subject
        if t.dep_ in {"xcomp", "conj", "advcl", "relcl", "acomp"} and t.head.i != t.i:
            if t.dep_ == "relcl":
                return t.head
            controller = _object_controller(t) if t.dep_ == "xcomp" else None
            if controller is not None:
                return controller  # "persuaded Japan to restrict": Japan restricts
            t = t.head
        else:
            break
    return None


def _passive(verb: Token) -> bool:
    return any(c.dep_ in {"nsubjpass", "auxpass"} for c in verb.children)


def _measure_before(token: Token, sentences: int) -> Span | None:
    """The last measure named in the sentences just before ``token``'s."""
    sent = token.sent
    start = sent.start
    for _ in range(sentences):
        if start == 0:
            break
        start = token.doc[start - 1].sent.start
    found = [e for e in token.doc.ents if e.label_ == "Measure" and start <= e.start < sent.start]
    return found[-1] if found else None


def _adds_to_a_list(verb: Token) -> bool:
    """"added Huawei to the Entity List", also where the parser hangs the "to" lower down."""
    if any(c.dep_ in {"prep", "dative"} and c.lower_ == "to" for c in verb.children):
        return True
    return any(t.lower_ == "to" and t.dep_ == "prep" and any(
        g.ent_type_ == "Measure" or g.lower_ == "list" for g in t.subtree) for t in verb.subtree)  # fmt: skip


def _on_sale(verb: Token) -> bool:
    return any(c.dep_ == "prep" and c.lower_ == "on" and any(g.lower_ == "sale" for g in c.children)
               for c in verb.children)  # fmt: skip


def _supplier(trigger: Token) -> Token | None:
    """The company that sold what was bought ("from ASML", "ASML's systems", "Nvidia chips"),
    else the product bought ("the H20", "buying it" after the H20)."""
    places = [c for c in trigger.children if c.dep_ == "prep" and c.lower_ in {"from", "of"}]
    places += [c for c in trigger.children if c.dep_ in {"dobj", "obj", "poss"}]
    product = None
    for place in places:
        if place.lower_ == "it" and place.dep_ in {"dobj", "obj"}:
            product = product or _previous(place, "Product", 30)
        for t in _phrase(place):
            if t.ent_type_ == "Company" and (t.dep_ in {"poss", "compound", "pobj"}) \
                    and (t.dep_ != "pobj" or t.head.lower_ in {"from", "of"}):
                return t
            if t.ent_type_ == "Product" and product is None:
                product = t
    return product


def _record(type_: str, actor_id: str, actor_name: str, targets: list[Any], measure: Span | None,
            trigger: Token, sent: Span, confidence: float) -> dict[str, Any]:
    """One event as the contract has it, with its evidence sentence and offsets."""
    table = sent.doc._.entity_table
    text = sent.text.strip()  # blanked furniture leaves white space at the edges
    start = sent.start_char + len(sent.text) - len(sent.text.lstrip())
    return {
        "type": type_, "actor": actor_name, "actor_id": actor_id,
        "targets": [_name(t, table) for t in targets], "target_ids": [t.kb_id_ for t in targets],
        "measure": table[measure.kb_id_]["name"] if measure is not None else None,
        "measure_id": measure.kb_id_ if measure is not None else None,
        "sentence": text, "start": start, "end": start + len(text),
        "trigger": trigger.text, "trigger_start": trigger.idx, "confidence": confidence, "negated": False,
    }  # fmt: skip


def _name(party: Any, table: dict[str, Any]) -> str:
    return party.name if isinstance(party, _Ref) else table[party.kb_id_]["name"]


def _previous_entity(token: Token, m: Mentions, label: str) -> Span | None:
    found = _previous(token, label, 60)
    return m.at(found) if found is not None else None


def _previous(token: Token, label: str, window: int) -> Token | None:
    for t in reversed(token.doc[max(0, token.i - window):token.i]):
        if t.ent_type_ == label and t.ent_kb_id_:
            return t
    return None


def _entity_id(token: Token) -> str:
    return token.ent_kb_id_


def _object_controller(xcomp: Token) -> Token | None:
    """The head's object when it is a party, who does what the infinitive says ("allowed
    Intel to sell"); "used tools to make chips" leaves the doer the subject."""
    for c in xcomp.head.children:
        if c.dep_ in {"dobj", "obj"} and c.i < xcomp.i and (c.ent_type_ in PARTIES or c.lower_ in PRESSED_WORDS):
            return c
    return None


class EventExtractor:
    def __init__(self, nlp: Language, name: str, *, kb_dir: str = "") -> None:
        self.name = name
        self.kb_dir = kb_dir or str(KB_DIR)

    @extensions.guarded
    def __call__(self, doc: Doc) -> Doc:
        mentions = Mentions.of(doc)
        published = parse_published(doc._.published)
        events: list[dict[str, Any]] = []
        seen: set[tuple[Any, ...]] = set()
        for sent in doc.sents:
            if sent._.excluded:
                continue
            for event in self._sentence(sent, mentions):
                self._date(event, sent, published)
                # one fact told twice in a sentence is one event; at two dates, two
                key = (event["type"], event["actor_id"], tuple(event["target_ids"]), sent.start, event["date"])
                if key in seen:
                    continue
                seen.add(key)
                events.append(event)
        events = [self._as_country(e, published) for e in events]
        events = [e for e in events if not e.pop("self_targeted")]
        # a company does not impose export controls or grant licences ("he also unveiled ...")
        events = [e for e in events if not (e["type"] in {"RESTRICTION", "LICENSING"} and e["actor_id"].startswith("company/"))]
        _date_from_lede(events, published)
        _infer_resisted(events, lambda i: self._country_of(i, "Person"))
        doc._.events = _drop_vague_repeats(events)
        return doc

    def _as_country(self, event: dict[str, Any], published: Any = None) -> dict[str, Any]:
        """Reports name a country's agencies ("the Commerce Department", "China's commerce
        ministry") where analysts count the country: the country acts, the agency is kept.
        So do officials: a ministry's spokeswoman acts for her country, a chief executive for
        his company; lawmakers act for themselves."""
        body = self._employer(event["actor_id"], published)
        if body is not None:
            event["official"], event["official_id"] = event["actor"], event["actor_id"]
            event["actor"], event["actor_id"] = body.name, body.id
        country = self._country_of(event["actor_id"], "Government")
        if country is not None:
            event["agency"], event["agency_id"] = event["actor"], event["actor_id"]
            event["actor"], event["actor_id"] = country.name, country.id
        keep = [i for i, t in enumerate(event["target_ids"]) if t != event["actor_id"]]
        # "the US ban on American nationals": an act on oneself only is no event
        event["self_targeted"] = bool(event["target_ids"]) and not keep
        event["targets"] = [event["targets"][i] for i in keep]
        event["target_ids"] = [event["target_ids"][i] for i in keep]
        return event

    def _employer(self, person_id: str, published: Any) -> Any:
        """The executive body or company a KB person worked for at ``published``."""
        kb = shared_kb(self.kb_dir)
        person = kb.get(person_id)
        if person is None or person.type != "Person" or not person.roles:
            return None
        when = published.isoformat() if published is not None else "9999"
        current = [r for r in person.roles if str(r.get("from") or "") <= when < str(r.get("to") or "9999")]
        role = max(current or person.roles, key=lambda r: str(r.get("from") or ""))
        org = kb.get(role.get("org") or "")
        if org is None or org.type not in {"Government", "Company"} or LEGISLATIVE.search(f"{org.id} {org.name}"):
            return None
        return org

    def _country_of(self, entity_id: str, *types: str) -> Any:
        """The country of a KB government body (or person): its own field, else a country named
        in its name ("Dutch Ministry of Foreign Affairs")."""
        kb = shared_kb(self.kb_dir)
        entity = kb.get(entity_id)
        if entity is None and entity_id.startswith("government/") and "Government" in types:
            name = entity_id.split("/", 1)[1].replace("-", " ")  # a body outside the KB
        elif entity is None or entity.type not in types:
            return None
        elif entity.country and kb.get(entity.country) is not None:
            return kb.get(entity.country)
        else:
            name = entity.name
        for word in name.replace("'s", "").split():
            found = [e for e in kb.lookup(word) if e.type == "Country"]
            if found:
                return found[0]
        return None

    def _sentence(self, sent: Span, mentions: Mentions) -> Iterator[dict[str, Any]]:
        for token in sent:
            type_ = self._trigger_type(token, sent)
            if type_ is None or _negated(token) or _embedded(token, sent):
                continue
            yield from self._frame(token, type_, sent, mentions)

    def _trigger_type(self, token: Token, sent: Span) -> str | None:
        lemma = token.lemma_.lower()
        if token.pos_ == "NOUN" and not _verb_mistagged(token):
            return self._noun_trigger(token, lemma)
        if token.pos_ == "ADJ" and lemma in ADJ_TRIGGERS and token.dep_ in {"acomp", "amod", "ROOT"}:
            return ADJ_TRIGGERS[lemma]
        if token.pos_ not in {"VERB", "AUX"} and not (token.pos_ == "ADJ" and token.tag_ == "VBN") \
                and not _verb_mistagged(token):
            return None
        if token.dep_ == "amod" and not any(t.lower_ in {"has", "have", "had", "was", "were", "is", "are"}
                                            for t in token.doc[max(0, token.i - 2):token.i]):
            return None  # "listed firms": a description, not an act; "has since developed new chips" is misparsed
        special = self._phrase_type(token, lemma)
        if special != UNDECIDED:
            return special
        type_ = TRIGGERS.get(lemma)
        if type_ is None:
            return None
        words = {t.lower_ for t in sent}
        if lemma in NEEDS_LICENCE:
            if not words & LICENCE_WORDS:
                return "RESISTANCE" if lemma == "reject" else None
            return "LICENSING"
        if lemma in {"decline", "refuse"} and any(
            c.dep_ == "xcomp" and c.lemma_.lower() in NO_COMMENT for c in token.children
        ):
            return None  # "declined to comment" resists nothing
        if lemma in {"decline", "refuse"} and {t.lower_ for t in sent} & LICENCE_WORDS:
            return "LICENSING"  # "declined to renew its export licence", "can refuse them"
        if lemma in NEEDS_COMPLEMENT and not _presses_someone(token):
            return None
        if lemma == "charge" and not any(c.dep_ == "prep" and c.lower_ == "with" for c in token.children):
            return None  # "charged three men with fraud"; not "charged a fee"
        if lemma == "add" and _adds_to_a_list(token) and any("validated" in e.text.lower() or "veu" in e.text.lower()
                                                             for e in sent.ents if e.label_ == "Measure"):
            return "LICENSING"  # "adding their Chinese sites to its Validated End-User programme"
        if lemma == "add" and not (_adds_to_a_list(token) and any(
                c.dep_ in {"dobj", "obj", "nsubjpass", "dative"} for c in token.children)):  # not "add to the controls"
            return None  # "he added:" is speech; "added Huawei to the Entity List" is a listing
        if lemma == "put" and _on_sale(token):
            return "PRODUCTION"  # "Huawei put the Pura 70 on sale": a launch
        if lemma in {"announce", "unveil", "introduce"} and token.dep_ != "acl" and not any(
                c.dep_ in {"dobj", "obj", "nsubjpass"} for c in token.children):
            return None  # "..., the ministry announced today": the report of another event
        if lemma in NEEDS_MEASURE_OR_LIST and not any(
            e.label_ == "Measure" for e in sent.ents
        ) and not words & RESTRICTION_WORDS and not (_passive(token) and _measure_before(token, 2)):
            return None
        return type_

    def _phrase_type(self, token: Token, lemma: str) -> str | None:
        """Triggers decided by their phrase, not their lemma alone: "hit back", "looking into",
        "ordered X to stop", "must obtain a licence", "bought from"; ``UNDECIDED`` otherwise."""
        if lemma in LAUNCH_VERBS and any(t.ent_type_ == "Product" for c in token.children
                                         if c.dep_ in {"dobj", "obj"} for t in _phrase(c)):  # fmt: skip
            return "PRODUCTION"  # "Huawei unveiled its Ascend 910C"
        if lemma in {"hit", "push", "fight", "strike", "lash"} and any(c.dep_ in {"prt", "advmod"} and c.lower_ in {"back", "out"} for c in token.children):
            return "RESISTANCE"  # "Beijing hit back at the Dutch move", "pushed back against"
        if lemma == "look" and any(c.dep_ in {"prep", "prt"} and c.lower_ == "into" for c in token.children):
            return "INVESTIGATION"  # "is looking into whether DeepSeek obtained chips"
        if lemma == "limit" and _passive(token) and not any(
                t.ent_type_ or t.lower_ in RESTRICTION_WORDS for c in token.children if c.dep_ == "nsubjpass" for t in c.subtree):
            return None  # "the impact on Korean industry would be limited"
        if lemma == "warn" and any(c.dep_ == "prep" and c.lower_ == "against" for c in token.children):
            return "RESTRICTION"  # "warned companies against using Huawei's Ascend chips"
        if lemma in {"accuse", "blame"} and not any(
                c.dep_ in {"dobj", "obj"} and c.ent_type_ in {"Country", "Government"} for c in token.children):
            return None  # "the department accused BAAI of ...": a charge, not resistance
        if lemma in {"stop", "halt", "cease"} and any(c.dep_ == "xcomp" and c.lemma_.lower() in TRIGGERS for c in token.children):
            return None  # "stopped issuing licences": the licensing is the event
        if lemma in {"order", "instruct", "direct", "tell"} and any(
                c.dep_ == "xcomp" and c.lemma_.lower() in {"stop", "halt", "cease", "suspend"} for c in token.children):
            return "RESTRICTION"  # "ordered TSMC to stop shipping": a restriction on TSMC
        if lemma in {"account", "include"} and self._share_roles(token, Mentions.of(token.doc))[0]:
            return "SUPPLY"  # "China accounted for 40% of Applied's revenue", "its clients include Apple"
        if lemma in LICENCE_NEEDS and _needs_licence(token):
            return "RESTRICTION"  # "Nvidia must obtain a licence to ship the H20": it is restricted
        if lemma in BUY_VERBS:
            return "SUPPLY" if self._seller(token) else None
        licence_object = any(c.dep_ in {"dobj", "obj"} and c.lower_ in LICENCE_WORDS for c in token.children)
        if lemma in MEASURE_VERBS and _has_measure_object(token) and not (licence_object and lemma in NEEDS_LICENCE):
            return "RESTRICTION"  # "issued rules"; "issuing licences" is licensing
        return UNDECIDED

    def _noun_trigger(self, token: Token, lemma: str) -> str | None:
        if token.lower_ in LICENCE_WORDS and token.dep_ in {"dobj", "obj"} and token.head.lemma_.lower() in RECEIVING:
            return "LICENSING"  # "Samsung received waivers from the US", "both received licences in 2020"
        if lemma in CUSTOMER_NOUNS and self._seller(token):
            return "SUPPLY"
        if token.lower_ in NOUN_SUPPLY and any(c.dep_ == "poss" for c in token.children):
            return "SUPPLY"  # "ASML's sales to China"
        if token.lower_ in NOUN_SUPPLY and token.dep_ in {"dobj", "obj"} and _prep_of(token, {"to"}):
            # "TSMC halted shipments to Sophgo": it had been shipping; not "Japan restricted sales"
            seller = _subject(token.head)
            return "SUPPLY" if seller is not None and (seller.ent_type_ == "Company" or seller.lower_ == "it") else None
        type_ = NOUN_TRIGGERS.get(lemma)
        if type_ is None:
            return None
        if type_ == "RESTRICTION" and token.head.lemma_.lower() in LIFTING:
            return None  # "Washington has dropped restrictions on ethane": the opposite
        # Only the noun's own frame: "pressure from Washington on The Hague", "a ban on sales",
        # also where the parser hangs it on the verb ("launched a probe into US chips").
        own = any(c.dep_ == "prep" for c in token.children)
        return type_ if own or (token.dep_ in {"dobj", "obj"} and _prep_of(token, _NOUN_TARGET_PREPS.get(type_, set()))) else None

    def _frame(self, trigger: Token, type_: str, sent: Span, m: Mentions) -> Iterator[dict[str, Any]]:
        spans, targets, confidence = self._roles(trigger, type_, m)
        measure = self._measure(trigger, sent)
        table = sent.doc._.entity_table
        actors = [(a.kb_id_, _name(a, table)) for a in spans]
        if not actors and type_ == "RESTRICTION" and measure is None and _passive(trigger):
            measure = _measure_before(trigger, 2)  # "SMEE ... was listed as well", after the Entity List
        if not actors and type_ == "RESTRICTION" and measure is not None:
            actors = self._imposer(measure.kb_id_)  # "Huawei was placed on the Entity List"
        actor_ids = {a for a, _ in actors}
        for actor_id, actor_name in actors:
            # co-actors are not each other's targets ("A, B and C, which sell to China")
            mine = [t for t in targets if t.kb_id_ not in actor_ids]
            if not mine and type_ == "RESISTANCE" and measure is not None:
                mine = [t for t in self._owner(measure) if t.kb_id_ not in actor_ids]  # "a complaint over US restrictions"
            customers = [t for t in _made_for(trigger, m) if t.kb_id_ != actor_id] if type_ == "PRODUCTION" else []
            if customers:  # "SMIC made the Kirin 9000S for Huawei": it supplies Huawei too
                yield _record("SUPPLY", actor_id, actor_name, customers, None, trigger, sent, 0.6)
            needs = type_ in NEED_TARGETS and trigger.lemma_.lower() not in ENFORCEMENT  # "charged three men"
            if not mine and (needs or (trigger.pos_ == "NOUN" and type_ == "RESTRICTION")):
                # "SMIC used tools to manufacture chips": made what? "under the US ban": no new act
                continue
            yield _record(type_, actor_id, actor_name, mine, measure, trigger, sent,
                          round(confidence - (0.0 if mine else 0.15), 2))

    def _seller(self, trigger: Token) -> list[Any]:
        """Who sold what was bought: a company named ("from ASML", "ASML's systems"), else the
        maker of the product bought ("had been buying it", the H20: Nvidia)."""
        found = _supplier(trigger)
        if found is None:
            return []
        if found.ent_type_ == "Company":
            span = Mentions.of_token(found)
            return [span] if span is not None else []
        product = shared_kb(self.kb_dir).get(_entity_id(found))
        maker = shared_kb(self.kb_dir).get(product.maker) if product is not None and product.maker else None
        return [_Ref(maker.id, maker.type, maker.name)] if maker is not None else []

    def _makers(self, trigger: Token, m: Mentions) -> list[Any]:
        """The companies whose products a measure names as its object ("banned the H800",
        "banned them" after the chips were named)."""
        kb = shared_kb(self.kb_dir)
        products = [t for c in trigger.children if c.dep_ in {"dobj", "obj", "nsubjpass"} for t in _phrase(c)
                    if t.ent_type_ == "Product"]  # fmt: skip
        pronoun = next((c for c in trigger.children if c.dep_ in {"dobj", "obj"} and c.lower_ == "them"), None)
        if not products and pronoun is not None:
            found = _previous(pronoun, "Product", 30)
            products = [found] if found is not None else []
        makers = [kb.get(p.maker) for t in products for p in [kb.get(t.ent_kb_id_)] if p is not None and p.maker]
        return _unique([_Ref(c.id, c.type, c.name) for c in makers if c is not None])

    def _owner(self, measure: Span) -> list[Any]:
        """The country that made a measure: its KB imposer, else a country its words name."""
        found = self._imposer(measure.kb_id_) or [(e.id, e.name) for t in measure
                                                  for e in shared_kb(self.kb_dir).lookup(t.text)
                                                  if e.type == "Country"][:1]  # fmt: skip
        countries = [self._country_of(i, "Government") for i, _ in found]  # the bureau's rule is the US's
        found = [(c.id, c.name) if c is not None else f for f, c in zip(found, countries, strict=True)]
        return [_Ref(i, "Country", name) for i, name in found]

    def _imposer(self, measure_id: str) -> list[tuple[str, str]]:
        kb = shared_kb(self.kb_dir)
        measure = kb.get(measure_id)
        imposer = kb.get(measure.imposed_by) if measure and measure.imposed_by else None
        return [(imposer.id, imposer.name)] if imposer is not None else []

    def _roles(self, trigger: Token, type_: str, m: Mentions) -> tuple[list[Span], list[Span], float]:
        target_types = TARGET_TYPES[type_]
        if type_ == "SUPPLY" and trigger.lemma_.lower() in BUY_VERBS | CUSTOMER_NOUNS:
            return self._purchase_roles(trigger, m)
        if type_ == "SUPPLY" and trigger.lemma_.lower() in {"account", "include"}:
            return self._share_roles(trigger, m)
        if type_ == "RESTRICTION" and trigger.lemma_.lower() in LICENCE_NEEDS:
            return self._licence_roles(trigger, m)
        if trigger.pos_ == "NOUN" and not _verb_mistagged(trigger):
            return self._noun_roles(trigger, type_, m)
        passive = [c for c in trigger.children if c.dep_ in PASSIVE_SUBJECTS]
        agent = [c for c in trigger.children if c.dep_ == "agent"]
        if passive or agent:
            return self._passive_roles(trigger, type_, m, passive, agent)
        reduced = _reduced_relative(trigger, m)
        if reduced is not None:  # "the Mate 60 Pro, the smartphone Huawei released in August"
            maker, described = reduced
            return [maker], [e for e in _named_by(described, m) if e.label_ in target_types], 0.7
        subject = _subject(trigger)
        actors = self._active_actors(trigger, type_, subject, m)
        skip = {t.i for t in _phrase(subject)} if subject is not None else set()
        targets = self._objects(trigger, type_, m, skip) or self._implied_targets(trigger, type_, m, skip)
        if type_ == "LICENSING" and not any(t.label_ == "Company" for t in targets):
            # "granting their Chinese plants VEU status": the companies "their" stands for
            owners = [p for c in trigger.children if c.dep_ in {"dobj", "obj", "dative"} for p in c.subtree
                      if p.dep_ == "poss" and p.lower_ in {"their", "its"}]  # fmt: skip
            targets = _antecedent(owners[0], m, {"Company"}) if owners else targets
        if type_ == "LICENSING":  # the licence holder, not where its goods go
            targets = [t for t in targets if t.label_ == "Company"] or targets
        return actors, _unique(targets), 0.8

    def _passive_roles(self, trigger: Token, type_: str, m: Mentions, passive: list[Token],
                       agent: list[Token]) -> tuple[list[Span], list[Span], float]:
        """"Huawei was added to the Entity List by the Commerce Department", "the Kirin 9000S,
        made by SMIC": the agent acts on the passive subject or the noun described."""
        actor_types, target_types = ACTOR_TYPES[type_], TARGET_TYPES[type_]
        actors = [e for a in agent for e in m.in_subtree(a, actor_types)][:1]
        for a in agent:  # "by the bureau": the government last named
            if not actors and any(t.lemma_.lower() in GENERIC_ACTORS for t in a.subtree):
                actors = _latest_government(a, m)
        if not actors:  # "granted permission by Washington": the "by" hangs off the object
            by = [t for t in trigger.subtree if t.lower_ == "by" and t.dep_ in {"prep", "agent"}]
            # the agent itself, not a place in its phrase ("by a woman after a conference in Stockholm")
            actors = [e for t in by for c in t.children if c.dep_ == "pobj"
                      for e in _named_by(c, m) if e.label_ in actor_types][:1]  # fmt: skip
        heads = [t for p in passive for t in _conj_expand(p)]
        modified = _modified_noun(trigger)
        if modified is not None:  # "the Kirin 9000S, made by SMIC": the noun it modifies
            heads += _conj_expand(modified)
        if type_ == "PRODUCTION":  # "a die made by TSMC inside the processor": the die, no more
            targets = [e for t in heads for e in _named_by(t, m) if e.label_ in target_types][:6]
        elif type_ == "SUPPLY":  # "servers supplied by Dell to companies in Singapore": whom to
            targets = _recipients(trigger, target_types, m, set())
        else:
            targets = [e for t in heads for e in self._entity_or_subtree(t, target_types, m)][:6]
        return actors, _unique(targets), 0.8

    def _active_actors(self, trigger: Token, type_: str, subject: Token | None, m: Mentions) -> list[Any]:
        """The subject's entities; for a notice that acts, its issuer; for a measure that acts
        ("the rules stop X"), the government that made it."""
        actor_types = ACTOR_TYPES[type_]
        if type_ == "RESISTANCE" and subject is not None and subject.lemma_.lower() in GENERIC_ACTORS:
            pressed = _pressed_before(trigger, m)  # "officials have pressed South Korea ..., but the government has declined"
            if pressed:
                return pressed
        actors = self._actors(subject, actor_types, m) if subject is not None else []
        if not actors and subject is None and trigger.dep_ == "acl" and trigger.head.dep_ in {"dobj", "obj"}:
            # "BIS published a notice removing ... from the VEU list": who issued the notice
            issuer = _subject(trigger.head.head)
            actors = self._actors(issuer, actor_types, m) if issuer is not None else []
        if not actors and type_ == "RESTRICTION" and subject is not None:
            measure = next((m.at(t) for t in _phrase(subject) if t.ent_type_ == "Measure"), None)
            if measure is not None:  # "the Entity List designation bars ...": its maker
                actors = self._owner(measure)
            if not actors and subject.lemma_.lower() in MEASURE_NOUNS:  # "controls that Washington imposed"
                actors = [e for c in subject.children if c.dep_ in {"relcl", "acl"} for g in c.children
                          if g.dep_ in SUBJECTS | {"agent"} for e in self._actors(g, actor_types, m)][:1]  # fmt: skip
            if not actors and subject.lemma_.lower() in MEASURE_NOUNS:
                # "the rules stop X": whoever made them, named in the sentence ("instructs the
                # Treasury to draw up rules that will prohibit ...") or before it
                here = [e for t in trigger.sent if t.i < subject.i for e in [m.at(t)] if e is not None
                        and e.label_ in {"Country", "Government"} and not _modifier(e)]  # fmt: skip
                actors = here[-1:] or _latest_government(subject, m)
        return actors

    def _implied_targets(self, trigger: Token, type_: str, m: Mentions, skip: set[int]) -> list[Any]:
        """Targets when no object names one: what a clause describes, whom a measure reaches,
        the maker of a banned product, the product just after a misparsed verb, "the company's"."""
        relative_subject = any(c.dep_ in SUBJECTS and c.lower_ in RELATIVE for c in trigger.children)
        made_other = any(c.dep_ in {"dobj", "obj"} and c.lower_ not in RELATIVE for c in trigger.children)  # "for which TSMC made a die"
        if trigger.dep_ == "relcl" and not relative_subject and not made_other:
            # "the A800 and H800, two processors it had designed": what the clause describes
            noun = trigger.head.head if trigger.head.dep_ == "appos" else trigger.head
            noun = _apposed_to(noun, m) or noun
            described = [e for t in _conj_expand(noun) for e in [m.at(t)] if e is not None
                         and e.label_ in TARGET_TYPES[type_]]  # fmt: skip
            if described:
                return described
        targets: list[Any] = []
        if type_ == "RESTRICTION":  # "controls meant to slow China's access"
            own = skip | _other_clauses(trigger)  # not "..., bringing it closer to the rules Washington imposed on China"
            own -= {t.i for c in trigger.children if c.dep_ == "advcl" and _infinitive(c) for t in c.subtree}
            own |= {t.i for p in trigger.subtree if p.dep_ == "prep" and p.lower_ == "with" for t in p.subtree}  # partners
            targets = [e for e in m.in_subtree(trigger, {"Country", "Company"}, own)
                       if not _modifier(e)] or self._makers(trigger, m)  # "banned them" (the H800 chips): their maker
        if not targets and type_ == "PRODUCTION":  # "produce its 7nm, 5G-enabled Kirin 9000S chip", misparsed
            targets = _product_after(trigger, m)
        if not targets and type_ in {"LICENSING", "RESTRICTION"}:  # "revoked part of the company's licence"
            named = [t for c in trigger.children if c.dep_ in {"dobj", "obj", "nsubjpass"} for t in _phrase(c)
                     if t.lemma_.lower() in COMPANY_WORDS and any(d.lower_ == "the" for d in t.children)]  # fmt: skip
            found = most_named_before(named[0], "Company") if named else None
            targets = [found] if found is not None else []
        return targets

    def _share_roles(self, verb: Token, m: Mentions) -> tuple[list[Any], list[Span], float]:
        """A company's customers told as its revenue ("customers in China accounted for 11% of
        TSMC's revenue") or as a list ("its clients, which include Nvidia and Apple")."""
        if verb.lemma_.lower() == "account":
            share = [c for c in verb.children if c.dep_ == "prep" and c.lower_ == "for"]
            owner = [t for c in share for t in c.subtree if t.lemma_.lower() in REVENUE_NOUNS]
            buyers_at = _subject(verb)
        else:
            subject = _subject(verb)
            owner = [subject] if subject is not None and subject.lemma_.lower() in CUSTOMER_NOUNS else []
            buyers_at = next((c for c in verb.children if c.dep_ in {"dobj", "obj"}), None)
        seller = [e for t in owner for e in self._holder(t, m)][:1]
        if not seller or buyers_at is None:
            return [], [], 0.6
        types = TARGET_TYPES["SUPPLY"]
        buyers = self._actors(buyers_at, types, m) if verb.lemma_.lower() == "account" else \
            [e for t in _conj_expand(buyers_at) for e in [m.at(t)] if e is not None and e.label_ in types]
        return seller, [b for b in buyers if b.kb_id_ != seller[0].kb_id_], 0.6

    def _holder(self, noun: Token, m: Mentions) -> list[Span]:
        """Whose revenue or customers: "TSMC's revenue", "Applied's", "its" (the company before)."""
        for c in noun.children:
            if c.dep_ in {"poss", "compound"}:
                if c.lower_ in {"its", "their"}:
                    return _antecedent(c, m, {"Company"}) or [e for e in [_previous_entity(c, m, "Company")] if e]
                ent = m.at(c)
                if ent is not None and ent.label_ == "Company":
                    return [ent]
        return []

    def _licence_roles(self, trigger: Token, m: Mentions) -> tuple[list[Span], list[Span], float]:
        """The company that needs the licence is the target; the actor is the government named
        in the sentence ("told by US officials"), else the one the article last named."""
        governor = trigger.head if trigger.dep_ == "xcomp" and trigger.head.lemma_.lower() in {"require", "order", "force"} else None
        if governor is not None:  # "Malaysia will require companies to obtain a permit"
            gov_subject = _subject(governor)
            authority = self._actors(gov_subject, {"Country", "Government"}, m) if gov_subject is not None else []
            holders = [e for c in governor.children if c.dep_ in {"dobj", "obj"} for e in _named_by(c, m) if e.label_ == "Company"]
            if authority:
                return authority[:1], _unique(holders), 0.6
        subject = _subject(trigger)
        holders = self._actors(subject, {"Company"}, m) if subject is not None else []
        if subject is not None and subject.lower_ in {"it", "they"} and not holders:
            holders = _antecedent(subject, m, {"Company"})
        if not holders:
            return [], [], 0.6  # "the rule requires companies to obtain licences": no one named
        return self._authority(trigger, m), _unique(holders), 0.6

    def _authority(self, trigger: Token, m: Mentions) -> list[Any]:
        """Who requires the licence: the government whose statement the clause is ("the
        government in The Hague said ASML would need licences"), else the one named nearest
        before it, else the maker of the measure in play, else the story's government."""
        for verb in trigger.ancestors:
            speaker = next((c for c in verb.children if c.dep_ in SUBJECTS), None)
            found = self._actors(speaker, {"Country", "Government"}, m) if speaker is not None else []
            if found:
                return found[:1]
        inside = {t.i for t in trigger.subtree}  # not where the goods go ("to sell ... to China")
        named = [e for t in trigger.sent if t.i not in inside and t.i < trigger.i for e in [m.at(t)]
                 if e is not None and e.label_ in {"Country", "Government"}
                 and (not _modifier(e) or e.root.dep_ == "compound")]  # fmt: skip
        if named:
            return named[-1:]
        measure = self._measure(trigger, trigger.sent) or _measure_before(trigger, 3)
        owners = self._owner(measure) if measure is not None else []
        return owners[:1] or _latest_government(trigger, m)

    def _purchase_roles(self, trigger: Token, m: Mentions) -> tuple[list[Span], list[Span], float]:
        """Supplier from "from X" or "X's chips"; the buyer is the verb's subject, or for a
        customer noun whom it describes ("Alibaba ... have been among the buyers of ...")."""
        actors = self._seller(trigger)
        buyer_types = TARGET_TYPES["SUPPLY"]
        holder = trigger
        while holder.dep_ in {"pobj", "prep", "attr", "appos", "conj"} and holder.head.i != holder.i:
            holder = holder.head  # "among the biggest buyers": up to the copula or the named noun
            named_holder = m.at(holder)
            if named_holder is not None:
                return actors, [named_holder], 0.6  # "Huawei, a customer of TSMC"
        subject = _subject(holder) if holder.pos_ in {"VERB", "AUX"} else None
        buyers = self._actors(subject, buyer_types, m) if subject is not None else []
        return actors, [b for b in buyers if not actors or b.kb_id_ != actors[0].kb_id_], 0.6

    def _actors(self, subject: Token, types: set[str], m: Mentions) -> list[Span]:
        """Each coordinated subject's entity ("Rubio and Stefanik urged ..."), the entities a
        group subject names ("four groups, including X and Y"), or whom a pronoun or a generic
        subject ("officials", "the administration") stands for."""
        heads = [m.at(t) for t in _conj_expand(subject)]
        found = [e for e in heads if e is not None and e.label_ in types]
        if not found:  # "lawmakers led by Mike Gallagher": the one who leads them
            found = [e for c in subject.children if c.dep_ == "acl" and c.lemma_.lower() == "lead"
                     for a in c.children if a.dep_ == "agent" for e in m.in_subtree(a, types)][:1]  # fmt: skip
        if not found:
            # whose the subject is ("China's ambassador to Britain": China), else whom its
            # phrase names ("four groups, including X and Y", "prosecutors in Singapore")
            own = _unique([e for t in _conj_expand(subject) for c in t.children
                           if c.dep_ in {"poss", "compound", "amod", "nmod"} for e in [m.at(c)]
                           if e is not None and e.label_ in types])  # fmt: skip
            inside = _unique([e for t in _phrase(subject) for e in [m.at(t)]
                              if e is not None and e.label_ in types])  # fmt: skip
            named = [e for e in inside if not _modifier(e)]
            if subject.lemma_.lower() in PEOPLE_NOUNS:  # "US officials", "Chinese diplomats": theirs
                found = [e for e in own if e.root.dep_ == "poss"] or own[:1] or named[:1]
            else:  # "Chinese companies such as Alibaba and Tencent": the ones named
                found = [e for e in own if e.root.dep_ == "poss"] or named or own[:1] or inside[:1]
        if not found and subject.lower_ in PRONOUN_SUBJECTS:
            found = _antecedent(subject, m, types)
        if not found and subject.lemma_.lower() in GENERIC_ACTORS:
            found = _latest_government(subject, m)
        if not found and subject.lemma_.lower() in COMPANY_WORDS and "Company" in types \
                and any(c.dep_ == "det" and c.lower_ == "the" for c in subject.children):
            salient = most_named_before(subject, "Company")  # "the company developed": the one the story is about
            found = [salient] if salient is not None else []
        return _unique(found)

    def _entity_or_subtree(self, t: Token, types: set[str], m: Mentions) -> list[Span]:
        head = m.at(t)
        return [head] if head is not None and head.label_ in types else m.in_subtree(t, types)

    def _objects(self, trigger: Token, type_: str, m: Mentions, skip: set[int]) -> list[Span]:
        types = TARGET_TYPES[type_]
        if type_ == "SUPPLY":
            return _recipients(trigger, types, m, skip)
        found: list[Span] = []
        barred: list[Span] = []
        direct_only = type_ == "PRODUCTION"  # what is made, not for whom
        for child in trigger.children:
            if direct_only and child.dep_ not in {"dobj", "obj"}:
                continue
            if child.dep_ in OBJECTS and child.lower_ in {"it", "them"}:
                # "which cut it off from TSMC's chips": Huawei; never the verb's own subject
                own = {t.i for c in trigger.children if c.dep_ in SUBJECTS and c.lower_ not in RELATIVE
                       for t in _phrase(c)}  # fmt: skip
                found += [e for e in _antecedent(child, m, types) if e.root.i not in own]
            elif child.dep_ in OBJECTS:
                for t in _conj_expand(child):
                    # the object's own entity ("the 7nm Kirin 9000S") before its modifiers
                    head = m.at(t)
                    # the object's phrase, not what a clause in it says ("US calls to curb exports to China")
                    clauses = {c.i for c in t.subtree} - {c.i for c in _phrase(t)} if type_ == "RESISTANCE" else set()
                    if type_ == "PRODUCTION":  # "made a die that later turned up inside the Ascend 910B": not made
                        clauses = {g.i for c in t.subtree if c.dep_ == "prep" and c.lower_ in {"inside", "in", "into", "within"}
                                   and c.head.i != t.i for g in c.subtree}  # fmt: skip
                    inside = m.in_subtree(t, types, skip | clauses)  # "two Chinese developers, Biren and ...": not China
                    if head is not None and head.label_ in types:
                        # and names hung on it: "designers Biren Technology and Moore Threads",
                        # "Seoul, along with Tokyo and The Hague"
                        found += [head] + [e for c in t.children if c.dep_ in {"nmod", "appos", "prep"}
                                           and (c.dep_ != "prep" or c.lower_ == "along")
                                           for e in m.in_subtree(c, types, skip) if e.kb_id_ != head.kb_id_]  # fmt: skip
                    else:
                        found += [e for e in inside if not _modifier(e)] or inside
            elif child.dep_ == "prep" and child.lower_ == "from":
                # "banned ASML from selling to China", "cut it off from TSMC's chips"
                barred += m.in_subtree(child, types, skip)
            elif child.dep_ == "prep" and (child.lower_ in TARGET_PREPS or (child.lower_ == "at" and type_ == "RESISTANCE"
                                                                           and _hits_back(trigger))
                                           or (child.lower_ == "along" and type_ == "PRESSURE")) and not (
                    trigger.lemma_.lower() in MEASURE_VERBS and child.lower_ not in {"on", "against", "to"}) \
                    and not (type_ == "PRESSURE" and child.lower_ == "for") \
                    and not (type_ == "RESTRICTION" and child.lower_ == "with"):  # "called for limits on Nvidia", "coordinated with Washington"
                asked = _clause_subject(child)  # "looking into whether DeepSeek obtained chips": DeepSeek
                found += self._actors(asked, types, m) if asked is not None else m.in_subtree(child, types, skip)
            elif child.dep_ in {"xcomp", "ccomp"}:
                # "wants Japan to use ...": Japan is the embedded verb's subject
                for c in child.children:
                    if c.dep_ in SUBJECTS:
                        for t in _conj_expand(c):
                            found += m.in_subtree(t, types, skip)
        if not found and type_ == "PRESSURE":
            found = _pressed_group(trigger, m, skip)
        # whom a ban stops is its target; where they may not sell only when no one is named
        # ("bars American companies from selling to YMTC": YMTC)
        named = [e for e in found if not _modifier(e)]
        return (named or barred or found)[:8]

    def _noun_roles(self, trigger: Token, type_: str, m: Mentions) -> tuple[list[Span], list[Span], float]:
        actor_types, target_types = ACTOR_TYPES[type_], TARGET_TYPES[type_]
        actor: Span | None = None
        targets: list[Span] = []
        for child in trigger.children:
            if child.dep_ == "prep" and child.lower_ in {"from", "by"}:
                found = m.in_subtree(child, actor_types)
                actor = actor or (found[0] if found else None)
            elif child.dep_ == "prep" and child.lower_ in _NOUN_TARGET_PREPS.get(type_, set()):
                # "an inquiry into whether TSMC had made chips for Huawei": TSMC; a clause's
                # subject is never the measure's maker ("curbs that Washington imposed")
                asked = _clause_subject(child)
                measure = next((e for t in child.subtree for e in [m.at(t)] if e is not None and e.label_ == "Measure"), None)
                if asked is not None:
                    targets += self._actors(asked, target_types, m)
                elif type_ == "RESISTANCE" and measure is not None and self._owner(measure):
                    targets += self._owner(measure)  # "a complaint against the US controls (at the WTO)": the US
                else:
                    targets += [e for e in m.in_subtree(child, target_types) if e.root.dep_ not in SUBJECTS]
            elif child.dep_ in {"poss", "compound", "amod"}:
                ent = m.at(child)
                if ent is not None and ent.label_ in actor_types:
                    actor = actor or ent
                elif ent is None and child.lemma_.lower() in GENERIC_ACTORS:
                    actor = actor or next(iter(_latest_government(child, m)), None)
        for clause in trigger.children:  # "a probe into Qualcomm that its market regulator opened"
            subject = next((c for c in clause.children if c.dep_ in SUBJECTS), None) if clause.dep_ in {"relcl", "acl"} else None
            if actor is None and subject is not None and subject.lower_ not in RELATIVE:
                actor = next(iter(self._actors(subject, actor_types, m)), None)
        named = m.at(trigger)
        if actor is None and type_ == "RESTRICTION" and named is not None and named.label_ == "Measure":
            actor = next(iter(self._owner(named)), None)  # "US restrictions on China's chip industry"
        if trigger.dep_ in {"dobj", "obj"} and trigger.head.lemma_.lower() in RECEIVING:
            # "Applied Materials received subpoenas from prosecutors": the receiver is the target
            subject = _subject(trigger.head)
            targets = self._actors(subject, target_types, m) if subject is not None else []
            givers = [e for c in trigger.head.children if c.dep_ in {"prep", "agent"} and c.lower_ in {"from", "by"}
                      for e in m.in_subtree(c, actor_types)]  # fmt: skip
            if not givers and actor is None and type_ == "LICENSING":
                givers = _latest_government(trigger, m)  # the authority the story is about
            return (givers[:1] or ([actor] if actor is not None else [])), _unique(targets), 0.6
        if actor is None and trigger.dep_ in {"dobj", "obj"}:
            # "China lodged a complaint (with the WTO) over US restrictions": who lodged it,
            # and what about, wherever the parser hung the "over"
            subject = _subject(trigger.head)
            found = self._actors(subject, actor_types, m) if subject is not None else []
            actor = found[0] if found else None
            for sibling in trigger.head.children:
                if not targets and sibling.dep_ == "prep" and sibling.lower_ in _NOUN_TARGET_PREPS.get(type_, ()):
                    targets += m.in_subtree(sibling, target_types)
        if not targets and type_ == "PRESSURE":
            # "X gave in to pressure from Y": the one who gave in was pressed
            verb = trigger.head
            for _ in range(4):  # "After months of pressure from Washington, Japan agreed"
                if verb.pos_ in {"VERB", "AUX"} or verb.head.i == verb.i:
                    break
                verb = verb.head
            subject = _subject(verb) if verb.pos_ in {"VERB", "AUX"} else None
            if subject is not None:  # "Japan and the Netherlands agreed": both were pressed
                targets += self._actors(subject, target_types, m) or m.in_subtree(subject, target_types)[:1]
        return ([actor] if actor is not None else []), _unique(targets), 0.6

    def _measure(self, trigger: Token, sent: Span) -> Span | None:
        measures = [e for e in sent.ents if e.label_ == "Measure"]
        if not measures:
            return None
        return min(measures, key=lambda e: abs(e.start - trigger.i))

    def _date(self, event: dict[str, Any], sent: Span, published: Any) -> None:
        """The date expression of the trigger's own clause: inside its subtree, or attached
        to a clause above it ("In 2019, Japan agreed to restrict"); one in a sibling clause
        ("restricted tools last year, but has resisted going further") is another event's."""
        trigger = sent.doc[_token_at(sent, event["trigger_start"])]
        best: tuple[int, int, str] | None = None
        for found in find_dates(sent.text, published):
            span = sent.doc.char_span(sent.start_char + found.start, sent.start_char + found.end,
                                      alignment_mode="expand")  # fmt: skip
            rank = _clause_rank(span, trigger) if span is not None else None
            if rank is None or _counts_from_itself(found, sent, trigger):
                continue
            if found.effective:
                continue  # "will prohibit ... from January 2": when it bites, not when it was decided
            distance = abs(found.start - (event["trigger_start"] - sent.start_char))
            if best is None or (rank, distance) < best[:2]:
                best = (rank, distance, found.value)
        carried = carry_day(sent.text, sent.doc.text[max(0, sent.start_char - 3000):sent.start_char], published)
        if best is not None:
            event["date"], event["date_source"] = best[2], "text"
        elif carried is not None:  # "The same day, the bureau added ...": the day just named
            event["date"], event["date_source"] = carried, "text"
        else:
            event["date"] = published.isoformat() if published else None
            event["date_source"] = "published"


def _phrase(head: Token) -> list[Token]:
    """The noun phrase without the clauses that describe it ("the rules, which require
    licences for exports to China": not China), at any depth ("the Mate 60 Pro, a phone that
    surprised export control experts")."""
    clauses = {t.i for c in head.subtree if c.i != head.i and c.dep_ in {"relcl", "acl", "advcl"}
               for t in c.subtree}  # fmt: skip
    return [t for t in head.subtree if t.i not in clauses]


def _clause_subject(prep: Token) -> Token | None:
    """The subject of a clause a preposition opens: "into whether TSMC had made ..."."""
    for c in prep.children:
        if c.dep_ == "pcomp" and any(g.dep_ == "mark" and g.lower_ in {"whether", "if", "how"} for g in c.children):
            return next((g for g in c.children if g.dep_ in SUBJECTS), None)
    return None


def _made_for(verb: Token, m: Mentions) -> list[Span]:
    """The companies a product is made for: "made the Kirin 9000S for Huawei", "a 7nm chip for
    MinerVa"; not "made the relief for Samsung open-ended"."""
    made = [c for c in verb.children if c.dep_ in {"dobj", "obj"}]
    if not any(c.ent_type_ == "Product" or c.lemma_.lower() in PRODUCT_NOUNS for c in made):
        return []
    places = [c for c in verb.children if c.dep_ == "prep" and c.lower_ == "for"]
    places += [p for c in verb.children if c.dep_ in {"dobj", "obj"} for p in c.children
               if p.dep_ == "prep" and p.lower_ == "for"]  # fmt: skip
    return _unique([e for p in places for e in m.in_subtree(p, {"Company"})])


def _product_after(verb: Token, m: Mentions) -> list[Span]:
    """The first product named just after the verb, before another clause begins; not when the
    verb made something else ("TSMC made a die that turned up inside the Ascend 910B")."""
    if any(c.dep_ in {"dobj", "obj"} and m.at(c) is None for c in verb.children):
        return []
    for t in verb.doc[verb.i + 1: min(verb.i + 12, verb.sent.end)]:
        if t.pos_ in {"VERB", "AUX"} and t.dep_ in {"ROOT", "ccomp", "conj", "advcl", "relcl", "xcomp"} or t.text in {";", "."}:
            return []
        ent = m.at(t)
        if ent is not None and ent.label_ == "Product":
            return [ent]
    return []


def _verb_mistagged(token: Token) -> bool:
    """"a processor that the company designs": a verb the tagger took for a noun, with its subject."""
    return token.pos_ == "NOUN" and token.dep_ in {"relcl", "ccomp", "advcl"} and token.lemma_.lower().rstrip("s") in TRIGGERS \
        and any(c.dep_ in SUBJECTS for c in token.children)


def _needs_licence(verb: Token) -> bool:
    """"must obtain a licence", "will need licences", "had to apply for licences"."""
    licence = any(t.lower_ in LICENCE_WORDS for c in verb.children
                  if c.dep_ in {"dobj", "obj"} or (c.dep_ == "prep" and c.lower_ == "for") for t in c.subtree)  # fmt: skip
    obliged = verb.lemma_.lower() == "need" \
        or any(c.dep_ == "aux" and c.lower_ in {"must", "will", "would", "'ll", "'d"} for c in verb.children) \
        or (verb.dep_ == "xcomp" and verb.head.lemma_.lower() in {"have", "need", "require", "tell", "order", "inform"})
    return licence and obliged


def _pressed_before(trigger: Token, m: Mentions) -> list[Span]:
    """The country or government pressed earlier in the same sentence, who then resists."""
    for verb in trigger.sent:
        if verb.i >= trigger.i:
            break
        if TRIGGERS.get(verb.lemma_.lower()) == "PRESSURE" and verb.pos_ in {"VERB", "AUX"}:
            found = [e for c in verb.children if c.dep_ in {"dobj", "obj"} for e in [m.at(c)]
                     if e is not None and e.label_ in {"Country", "Government"}]  # fmt: skip
            if found:
                return found[:1]
    return []


def _hits_back(verb: Token) -> bool:
    """"hit back at", "lashed out at": whom "at" names is resisted; not "a complaint at the WTO"."""
    return any(c.dep_ in {"prt", "advmod"} and c.lower_ in {"back", "out"} for c in verb.children)


def _prep_of(noun: Token, preps: set[str]) -> bool:
    """A preposition of ``preps`` on the noun, or on the verb whose object it is."""
    places = [noun, noun.head] if noun.dep_ in {"dobj", "obj"} else [noun]
    return any(c.dep_ == "prep" and c.lower_ in preps for p in places for c in p.children)


def _apposed_to(noun: Token, m: Mentions) -> Token | None:
    """"the A800 and H800, two processors ...", parsed as two objects: the named noun before
    the comma that the description stands beside."""
    left = noun.left_edge.i
    if m.at(noun) is not None or left < 2 or noun.doc[left - 1].text != ",":
        return None
    ent = m.by_token.get(left - 2)
    if ent is None:
        return None
    first = ent.root
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head  # the list's head, so that every item counts
    return first


def _reduced_relative(verb: Token, m: Mentions) -> tuple[Span, Token] | None:
    """"the smartphone Huawei released": a clause without "that", parsed as the company's own
    modifier; the company is the doer, the noun before it what was done."""
    head = verb.head
    ent = m.at(head)
    if verb.dep_ != "acl" or ent is None or ent.end != verb.i or any(c.dep_ in {"agent", "dobj"} for c in verb.children):
        return None
    described = head.head if head.dep_ == "appos" else None
    return (ent, described) if described is not None else None


def _named_by(noun: Token, m: Mentions) -> list[Span]:
    """The entity a noun is, or that its compound or apposition names ("the Kirin 9000S, a chip
    designed by ..."); not what its prepositions mention ("a die inside the processor")."""
    near = [c for c in noun.children if c.dep_ in {"compound", "appos"}]
    near += [noun.head] if noun.dep_ == "appos" else []
    return [e for t in [noun, *near] for e in [m.at(t)] if e is not None]


def _infinitive(verb: Token) -> bool:
    """"to cover Nvidia's chips": a purpose that says what a measure reaches."""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _pressed_group(trigger: Token, m: Mentions, skip: set[int]) -> list[Span]:
    """Whom "them" or "allies" stands for when pressed: the countries named before it in the
    sentence ("talking to allies, including Japan and the Netherlands, and wanted them to ...")."""
    pressed = [t for c in trigger.children for t in [c, *c.children]
               if t.lower_ in {"them", "allies", "partners"} and t.dep_ in {"dobj", "obj", "nsubj"}]  # fmt: skip
    if not pressed:
        return []
    sent = trigger.sent
    named = [m.at(t) for t in sent if t.i < pressed[0].i and t.i not in skip]
    return _unique([e for e in named if e is not None and e.label_ in {"Country", "Government"}
                    and e.root.dep_ not in SUBJECTS and not _modifier(e)])  # fmt: skip


def _other_clauses(trigger: Token) -> set[int]:
    """Tokens of the clauses under ``trigger`` that tell of something else, and of its time and
    cause ("after months of pressure from Washington")."""
    return {t.i for c in trigger.children if c.dep_ in {"advcl", "ccomp", "conj", "parataxis", "relcl"}
            or (c.dep_ == "prep" and c.lower_ in {"after", "before", "amid", "despite", "following", "since"})
            for t in c.subtree}  # fmt: skip


def _modifier(ent: Span) -> bool:
    """A demonym or country modifying a noun ("Chinese groups"), not a party itself."""
    return ent.label_ == "Country" and ent.root.dep_ in {"amod", "compound", "nmod"}


def _antecedent(pronoun: Token, m: Mentions, types: set[str]) -> list[Span]:
    """The entity a subject pronoun refers back to: the latest subject of an allowed type."""
    want = {"Person"} if pronoun.lower_ in {"he", "she"} else types - {"Person"}
    if pronoun.lower_ in {"it", "its"} and "Company" in want and "Government" not in want:
        # what "it" sold or made is a company's act: the company last the subject, else the
        # company last named ("SMIC has become Huawei's partner. In 2023 it made ...": SMIC)
        near = [m.by_token[i] for i in range(pronoun.i - 1, max(-1, pronoun.i - 40), -1)
                if i in m.by_token and m.by_token[i].label_ == "Company"]  # fmt: skip
        subjects = [e for e in near if e.root.dep_ in {"nsubj", "nsubjpass"}]
        if near:
            return (subjects or near)[:1]
    for i in range(pronoun.i - 1, max(-1, pronoun.i - 150), -1):
        ent = m.by_token.get(i)
        if ent is not None and ent.label_ in want and ent.root.dep_ in {"nsubj", "nsubjpass", "conj"}:
            head = ent.root
            while head.dep_ == "conj" and head.head.i != head.i:
                head = head.head  # "Synopsys, Cadence and Siemens EDA were told ...": the list
            if head.dep_ not in {"nsubj", "nsubjpass"}:
                continue
            group = [m.at(t) for t in _conj_expand(head)] if pronoun.lower_ in {"they", "their"} else [m.at(head)]
            return _unique([e for e in group if e is not None and e.label_ in want]) or [ent]
    return []


def _latest_government(token: Token, m: Mentions) -> list[Span]:
    """The government "the government" most likely means: of the countries and governments
    named before ``token``, the one most often the subject of a clause, then the latest."""
    score: dict[str, float] = {}
    spans: dict[str, Span] = {}
    seen = set()
    for i in range(token.i):
        ent = m.by_token.get(i)
        if ent is None or ent.label_ not in {"Country", "Government"} or ent.start in seen:
            continue
        seen.add(ent.start)
        subject = ent.root.dep_ in {"nsubj", "nsubjpass"}
        score[ent.kb_id_] = score.get(ent.kb_id_, 0.0) + (3.0 if subject else 0.5) + i * 1e-6
        spans[ent.kb_id_] = ent
    if not score:
        return []
    return [spans[max(score, key=lambda k: score[k])]]


def _date_from_lede(events: list[dict[str, Any]], published: Any) -> None:
    """An undated event retold from the news ("The rules add Naura to the list") takes the
    day the article gives the same actor's same act ("on Monday ... added 140 entities"),
    when that day is within the days before publication: a background date never spreads."""
    if published is None:
        return
    recent: dict[tuple[str, str], str] = {}
    for e in events:
        if e["date_source"] == "text" and len(e["date"]) == 10:
            days = (published - date.fromisoformat(e["date"])).days
            if 0 <= days <= 10:
                recent.setdefault((e["type"], e["actor_id"]), e["date"])
    days_told: dict[tuple[str, str, str], str] = {}
    for e in events:  # the first day told for each act and month
        if e["date_source"] == "text" and e["date"] and len(e["date"]) == 10:
            days_told.setdefault((e["type"], e["actor_id"], e["date"][:7]), e["date"])
    for e in events:
        found = recent.get((e["type"], e["actor_id"]))
        if e["date_source"] == "published" and found is not None:
            e["date"], e["date_source"], e["date_from"] = found, "text", "article"
        elif e["date"] and len(e["date"]) == 7 and (e["type"], e["actor_id"], e["date"]) in days_told:
            # "banned ... this month" beside "announced on December 3": the day
            e["date"], e["date_from"] = days_told[(e["type"], e["actor_id"], e["date"])], "article"


LEGISLATIVE = re.compile(r"senate|house|congress|parliament|committee|kamer|bundestag|diet|legislat|assembly", re.IGNORECASE)
PRODUCT_NOUNS = {"chip", "processor", "die", "wafer", "semiconductor", "accelerator", "phone", "smartphone",
                 "component", "part", "tool", "machine", "system", "gpu", "cpu", "asic", "modem"}  # fmt: skip
COMPANY_WORDS = {"company", "firm", "chipmaker", "group", "maker", "manufacturer", "supplier"}
PEOPLE_NOUNS = {"official", "officials", "lawmaker", "lawmakers", "negotiator", "diplomat", "regulator",
                "spokesperson", "spokesman", "spokeswoman", "minister", "envoy", "ambassador",
                "prosecutor", "senator", "legislator", "representative", "authority", "authorities"}  # fmt: skip
RESISTED_TYPES = {"RESTRICTION", "PRESSURE", "INVESTIGATION", "LICENSING"}


def _infer_resisted(events: list[dict[str, Any]], country_of: Any) -> None:
    """Resistance is to someone's pressure or measure: with no named target, the one who last
    pressed, restricted or probed before it in the article (another party than the resister)."""
    for i, e in enumerate(events):
        if e["type"] != "RESISTANCE" or e["target_ids"]:
            continue
        # whoever pressed the resister, else whoever last acted on anyone
        pressed = [p for p in events[:i] if p["type"] == "PRESSURE" and e["actor_id"] in p["target_ids"]]
        for prior in reversed(events[:i] if not pressed else pressed):
            if prior["type"] in RESISTED_TYPES and prior["actor_id"] != e["actor_id"]:
                # the president's pressure is his country's
                country = country_of(prior["actor_id"])
                name, ident = (country.name, country.id) if country else (prior["actor"], prior["actor_id"])
                if ident == e["actor_id"]:
                    continue
                e["targets"], e["target_ids"] = [name], [ident]
                e["confidence"] = round(e["confidence"] - 0.1, 2)
                break


def _drop_vague_repeats(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A targetless event ("the US is pushing its allies to ...") repeats one with named targets
    by the same actor about the same measure (or none): keep the precise one."""
    precise = {(e["type"], e["actor_id"], e["measure_id"]) for e in events if e["target_ids"]}
    by_actor = {(e["type"], e["actor_id"]) for e in events if e["target_ids"]}
    # "unveiled its package, adding 140 organisations to the Entity List": one act, told twice
    same_sentence = {(e["type"], e["actor_id"], e["start"]) for e in events if e["target_ids"]}
    kept = []
    for e in events:
        vague = not e["target_ids"] and (
            (e["type"], e["actor_id"], e["measure_id"]) in precise
            or (e["measure_id"] is None and (e["type"], e["actor_id"]) in by_actor)
            or (e["type"], e["actor_id"], e["start"]) in same_sentence
        )
        if not vague:
            kept.append(e)
    return kept


def _token_at(sent: Span, char: int) -> int:
    for token in sent:
        if token.idx <= char < token.idx + max(len(token), 1):
            return token.i
    return sent.root.i


def _counts_from_itself(found: Any, sent: Span, trigger: Token) -> bool:
    """"came three days after the Dutch published rules on Friday": counted from the trigger's
    own date, the offset dates the other clause."""
    if found.anchor is None:
        return False
    anchor = sent.start_char + found.anchor
    doc = trigger.doc
    return doc[trigger.left_edge.i].idx <= anchor < doc[trigger.right_edge.i].idx + len(doc[trigger.right_edge.i])


def _clause_rank(span: Span, trigger: Token) -> int | None:
    """How surely a date expression dates the trigger: 0 when it modifies the trigger itself,
    1 when it modifies a clause above ("said on Friday it would require"), 2 when it sits in
    a clause below; None when it dates a sibling clause ("..., but has resisted")."""
    verb = span.root
    while verb.pos_ not in {"VERB", "AUX"} and verb.head.i != verb.i:
        verb = verb.head
    if verb.i != trigger.i and trigger.left_edge.i <= verb.i <= trigger.right_edge.i:
        return 2  # a clause below the trigger ("close gaps left by the curbs of October 2022")
    # up to the clause the date belongs to, past participles that describe a noun ("in a
    # notice published on August 29, it said it was removing ...")
    while (verb.pos_ not in {"VERB", "AUX"} or verb.dep_ in {"acl", "amod"}) and verb.head.i != verb.i:
        verb = verb.head
    if verb.i == trigger.i:
        return 0
    if verb.i in {a.i for a in trigger.ancestors}:
        # "imposed rules last year, but has resisted since": a date after the first of two
        # joined clauses is that clause's own
        t = trigger
        while t.i != verb.i:
            if t.dep_ == "conj" and span.start > t.head.i:
                return None
            t = t.head
        return 1
    if trigger.left_edge.i <= verb.i <= trigger.right_edge.i:
        return 2
    return None


def _unique(spans: list[Any]) -> list[Any]:
    """One per entity (spans, or parties implied by their KB id), in order."""
    out: dict[str, Any] = {}
    for s in spans:
        out.setdefault(s.kb_id_, s)
    return list(out.values())


@Language.factory("chipwatch_events", default_config={"kb_dir": ""})
def make_events(nlp: Language, name: str, kb_dir: str) -> EventExtractor:
    extensions.register()
    return EventExtractor(nlp, name, kb_dir=kb_dir)
