"""The job summary of a build: each chart that changes, drawn by GitHub, and its diff (pure)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pages_roadmap.page import find_regions, split

__all__ = ["ChartChange", "changed_charts", "render_charts"]


@dataclass(frozen=True)
class ChartChange:
    path: str
    roadmap_id: str
    line: int  # 1-based line of the start marker in the new page
    old: str  # the text between the markers, before and after (newlines as "\n")
    new: str


def _blocks(text: str, path: str) -> list[tuple[str, int, str]]:
    page = split(text)
    regions, _ = find_regions(page, path)
    return [
        (r.name, r.start_line, text[r.content_start : r.content_end].replace("\r\n", "\n"))
        for r in regions
    ]


def changed_charts(path: str, old: str, new: str) -> list[ChartChange]:
    """The managed blocks whose chart differs between two versions of a page.

    `build` changes the text between markers and never the markers themselves, so the blocks of
    the two versions pair up in order. A change outside the blocks (a stamp) is not a chart.
    """
    before, after = _blocks(old, path), _blocks(new, path)
    if len(before) != len(after):
        return []
    return [
        ChartChange(path, name, line, old_text, new_text)
        for (_, _, old_text), (name, line, new_text) in zip(before, after, strict=True)
        if old_text != new_text
    ]


def _fence_for(text: str) -> str:
    """A backtick fence longer than any run of backticks in text."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def render_charts(changes: Sequence[ChartChange]) -> str:
    """Markdown for `$GITHUB_STEP_SUMMARY`: GitHub renders the mermaid fences as charts."""
    out = ["## Charts a build would change\n\n"]
    if not changes:
        out.append("No chart would change.\n")
    for c in changes:
        out.append(f"### `{c.path}` line {c.line}: roadmap `{c.roadmap_id}`\n\n")
        out.append(c.new if c.new.endswith("\n") or not c.new else c.new + "\n")
        diff = "".join(
            difflib.unified_diff(
                c.old.splitlines(keepends=True),
                c.new.splitlines(keepends=True),
                "before",
                "after",
                n=1,
            )
        )
        fence = _fence_for(diff)
        out.append(
            f"\n<details><summary>What changes</summary>\n\n{fence}diff\n{diff}"
            f"{'' if diff.endswith(chr(10)) else chr(10)}{fence}\n\n</details>\n\n"
        )
    return "".join(out)
