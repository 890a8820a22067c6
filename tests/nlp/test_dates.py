"""Event dates from sentence text, normalised against the publication date."""

from __future__ import annotations

from datetime import date

import pytest

from nlp.dates import find_dates, parse_published, resolve

PUB = date(2024, 4, 26)  # a Friday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The rules announced in October 2022 barred sales.", "2022-10"),
        ("On Oct. 7, 2022, the bureau issued its rules.", "2022-10-07"),
        ("the 7 October 2022 rules", "2022-10-07"),
        ("Japan restricted 23 types of tools last year.", "2023"),
        ("Earlier this month, lawmakers wrote to Raimondo.", "2024-04"),
        ("Sales fell in the third quarter of 2023.", "2023"),
        ("On Tuesday, the ministry said it would act.", "2024-04-23"),
        ("Yesterday the ministry said so.", "2024-04-25"),
        ("The Sept. 1 rule took effect.", "2023-09-01"),
        ("In March the Dutch widened the rules.", "2024-03"),
        ("last October the US tightened the rules", "2023-10"),
        ("Shares rose this year.", "2024"),
        ("Revenue was reported last month.", "2024-03"),
        ("The company was blacklisted in 2019.", "2019"),
        ("since September 2023 the rules apply", "2023-09"),
        ("It was blacklisted almost four years ago.", "2020"),
        ("Sales doubled in the third quarter.", "2023"),  # the latest third quarter before April 2024
        ("Sales doubled in the first quarter.", "2024"),
        ("Japan added 23 tools to its list in July last year.", "2023-07"),
        ("China began requiring licences last March.", "2023-03"),  # said in April: the year before
        ("Japan acted in March this year.", "2024-03"),
        ("On 22 April, BIS published a notice.", "2024-04-22"),
        ("Federal Register document 2022-21658 sets out the rule.", None),
        ("Sales may rise 5 percent.", None),
        ("It earned $2023 million.", None),
        ("No time is named here at all.", None),
        ("It came after Washington's October export controls.", "2023-10"),
        ("The March rules widened the list.", "2024-03"),
        ("the may rules", None),
    ],
)
def test_resolve(text: str, expected: str | None) -> None:
    assert resolve(text, PUB, 0) == expected


def test_nearest_expression_to_the_trigger_wins() -> None:
    text = "After the October 2022 rules, Japan acted in July 2023."
    assert resolve(text, PUB, text.index("acted")) == "2023-07"
    assert resolve(text, PUB, text.index("rules")) == "2022-10"


def test_relative_expressions_need_a_publication_date() -> None:
    assert resolve("Japan acted last year.", None, 0) is None
    assert resolve("Japan acted in 2023.", None, 0) == "2023"


def test_overlapping_expressions_keep_the_precise_one() -> None:
    values = [f.value for f in find_dates("on October 17, 2023 and in 2024", PUB)]
    assert values == ["2023-10-17", "2024"]


@pytest.mark.parametrize(("raw", "expected"), [("2024-04-26", PUB), ("2024-04-26T10:00:00Z", PUB),
                                               (None, None), ("", None), ("soon", None)])  # fmt: skip
def test_parse_published(raw: str | None, expected: date | None) -> None:
    assert parse_published(raw) == expected


def test_years_are_four_digits_even_far_back() -> None:
    assert resolve("Japan acted last year.", date(1000, 5, 1), 0) == "0999"


def test_a_date_a_measure_takes_effect_is_marked() -> None:
    found = find_dates("China will require licences from August 1, the ministry said on Monday.", PUB)
    assert [(f.value, f.effective) for f in found] == [("2023-08-01", True), ("2024-04-22", False)]
    assert [f.effective for f in find_dates("The rules, which take effect on January 2, bar it.", PUB)] == [True]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The licences were granted in 2020, a year after Huawei was listed.", ["2020", "2019"]),
        ("China on Tuesday banned exports, a day after Washington widened its rules.", ["2024-04-23", "2024-04-22"]),
        ("The probe came a week after the US added 140 companies.", ["2024-04"]),
        ("Japan acted two years earlier.", ["2022-04"]),
        ("They are back, barely five weeks after Washington cut them off.", ["2024-03"]),
        ("It came a month after 2023.", ["2023"]),  # too coarse to count a month from a year
        ("In 2023 SMIC made the chip for the phone Huawei launched in August of that year.", ["2023", "2023-08"]),
        ("Huawei was listed in 2019 and later that year it sued.", ["2019", "2019"]),
    ],
)
def test_offsets_count_from_the_sentences_date(text: str, expected: list[str]) -> None:
    assert [f.value for f in find_dates(text, PUB)] == expected


@pytest.mark.parametrize(
    ("sentence", "before", "expected"),
    [
        ("The same day, the bureau added 25 entities.", "The rule was published on January 15, 2025.", "2025-01-15"),
        ("Beijing objected the day after the rules were published.", "BIS acted on Jan. 15, 2025.", "2025-01-16"),
        ("Beijing objected the day after.", "No day was named.", None),
        ("Beijing objected.", "BIS acted on Jan. 15, 2025.", None),
    ],
)
def test_a_day_carried_from_the_text_before(sentence: str, before: str, expected: str | None) -> None:
    from nlp.dates import carry_day

    assert carry_day(sentence, before, PUB) == expected
