"""Ids people can maintain: inserting a task changes the lines of that task and its dependents.

The same hand-written chart is imported with and without one more task, and the two results
are compared line by line: the YAML differs only by the new item, and the generated chart only
in the new task's line and the lines of the items whose dates follow from it. No id is
positional, so no other line moves.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from conftest import run_cli, write_tree

from pages_roadmap.page import find_regions, split

CHART = [
    "gantt",
    "    dateFormat YYYY-MM-DD",
    "    section One",
    "    Plan :2025-01-06, 5d",
    "    Build :10d",
    "    Review :r, 2025-02-03, 3d",
    "    section Two",
    "    Write docs :2025-01-06, 2025-01-20",
    "    Ship :milestone, after r, 0d",
    "    Party :2025-03-01, 1d",
    "    Clean up :2d",
]


def imported(tmp_path: Path, name: str, chart: list[str]) -> tuple[list[str], list[str]]:
    """The roadmap YAML and the generated chart's lines of one import."""
    root = tmp_path / name
    page = "```mermaid\n" + "\n".join(chart) + "\n```\n"
    write_tree(root, {"_config.yml": "title: t\n", "plan.md": page})
    result = run_cli("import", "--root", str(root), str(root / "plan.md"), "--today", "2026-01-01")
    assert result.code == 0, result.out
    yaml = (root / "_roadmaps/plan.yml").read_text(encoding="utf-8").splitlines()
    text = (root / "plan.md").read_text(encoding="utf-8")
    (region,), _ = find_regions(split(text), "plan.md")
    return yaml, text[region.content_start : region.content_end].splitlines()


def changed(old: list[str], new: list[str]) -> tuple[list[str], list[str]]:
    """The lines removed and added between two texts."""
    diff = list(difflib.unified_diff(old, new, n=0, lineterm=""))[2:]
    gone = [line[1:] for line in diff if line.startswith("-")]
    came = [line[1:] for line in diff if line.startswith("+")]
    return gone, came


@pytest.mark.parametrize(
    ("after", "task", "moved"),
    [
        # Before a task that starts where the previous one ends: that task moves, nothing else.
        (3, "    Extra :2025-01-08, 2d", ["    Build :2025-01-10, 2025-01-20"]),
        # Before a task with its own dates: only the new line.
        (8, "    Extra :2025-02-20, 2d", []),
        # At the end of a section, before a task chained to the previous item: it moves.
        (9, "    Extra :2025-03-10, 2d", ["    Clean up :2025-03-12, 2025-03-14"]),
        # A new first task of the chart.
        (2, "    Kick-off :2025-01-01, 1d", []),
    ],
)
def test_inserting_a_task_changes_only_it_and_its_dependents(
    tmp_path: Path, after: int, task: str, moved: list[str]
) -> None:
    old_yaml, old_chart = imported(tmp_path, "old", CHART)
    new_yaml, new_chart = imported(
        tmp_path, "new", [*CHART[: after + 1], task, *CHART[after + 1 :]]
    )
    name, _, _ = task.strip().partition(" :")
    gone, came = changed(old_yaml, new_yaml)
    assert gone == []
    assert [line for line in came if "task:" in line] == [f"      - task: {name}"]
    assert all(not line.startswith("      - ") or "task:" in line for line in came)
    gone, came = changed(old_chart, new_chart)
    dates = {line.split(" :")[0]: line for line in came}
    assert [line.split(" :")[0] for line in gone] == [m.split(" :")[0] for m in moved]
    assert sorted(came) == sorted([dates[f"    {name}"], *moved])


def test_generated_ids_come_from_the_name_and_exist_only_where_referred_to(
    tmp_path: Path,
) -> None:
    chart = [
        "gantt",
        "    dateFormat YYYY-MM-DD",
        "    section S",
        "    Design review :2025-01-06, 5d",
        "    Design review :2025-01-20, 5d",
        "    Build :milestone, 0d",
        "    Test :2025-02-03, 2d",
    ]
    yaml, lines = imported(tmp_path, "ids", chart)
    # The milestone without a start needs the task before it: that task gets an id from its
    # name (the first 'Design review' has none: nothing refers to it).
    assert [line.strip() for line in yaml if line.strip().startswith(("id:", "after:"))] == [
        "id: design-review",
        "after: design-review",
    ]
    assert [line.strip() for line in lines if " :" in line] == [
        "Design review :2025-01-06, 2025-01-11",
        "Design review :design-review, 2025-01-20, 2025-01-25",
        "Build :milestone, 2025-01-25, 0d",
        "Test :2025-02-03, 2025-02-05",
    ]
