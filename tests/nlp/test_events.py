"""Event frames beyond the plain "X verbs Y": the buyer's side of a sale, successful and
permitted actions, measures as subjects, pronoun objects, and what is not an event."""

from __future__ import annotations

from typing import Any

import pytest

from nlp.pipeline import extract, load_pipeline


@pytest.fixture(scope="module")
def events_of() -> Any:
    nlp = load_pipeline()

    def _events(text: str, published: str) -> list[dict[str, Any]]:
        return extract({"url": "https://test.invalid/e", "published": published, "text": text}, nlp)["events"]

    return _events


@pytest.fixture(scope="module")
def facts(events_of: Any) -> Any:
    """(type, actor id, target id) facts, one per target."""

    def _facts(text: str, published: str = "2024-04-26") -> set[tuple[str, str, str | None]]:
        return {(e["type"], e["actor_id"], t) for e in events_of(text, published) for t in e["target_ids"] or [None]}

    return _facts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SMIC used equipment from ASML to make the chips.", ("SUPPLY", "company/asml", "company/smic")),
        ("Chinese companies bought 46 percent of ASML's lithography systems in 2023.",
         ("SUPPLY", "company/asml", "country/cn")),
        ("Alibaba and Tencent have been among the biggest buyers of Nvidia's chips.",
         ("SUPPLY", "company/nvidia", "company/tencent")),
        ("Huawei, a customer of TSMC, declined to comment.", ("SUPPLY", "company/tsmc", "company/huawei")),
    ],
)
def test_the_buyers_side_of_a_sale_is_a_supply(facts: Any, text: str, expected: tuple[str, str, str]) -> None:
    assert expected in facts(text)


def test_a_persuaded_ally_restricts(facts: Any) -> None:
    found = facts("The Biden administration persuaded Japan and the Netherlands in 2023 to restrict "
                  "exports of chipmaking tools.")  # fmt: skip
    assert {("PRESSURE", "country/us", "country/jp"), ("RESTRICTION", "country/jp", None),
            ("RESTRICTION", "country/nl", None)} <= found  # fmt: skip


def test_what_a_licence_let_a_company_do_happened(facts: Any) -> None:
    found = facts("The licences allowed Intel and Qualcomm to sell chips to Huawei.")
    assert {("SUPPLY", "company/intel", "company/huawei"), ("SUPPLY", "company/qualcomm", "company/huawei")} <= found


def test_urged_action_is_still_not_an_event(facts: Any) -> None:
    found = facts("The US urged Japan to restrict exports of chipmaking tools to China.")
    assert ("PRESSURE", "country/us", "country/jp") in found
    assert not {f for f in found if f[0] == "RESTRICTION"}


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("US rules prevent Nvidia from selling the H100 to China.", "company/nvidia"),
        ("The US tightened its controls. The rules stop Lam Research from servicing Chinese fabs.",
         "company/lam-research"),
    ],
)
def test_a_measure_as_subject_acts_for_its_government(facts: Any, text: str, target: str) -> None:
    assert ("RESTRICTION", "country/us", target) in facts(text)


def test_whom_a_ban_stops_not_where_they_sell(facts: Any) -> None:
    found = facts("The Netherlands banned ASML from selling its most advanced machines to China.")
    assert ("RESTRICTION", "country/nl", "company/asml") in found
    assert ("RESTRICTION", "country/nl", "country/cn") not in found


def test_a_pronoun_object_is_its_antecedent(facts: Any) -> None:
    found = facts("Huawei was placed on the US Entity List in 2019, which cut it off from advanced "
                  "chips made by TSMC.")  # fmt: skip
    assert ("RESTRICTION", "country/us", "company/tsmc") not in found
    assert ("RESTRICTION", "country/us", "company/huawei") in found


def test_a_released_product_is_made_even_beside_a_measure(facts: Any) -> None:
    found = facts("Huawei released the Mate 60 Pro, a phone whose chip surprised export control experts.")
    assert ("PRODUCTION", "company/huawei", "product/huawei-mate-60-pro") in found


