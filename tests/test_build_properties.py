"""Properties of `build` on arbitrary pages: no byte outside the managed regions changes, and
building twice equals building once."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pages_roadmap.build import build_page
from pages_roadmap.findings import Finding
from pages_roadmap.load import Roadmaps
from pages_roadmap.page import find_regions, split
from pages_roadmap.site import Settings, Site

ROADMAP = """sections:
  - name: "S: one"
    items:
      - task: "A #1; x"
        id: a
        start: 2025-01-01
        duration: 3d
"""
TODAY = date(2026, 11, 28)
MARKERS = ["<!-- pages-roadmap:gantt plan -->", "<!-- /pages-roadmap:gantt -->"]

# Prose that cannot open a code block or a container (those would turn markers into text).
words = st.text(
    alphabet=st.sampled_from(list("abcxyzÆøå é漢字😀 \t.,:;!?'\"()=%$")), min_size=0, max_size=20
).filter(lambda s: not s.startswith(("    ", "\t", " ")))
lines = st.lists(words, min_size=0, max_size=4)


@st.composite
def pages(draw: st.DrawFn) -> str:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    parts: list[str] = []
    if draw(st.booleans()):
        parts.append(f"---{newline}title: {draw(words)!r}  # comment{newline}---{newline}")
    for _ in range(draw(st.integers(1, 2))):
        parts.append(newline.join(draw(lines)) + newline + newline)
        parts.append(MARKERS[0] + newline + MARKERS[1] + newline)
    tail = newline.join(draw(lines))
    parts.append(newline + tail + (newline if draw(st.booleans()) else ""))
    bom = "\ufeff" if draw(st.booleans()) else ""
    return bom + "".join(parts)


def make_roadmaps(tmp: Path) -> Roadmaps:
    (tmp / "_roadmaps").mkdir(exist_ok=True)
    (tmp / "_roadmaps" / "plan.yml").write_text(ROADMAP, encoding="utf-8")
    return Roadmaps(Site(tmp, {}, Settings()))


def outside(text: str) -> list[str]:
    """The page's text outside the managed regions (content and end marker lines)."""
    pieces, problems = outside_and_problems(text)
    assert problems == []
    return pieces


def outside_and_problems(text: str) -> tuple[list[str], list[Finding]]:
    """The page's text outside the managed regions, and the page's marker problems."""
    regions, problems = find_regions(split(text), "p.md")
    pieces, pos = [], 0
    for region in regions:
        pieces.append(text[pos : region.content_start])
        pos = region.end_marker_end
    pieces.append(text[pos:])
    return pieces, problems


@settings(max_examples=150, deadline=None)
@given(page=pages())
def test_build_changes_nothing_outside_regions_and_is_idempotent(page: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        roadmaps = make_roadmaps(Path(tmp))
        check_page(page, roadmaps)


def check_page(page: str, roadmaps: Roadmaps) -> None:
    once, findings = build_page(page, "p.md", roadmaps, TODAY)
    assert findings == []
    assert outside(once) == outside(page)
    assert once.count("```mermaid") == page.count(MARKERS[0])
    twice, findings = build_page(once, "p.md", roadmaps, TODAY)
    assert (twice, findings) == (once, [])
    newline = "\r\n" if "\r\n" in page else "\n"
    if newline == "\r\n":
        assert "\n" not in once.replace("\r\n", "")


# --- load.text_size_bound: never below the chart's real size ------------------------------------

ROOT = Path(__file__).resolve().parent.parent
ROADMAP_FILES = sorted(
    [
        *(ROOT / "tests/golden").glob("*/roadmap.yml"),
        *(ROOT / "tests/roadmaps").glob("*.yml"),
        *(ROOT / "_roadmaps").glob("*.yml"),
    ]
)


def _measured(data: dict[str, object]) -> tuple[int, int]:
    """(the chart's size as check measures it on its longest day, the bound)."""
    from pages_roadmap import roadmap as rm
    from pages_roadmap.load import text_size_bound
    from pages_roadmap.mermaid import render as gantt

    model = rm.from_data("r", data)
    items = sum(1 for _ in model.items())
    size = max(len(gantt.render(model, day)) for day in (date(1, 1, 2), date(9999, 12, 31)))
    return size + 2 * items, text_size_bound(model, data)


def test_the_bound_holds_for_every_roadmap_of_the_tests() -> None:
    from pages_roadmap.yamlload import load

    assert len(ROADMAP_FILES) >= 10
    for file in ROADMAP_FILES:
        data = load(file.read_text(encoding="utf-8"), file.name).data  # as check reads it
        size, bound = _measured(data)
        assert size <= bound, file


escapes = st.text(alphabet=st.sampled_from(list(":#;<>&a漢😀 ")), min_size=1, max_size=60)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    st.lists(escapes, min_size=1, max_size=30),
    escapes,
    st.booleans(),
)
def test_the_bound_holds_for_names_made_of_escapes(
    names: list[str], title: str, with_ids: bool
) -> None:
    items = []
    for n, name in enumerate(names):
        item: dict[str, object] = {"task": name, "duration": "2d"}
        if n == 0:
            item["start"] = "2025-01-01"
        if with_ids:
            item["id"] = f"t{n}"
            if n:
                item["after"] = f"t{n - 1}"
        items.append(item)
    data = {"title": title, "sections": [{"name": title, "items": items}]}
    size, bound = _measured(data)
    assert size <= bound
