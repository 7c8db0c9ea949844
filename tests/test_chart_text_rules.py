"""Table-driven: what reaches a chart is refused exactly when Mermaid would misread it (issue 12).

Each row is a roadmap field, a value, and the finding `check` gives (None: accepted). The rows
Mermaid can show are also compiled with both Mermaid versions: an accepted value comes back as
written, a refused one does not.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st
from mermaid import VERSIONS, compile_many

from pages_roadmap.load import roadmap_from_text
from pages_roadmap.roadmap import JS_KEYS, TAG_WORDS
from pages_roadmap.site import Settings, Site

SITE = Site(REPO, {}, Settings())


def doc(**over: Any) -> dict[str, Any]:
    item = {"task": "A", "id": "a", "start": "2025-01-01", "end": "2025-01-03"}
    item |= over.pop("item", {})
    section = {
        "name": "S",
        "items": [item, {"task": "B", "id": "b", "start": "2025-01-02", "duration": "1d"}],
    }
    section |= over.pop("section", {})
    return {"sections": [section], **over}


def codes(data: dict[str, Any]) -> list[str]:
    loaded = roadmap_from_text(json.dumps(data), "r.yml", "r", SITE)
    return sorted({f.code for f in loaded.findings if f.is_error})


WEEKDAYS = ["weekends", "monday", "tuesday", "wednesday", "thursday", "friday"]
BREAKS = ["\r", "\n", "\u2028", "\u2029", "\u0085", "\v", "\f"]
TEXT_ROWS: list[tuple[str, dict[str, Any], list[str]]] = [
    *((f"name U+{ord(b):04X}", {"item": {"task": f"A{b}B"}}, ["R111"]) for b in BREAKS),
    *((f"section U+{ord(b):04X}", {"section": {"name": f"S{b}T"}}, ["R111"]) for b in BREAKS),
    *((f"title U+{ord(b):04X}", {"title": f"T{b}U"}, ["R111"]) for b in BREAKS),
    ("description CR", {"description": "a\rb"}, ["R111"]),
    ("description LF (block form)", {"description": "a\nb"}, []),
    ("BOM in name", {"item": {"task": "A\ufeffB"}}, ["R111"]),
    ("BOM in title", {"title": "\ufeffT"}, ["R111"]),
    ("%% in name", {"item": {"task": "A %% B"}}, ["R111"]),
    ("%%{ in section", {"section": {"name": "S %%{init: {}}%%"}}, ["R111"]),
    ("%%{ in description", {"description": "d %%{ x"}, ["R111"]),
    ("leading space before %", {"item": {"task": " %x"}}, ["R109"]),
    ("blank name", {"item": {"task": "   "}}, ["R109"]),
    ("blank section", {"section": {"name": " "}}, ["R109"]),
    ("# in axis_format", {"chart": {"axis_format": "%d #%m"}}, ["R111"]),
    ("; in axis_format", {"chart": {"axis_format": "%d;%m"}}, ["R111"]),
    ("; in today_marker", {"chart": {"today_marker": "stroke:red;opacity:1"}}, ["R111"]),
    ("# in today_marker", {"chart": {"today_marker": "stroke:#f00"}}, ["R111"]),
    ("Liquid in name", {"item": {"task": "A {{ x }}"}}, ["R110"]),
    ("Liquid in title", {"title": "{% raw %}"}, ["R110"]),
    ("Liquid in today_marker", {"chart": {"today_marker": "{{x}}"}}, ["R110"]),
    ("fence in name", {"item": {"task": "A ``` B"}}, ["R111"]),
    ("tildes in description", {"description": "~~~"}, ["R111"]),
    ("HTML in name", {"item": {"task": '<a href="x">a & b</a>'}}, []),
    ("entity text in title", {"title": "#58; stays"}, []),
    ("year 999", {"item": {"start": "0999-12-30"}}, ["R119"]),
    ("year 1000", {"item": {"start": "1000-01-01"}}, []),
    ("until before start", {"item": {"end": None, "until": "b", "start": "2025-01-05"}}, ["R120"]),
    ("every weekday excluded", {"chart": {"excludes": WEEKDAYS}}, ["R114"]),
    ("every weekday excluded, includes",
     {"chart": {"excludes": WEEKDAYS, "includes": ["2025-01-02", "2025-01-03"]}}, []),
    *((f"id {w!r}", {"item": {"id": w}}, ["R108"]) for w in sorted(TAG_WORDS | JS_KEYS)),
    ("id Done (tags are case-sensitive)", {"item": {"id": "Done"}}, []),
    ("id task1", {"item": {"id": "task1"}}, ["R108"]),
]  # fmt: skip


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    for item in data["sections"][0]["items"]:
        for key in [k for k, v in item.items() if v is None]:
            del item[key]
    return data


@pytest.mark.parametrize(
    ("data", "want"), [(r[1], r[2]) for r in TEXT_ROWS], ids=[r[0] for r in TEXT_ROWS]
)
def test_check_refuses_exactly_these(data: dict[str, Any], want: list[str]) -> None:
    assert codes(_clean(doc(**json.loads(json.dumps(data))))) == want


# Mermaid's side of some rows: the text as it would stand in the chart, unescaped. (U+2028 and
# U+2029 come back as written from Mermaid's parser; they are refused because YAML, Markdown
# renderers and JavaScript string handling treat them as line ends.)
H = "gantt\n    dateFormat YYYY-MM-DD\n    section S\n"
# (row, chart, the (name, section, id) the data means)
MERMAID_ROWS = [
    ("bare CR", H + "    A\rB :a, 2025-01-01, 2025-01-03\n", ("A\rB", "S", "a")),
    ("BOM", H + "    \ufeffA :a, 2025-01-01, 2025-01-03\n", ("\ufeffA", "S", "a")),
    ("%%{ in section",
     "gantt\n    dateFormat YYYY-MM-DD\n    section S %%{init: {}}%%\n"
     "    A :a, 2025-01-01, 2025-01-03\n", ("A", "S %%{init: {}}%%", "a")),
    ("tag word id", H + "    A :done, 2025-01-01, 2025-01-03\n", ("A", "S", "done")),
]  # fmt: skip


@pytest.mark.parametrize("version", list(VERSIONS))
def test_mermaid_misreads_what_check_refuses(version: str) -> None:
    results = compile_many([text for _, text, _ in MERMAID_ROWS], version)
    for (name, _, meant), result in zip(MERMAID_ROWS, results, strict=True):
        got = [(t["task"], t["section"], t["id"]) for t in result["tasks"]]
        assert not (result["ok"] and got == [meant]), (name, result)


def _name_problem_rule_by_rule(text: str) -> str | None:
    """name_problem before its rules were joined in one expression (the oracle)."""
    from pages_roadmap.mermaid.grammar import LEXER_RULES
    from pages_roadmap.text import as_mermaid_lexes

    if not text.strip():
        return "a blank name draws nothing"
    if text != text.strip(" \t"):
        return "Mermaid drops spaces at the start and end of a name"
    lexed = as_mermaid_lexes(text) + " :"
    for rule, what in LEXER_RULES:
        if rule.match(lexed):
            return f"Mermaid's lexer reads a line starting like this as {what}, not as a name"
    return None


_WORDS = [
    "section",
    "title",
    "dateFormat",
    "excludes",
    "todayMarker",
    "accTitle",
    "accDescr",
    "%%",
    "%%{",
    "click",
    "vert",
    "weekend",
    "inclusiveEndDates",
    "axisFormat",
    "tickInterval",
    "topAxis",
    "weekday",
    "Plan",
    "a",
    ":",
    "#",
    ";",
    "{",
    " ",
    "\t",
    "x",
]


@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5))
@settings(max_examples=600, derandomize=True, deadline=None)
def test_the_joined_lexer_rules_refuse_exactly_what_the_rules_do(words: list[str]) -> None:
    from pages_roadmap.roadmap import name_problem

    for text in ("".join(words), " ".join(words)):
        assert name_problem(text) == _name_problem_rule_by_rule(text)
