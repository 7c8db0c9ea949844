"""The YAML writer: what it writes reads back as the same data, in a stable, readable form."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pages_roadmap.importer.yamlwrite import Comment, emit, scalar
from pages_roadmap.yamlload import load

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
dates = st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}")
ids = st.from_regex(r"\A[A-Za-z0-9_-]{1,8}\Z")
id_lists = st.one_of(ids, st.lists(ids, min_size=1, max_size=3))
comments = st.lists(texts, max_size=2)


@st.composite
def items(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["task", "milestone", "marker"]))
    item: dict[str, Any] = {kind: draw(texts)}
    optional = {
        "id": ids,
        "start" if kind == "task" else "date": dates,
        "after": id_lists,
        "end": dates,
        "duration": st.from_regex(r"\A[0-9]{1,3}(ms|[smhdwMy])\Z"),
        "until": id_lists,
        "status": st.sampled_from(["auto", "done", "active", "planned"]),
        "crit": st.booleans(),
        "owner": texts,
        "link": texts,
        "note": texts,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            item[key] = draw(strategy)
    return item


charts = st.fixed_dictionaries(
    {},
    optional={
        "axis_format": texts,
        "tick_interval": texts,
        "excludes": st.lists(st.one_of(dates, texts), max_size=3),
        "includes": st.lists(dates, max_size=3),
        "weekend": st.sampled_from(["saturday", "friday"]),
        "today_marker": st.one_of(st.booleans(), texts),
        "inclusive_end_dates": st.booleans(),
        "top_axis": st.booleans(),
        "auto_status": st.booleans(),
    },
)
sections = st.fixed_dictionaries(
    {"items": st.lists(items(), min_size=1, max_size=3)}, optional={"name": texts}
)
roadmaps = st.fixed_dictionaries(
    {"sections": st.lists(sections, min_size=1, max_size=3)},
    optional={
        "title": texts,
        "description": st.text(max_size=60),
        "acc_title": texts,
        "chart": charts,
        "notes": st.lists(st.text(max_size=60), max_size=3),
    },
)


@settings(max_examples=300, deadline=None)
@given(roadmaps, comments)
def test_emit_reads_back_as_the_same_data(data: dict[str, Any], header: list[str]) -> None:
    text = emit(data, {("sections", 0): Comment(("a comment",), "at the end")}, header=header)
    assert load(text, "x.yml").data == data


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["note", "task", "x"]), texts, min_size=1), comments)
def test_comments_never_change_the_data(data: dict[str, Any], lines: list[str]) -> None:
    notes = {(key,): Comment(tuple(lines), lines[0] if lines else None) for key in data}
    assert load(emit(data, notes), "x.yml").data == data


def test_readable_block_form_in_readme_order() -> None:
    data = {
        "sections": [
            {
                "items": [
                    {"crit": True, "date": "2025-10-01", "id": "po", "milestone": "PO appointed"},
                    {"task": "2025-01-01", "after": ["po", "x"], "duration": "10d"},
                ],
                "name": "Milestones",
            }
        ],
        "chart": {"auto_status": False, "tick_interval": "3month", "excludes": ["weekends"]},
        "notes": ["multi\nline"],
        "title": "Roadmap: 2025",
    }
    comments = {
        ("chart", "tick_interval"): Comment(after="was 1quarter"),
        ("sections", 0, "items", 1): Comment(("I208: renamed",)),
    }
    assert emit(data, comments, header=["Imported."]) == (
        "# yaml-language-server: $schema=roadmap.schema.json\n"
        "# Imported.\n"
        "title: 'Roadmap: 2025'\n"
        "chart:\n"
        "  tick_interval: 3month  # was 1quarter\n"
        "  excludes: [weekends]\n"
        "  auto_status: false\n"
        "notes:\n"
        "  - |-\n"
        "    multi\n"
        "    line\n"
        "sections:\n"
        "  - name: Milestones\n"
        "    items:\n"
        "      - milestone: PO appointed\n"
        "        id: po\n"
        "        date: 2025-10-01\n"
        "        crit: true\n"
        "      # I208: renamed\n"
        "      - task: '2025-01-01'\n"
        "        after: [po, x]\n"
        "        duration: 10d\n"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("2025-01-01", "'2025-01-01'"),
        ("yes", "'yes'"),
        ("12:30", "'12:30'"),
        ("%b %Y", "'%b %Y'"),
        ("a\u2028b", '"a\\u2028b"'),
        ("Milepæle", "Milepæle"),
        (True, "true"),
        (3, "3"),
    ],
)
def test_scalars_are_quoted_only_when_needed(value: Any, text: str) -> None:
    assert scalar(value) == text


@given(st.from_regex(r"[A-Za-z][A-Za-z0-9 _.()/-]{0,12}[A-Za-z0-9)]", fullmatch=True))
def test_plain_strings_are_written_as_pyyaml_writes_them(text: str) -> None:
    # The fast path for plain strings must agree with a dump, and read back as the string.
    dumped = yaml.safe_dump(text, allow_unicode=True, width=10**9, default_flow_style=True)
    dumped = dumped.removesuffix("\n...\n").rstrip("\n")
    written = scalar(text)
    assert yaml.safe_load(written) == text
    if written == text:
        assert dumped == text
