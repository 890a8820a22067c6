"""Captions, credits, bylines and datelines are found, so their names are not entities."""

from __future__ import annotations

import pytest

from nlp.components.boilerplate import furniture_ranges


def covered(text: str, fragment: str) -> bool:
    start = text.index(fragment)
    return any(a <= start < b for a, b in furniture_ranges(text))


@pytest.mark.parametrize(
    ("text", "fragment", "furniture"),
    [
        ("Story text.\n\nPhoto: Jane Doe/Reuters\n\nMore text.", "Jane Doe", True),
        ("By Tom Smith and Ana Lopez\n\nThe US acted.", "Tom Smith", True),
        ("WASHINGTON (Reuters) - The US acted on Tuesday.", "WASHINGTON", True),
        ("TOKYO, Oct 3 (Meridian Wire) - Japan acted.", "TOKYO", True),
        ("A view of the Capitol. Thinkstock photos Andrea Izzotti\n\nText.", "Andrea Izzotti", True),
        ("Reporting by Karen Lee; Editing by Sam Holmes", "Karen Lee", True),
        ("The US acted (Photo: John Roe) on Tuesday.", "John Roe", True),
        ("WASHINGTON (Reuters) - The US acted on Tuesday.", "The US acted", False),
        ("SANTA CLARA, California (Chipwatch) - Nvidia said so.", "California", True),
        ("THE HAGUE, 6 September 2024 - The Dutch acted.", "September", True),
        ("By Ana Ruiz\n\nChips on show.\nPhoto: Jo Kim/Agency\n\nVELDHOVEN, Netherlands (Agency) - ASML said.",
         "Netherlands", True),
        ("The US acted.\n\nEU - China talks resumed on Monday.", "EU", False),
        ("Gina Raimondo said the rules would stay.", "Gina Raimondo", False),
        ("By the end of the year, Japan had acted.", "Japan", False),
    ],
)
def test_furniture(text: str, fragment: str, furniture: bool) -> None:
    assert covered(text, fragment) is furniture


def test_caption_line_ending_in_a_credit() -> None:
    text = "The rules were published.\n\nWafers at a fair in Shanghai. Photo: Kevin Chu/Agency\n\nMore."
    assert covered(text, "Wafers") and covered(text, "Kevin Chu")
    assert not covered(text, "The rules") and not covered(text, "More.")


def test_furniture_is_blanked_with_offsets_kept() -> None:
    from nlp.components.boilerplate import blank_furniture

    text = "By Ana Ruiz\n\nSEOUL (Agency) - Samsung won approval.\n\nPhoto: Jo Kim/Agency"
    blanked = blank_furniture(text)
    assert len(blanked) == len(text) and blanked.count("\n") == text.count("\n")
    assert "Ana Ruiz" not in blanked and "SEOUL" not in blanked and "Jo Kim" not in blanked
    assert blanked.index("Samsung won approval.") == text.index("Samsung won approval.")