def test_a_reluctant_bloc_resists(facts: Any) -> None:
    found = facts("The EU has been asked to act. Valdis Dombrovskis said the bloc would be reluctant "
                  "to restrict European nationals from working in China.")  # fmt: skip
    assert any(f[0] == "RESISTANCE" and f[1] == "government/eu" for f in found)


@pytest.mark.parametrize(
    "text",
    [
        "American companies should want them to build on American technology.",
        "She said national security demanded decisive action.",
    ],
)
def test_advice_and_abstract_demands_are_not_pressure(facts: Any, text: str) -> None:
    assert not {f for f in facts(text) if f[0] == "PRESSURE"}


@pytest.fixture(scope="module")
def dated(events_of: Any) -> Any:
    """(type, actor id) -> the dates its events were given."""

    def _dated(text: str, published: str = "2024-12-04") -> dict[tuple[str, str], set[str]]:
        out: dict[tuple[str, str], set[str]] = {}
        for e in events_of(text, published):
            out.setdefault((e["type"], e["actor_id"]), set()).add(e["date"])
        return out

    return _dated


def test_the_announcement_dates_a_measure_not_its_start(dated: Any) -> None:
    found = dated("Trump said on Friday that the US would impose new export controls on critical "
                  "software from November 1.", published="2025-10-12")  # fmt: skip
    assert found[("RESTRICTION", "country/us")] == {"2025-10-10"}


def test_a_date_after_the_first_of_two_joined_clauses_is_its_own(dated: Any) -> None:
    found = dated("The US urged Japan to act. Tokyo imposed licence requirements on 23 types of "
                  "chipmaking tools last year, but it has resisted going further.")  # fmt: skip
    assert found[("RESTRICTION", "country/jp")] == {"2023"}
    assert found[("RESISTANCE", "country/jp")] == {"2024-12-04"}


def test_a_retold_event_takes_the_days_date_but_not_a_background_one(dated: Any) -> None:
    found = dated("The US on Monday added 140 Chinese companies to the Entity List. "
                  "The rules add Naura and Piotech to the list. "
                  "Huawei was added to the Entity List in 2019.")  # fmt: skip
    assert found[("RESTRICTION", "country/us")] == {"2024-12-02", "2019"}


def test_listing_where_the_parser_hangs_the_list_low(facts: Any) -> None:
    found = facts("BIS also added two Chinese developers of graphics processors, Biren Technology and "
                  "Moore Threads, and 11 of their subsidiaries to the Entity List.")  # fmt: skip
    assert {("RESTRICTION", "country/us", "company/biren"),
            ("RESTRICTION", "country/us", "company/moore-threads")} <= found  # fmt: skip
    assert ("RESTRICTION", "country/us", "country/cn") not in found  # "Chinese" only describes them


def test_a_product_put_on_sale_is_made(facts: Any) -> None:
    found = facts("Huawei put its Pura 70 smartphones on sale last Thursday with almost no warning.")
    assert ("PRODUCTION", "company/huawei", "product/huawei-pura-70") in found


def test_a_complaint_over_a_countrys_measure_resists_that_country(facts: Any) -> None:
    found = facts("China has lodged a complaint with the World Trade Organization over sweeping US "
                  "restrictions on semiconductor exports.")  # fmt: skip
    assert ("RESISTANCE", "country/cn", "country/us") in found


def test_buying_a_product_is_a_sale_by_its_maker(facts: Any) -> None:
    found = facts("Nvidia developed the H20 in late 2023. Chinese companies including Tencent and "
                  "ByteDance had been buying it in large numbers this year.")  # fmt: skip
    assert {("SUPPLY", "company/nvidia", "company/tencent"), ("SUPPLY", "company/nvidia", "company/bytedance")} <= found


def test_removal_from_a_licence_programme_is_licensing(facts: Any) -> None:
    found = facts("The Bureau of Industry and Security said it was removing two SK Hynix units from "
                  "the Validated End-User programme.")  # fmt: skip
    assert ("LICENSING", "country/us", "company/sk-hynix") in found


def test_an_accusation_resists(facts: Any) -> None:
    assert ("RESISTANCE", "country/cn", "country/us") in facts("China on Monday accused the United States "
                                                              "of abusing export controls.")  # fmt: skip


