"""An event's own time from its sentence, normalised against the publication date.

Pure functions over text: ``resolve(text, published, anchor)`` returns the date expression
nearest to ``anchor`` (a character offset, the event's trigger) at the precision the text gives
(``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), or None when the sentence names no time.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})(?![\d-]|[^\W\d_])"  # not "2000i", "2022-21658"


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    value: str
    # "from August 1", "effective January 15": when a measure takes effect, not when it was made
    effective: bool = False
    # "three days after ...": where in the text the date it counts from stands (None: published)
    anchor: int | None = None


_EFFECTIVE = re.compile(
    r"\b(?:from|starting|effective|beginning|until|through|till"
    r"|(?:take|takes|took|taken|taking|come|comes|came|enter|enters|entered)\s+(?:into\s+)?(?:effect|force))"
    r"\s+(?:on\s+|in\s+)?$", re.IGNORECASE)  # "take effect on January 2"


_COUNT = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": 3,
          "a few": 3, "few": 3}  # fmt: skip


_NUMBER_WORDS = "an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"


def _y(year: int) -> str:
    return f"{year:04d}"


def _ym(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _month_before(published: date, month: int, *, strictly: bool = False) -> int:
    """The year of the latest ``month`` on or before the publication month."""
    if month < published.month or (month == published.month and not strictly):
        return published.year
    return published.year - 1


def _absolute(text: str) -> Iterator[Found]:
    t = text
    for m in re.finditer(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}", t, re.IGNORECASE):
        yield _day(m, int(m["year"]), _month_no(m["month"]), int(m["day"]))
    for m in re.finditer(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+{_YEAR}", t, re.IGNORECASE):
        yield _day(m, int(m["year"]), _month_no(m["month"]), int(m["day"]))
    for m in re.finditer(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>\d{2})-(?P<day>\d{2})\b", t):
        yield _day(m, int(m["year"]), int(m["month"]), int(m["day"]))
    for m in re.finditer(rf"\b{_MONTH}(?:\s+of)?,?\s+{_YEAR}", t, re.IGNORECASE):
        yield Found(m.start(), m.end(), _ym(int(m["year"]), _month_no(m["month"])))
    for m in re.finditer(rf"\b(?:(?:first|second|third|fourth|last)\s+(?:quarter|half)|q[1-4]|h[12])(?:\s+of)?\s+{_YEAR}", t, re.IGNORECASE):
        yield Found(m.start(), m.end(), m["year"])
    for m in re.finditer(rf"(?<![\w$€£:./-]){_YEAR}", t):
        yield Found(m.start(), m.end(), m["year"])


def _month_no(name: str) -> int:
    key = name.lower().rstrip(".")
    return MONTHS.get(key, MONTHS.get(key[:3], 0))


def _day(m: re.Match[str], year: int, month: int, day: int) -> Found:
    try:
        return Found(m.start(), m.end(), date(year, month, day).isoformat())
    except ValueError:
        return Found(m.start(), m.end(), _ym(year, month) if 1 <= month <= 12 else str(year))


def _relative(text: str, published: date) -> Iterator[Found]:
    p = published
    rules: list[tuple[str, str]] = [
        (r"\b(?:last|past|previous)\s+year\b|\ba\s+year\s+ago\b", _y(p.year - 1)),
        (r"\b(?:earlier|later)?\s*this\s+year\b|\bso\s+far\s+this\s+year\b", _y(p.year)),
        (r"\bnext\s+year\b", _y(p.year + 1)),
        (r"\b(?:earlier|later)?\s*this\s+month\b", _ym(p.year, p.month)),
        (r"\b(?:last|past|previous)\s+month\b", (p.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")),
        (r"\b(?:earlier|later)?\s*this\s+week\b", (p - timedelta(days=p.weekday())).strftime("%Y-%m")),
        (r"\b(?:last|past|previous)\s+week\b", (p - timedelta(days=7)).strftime("%Y-%m")),
        (r"\byesterday\b", (p - timedelta(days=1)).isoformat()),
        (r"\btoday\b", p.isoformat()),
    ]
    for pattern, value in rules:
        for m in re.finditer(pattern, text, re.IGNORECASE):
            yield Found(m.start(), m.end(), value)
    for m in re.finditer(rf"\b(?:almost|nearly|about|more than|over|some)?\s*(?P<n>\d+|{_NUMBER_WORDS})\s+years?\s+ago\b", text, re.IGNORECASE):
        n = _COUNT.get(m["n"].lower()) or int(m["n"])
        if n <= 100:  # "almost four years ago": that year
            yield Found(m.start(), m.end(), _y(p.year - n))
    for m in re.finditer(r"\b(?:the\s+)?(?P<q>first|second|third|fourth)\s+quarter\b(?!\s+(?:of\s+)?(?:19|20)\d\d)", text, re.IGNORECASE):
        first_month = {"first": 1, "second": 4, "third": 7, "fourth": 10}[m["q"].lower()]
        yield Found(m.start(), m.end(), _y(p.year if p.month >= first_month else p.year - 1))  # the latest such quarter
    for m in re.finditer(rf"\b(?:(?P<n>\d+|{_NUMBER_WORDS}|several|a few|few)\s+)?"
                         r"(?P<unit>days?|weeks?|months?)\s+ago\b", text, re.IGNORECASE):  # fmt: skip
        n = _COUNT.get((m["n"] or "a few").lower()) or int(m["n"])
        days = {"day": 1, "week": 7, "month": 30}[m["unit"].lower().rstrip("s")] * n
        when = p - timedelta(days=days)
        yield Found(m.start(), m.end(), when.isoformat() if days < 7 else when.strftime("%Y-%m"))
    for m in re.finditer(r"\b(?:on\s+|last\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", text, re.IGNORECASE):
        back = (p.weekday() - WEEKDAYS[m["wd"].lower()]) % 7
        if m.group(0).lower().startswith("last") and back == 0:
            back = 7
        yield Found(m.start(), m.end(), (p - timedelta(days=back)).isoformat())
    for m in re.finditer(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}(?!,?\s*(?:19|20)\d\d)", text, re.IGNORECASE):
        if m["month"][0].isupper():  # "On 29 August, BIS published ..."
            month = _month_no(m["month"])
            yield _day(m, _month_before(p, month), month, int(m["day"]))
    for m in re.finditer(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s*(?:19|20)\d\d|\d)", text, re.IGNORECASE):
        if not m["month"][0].isupper():
            continue  # "may 5" is the verb far more often than the month
        month = _month_no(m["month"])
        yield _day(m, _month_before(p, month), month, int(m["day"]))
    for m in re.finditer(rf"\b(?P<rel>last|this|in|since|from|by|until|through|early|late|mid-?)\s+{_MONTH}"
                         r"(?P<which>\s+(?:of\s+)?(?:last|this)\s+year\b)?(?!\.?\s*\d)", text, re.IGNORECASE):  # fmt: skip
        if not m["month"][0].isupper():
            continue
        month = _month_no(m["month"])
        if month == 5 and m["month"].lower() == "may" and m["rel"].lower() in {"by", "until"}:
            continue  # "by May" is as likely the modal as the month; skip the ambiguity
        year = _month_before(p, month, strictly=m["rel"].lower() == "last")
        if m["rel"].lower() == "last" and (p.year - year) * 12 + p.month - month <= 1:
            year -= 1  # "last August" said in September means the year before
        if m["rel"].lower() == "this":
            year = p.year
        if m["which"]:  # "in July last year", "in March this year"
            year = p.year - 1 if "last" in m["which"].lower() else p.year
        yield Found(m.start(), m.end(), _ym(year, month))
    # "Washington's October export controls", "the March rules": a month naming a measure
    for m in re.finditer(rf"(?:\bthe|\bits|\btheir|'s)\s+(?={_MONTH}(?!\s*\d)\s+[a-z])", text, re.IGNORECASE):
        month_match = re.match(_MONTH, text[m.end():], re.IGNORECASE)
        if month_match is None or not month_match["month"][0].isupper():
            continue
        month = _month_no(month_match["month"])
        yield Found(m.end(), m.end() + month_match.end(), _ym(_month_before(p, month), month))


_OFFSET = re.compile(rf"\b(?P<n>{_NUMBER_WORDS}|\d+)\s+(?P<unit>day|week|month|year)s?\s+(?P<dir>after|before|earlier|later)\b", re.IGNORECASE)


def _offsets(text: str, others: list[Found], published: date | None) -> Iterator[Found]:
    """"(banned on Tuesday,) a day after Washington widened ...": counted back from the date
    the sentence gives, else the publication date, at that date's precision."""
    for m in _OFFSET.finditer(text):
        anchors = [f for f in others if f.end <= m.start() or f.start >= m.end()]
        near = min(anchors, key=lambda f: abs(f.start - m.start())) if anchors else None
        if near is None and published is None:
            continue
        base = near.value if near is not None else published.isoformat()  # type: ignore[union-attr]
        n = _COUNT.get(m["n"].lower()) or int(m["n"])
        if n > 100:
            continue  # "500 years after": history, not an event date
        # "A, a day after B": B is a day before A; "B ... two years earlier": before the anchor
        sign = -1 if m["dir"].lower() in {"after", "earlier"} else 1
        value = _shift(base, m["unit"].lower(), sign * n)
        if value is not None:
            yield Found(m.start(), m.end(), value, anchor=near.start if near is not None else None)


