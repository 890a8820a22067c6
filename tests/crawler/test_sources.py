"""The source registry (crawler/sources.py, crawler/sources.toml) and the topic filter
(crawler/topic.py) that sources with ``topic_filter`` apply."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from chipwatch.errors import ConfigError
from crawler.sources import (
    DEFAULT_SOURCES,
    KINDS,
    Politeness,
    Source,
    load_sources,
    select,
    sources_from_dicts,
)
from crawler.topic import topic_check

GOOD = """
[[source]]
name = "alpha"
kind = "feed"
urls = ["https://www.alpha.example/feed.xml"]
allowed_domains = ["alpha.example"]
"""


def write(tmp_path: Path, body: str, name: str = "sources.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


# --- the shipped registry ---------------------------------------------------------------------


def test_shipped_sources_load_and_are_sane() -> None:
    sources = load_sources()
    names = [s.name for s in sources]
    assert len(names) == len(set(names))
    assert len(sources) >= 15
    enabled = select(sources)
    assert len(enabled) >= 10
    for s in sources:
        assert s.kind in KINDS
        assert s.description, s.name
        assert all(s.allows(u) for u in s.urls), s.name
    by_name = {s.name: s for s in sources}
    fr = by_name["federal-register-bis"]
    assert fr.enabled and fr.kind == "federal_register" and not fr.filters_topic
    assert "industry-and-security-bureau" in fr.urls[0]
    # General news must be filtered; the expected trade press and officials are all there.
    assert by_name["the-register"].filters_topic and by_name["the-register"].topic_keywords is None
    for expected in (
        "nikkei-asia",
        "scmp-tech",
        "datacenterdynamics",
        "eetimes",
        "toms-hardware",
        "government-nl",
        "meti-en",
        "eu-trade",
        "bis-press",
    ):
        assert expected in by_name


def test_load_sources_default_path_is_the_shipped_file() -> None:
    assert DEFAULT_SOURCES.name == "sources.toml" and DEFAULT_SOURCES.is_file()
    assert [s.name for s in load_sources(DEFAULT_SOURCES)] == [s.name for s in load_sources()]


# --- validation -------------------------------------------------------------------------------


def test_a_good_file_loads_with_defaults(tmp_path: Path) -> None:
    (src,) = load_sources(write(tmp_path, GOOD))
    assert src == Source(
        name="alpha",
        kind="feed",
        urls=["https://www.alpha.example/feed.xml"],
        allowed_domains=["alpha.example"],
    )
    assert src.language == "en" and src.enabled and src.topic_filter is False
    assert src.politeness == Politeness()


BAD_CASES: list[tuple[str, str, str]] = [
    # (what, a [[source]] table, expected part of the message)
    (
        "unknown key",
        'name = "a"\nkind = "feed"\nurl = ["https://a.example/"]\nallowed_domains = ["a.example"]',
        "unknown keys ['url']",
    ),
    (
        "bad kind",
        'name = "a"\nkind = "rss"\nurls = ["https://a.example/"]\nallowed_domains = ["a.example"]',
        "kind 'rss' is not one of",
    ),
    (
        "host not allowed",
        'name = "a"\nkind = "feed"\nurls = ["https://evil.example/f"]\nallowed_domains = ["a.example"]',
        "host 'evil.example' is not in allowed_domains",
    ),
    (
        "look-alike host is not a subdomain",
        'name = "a"\nkind = "feed"\nurls = ["https://nota.example/f"]\nallowed_domains = ["a.example"]',
        "is not in allowed_domains",
    ),
    (
        "empty urls",
        'name = "a"\nkind = "feed"\nurls = []\nallowed_domains = ["a.example"]',
        "urls must be a non-empty list",
    ),
    (
        "relative URL",
        'name = "a"\nkind = "feed"\nurls = ["/feed.xml"]\nallowed_domains = ["a.example"]',
        "not an absolute http(s) URL",
    ),
    (
        "domain given as URL",
        'name = "a"\nkind = "feed"\nurls = ["https://a.example/"]\nallowed_domains = ["https://a.example"]',
        "must be a bare host name",
    ),
    (
        "bad topic_filter",
        (
            'name = "a"\nkind = "feed"\nurls = ["https://a.example/"]\nallowed_domains = ["a.example"]\n'
            'topic_filter = "yes"'
        ),
        "topic_filter must be true, false or a non-empty list",
    ),
    (
        "enabled not a bool",
        (
            'name = "a"\nkind = "feed"\nurls = ["https://a.example/"]\nallowed_domains = ["a.example"]\n'
            "enabled = 1"
        ),
        "enabled must be bool",
    ),
    (
        "unknown politeness key",
        (
            'name = "a"\nkind = "feed"\nurls = ["https://a.example/"]\nallowed_domains = ["a.example"]\n'
            "[source.politeness]\ndelay = 2"
        ),
        "unknown politeness keys ['delay']",
    ),
    (
        "negative delay",
        (
            'name = "a"\nkind = "feed"\nurls = ["https://a.example/"]\nallowed_domains = ["a.example"]\n'
            "[source.politeness]\ndownload_delay = -1"
        ),
        "download_delay must be >= 0",
    ),
    (
        "concurrency not a whole number",
        (
            'name = "a"\nkind = "feed"\nurls = ["https://a.example/"]\nallowed_domains = ["a.example"]\n'
            "[source.politeness]\nconcurrency = 1.5"
        ),
        "concurrency must be int",
    ),
    (
        "bad name",
        'name = "Has Spaces"\nkind = "feed"\nurls = ["https://a.example/"]\nallowed_domains = ["a.example"]',
        "name 'Has Spaces' must be lower-case",
    ),
    (
        "placeholder without a variable",
        'name = "a"\nkind = "feed"\nurls = ["{demo}/feed.xml"]\nallowed_domains = ["127.0.0.1"]',
        "unknown placeholder {demo}",
    ),
]


@pytest.mark.parametrize(("what", "table", "expected"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_sources_are_rejected_naming_file_and_source(
    tmp_path: Path, what: str, table: str, expected: str
) -> None:
    path = write(tmp_path, GOOD + "\n[[source]]\n" + table + "\n")
    with pytest.raises(ConfigError) as err:
        load_sources(path)
    message = str(err.value)
    assert str(path) in message
    assert expected in message
    # The second source is the bad one: named by its name, or by position if it has none.
    assert "source 'a'" in message or "source 'Has Spaces'" in message


def test_duplicate_names_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + GOOD)
    with pytest.raises(ConfigError, match=r"sources\.toml: source 'alpha': duplicate name"):
        load_sources(path)


def test_a_source_without_a_name_is_named_by_position(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD + '[[source]]\nkind = "feed"\nurls = ["https://a.example/"]\n'
        'allowed_domains = ["a.example"]\n',
    )
    with pytest.raises(ConfigError, match=r"source #2: name must be str"):
        load_sources(path)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[[source]\nname = 1", "not valid TOML"),
        ("title = 'x'\n" + GOOD, "unknown top-level keys ['title']"),
        ("# nothing\n", "no [[source]] tables"),
    ],
)
def test_bad_files_are_rejected(tmp_path: Path, body: str, expected: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as err:
        load_sources(path)
    assert str(path) in str(err.value) and expected in str(err.value)


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the sources file"):
        load_sources(tmp_path / "nope.toml")


def test_placeholders_are_filled_from_variables(tmp_path: Path) -> None:
    body = """
    [[source]]
    name = "demo-feed"
    kind = "feed"
    urls = ["{demo}/feed.xml", "{demo}/sitemap.xml"]
    allowed_domains = ["{demo_host}"]
    topic_filter = ["export controls", "Entity List"]
    [source.politeness]
    download_delay = 0
    concurrency = 4
    autothrottle_target = 2
    """
    (src,) = load_sources(
        write(tmp_path, body),
        variables={"demo": "http://127.0.0.1:8765/", "demo_host": "127.0.0.1"},
    )
    assert src.urls == ["http://127.0.0.1:8765/feed.xml", "http://127.0.0.1:8765/sitemap.xml"]
    assert src.allowed_domains == ["127.0.0.1"]
    assert src.topic_keywords == ["export controls", "Entity List"]
    assert src.politeness.as_settings() == {
        "DOWNLOAD_DELAY": 0.0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
    }


def test_sources_from_dicts_validates_the_same_way() -> None:
    items: list[dict[str, Any]] = [
        {
            "name": "demo",
            "kind": "news_sitemap",
            "urls": ["{demo}/news-sitemap.xml"],
            "allowed_domains": ["127.0.0.1"],
            "topic_filter": True,
        }
    ]
    (src,) = sources_from_dicts(items, origin="demo site", variables={"demo": "http://127.0.0.1:9"})
    assert src.urls == ["http://127.0.0.1:9/news-sitemap.xml"] and src.filters_topic
    items[0]["kind"] = "rss"
    with pytest.raises(ConfigError, match=r"^demo site: source 'demo': kind 'rss'"):
        sources_from_dicts(items, origin="demo site")


def test_select() -> None:
    sources = sources_from_dicts(
        [
            {
                "name": n,
                "kind": "feed",
                "urls": [f"https://{n}.example/f"],
                "allowed_domains": [f"{n}.example"],
                "enabled": n != "off",
            }
            for n in ("one", "off", "two")
        ]
    )
    assert [s.name for s in select(sources)] == ["one", "two"]
    assert [s.name for s in select(sources, [])] == ["one", "two"]
    # Named sources come in the order asked, disabled ones included, repeats once.
    assert [s.name for s in select(sources, ["two", "off", "two"])] == ["two", "off"]
    with pytest.raises(ConfigError, match=r"unknown source\(s\) 'three'; known: off, one, two"):
        select(sources, ["one", "three"])


def test_source_allows_subdomains_only() -> None:
    (src,) = sources_from_dicts(
        [
            {
                "name": "s",
                "kind": "feed",
                "urls": ["https://feeds.site.example/x"],
                "allowed_domains": ["site.example"],
            }
        ]
    )
    assert src.allows("https://www.site.example/a") and src.allows("https://site.example/")
    assert not src.allows("https://othersite.example/") and not src.allows(
        "https://site.example.evil/"
    )


def test_check_topic_follows_the_source_setting() -> None:
    def source(topic_filter: Any) -> Source:
        (s,) = sources_from_dicts(
            [
                {
                    "name": "s",
                    "kind": "feed",
                    "urls": ["https://s.example/"],
                    "allowed_domains": ["s.example"],
                    "topic_filter": topic_filter,
                }
            ]
        )
        return s

    recipe = ("Ten ways with potatoes", "Roast them, mash them, or fry them.")
    assert source(False).check_topic(*recipe) == (True, "no topic filter")
    assert source(True).check_topic(*recipe)[0] is False
    assert source(["potatoes"]).check_topic(*recipe) == (True, "matched: potatoes")


# --- the topic filter -------------------------------------------------------------------------

ON_TOPIC: list[tuple[str, str, str]] = [
    (
        "US adds Chinese chipmakers to Entity List",
        (
            "The Commerce Department put several companies that make chips in China on a trade "
            "blacklist on Monday, saying they supported the country's military."
        ),
        "Entity List",
    ),
    (
        "Netherlands expands licence rules for ASML machines",
        (
            "Exporters of some deep ultraviolet lithography systems will now need an export "
            "licence from the Dutch government."
        ),
        "ASML",
    ),
    (
        "Japan to restrict exports of 23 types of chipmaking equipment",
        (
            "Tokyo said the measures, which take effect in July, cover cleaning, deposition and "
            "lithography tools."
        ),
        "export restrictions",
    ),
    (
        "China to limit gallium and germanium exports",
        (
            "Beijing will require licences for shipments of the two metals, which are used in "
            "semiconductors and solar panels, citing national security."
        ),
        "gallium/germanium",
    ),
    (
        "Nvidia says the US now requires a licence for H20 sales to China",
        (
            "The chip designer said it was told a licence requirement would apply indefinitely "
            "to shipments of the accelerator."
        ),
        "licence requirement",
    ),
    (
        "Teardown finds SMIC 7nm chip in Huawei's new phone despite sanctions",
        "The processor was made by China's largest foundry, according to the analysis.",
        "SMIC",
    ),
    (
        # No chip word at all, but dense with export-control terms: a BIS Entity List rule.
        "Additions to the Entity List",
        (
            "The Bureau of Industry and Security amends the Export Administration Regulations by "
            "adding eleven entities under destinations in Russia and Iran; the export controls "
            "take effect on publication."
        ),
        "Entity List",
    ),
    (
        "US tightens curbs on AI chip exports to China",
        (
            "Officials said the rules close loopholes that let companies ship slightly slower "
            "processors."
        ),
        "export restrictions",
    ),
]

OFF_TOPIC: list[tuple[str, str, str]] = [
    (
        "Fans queue for fish and chips before the cup final",
        (
            "Supporters ate fish and chips outside the ground and the club repeated its ban on "
            "flares. The striker won it late with a delicate chip over the goalkeeper."
        ),
        "off-topic",
    ),
    (
        "Crisp makers hit by tariffs",
        (
            "Potato chips and tortilla chips cost more after tariffs on imported corn and "
            "sunflower oil."
        ),
        "off-topic: no semiconductor terms",
    ),
    (
        "Phone X review: the fastest chip we have tested",
        (
            "Its new 3nm chip and GPU make games smooth, battery life is excellent, and the "
            "camera is the best the company has shipped."
        ),
        "off-topic: no policy terms",
    ),
    (
        "Blue-chip stocks slip as new sanctions hit Russian banks",
        "The blue chips fell 1% as investors weighed the penalties; bank shares led losses.",
        "off-topic: no semiconductor terms",
    ),
    (
        "Hostage used as a bargaining chip, officials say",
        "The government said it would consider sanctions against the group.",
        "off-topic: no semiconductor terms",
    ),
    (
        "Lawmakers push TikTok ban",
        (
            "The bill targets the app's Chinese owner; an aide said its feed algorithm runs on a "
            "phone's chip like any other app."
        ),
        "off-topic: weak match",
    ),
    (
        "New export controls on drone parts",
        "The rule covers engines and cameras shipped to several countries.",
        "off-topic: no semiconductor terms",
    ),
    (
        "Angebot gültig bis Montag",
        "Chips und Getränke gibt es bis Freitag im Supermarkt.",
        "off-topic",
    ),
    ("", "", "off-topic: no semiconductor terms"),
]


@pytest.mark.parametrize(("title", "text", "label"), ON_TOPIC, ids=[c[0][:40] for c in ON_TOPIC])
def test_on_topic(title: str, text: str, label: str) -> None:
    ok, reason = topic_check(title, text)
    assert ok, reason
    assert reason.startswith("matched: ") and label in reason


@pytest.mark.parametrize(
    ("title", "text", "expected"), OFF_TOPIC, ids=[c[0][:40] or "empty" for c in OFF_TOPIC]
)
def test_off_topic(title: str, text: str, expected: str) -> None:
    ok, reason = topic_check(title, text)
    assert not ok, reason
    assert reason.startswith(expected)


def test_the_title_weighs_more_than_the_body() -> None:
    # The same words, once in the headline and once buried in the body.
    body = "The Commerce Department published the rule on Friday."
    assert topic_check("Chip ban", body)[0]
    assert not topic_check("Friday", f"Chip ban. {body}")[0]


@pytest.mark.parametrize(
    ("keywords", "expected"),
    [
        (["Wassenaar"], (True, "matched: Wassenaar")),
        (["wassenaar arrangement", "dual-use"], (True, "matched: wassenaar arrangement, dual-use")),
        (["Wassen"], (False, "off-topic: none of the source's keywords")),  # whole words only
        ([], (False, "off-topic: none of the source's keywords")),
    ],
)
def test_custom_keywords(keywords: list[str], expected: tuple[bool, str]) -> None:
    text = "Members of the Wassenaar Arrangement review the dual-use list every December."
    assert topic_check("Weekly round-up", text, keywords) == expected