def test_a_date_in_the_notice_that_reports_the_act(dated: Any) -> None:
    found = dated("In a notice published on August 29, the Bureau of Industry and Security said it was "
                  "removing two SK Hynix units from the Validated End-User programme.",
                  published="2025-09-02")  # fmt: skip
    assert found[("LICENSING", "country/us")] == {"2025-08-29"}


def test_them_pressed_is_the_allies_named_before(facts: Any) -> None:
    found = facts("Officials said Washington was talking to allies, including Japan and the Netherlands, "
                  "and wanted them to adopt similar restrictions.")  # fmt: skip
    assert {("PRESSURE", "country/us", "country/jp"), ("PRESSURE", "country/us", "country/nl")} <= found


def test_a_measure_noun_with_its_maker_and_target_is_a_restriction(facts: Any) -> None:
    found = facts("China lodged a complaint over sweeping US restrictions on China's chip industry.")
    assert ("RESTRICTION", "country/us", "country/cn") in found
    assert ("RESISTANCE", "country/cn", "country/us") in found


def test_a_measure_named_in_passing_or_on_oneself_is_no_event(facts: Any) -> None:
    found = facts("The rules included a ban on US persons, American nationals and companies, from "
                  "supporting some fabs. Under the US ban, little changed.")  # fmt: skip
    assert not {f for f in found if f[0] == "RESTRICTION" and f[2] in {None, "country/us"}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Netherlands and Japan have joined the US in restricting sales of chipmaking tools to China.",
         ("RESTRICTION", "country/jp", "country/cn")),
        ("China retaliated by banning exports of gallium and germanium to the United States.",
         ("RESTRICTION", "country/cn", "country/us")),
        ("Applied Materials received subpoenas from the US attorney's office over shipments to SMIC.",
         ("INVESTIGATION", "country/us", "company/applied-materials")),
        ("TSMC halted shipments to Sophgo after its chip was found in a Huawei processor.",
         ("SUPPLY", "company/tsmc", "company/sophgo")),
        ("Huawei unveiled its Ascend 910C AI chip last month.", ("PRODUCTION", "company/huawei", "product/ascend-910c")),
        ("China's Ministry of Commerce launched an anti-dumping probe into US analog chips on Saturday.",
         ("INVESTIGATION", "country/cn", "country/us")),
        ("Germany has so far resisted US calls to curb exports of chemicals to China.",
         ("RESISTANCE", "country/de", "country/us")),
        ("Tokyo Electron sells about a quarter of its equipment to Chinese customers.",
         ("SUPPLY", "company/tokyo-electron", "country/cn")),
        ("Samsung and SK Hynix received one-year waivers from the US in October 2022.",
         ("LICENSING", "country/us", "company/sk-hynix")),
        ("Beijing hit back at the Dutch move, saying it would harm trade.", ("RESISTANCE", "country/cn", "country/nl")),
        ("In October 2023, the US expanded the rules to cover Nvidia's A800 and H800 chips.",
         ("RESTRICTION", "country/us", "company/nvidia")),
        ("The Entity List designation bars American companies from selling to YMTC without a licence.",
         ("RESTRICTION", "country/us", "company/ymtc")),
        ("Japan and the Netherlands agreed to restrict exports after months of pressure from Washington.",
         ("PRESSURE", "country/us", "country/nl")),
        ("The servers had been supplied by Dell Technologies to companies in Singapore.",
         ("SUPPLY", "company/dell", "country/sg")),
        (("YMTC was added to the Entity List. Shanghai Micro Electronics Equipment (SMEE), a maker of "
         "lithography machines, was listed as well."), ("RESTRICTION", "country/us", "company/smee")),
        ("Last week, Washington also warned companies worldwide against using Huawei's Ascend chips.",
         ("RESTRICTION", "country/us", "company/huawei")),
        ("The announcement came after the Netherlands published its own rules on chipmaking equipment.",
         ("RESTRICTION", "country/nl", None)),
        (("The discovery prompted the Commerce Department to open an inquiry into whether TSMC had made chips "
         "for Huawei."), ("INVESTIGATION", "country/us", "company/tsmc")),
        (("The US began licensing sales to Huawei. Qualcomm, which sells phone chips to the Chinese group, "
         "received licences in late 2020."), ("LICENSING", "country/us", "company/qualcomm")),
        (("The Commerce Department is now looking into whether DeepSeek obtained chips that cannot be shipped "
         "to China."), ("INVESTIGATION", "country/us", "company/deepseek")),
        ("ASML said it was affected after the Dutch government revoked part of the company's export licence.",
         ("LICENSING", "country/nl", "company/asml")),
        (("Japan and the Netherlands, which tightened their own rules on exports of chipmaking tools last year, "
         "have not agreed to curb servicing."), ("RESTRICTION", "country/jp", None)),
        (("The Commerce Department placed the graphics-chip designers Biren Technology and Moore Threads on the "
         "Entity List last October."), ("RESTRICTION", "country/us", "company/biren")),
        ("American officials have been pressing Seoul, along with Tokyo and The Hague, to stop servicing tools.",
         ("PRESSURE", "country/us", "country/nl")),
        ("TechInsights found that SMIC was making a 7nm bitcoin-mining chip for MinerVa Semiconductor.",
         ("SUPPLY", "company/smic", "company/minerva-semiconductor")),
        ("On 29 August, BIS published a notice removing Samsung China Semiconductor from the VEU list.",
         ("LICENSING", "country/us", "company/samsung-electronics")),
        (("Samsung Electronics and SK Hynix make chips in China. Last October the Commerce Department made that "
         "relief open-ended by granting their Chinese plants validated end-user status."),
         ("LICENSING", "country/us", "company/sk-hynix")),
        ("China accounted for more than 40% of Applied Materials' revenue in the quarter.",
         ("SUPPLY", "company/applied-materials", "country/cn")),
        (("TSMC reported results. Customers in China accounted for 11% of its revenue, less than its North "
         "American clients, which include Nvidia and Apple."), ("SUPPLY", "company/tsmc", "company/apple")),
        ("Malaysia will require companies to obtain a permit before exporting US-made AI chips.",
         ("RESTRICTION", "country/my", None)),
        ("In February, prosecutors in Singapore charged three men with fraud over the servers.",
         ("INVESTIGATION", "country/sg", None)),
        ("The Commerce Department has ordered TSMC to stop shipping advanced chips to customers in China.",
         ("RESTRICTION", "country/us", "company/tsmc")),
        (("Washington wants allies to act, and officials said they had been urging Britain and the European "
         "Union to move in the same direction."), ("PRESSURE", "country/us", "country/gb")),
        ("SMIC made the Kirin 9000S that powers the Mate 60 Pro, the smartphone Huawei released in August.",
         ("PRODUCTION", "company/huawei", "product/huawei-mate-60-pro")),
        (("The rules were imposed by the Commerce Department in May, when Synopsys and Cadence were told they needed licences to sell "
         "design software to buyers in China."), ("RESTRICTION", "country/us", "company/cadence")),
    ],
)
def test_frames_of_everyday_reporting(facts: Any, text: str, expected: tuple[str, str, str]) -> None:
    assert expected in facts(text)


