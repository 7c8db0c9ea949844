"""Properties of `build` on arbitrary pages: no byte outside the managed regions changes, and
building twice equals building once."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pages_roadmap.build import build_page
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
    regions, problems = find_regions(split(text), "p.md")
    assert problems == []
    pieces, pos = [], 0
    for region in regions:
        pieces.append(text[pos : region.content_start])
        pos = region.end_marker_end
    pieces.append(text[pos:])
    return pieces


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
