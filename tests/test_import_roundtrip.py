"""Importing a chart must not change what Mermaid draws, except where Mermaid misread it.

For every chart of the corpus (tests/charts/*.mmd, the seed page and the real pages of
tests/pages), Mermaid 12.3.0 itself compiles the original chart and the chart regenerated from
the imported roadmap (`gantt.render`), all in one batch. The tasks must be identical: names,
sections, ids the chart gave, start, end, drawn end, milestone/vert/done/active/crit. Where the
original chart had a silent Mermaid bug, the table INTENDED states the difference the import
makes on purpose, old value and new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, SEED, chart_lines
from mermaid import compile_many

from pages_roadmap import roadmap as rm
from pages_roadmap.importer import builder as chart_builder
from pages_roadmap.importer import pages as importer
from pages_roadmap.mermaid import render as gantt

CHARTS = sorted((Path(__file__).parent / "charts").glob("*.mmd"))
PAGES = [
    SEED,
    *sorted(CORPUS.glob("*.md")),
]
# The Node harness runs in UTC, and Mermaid starts a task whose `after` id is unknown "today".
TODAY = datetime.now(timezone.utc).date()
# `end` is where the bar ends: Mermaid's renderEndTime when excluded days cut it short, else
# endTime (the generated chart writes that end as a literal date).
KEYS = ("task", "section", "start", "end", "milestone", "vert", "done", "active")
KEYS += ("crit",)
AUTO_ID = re.compile(r"^task\d+$")


def chart_cases() -> list[tuple[str, str]]:
    """(name, chart text) of every chart: the .mmd files, then each fence of each page."""
    cases = [(p.name, p.read_text(encoding="utf-8")) for p in CHARTS]
    for page in PAGES:
        fences, _ = importer.find_charts(page.read_text(encoding="utf-8"), page.name)
        for n, fence in enumerate(fences, 1):
            cases.append((f"{page.name}#{n}", "".join(f"{line.text}\n" for line in fence.lines)))
    return cases


CASES = chart_cases()


def when(text: str) -> str:
    """'2025-01-27', '2025-01-27 06:00', 'today' or 'today+3d' as the harness writes times."""
    m = re.fullmatch(r"today(?:\+(\d+)d)?", text)
    if m:
        moment = datetime.combine(TODAY + timedelta(days=int(m[1] or 0)), datetime.min.time())
    else:
        moment = datetime.fromisoformat(text)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000")


@dataclass(frozen=True)
class Intended:
    """What the import changes on purpose, and why (the warning it gives)."""

    why: str
    added: tuple[str, ...] = ()  # tasks Mermaid never drew
    renamed: dict[str, str] = field(default_factory=dict)  # Mermaid's name -> imported name
    changed: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)  # by new name
    duplicates: tuple[str, ...] = ()  # ids only the first task keeps
    ids: dict[str, str] = field(default_factory=dict)  # imported name -> id (Mermaid's differs)
    config: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    title: tuple[str, str] | None = None


def moved(start: tuple[str, str], end: tuple[str, str]) -> dict[str, tuple[Any, Any]]:
    return {"start": (when(start[0]), when(start[1])), "end": (when(end[0]), when(end[1]))}


QUARTER = {"tickInterval": ("1quarter", "3month")}
INTENDED: dict[str, Intended] = {
    # A roadmap is made of days: durations finer than a day count in days, rounded like a day
    # count (6h and 90m are 0 days, 12h is 1, 36h is 2), and the chart carries midnights.
    "date-format-hours.mmd": Intended(
        "durations in hours and minutes count in whole days",
        changed={
            "Freeze writes": moved(
                ("2025-11-15", "2025-11-15"), ("2025-11-15 06:00", "2025-11-15")
            ),
            "Copy database": moved(
                ("2025-11-15 06:00", "2025-11-15"), ("2025-11-15 18:00", "2025-11-16")
            ),
            "Switch DNS": moved(("2025-11-16", "2025-11-16"), ("2025-11-16 01:30", "2025-11-16")),
            "Monitor": moved(
                ("2025-11-16 01:30", "2025-11-16"), ("2025-11-18 01:30", "2025-11-18")
            ),
        },
    ),
    "durations.mmd": Intended(
        "36h counts as 2 days",
        changed={"Hours": moved(("2025-01-31", "2025-01-31"), ("2025-02-01 12:00", "2025-02-02"))},
    ),
    # The chart carries exclusive literal ends, so it no longer needs Mermaid's setting.
    "inclusive-end-dates.mmd": Intended(
        "ends written exclusive", config={"inclusiveEndDates": (True, False)}
    ),
    "quarter-ticks.mmd": Intended("I201: 1quarter is ignored; 3month", config=QUARTER),
    "click-links.mmd": Intended(
        "I209: links are kept in the data, not drawn",
        config={
            "links": (
                {
                    "l1": "https://github.com/example/app/issues/101",
                    "l2": "https://github.com/example/app/milestone/7",
                    "l3": "https://github.com/example/app/milestone/7",
                },
                {},
            )
        },
    ),
    "colon-name.mmd": Intended(
        "I205: Mermaid cuts names at ':' and its ids become 'design :a1'; full names, ids a1, a2",
        renamed={"Phase 1": "Phase 1: design", "Phase 2": "Phase 2: build"},
        ids={"Phase 1: design": "a1", "Phase 2: build": "a2"},
        changed={"Phase 2: build": moved(("today", "2025-01-27"), ("today+42d", "2025-03-10"))},
    ),
    "end-before-start.mmd": Intended(
        "I206: end before start, no bar; dates swapped",
        changed={"Crowdfunding": moved(("2026-12-01", "2026-04-01"), ("2026-04-01", "2026-12-01"))},
    ),
    "keyword-names.mmd": Intended(
        "I204: 'Title page' became the title, 'Section review' a section; both are tasks",
        added=('"Title page"', '"Section review"'),
        changed={
            "Print": {
                "section": ("review          :w3, after w2, 1w", "Writing"),
                **moved(("today", "2025-03-12"), ("today+3d", "2025-03-15")),
            }
        },
        title=("page              :w2, after w1, 2d", "Annual report"),
    ),
    "no-date-format.mmd": Intended(
        "I211: without dateFormat Mermaid cannot read end dates (zero length); end date kept",
        changed={
            "Brainstorm": {"end": (when("2025-04-01"), when("2025-04-04"))},
            "Prototype": moved(("2025-04-01", "2025-04-04"), ("2025-04-08", "2025-04-11")),
        },
    ),
    "percent-name.mmd": Intended(
        "I203: '5% buffer' is dropped as a comment; restored as '5 % buffer'",
        added=("5 % buffer",),
        changed={"Release": moved(("today", "2025-02-10"), ("today", "2025-02-10"))},
    ),
    "unknown-after.mmd": Intended(
        "I207: 'after Spec' is unknown (start today); read as 'spec'; 'qa' skipped as Mermaid does",
        changed={
            "Implementation": moved(("today", "2025-06-16"), ("today+28d", "2025-07-14")),
            "Review": moved(("today+28d", "2025-07-14"), ("today+35d", "2025-07-21")),
        },
    ),
    "os2borgerpc-roadmap.md#1": Intended("I201", config=QUARTER),
    "OS2borgerpc__talentudvikling__produktudvikling2025.md#1": Intended(
        "I201, and I206: one task ends before it starts",
        config=QUARTER,
        changed={
            "Sekretariatshjælp til crowdfunding": moved(
                ("2026-12-01", "2026-04-01"), ("2026-04-01", "2026-12-01")
            )
        },
    ),
    "OS2display__OS2display_roadmap.md#1": Intended(
        "I201, and I208: 17 milestones with the id a1", config=QUARTER, duplicates=("a1",)
    ),
    "OS2forms__Oprindelig-releasplan2025.md#1": Intended("I208", duplicates=("des2", "a5")),
    "OS2forms__gantt.md#1": Intended("I208", duplicates=("des6",)),
    "fagligenetværk__produktforvaltere__produktforvaltere.md#1": Intended(
        "I201, I208", config=QUARTER, duplicates=("v1", "v2", "v3", "des1")
    ),
    "fagligenetværk__produktforvaltere__produktforvaltere.md#2": Intended(
        "I208", duplicates=("des1",)
    ),
    "duplicate-ids.mmd": Intended(
        "I208: 'after r1' means the last r1, which keeps the link as r1-3",
        duplicates=("r1",),
        ids={"Release 1.2": "r1-3"},
    ),
}


def imported_chart(name: str, text: str) -> str:
    result = chart_builder.read_chart(chart_lines(text), name, TODAY)
    assert [f for f in result.findings if f.is_error] == [], name
    assert result.data is not None
    return gantt.render(rm.from_data("imported", result.data), TODAY)


@pytest.fixture(scope="module")
def compiled() -> dict[str, tuple[dict[str, Any], dict[str, Any], str]]:
    regenerated = [imported_chart(name, text) for name, text in CASES]
    results = compile_many([text for _, text in CASES] + regenerated)
    n = len(CASES)
    return {name: (results[i], results[n + i], regenerated[i]) for i, (name, _) in enumerate(CASES)}


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {key: task[key] for key in (*KEYS, "id")} | {"end": task["renderEnd"] or task["end"]}
        for task in result["tasks"]
    ]


def expected_rows(original: list[dict[str, Any]], intended: Intended) -> list[dict[str, Any]]:
    """The original's tasks with the intended changes applied (old values checked on the way)."""
    out = []
    seen: dict[str, int] = {}
    for row in original:
        row = dict(row)
        row["task"] = intended.renamed.get(row["task"], row["task"])
        for key, (old, new) in intended.changed.get(row["task"], {}).items():
            assert row[key] == old, (row["task"], key)
            row[key] = new
        if AUTO_ID.match(row["id"]):
            row["id"] = None  # Mermaid's own numbering: the import may give an id or not
        elif row["id"] in intended.duplicates:
            seen[row["id"]] = seen.get(row["id"], 0) + 1
            if seen[row["id"]] > 1:
                row["id"] = ("not", row["id"])  # only the first keeps a duplicate id
        row["id"] = intended.ids.get(row["task"], row["id"])
        out.append(row)
    return out


