"""The whole pipeline on small texts we wrote: spans, links, events, dates and quotes,
including the hard cases (passive, reported speech, negation, lists, metonyms, captions)."""

from __future__ import annotations

from typing import Any

import pytest

from nlp.pipeline import extract, load_pipeline


@pytest.fixture(scope="module")
def run() -> Any:
    nlp = load_pipeline()

    def _run(text: str, published: str | None = "2024-04-26") -> dict[str, Any]:
        return extract({"url": "https://test.invalid/a", "published": published, "text": text}, nlp)

    return _run


def entity(record: dict[str, Any], name_part: str) -> dict[str, Any]:
    found = [e for e in record["entities"] if name_part.lower() in e["name"].lower()]
    assert len(found) == 1, (name_part, [e["name"] for e in record["entities"]])
    return found[0]


def events(record: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [e for e in record["events"] if e["type"] == type_]


def test_full_name_and_surname_are_one_person(run: Any) -> None:
    r = run("Gina Raimondo met chip executives on Monday. Raimondo said the rules would stay.")
    person = entity(r, "Raimondo")
    assert person["id"] == "person/gina-raimondo" and person["type"] == "Person"
    assert set(person["aliases_seen"]) == {"Gina Raimondo", "Raimondo"}
    assert person["mentions"] == 2


def test_demonyms_capitals_and_administrations_link_to_countries(run: Any) -> None:
    r = run("The Biden administration pressed the Dutch to act. Washington and The Hague talked, "
            "and Beijing objected.")
    assert entity(r, "United States")["id"] == "country/us"
    assert entity(r, "Netherlands")["id"] == "country/nl"
    assert entity(r, "China")["id"] == "country/cn"
    assert {"Biden administration", "Washington"} <= {norm.replace("The ", "") for norm in
                                                     entity(r, "United States")["aliases_seen"]}  # fmt: skip


def test_domain_mistakes_of_the_small_model_are_fixed(run: Any) -> None:
    r = run("SMIC made the 7nm Kirin 9000S chip for the Mate 60 Pro.")
    assert entity(r, "Kirin 9000S")["type"] == "Product"
    assert entity(r, "7nm")["type"] == "Technology"
    assert entity(r, "Mate 60 Pro")["type"] == "Product"


def test_coordinated_targets_of_pressure(run: Any) -> None:
    r = run("The US has urged Japan, South Korea and the Netherlands to tighten export controls.")
    (e,) = events(r, "PRESSURE")
    assert e["actor_id"] == "country/us"
    assert set(e["target_ids"]) == {"country/jp", "country/kr", "country/nl"}
    assert e["measure"] is not None and "export control" in e["measure"].lower()
    assert (e["date"], e["date_source"]) == ("2024-04-26", "published")
    assert r["events"][0]["sentence"].startswith("The US has urged")


def test_passive_voice_with_agent_and_date(run: Any) -> None:
    r = run("Huawei was added to the Entity List by the Commerce Department in May 2019.")
    (e,) = events(r, "RESTRICTION")
    assert e["target_ids"] == ["company/huawei"]
    assert e["actor_id"] == "country/us"  # the country acts; its agency is kept beside it
    assert "Commerce" in e["agency"]
    assert e["measure"] == "Entity List"
    assert (e["date"], e["date_source"]) == ("2019-05", "text")


@pytest.mark.parametrize(
    "text",
    [
        "Japan did not restrict exports of chipmaking tools to China.",
        "The Netherlands has not banned sales of DUV machines to China.",
    ],
)
def test_negated_actions_are_not_events(run: Any, text: str) -> None:
    r = run(text)
    assert events(r, "RESTRICTION") == []


def test_reported_speech_gives_the_pressure_not_the_demanded_action(run: Any) -> None:
    r = run("Officials said Washington wants its allies to restrict the servicing of chipmaking "
            "tools in China.")
    pressure = events(r, "PRESSURE")
    assert [e["actor_id"] for e in pressure] == ["country/us"]
    assert events(r, "RESTRICTION") == [] and events(r, "SUPPLY") == []


def test_production_and_supply(run: Any) -> None:
    r = run("SMIC made the 7nm Kirin 9000S for Huawei. ASML sold lithography machines to SMIC last year.")
    (made,) = events(r, "PRODUCTION")
    assert made["actor_id"] == "company/smic" and "Kirin 9000S" in made["targets"]
    made_for, sold = events(r, "SUPPLY")  # making it for Huawei is supplying Huawei
    assert (made_for["actor_id"], made_for["target_ids"]) == ("company/smic", ["company/huawei"])
    assert sold["actor_id"] == "company/asml" and sold["target_ids"] == ["company/smic"]
    assert sold["date"] == "2023"


def test_quotes_with_speakers(run: Any) -> None:
    text = ("Gina Raimondo spoke in Washington on Tuesday.\n\n"
            "\u201cWe are working with our allies on this,\u201d Raimondo told reporters. "
            "\u201cIt is not about one company,\u201d she added.\n\n"
            "\u201cThe rules are clear and they will stay,\u201d said Alan Estevez, who leads the bureau.")  # fmt: skip
    r = run(text)
    speakers = [(q["speaker_id"], q["text"][:12]) for q in r["quotes"]]
    assert speakers == [
        ("person/gina-raimondo", "We are worki"),
        ("person/gina-raimondo", "It is not ab"),
        ("person/alan-estevez", "The rules ar"),
    ]
    assert all(text[q["sentence_start"]:].startswith(("\u201c", "Gina")) or q["sentence_start"] >= 0
               for q in r["quotes"])  # fmt: skip


def test_captions_and_bylines_are_not_entities(run: Any) -> None:
    r = run("By Tom Whitfield\n\nThe US urged Japan to act.\n\nPhoto: Maria Castellanos/Reuters")
    names = {e["name"] for e in r["entities"]}
    assert "Tom Whitfield" not in names and "Maria Castellanos" not in names
    assert "Japan" in names


def test_names_outside_the_kb_get_stable_ids(run: Any) -> None:
    a = run("Zentrix Photonics, a startup, said Beijing had approached it.")
    b = run("Shares of Zentrix Photonics rose in Shanghai.")
    ida = entity(a, "Zentrix")["id"]
    assert ida == entity(b, "Zentrix")["id"] == "company/zentrix-photonics"


def test_acronym_defined_in_the_article(run: Any) -> None:
    r = run("The Quantum Lattice Consortium (QLC) said on Monday that QLC would lobby Congress.")
    e = entity(r, "Quantum Lattice")
    assert "QLC" in e["aliases_seen"]


def test_description_resolves_to_entity_named_earlier(run: Any) -> None:
    r = run("Huawei launched a new phone. The Chinese group declined to comment on its chips.")
    huawei = entity(r, "Huawei")
    assert any("group" in a.lower() for a in huawei["aliases_seen"])
    assert events(r, "RESISTANCE") == []  # declining to comment resists nothing


def test_resistance_to_pressure(run: Any) -> None:
    r = run("The Hague rejected Washington's demands to restrict ASML's servicing work in China.")
    (e,) = events(r, "RESISTANCE")
    assert e["actor_id"] == "country/nl" and "country/us" in e["target_ids"]


def test_family_name_first(run: Any) -> None:
    r = run("Xi Jinping met the delegation in Beijing. Xi said China would respond.")
    xi = entity(r, "Xi Jinping")
    assert set(xi["aliases_seen"]) == {"Xi Jinping", "Xi"}


def test_possessive_description(run: Any) -> None:
    r = run("SMIC reported higher sales on Thursday. China's biggest chipmaker said demand rose.")
    smic = entity(r, "SMIC")
    assert any("biggest chipmaker" in a for a in smic["aliases_seen"]), smic["aliases_seen"]


def test_datelined_lede_and_speech_verb_add(run: Any) -> None:
    r = run("SEOUL (Agency) - Samsung Electronics and SK Hynix have been granted indefinite "
            "permission by Washington to keep shipping American tools to their plants in China.\n\n"
            "\u201cWe will keep talking to our allies about servicing,\u201d he added.")
    (lic,) = events(r, "LICENSING")
    assert lic["actor_id"] == "country/us"
    assert set(lic["target_ids"]) >= {"company/samsung-electronics", "company/sk-hynix"}
    assert events(r, "RESTRICTION") == []  # "he added" is speech, not a listing


def test_evidence_offsets_point_at_the_sentence(run: Any) -> None:
    text = "By Ana Ruiz\n\nTOKYO (Agency) - Japan restricted exports of 23 chipmaking tools last year."
    r = run(text)
    (e,) = events(r, "RESTRICTION")
    assert e["sentence"].startswith("Japan restricted")
    assert text[e["start"]:e["end"]] == e["sentence"]


@pytest.mark.parametrize(
    ("text", "speakers", "short_form"),
    [
        (("ASML said the rules would cover its newest machines.\n\n"
         "\u201cWe will apply for the required licences from now on,\u201d the company said.\n\n"
         "In a blog post, Ned Finkle, a vice president at Nvidia, criticised the rule. "
         "\u201cThis rule threatens to throw away a hard-won lead,\u201d Finkle wrote."),
         ["company/asml", "person/ned-finkle"], ("Ned Finkle", "Finkle")),
        (("The European Commission also objected.\n\n"
         "\u201cWe are concerned about these measures and are studying them,\u201d a Commission spokesperson said.\n\n"
         "The US Commerce Department defended the rules.\n\n"
         "\u201cThe rules protect national security and they will stay,\u201d a department spokesperson said."),
         ["government/european-commission", "government/us-commerce"], ("European Commission", "Commission")),
        (("\u201cSeoul will move as slowly as it possibly can,\u201d said Kim Yang-paeng, a senior researcher at "
         "the Korea Institute for Industrial Economics and Trade."),
         ["person/kim-yang-paeng"], ("Kim Yang-paeng", "Kim Yang-paeng")),
        ("\u201cThe 16nm line is where the real products are,\u201d said Brady Wang, an analyst at Counterpoint.",
         ["person/brady-wang"], ("Brady Wang", "Brady Wang")),
        ("\u201cSamsung loses a customer base it was counting on,\u201d said Lee Jae-won, an analyst at Shinhan.",
         ["person/lee-jae-won"], ("Lee Jae-won", "Lee Jae-won")),
        (("\u201cOur companies matter to the supply chain,\u201d said Minister of Trade, Industry and Energy "
         "Kim Jung-kwan. \u201cWe will make every effort,\u201d he added."),
         ["person/kim-jung-kwan", "person/kim-jung-kwan"], ("Kim Jung-kwan", "Kim Jung-kwan")),
        (("The Ministry of Commerce of China issued a statement.\n\n\u201cBoth sides are implementing the "
          "consensus in earnest,\u201d the spokesperson said."), ["government/mofcom"], ("MOFCOM", "Ministry of Commerce of China")),
        (("Nvidia said on Monday that DeepSeek's work complied with export controls. \u201cServing these models "
         "will still take large numbers of our GPUs,\u201d the company said."),
         ["company/nvidia"], ("Nvidia", "Nvidia")),
    ],
)
def test_quotes_by_described_bodies_spokespeople_names_and_short_names(
    run: Any, text: str, speakers: list[str], short_form: tuple[str, str]
) -> None:
    """"the company said", "a Commission spokesperson said", and a surname or short name the
    model misses ("Finkle wrote") linked to the full name seen before."""
    r = run(text)
    assert [q["speaker_id"] for q in r["quotes"]] == speakers
    assert short_form[1] in entity(r, short_form[0])["aliases_seen"]