_FOLLOWING = re.compile(
    rf"\b(?:(?:in\s+)?{_MONTH}\s+of\s+that\s+year|(?:later|earlier)?\s*that\s+(?P<that>year)"
    r"|the\s+(?P<dir>following|next|previous|preceding|same)\s+(?P<unit>year|month))\b", re.IGNORECASE)


def _following(text: str, others: list[Found]) -> Iterator[Found]:
    """"listed in 2019, and a rule introduced the following year": one on from the sentence's date."""
    for m in _FOLLOWING.finditer(text):
        before = [f for f in others if f.end <= m.start()]
        if not before:
            continue  # "the following year" with nothing to count from
        anchor = max(before, key=lambda f: (f.end, f.end - f.start))  # "March 2023", not its "2023"
        if m["month"]:  # "in August of that year"
            yield Found(m.start(), m.end(), _ym(int(anchor.value[:4]), _month_no(m["month"])))
            continue
        if m["that"]:  # "later that year"
            yield Found(m.start(), m.end(), anchor.value[:4])
            continue
        n = {"following": 1, "next": 1, "previous": -1, "preceding": -1, "same": 0}[m["dir"].lower()]
        value = _shift(anchor.value, m["unit"].lower(), n)
        if value is not None:
            yield Found(m.start(), m.end(), value[:4] if m["unit"].lower() == "year" else value)