@pytest.mark.parametrize("name", [name for name, _ in CASES])
def test_mermaid_draws_the_same_chart(
    name: str, compiled: dict[str, tuple[dict[str, Any], dict[str, Any], str]]
) -> None:
    original, new, text = compiled[name]
    intended = INTENDED.get(name, Intended("no change"))
    assert (new["ok"], new["error"], new["warnings"]) == (True, None, []), text
    assert original["ok"], original["error"]
    got = [row for row in rows(new) if row["task"] not in intended.added]
    assert sorted(row["task"] for row in rows(new) if row not in got) == sorted(intended.added)
    want = expected_rows(rows(original), intended)
    assert [{k: r[k] for k in KEYS} for r in got] == [{k: r[k] for k in KEYS} for r in want]
    for have, should in zip(got, want, strict=True):
        if isinstance(should["id"], tuple):
            assert have["id"] != should["id"][1], have["task"]
        elif should["id"] is not None:
            assert have["id"] == should["id"], have["task"]
    title = intended.title or (original["title"], original["title"])
    assert (original["title"], new["title"]) == title
    old_config, new_config = dict(original["config"]), dict(new["config"])
    for key, (old, now) in intended.config.items():
        assert (old_config.pop(key), new_config.pop(key)) == (old, now)
    old_config.pop("dateFormat")  # dates are compared above; the import writes YYYY-MM-DD
    assert new_config.pop("dateFormat") == "YYYY-MM-DD"
    assert new_config == old_config


