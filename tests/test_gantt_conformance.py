"""Every chart the generator writes goes through Mermaid's own parser and task compiler.

The example site's roadmaps and a set covering every feature (tests/roadmaps/*.yml) are rendered,
compiled by Mermaid 12 under Node (one process per chart), and each compiled task must equal the
roadmap data: name, section, id, start, end and tags. Mermaid must report no error and no warning.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from mermaid import compile_many

from pages_roadmap.load import roadmap_from_text
from pages_roadmap.mermaid import render as gantt
from pages_roadmap.roadmap import Roadmap, resolve, with_status
from pages_roadmap.site import Settings, Site
from pages_roadmap.yamlload import JsonPath

TODAY = date(2026, 11, 28)
FILES = sorted((REPO / "_roadmaps").glob("*.yml")) + sorted(
    (Path(__file__).parent / "roadmaps").glob("*.yml")
)
SITE = Site(REPO, {}, Settings())


def load(file: Path) -> Roadmap:
    loaded = roadmap_from_text(file.read_text(encoding="utf-8"), file.name, file.stem, SITE)
    assert [f for f in loaded.findings if f.is_error] == []
    assert loaded.roadmap is not None
    return loaded.roadmap


@pytest.fixture(scope="module")
def compiled() -> dict[str, tuple[Roadmap, str, dict[str, Any]]]:
    roadmaps = [load(f) for f in FILES]
    texts = [gantt.render(r, TODAY) for r in roadmaps]
    results = compile_many(texts)
    return {
        f.name: (r, t, res) for f, r, t, res in zip(FILES, roadmaps, texts, results, strict=True)
    }


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def mermaid_ids(roadmap: Roadmap) -> dict[JsonPath, str]:
    """The id Mermaid gives each item: its own, or its automatic `taskN` (N counts the items
    written without an id: the chart writes only the data's own ids)."""
    out: dict[JsonPath, str] = {}
    n = 0
    for _, item in roadmap.items():
        if item.id:
            out[item.path] = item.id
        else:
            n += 1
            out[item.path] = f"task{n}"
    return out


@pytest.mark.parametrize("name", [f.name for f in FILES])
def test_mermaid_compiles_exactly_the_data(
    name: str, compiled: dict[str, tuple[Roadmap, str, dict[str, Any]]]
) -> None:
    roadmap, text, result = compiled[name]
    assert result["ok"], (result["error"], text)
    assert result["warnings"] == [], text
    spans = resolve(roadmap)
    shown = with_status(roadmap, TODAY)
    ids = mermaid_ids(roadmap)
    expected = []
    for section, item in shown.items():
        span = spans[item.path]
        expected.append(
            {
                "id": ids[item.path],
                "task": item.name,
                "section": section.name or "",
                "start": iso(span.start),
                "end": iso(span.drawn_end),
                "milestone": item.kind == "milestone",
                "vert": item.kind == "marker",
                "done": item.kind != "marker" and item.status == "done",
                "active": item.kind != "marker" and item.status == "active",
                "crit": item.crit,
            }
        )
    keys = list(expected[0])
    got = [{k: task[k] for k in keys} for task in result["tasks"]]
    by_id = {t["id"]: t for t in got}
    assert len(got) == len(expected)
    for want in expected:
        assert by_id[want["id"]] == want, text


def test_chart_settings_reach_mermaid(
    compiled: dict[str, tuple[Roadmap, str, dict[str, Any]]],
) -> None:
    config = compiled["display.yml"][2]["config"]
    assert config["displayMode"] == "compact"
    assert config["topAxis"] is True
    assert config["tickInterval"].strip() == "3month"
    excl = compiled["excludes.yml"][2]["config"]
    assert excl["weekday"] == "monday"
    assert excl["axisFormat"].strip() == "%d/%m"
    assert compiled["weekend-friday.yml"][2]["config"]["todayMarker"].strip() == "off"


def test_escaped_names_come_back_verbatim(
    compiled: dict[str, tuple[Roadmap, str, dict[str, Any]]],
) -> None:
    _, text, result = compiled["sections-and-deps.yml"]
    assert "Design#58; API #35;2#59; v1" in text
    assert result["title"] == "Release 2.0: plan #1; draft"
    assert {t["section"] for t in result["tasks"]} == {"", "Phase 1: build", "Phase 2"}


def test_automatic_status_on_a_fixed_day(
    compiled: dict[str, tuple[Roadmap, str, dict[str, Any]]],
) -> None:
    tasks = {t["task"]: t for t in compiled["statuses.yml"][2]["tasks"]}
    state = {
        name: ("done" if t["done"] else "active" if t["active"] else "planned")
        for name, t in tasks.items()
        if not t["vert"]
    }
    assert state == {
        "Finished long ago": "done",
        "Running now": "active",
        "Later": "planned",
        "Today": "active",
        "Tomorrow": "done",
    }


def test_render_is_deterministic() -> None:
    for file in FILES:
        roadmap = load(file)
        assert gantt.render(roadmap, TODAY) == gantt.render(load(file), TODAY)


NAMES = [
    "Weekday monday standup",
    "Weekday planning",
    "weekend friday fun",
    "Title page",
    "Titles",
    "Gantt-update",
    "Click test",
    "Call vendor",
    "5% buffer",
    "%done",
    "Reach 50%",
    "2025-01-01 kickoff",
    "Section review",
    "Sections",
    "topAxis",
    "Phase 2: build #1; x",
    "Excludes weekends",
    "dateFormat x",
    "Deliver title",
    "accDescr {",
    "Milestone 1",
    # Accepted: Mermaid's keyword rules need whitespace (or a word boundary) after the keyword.
    "Title: final report",
    "Section-2 review",
    "Section: intro",
    "Call-center",
    "Click-through",
    "Gantt_chart",
    "Title#1",
    "dateFormat#1",
    "Includes; excludes",
    "weekday mondays",
    "weekend sunday trip",
    "2025-01-0 x",
    "a<b and c>d",
    "R&D #58; literal",
    # Rejected: the lexer reads them as something else.
    "dateFormat #x",
    "todayMarker",  # followed by ' :data', which the statement takes as its value
    "accDescription",
    "Gantt-update",
    "Title x",
    "Section x",
    "excludes x",
    "todayMarker x",
    "tickInterval #1",
    "inclusiveEndDates soon",
    "accTitle: x",
    "accDescr: x",
    'href "x"',
    " padded",
    "padded ",
    "%% comment",
    "a%",
    "weekend saturday trip",
    "20250101 x",
]


@pytest.mark.parametrize("version", ["12.3.0", "11.12.0"])
def test_name_check_agrees_with_mermaid(version: str) -> None:
    """R109 fires exactly for the names Mermaid does not read back as a task of that name."""
    from pages_roadmap.roadmap import name_problem

    charts = [
        "gantt\n    dateFormat YYYY-MM-DD\n    section S\n"
        f"    {gantt.escape(name)} :a1, 2025-01-01, 1d\n    Other :a2, 2025-01-02, 1d\n"
        for name in NAMES
    ]
    disagree = []
    for name, result in zip(NAMES, compile_many(charts, version), strict=True):
        # The harness trims names (SVG collapses padding): a padded name is not read as written.
        read_back = (
            result["ok"]
            and result["warnings"] == []
            and name.strip() == name
            and [t["task"] for t in result["tasks"]] == [name, "Other"]
        )
        if read_back != (name_problem(name) is None):
            disagree.append((name, read_back, name_problem(name)))
    assert disagree == []