@pytest.mark.parametrize(
    "text",
    [
        "ASML has not been able to ship EUV tools to China since 2019.",
        "The Netherlands banned ASML from selling its most advanced machines to China.",
        "Japan restricted sales of chipmaking tools to China.",
        "The Dutch government has told ASML it can no longer ship some DUV machines to China.",
        "The Dutch government has granted ASML licences to keep shipping some machines to Chinese customers.",
        "The Commerce Department has ordered TSMC to stop shipping advanced chips to customers in China.",
    ],
)
def test_no_sale_where_none_happened(facts: Any, text: str) -> None:
    assert not {f for f in facts(text) if f[0] == "SUPPLY"}


def test_a_company_obliged_to_hold_a_licence_is_restricted(facts: Any) -> None:
    found = facts("Nvidia said it had been told by US officials that it must obtain a licence to export "
                  "its H20 chips to China.")  # fmt: skip
    assert ("RESTRICTION", "country/us", "company/nvidia") in found
    assert not facts("The rule requires companies to obtain licences before shipping chips to Malaysia.")


def test_attacking_a_rule_resists_the_country_that_made_it(facts: Any) -> None:
    found = facts("The AI diffusion rule sorts countries into three tiers. Nvidia attacked the AI diffusion "
                  "rule the same day.")  # fmt: skip
    assert ("RESISTANCE", "company/nvidia", "country/us") in found


