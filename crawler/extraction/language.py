"""Language of a text when the page does not declare one: script ranges, then stop words.

Deliberately small (no model to download): good enough to tell the languages our sources
publish in apart; anything unsure returns None rather than a guess.
"""

from __future__ import annotations

import re
from collections import Counter

_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),  # kana: Japanese even when mixed with kanji
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
)
_STOP = {
    "en": "the of and to in is that for on with as was by it are this from be at have has said will",
    "de": "der die und das ist nicht mit den von zu ein eine im auf für sich dem auch es wird sie",
    "fr": "le la les et des est une dans que pour qui sur pas par au du avec ce il sont plus",
    "es": "el la los las que de y en un una por con para es del se al como su más pero",
    "it": "il di che la per non una sono con del della gli le ha anche nel alla più questo",
    "pt": "o a os as que de e do da em um uma para com não no na por mais se foi",
    "nl": "de het een en van is dat op te in voor niet met zijn aan er ook als door",
    "sv": "och att det som en på är av för med till den har inte om ett var jag",
    "pl": "i w na się z że nie do to jest o jak po od za przez ale czy",
    "id": "yang dan di dari untuk dengan ini itu dalam tidak ke akan pada juga adalah",
    "tr": "ve bir bu da de için ile olarak daha çok gibi olan en ama kadar",
}
_STOPSETS = {lang: set(words.split()) for lang, words in _STOP.items()}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect(text: str) -> str | None:
    """ISO 639-1 code of ``text``, or None when it is too short or unclear."""
    sample = text[:20_000]
    letters = sum(1 for c in sample if c.isalpha())
    if letters < 20:
        return None
    for lang, pattern in _SCRIPTS:
        if len(pattern.findall(sample)) > 0.2 * letters:
            return lang
    if letters < 50:
        return None
    words = [w.lower() for w in _WORD.findall(sample)]
    if len(words) < 20:
        return None
    hits: Counter[str] = Counter()
    for w in words:
        for lang, stops in _STOPSETS.items():
            if w in stops:
                hits[lang] += 1
    if not hits:
        return None
    (best, n), *rest = hits.most_common(2) + [("", 0)]
    runner_up = rest[0][1]
    # A clear winner: enough stop words overall and well ahead of the next language.
    if n >= 0.08 * len(words) and n >= 1.3 * runner_up:
        return best
    return None