def _shift(base: str, unit: str, n: int) -> str | None:
    parts = [int(x) for x in base.split("-")]
    try:
        if unit == "year":
            return "-".join([f"{parts[0] + n:04d}", *(f"{x:02d}" for x in parts[1:2])]) if len(parts) < 3 else \
                (date(parts[0] + n, parts[1], min(parts[2], 28))).isoformat()[:7]
        if len(parts) < 2:
            return None  # "a month after" a year: too coarse to count
        if unit == "month":
            months = parts[0] * 12 + parts[1] - 1 + n
            return _ym(months // 12, months % 12 + 1)
        if len(parts) < 3:
            return None
        days = {"day": 1, "week": 7}[unit] * n
        shifted = date(*parts) + timedelta(days=days)
        return shifted.isoformat() if unit == "day" else shifted.strftime("%Y-%m")
    except (ValueError, OverflowError):
        return None


def find_dates(text: str, published: date | None) -> list[Found]:
    """Every date expression in ``text``; where two overlap, the longer (more precise) one."""
    found = list(_absolute(text))
    if published is not None:
        try:
            found.extend(_relative(text, published))
        except (OverflowError, ValueError):
            pass  # a publication date at the edge of the calendar: no relative dates then
    found.extend(_offsets(text, list(found), published))
    found.extend(_following(text, sorted(found, key=lambda f: f.start)))
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Found] = []
    for f in found:
        if kept and f.start < kept[-1].end:
            continue
        if _EFFECTIVE.search(text[max(0, f.start - 24):f.start]):
            f = Found(f.start, f.end, f.value, effective=True, anchor=f.anchor)
        kept.append(f)
    return kept


_SAME_DAY = re.compile(r"\b(?:(?P<same>the same day|that day|that same day)|(?P<after>the day after|the next day|"
                       r"the following day|a day later)|(?P<before>the day before|a day earlier))\b", re.IGNORECASE)


def carry_day(text: str, before: str, published: date | None) -> str | None:
    """"The same day, the bureau added ...", "Beijing objected the day after": the last day
    named in the text just ``before`` the sentence, moved by a day where the words say so."""
    m = _SAME_DAY.search(text)
    if m is None:
        return None
    days = [f.value for f in find_dates(before, published) if len(f.value) == 10]
    if not days:
        return None
    shift = 1 if m["after"] else -1 if m["before"] else 0
    try:
        return (date.fromisoformat(days[-1]) + timedelta(days=shift)).isoformat()
    except (ValueError, OverflowError):
        return None


def resolve(text: str, published: date | None, anchor: int | None = None) -> str | None:
    """The date expression in ``text`` nearest to ``anchor`` (default: the first), or None."""
    found = find_dates(text, published)
    if not found:
        return None
    if anchor is None:
        return found[0].value
    return min(found, key=lambda f: min(abs(f.start - anchor), abs(f.end - anchor))).value


def parse_published(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(str(raw)[:10])
    except ValueError:
        return None