@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        ("Beijing warned that it would retaliate if Tokyo restricted sales of tools to China.",
         ("RESISTANCE", "country/cn", None)),
        (("The Dutch government will extend its export controls, Liesje Schreinemacher announced today in a "
         "letter to the House of Representatives."), ("RESTRICTION", "person/liesje-schreinemacher", "government/us-house")),
        ("TechInsights found a die made by TSMC inside the Ascend 910B processor.",
         ("PRODUCTION", "company/tsmc", "product/ascend-910b")),
    ],
)
def test_threats_reports_and_parts_are_not_these_events(facts: Any, text: str, not_expected: tuple[str, str, Any]) -> None:
    found = facts(text)
    assert not {f for f in found if f[:2] == not_expected[:2] and (not_expected[2] is None or f[2] == not_expected[2])}


def test_a_participle_names_the_product_it_describes(facts: Any) -> None:
    found = facts("The Kirin 9000S, a chip designed by HiSilicon and made by SMIC, powers the phone.")
    assert ("PRODUCTION", "company/smic", "product/kirin-9000s") in found


def test_a_description_beside_a_list_of_products(facts: Any) -> None:
    found = facts("Nvidia lost the right to sell the A800 and H800, two processors it had designed in 2022 "
                  "for Chinese customers.")  # fmt: skip
    assert {("PRODUCTION", "company/nvidia", "product/nvidia-a800"),
            ("PRODUCTION", "company/nvidia", "product/nvidia-h800")} <= found  # fmt: skip


def test_declining_to_join_a_ban_is_no_ban(facts: Any) -> None:
    found = facts("The Netherlands said it would not follow the US in banning the servicing of machines in China.")
    assert not {f for f in found if f[:2] == ("RESTRICTION", "country/nl")}


@pytest.mark.parametrize(
    ("text", "unwanted"),
    [
        ("At talks in London in June, US negotiators pressed Beijing to speed up shipments.",
         ("PRESSURE", "country/us", "country/gb")),
        ("The department published an outline of its plans and asked for public comments.", ("PRESSURE", None, None)),
        ("Applications will be reviewed by the commerce ministry, which can refuse them.", ("RESISTANCE", None, None)),
        ("Washington has also dropped restrictions on exports of ethane to China.", ("RESTRICTION", None, None)),
        ("The Commerce Department was investigating whether TSMC had made chips for Huawei.", ("SUPPLY", None, None)),
        ("Japan added 23 types of tools to its export control list, in a step coordinated with Washington.",
         ("RESTRICTION", "country/jp", "country/us")),
        (("Sophgo, the chip designer for which TSMC made a die that later turned up inside Huawei's Ascend 910B, "
         "was listed."), ("PRODUCTION", "company/tsmc", "product/ascend-910b")),
        ("The Commerce Department is drafting a rule that would restrict shipments of AI chips to Malaysia.",
         ("RESTRICTION", None, None)),
    ],
)
def test_places_requests_and_drafts_are_no_targets_or_events(facts: Any, text: str, unwanted: tuple[Any, ...]) -> None:
    assert not {f for f in facts(text) if all(u is None or u == v for u, v in zip(unwanted, f, strict=True))}


def test_one_fact_at_two_dates_is_two_events(dated: Any) -> None:
    found = dated("Huawei was placed on the Entity List by Washington in 2019, and a rule introduced the "
                  "following year barred foundries from making chips for the Chinese company.")  # fmt: skip
    assert found[("RESTRICTION", "country/us")] == {"2019", "2020"}


def test_an_offset_counted_from_the_events_own_date_dates_the_other_clause(dated: Any) -> None:
    found = dated("The announcement came three days after the Netherlands published its own rules on "
                  "chipmaking equipment on Friday.", published="2023-07-04")  # fmt: skip
    assert found[("RESTRICTION", "country/nl")] == {"2023-06-30"}


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("China's ambassador to Britain accused the US of meddling in Hong Kong.", "country/cn"),
        ("Prosecutors in Singapore charged three men with fraud.", "country/sg"),
    ],
)
def test_whose_official_acts(facts: Any, text: str, actor: str) -> None:
    assert {f[1] for f in facts(text)} == {actor}


