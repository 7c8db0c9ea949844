"""The build's job summary: which charts change, drawn as mermaid fences with their diff."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli, write_tree

from pages_roadmap.summary import ChartChange, changed_charts, render_charts

OLD_A = "```mermaid\ngantt\n    A :a, 2025-01-01, 1d\n```\n"
NEW_A = "```mermaid\ngantt\n    A2 :a, 2025-01-01, 1d\n```\n"
B = "```mermaid\ngantt\n    B :b, 2025-01-01, 1d\n```\n"


def page(a: str, b: str = B, stamp: str = "1 Jan", nl: str = "\n") -> str:
    text = (
        f"---\ntitle: T\n---\nUpdated {stamp}\n\n"
        f"<!-- pages-roadmap:gantt one -->\n{a}<!-- /pages-roadmap:gantt -->\n\n"
        f"<!-- pages-roadmap:gantt two -->\n{b}<!-- /pages-roadmap:gantt -->\n"
    )
    return text.replace("\n", nl)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (page(OLD_A), page(OLD_A), []),
        (page(OLD_A), page(OLD_A, stamp="2 Jan"), []),  # a stamp is not a chart
        (page(OLD_A), page(NEW_A), [("one", 6, OLD_A, NEW_A)]),
        (page(""), page(OLD_A), [("one", 6, "", OLD_A)]),  # a block filled the first time
        (page(OLD_A, nl="\r\n"), page(NEW_A, nl="\r\n"), [("one", 6, OLD_A, NEW_A)]),
        (page(OLD_A, ""), page(NEW_A, B), [("one", 6, OLD_A, NEW_A), ("two", 13, "", B)]),
        (page(OLD_A), "no blocks any more\n", []),  # build never does this: nothing to pair
    ],
)
def test_changed_charts(old: str, new: str, expected: list[tuple[str, int, str, str]]) -> None:
    changes = changed_charts("p.md", old, new)
    assert [(c.roadmap_id, c.line, c.old, c.new) for c in changes] == expected


def test_render_charts_draws_the_new_chart_and_fences_the_diff() -> None:
    text = render_charts([ChartChange("docs/p.md", "one", 6, OLD_A, NEW_A)])
    assert text == (
        "## Charts a build would change\n\n"
        "### `docs/p.md` line 6: roadmap `one`\n\n"
        f"{NEW_A}\n"
        "<details><summary>What changes</summary>\n\n"
        "````diff\n--- before\n+++ after\n@@ -2,3 +2,3 @@\n gantt\n"
        "-    A :a, 2025-01-01, 1d\n+    A2 :a, 2025-01-01, 1d\n ```\n"
        "````\n\n</details>\n\n"
    )


def test_render_charts_says_when_nothing_changes() -> None:
    assert render_charts([]) == "## Charts a build would change\n\nNo chart would change.\n"


ROADMAP = """\
title: T
sections:
  - name: S
    items:
      - task: A
        start: 2025-01-01
        end: 2025-01-02
"""


@pytest.mark.parametrize("mode", [(), ("--check",), ("--diff",)])
def test_build_appends_the_summary_in_every_mode(tmp_path: Path, mode: tuple[str, ...]) -> None:
    empty = "<!-- pages-roadmap:gantt one -->\n<!-- /pages-roadmap:gantt -->\n"
    write_tree(tmp_path, {"_roadmaps/one.yml": ROADMAP, "p.md": empty})
    summary = tmp_path / "summary.md"
    summary.write_text("# before\n")
    result = run_cli(
        "build", "--root", str(tmp_path), "--today", "2025-01-01", "--summary", str(summary), *mode
    )
    assert result.code == (0 if not mode else 1)
    text = summary.read_text()
    assert text.startswith("# before\n## Charts a build would change\n\n### `p.md` line 1: ")
    assert "    A :active, 2025-01-01, 2025-01-02\n```\n" in text
    written = (tmp_path / "p.md").read_text() != empty
    assert written == (not mode)  # --check and --diff write nothing