def test_every_intended_difference_names_a_chart() -> None:
    assert set(INTENDED) <= {name for name, _ in CASES}


# Every construct the importer reads, and a chart of the corpus that uses it.
CONSTRUCTS = {
    "title": r"^\s*title ",
    "dateFormat DD.MM.YYYY": r"dateFormat DD\.MM\.YYYY",
    "dateFormat YYYYMMDD": r"dateFormat YYYYMMDD",
    "dateFormat D/M/YY": r"dateFormat D/M/YY",
    "dateFormat with HH:mm": r"dateFormat YYYY-MM-DD HH:mm",
    "axisFormat": r"axisFormat ",
    "tickInterval": r"tickInterval 2week",
    "excludes, repeated": r"excludes weekends\n\s*excludes ",
    "includes": r"includes ",
    "weekday": r"weekday monday",
    "weekend": r"weekend friday",
    "todayMarker": r"todayMarker off",
    "inclusiveEndDates": r"inclusiveEndDates",
    "front matter displayMode": r"displayMode: compact",
    "front matter topAxis": r"topAxis: true",
    "front matter title": r"^---\ntitle: ",
    "sections": r"section ",
    "tags done/active/crit": r":done, crit,.*\n.*:active, crit,",
    "milestone": r":milestone,",
    "vert marker": r":vert,",
    "ids": r":[a-z]\w*, \d{4}-",
    "durations (all units)": r"1\.5d[\s\S]*2w[\s\S]*1M[\s\S]*1y[\s\S]*36h[\s\S]*86400s[\s\S]*ms",
    "minutes": r", 90m",
    "after with several ids": r"after rew des",
    "until": r"until go",
    "no start (previous end)": r":2w\n",
    "%% comments": r"%% ",
    "entity escapes #58; #35; #59;": r"#58;[\s\S]*#35;[\s\S]*#59;",
    "named/numeric entities": r"#amp;[\s\S]*#169;",
    "accTitle": r"accTitle: ",
    "accDescr one line": r"accDescr: ",
    "accDescr block": r"accDescr \{",
    "click href": r'click l1 href "',
    "1quarter": r"tickInterval 1quarter",
    "trailing commas": r"vert, v1, 2025-03-01,\n",
    "% name": r"5% buffer",
    "keyword names": r"Title page",
    "':' in a name": r"Phase 1: design",
    "end before start": r"2026-12-01, 2026-04-01",
    "unknown after id": r"after Spec",
    "duplicate ids": r":r1,[\s\S]*:r1,",
    "no dateFormat": r"\A(?:(?!dateFormat)[\s\S])*\Z",
}


@pytest.mark.parametrize("construct", list(CONSTRUCTS))
def test_the_corpus_uses_every_construct(construct: str) -> None:
    pattern = re.compile(CONSTRUCTS[construct], re.MULTILINE)
    assert any(pattern.search(p.read_text(encoding="utf-8")) for p in CHARTS), construct


def test_corpus_size() -> None:
    assert len(CHARTS) >= 15
    assert len(CASES) >= len(CHARTS) + 7  # the seed page and the six corpus charts