def test_a_place_in_the_agents_phrase_is_not_the_agent(facts: Any) -> None:
    found = facts("Huawei was accused of theft by a former partner after a conference in Stockholm.")
    assert not {f for f in found if f[1] == "country/se"}


def test_a_package_and_its_parts_in_one_sentence_are_one_act(events_of: Any) -> None:
    found = events_of("The Biden administration on Monday unveiled its third package of chip export controls, "
                      "adding 140 Chinese organisations to the Entity List.", "2024-12-03")  # fmt: skip
    assert [(e["type"], e["target_ids"]) for e in found] == [("RESTRICTION", ["country/cn"])]


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("Foreign ministry spokeswoman Mao Ning accused the United States of abusing state power.", "country/cn"),
        ("Jensen Huang criticised the rule, saying it would hurt American companies.", "company/nvidia"),
        ("Marco Rubio urged Gina Raimondo to revoke the licences.", "person/marco-rubio"),
    ],
)
def test_officials_act_for_their_country_or_company_lawmakers_for_themselves(facts: Any, text: str, actor: str) -> None:
    assert {f[1] for f in facts(text, "2024-04-26")} == {actor}


def test_neither_government_agreeing_is_no_act(facts: Any) -> None:
    found = facts("Neither government has agreed to stop ASML or Tokyo Electron from maintaining tools in China.")
    assert not {f for f in found if f[0] == "RESTRICTION"}


def test_it_is_the_company_last_the_subject(facts: Any) -> None:
    found = facts("SMIC has since become Huawei's most important manufacturing partner. In 2023 it made the "
                  "Kirin 9000S processor for the Mate 60 Pro.")  # fmt: skip
    assert ("PRODUCTION", "company/smic", "product/kirin-9000s") in found


def test_named_customers_not_the_country_describing_them(facts: Any) -> None:
    found = facts("Nvidia shipped a million chips to Chinese customers such as ByteDance and Alibaba.")
    assert ("SUPPLY", "company/nvidia", "company/bytedance") in found
    assert ("SUPPLY", "company/nvidia", "country/cn") not in found


def test_an_inquiry_into_whether_names_one_party(facts: Any) -> None:
    found = facts("The Commerce Department opened an inquiry into whether TSMC had made chips for Huawei.")
    assert {f[2] for f in found if f[0] == "INVESTIGATION"} == {"company/tsmc"}


def test_banning_a_product_restricts_its_maker(facts: Any) -> None:
    found = facts("DeepSeek trained V3 on Nvidia's H800 chips, which Nvidia sold in China until the United "
                  "States banned them in October 2023.")  # fmt: skip
    assert ("RESTRICTION", "country/us", "company/nvidia") in found


def test_accusing_a_company_is_not_resistance(facts: Any) -> None:
    found = facts("The department listed the Beijing Academy of Artificial Intelligence, which it accused of "
                  "working on military AI.")  # fmt: skip
    assert not {f for f in found if f[0] == "RESISTANCE"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (("TSMC made a die found inside Huawei's Ascend 910B, an AI processor that the Chinese company designs "
         "for data centres."), ("PRODUCTION", "company/huawei", "product/ascend-910b")),
        (("Nvidia said sales fell. Moolenaar urged Commerce to restrict exports of Nvidia's H20, a processor that "
         "the company developed for the Chinese market."), ("PRODUCTION", "company/nvidia", "product/nvidia-h20")),
    ],
)
def test_mistagged_verbs_and_the_company_the_story_is_about(facts: Any, text: str, expected: tuple[str, str, str]) -> None:
    assert expected in facts(text)


def test_what_would_have_happened_did_not(facts: Any) -> None:
    found = facts("The US granted waivers. Without them, SK Hynix would have needed approval for each shipment.")
    assert not {f for f in found if f[0] == "RESTRICTION"}


