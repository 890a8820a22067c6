"""Finds the parts of an article that are not the story: image captions, photo credits,
bylines, datelines, "read more" lines. Names in them are not entities of the story."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from nlp import extensions

# Whole lines (paragraphs) that are furniture, not story.
_LINE = re.compile(
    r"""^\s*(?:
        (?:photo|image|picture|illustration|graphic|video|file\ photo)s?\s*(?:credit)?\s*[:|]  # Photo: ...
      | (?:(?:analysis|commentary|opinion|column|review|interview)\s+)?by\s+[A-Z][\w'.-]+(?:\s+[A-Z][\w'.-]+){0,3}(?:\s*(?:,|and|&)\s*[A-Z][\w'.-]+(?:\s+[A-Z][\w'.-]+){0,3})*\s*$
      | (?:reporting|additional\ reporting|editing|writing)\s+by\b
      | (?:read|see)\ (?:more|also)\b
      | (?:sign\ up|subscribe)\b
      | .{0,200}(?:getty\ images|thinkstock|shutterstock|alamy|ap\ photo|epa-efe|file\ photo
                  |\w/reuters|\w/bloomberg|\w/afp|via\ getty).{0,60}$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# A dateline opening the first paragraph: "WASHINGTON (Reuters) -", "TOKYO, Oct 3 (AP) —",
# "SANTA CLARA, California (Agency) -", "THE HAGUE, 6 September 2024 -".
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z .'-]{2,40}"
    r"(?:,\s*(?:[A-Z][A-Za-z.'-]+(?:\s+[A-Z][A-Za-z.'-]+){0,2}|\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4}"
    r"|[A-Z][a-z]{2,9}\.?\s+\d{1,2}(?:,\s*\d{4})?)){0,2}"
    r"\s*(?:\([^)]{1,40}\))?\s*[-\u2013\u2014]+\s"
)
# A caption line ending in its credit: "Wafers at a fair in Shanghai. Photo: Jane Doe/Agency".
_CAPTION_CREDIT = re.compile(r"\b(?:photo|image|picture|credit|photograph)s?\s*:\s*\S[^\n]{0,80}$", re.IGNORECASE)
# Credits inside a caption line: "... (Photo: Jane Doe/Reuters)".
_INLINE_CREDIT = re.compile(r"\((?:photo|image|credit)[^)]{0,80}\)", re.IGNORECASE)


def furniture_ranges(text: str) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    offset = 0
    story = 0  # the dateline opens the story's first paragraph (a caption may come before it)
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        if not line.strip():
            continue
        if len(line) < 300 and (_LINE.match(line) or _CAPTION_CREDIT.search(line)):
            ranges.append((start, end))
            continue
        if story < 2:
            story += 1
            m = _DATELINE.match(line)
            if m and (story == 1 or "(" in m.group(0)):  # after a caption, only with its agency
                ranges.append((start, start + m.end()))
        for m in _INLINE_CREDIT.finditer(line):
            ranges.append((start + m.start(), start + m.end()))
    return ranges


def blank_furniture(text: str) -> str:
    """The text with its furniture turned to spaces: offsets stay those of the article, and the
    parser no longer reads "SEOUL (Agency) - Samsung ..." as a sentence about Seoul."""
    chars = list(text)
    for start, end in furniture_ranges(text):
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


class Boilerplate:
    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    @extensions.guarded
    def __call__(self, doc: Doc) -> Doc:
        doc._.excluded = furniture_ranges(doc.text)
        return doc


@Language.factory("chipwatch_boilerplate")
def make_boilerplate(nlp: Language, name: str) -> Boilerplate:
    extensions.register()
    return Boilerplate(nlp, name)