def test_a_product_just_after_its_verb_when_the_parse_loses_it(facts: Any) -> None:
    found = facts("Officials feared that SMIC might have been able to produce its 7nm, 5G-enabled Kirin 9000S "
                  "chip for the Mate 60 Pro using American tools.")  # fmt: skip
    assert ("PRODUCTION", "company/smic", "product/kirin-9000s") in found


def test_a_month_told_beside_the_day_of_the_same_act_is_that_day(dated: Any) -> None:
    found = dated("China's commerce ministry banned exports of gallium to the United States on December 3. "
                  "Long before Beijing formally banned gallium sales to the United States this month, the trade "
                  "had dried up.", published="2024-12-18")  # fmt: skip
    assert found[("RESTRICTION", "country/cn")] == {"2024-12-03"}


def test_who_opened_a_probe_told_in_its_relative_clause(facts: Any) -> None:
    found = facts("China's market regulator has been busy. Officials listed several cases, including an antitrust "
                  "probe into Qualcomm that the market regulator opened in October.")  # fmt: skip
    assert ("INVESTIGATION", "country/cn", "company/qualcomm") in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (("China protested a day after the government in The Hague said that ASML's DUV machines would soon "
         "need export licences."), ("RESTRICTION", "country/nl", "company/asml")),
        ("Lawmakers led by Mike Gallagher had urged the Commerce Department to close the loophole.",
         ("PRESSURE", "person/mike-gallagher", "government/us-commerce")),
        (("American officials have pressed South Korea for months to adopt controls of its own, but the government "
         "has so far declined."), ("RESISTANCE", "country/kr", "country/us")),
        (("In October 2023 the department made the relief for Samsung open-ended by adding its Chinese sites to "
         "the Validated End-User programme."), ("LICENSING", "country/us", None)),
    ],
)
def test_who_requires_leads_resists_and_licenses(facts: Any, text: str, expected: tuple[str, str, Any]) -> None:
    found = facts("The US Commerce Department acted. " + text)
    assert any(f[:2] == expected[:2] and (expected[2] is None or f[2] == expected[2]) for f in found), found


@pytest.mark.parametrize(
    ("text", "unwanted"),
    [
        ("China firmly opposes the Netherlands' attempt to restrict normal trade in semiconductors.",
         ("RESTRICTION", None)),
        (("China's commerce ministry, which filed a complaint against the US controls at the World Trade "
         "Organization, said it would follow the matter."), ("RESISTANCE", "org/wto")),
        ("The ministry said the direct impact on Korean industry would be limited.",
         ("RESTRICTION", None)),
        ("The department made the relief for Samsung and SK hynix open-ended.", ("SUPPLY", None)),
    ],
)
def test_opposed_attempts_venues_impacts_and_causatives_are_not_these(facts: Any, text: str, unwanted: tuple[str, Any]) -> None:
    assert not {f for f in facts(text) if f[0] == unwanted[0] and (unwanted[1] is None or f[2] == unwanted[1])}


def test_a_date_in_a_clause_below_dates_that_clause(dated: Any) -> None:
    found = dated("The US said on Tuesday that the new rules close gaps left by the curbs of October 2022, capturing "
                  "chips such as the A800.", published="2023-10-18")  # fmt: skip
    assert "2022-10" not in found.get(("RESTRICTION", "country/us"), set())


@pytest.mark.parametrize(
    ("text", "unwanted"),
    [
        ("Analysis by Ruth Calloway\n\nYMTC sued Micron in California in November.", ("INVESTIGATION", "person/ruth-calloway")),
        ("Controls that Washington imposed in October 2023 already bar the sale of AI accelerators to China.",
         ("RESTRICTION", "country/cn")),
        (("ASML has not sold EUV machines to China since the Dutch government stopped issuing licences for them "
         "in 2019."), ("RESTRICTION", "country/nl")),
        (("Jensen Huang spoke in Beijing. On Tuesday he also unveiled the RTX Pro, a graphics processor for China "
         "that he said complies fully with US rules."), ("RESTRICTION", "company/nvidia")),
    ],
)
def test_bylines_measure_makers_stopped_licensing_and_companies(facts: Any, text: str, unwanted: tuple[str, str]) -> None:
    assert not {f for f in facts(text) if f[:2] == unwanted}
