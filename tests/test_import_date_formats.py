"""Every dateFormat Mermaid accepts, also those without a year, month or day.

dayjs fills in what a format lacks from the day the chart is drawn (no year: this year; no
month: January with a year, else this month; no day: the 1st, or today). The import writes the
dates Mermaid draws on the import day and, where the chart moves with the calendar, says so
(I219). The oracle is Mermaid itself: the original chart compiled today, with no cache (its
dates depend on the day), against the chart the import generates with --today = today (UTC,
the harness's zone).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, run_cli, write_tree
from mermaid import compile_many

from pages_roadmap.page import find_regions, split

TODAY = datetime.now(timezone.utc).date()

# (dateFormat, two starts and ends in it, how often the chart moves: None, or the warning)
FORMATS = [
    ("MM-DD", ("03-02", "03-10", "04-01", "04-15"), "every January"),
    ("DD/MM", ("02/03", "10/03", "01/04", "15/04"), "every January"),
    ("D.M", ("2.3", "10.3", "1.4", "15.4"), "every January"),
    ("DD", ("02", "05", "06", "09"), "every month"),
    ("YYYY-MM", ("2025-03", "2025-05", "2025-06", "2025-09"), None),
    ("YYYY", ("2024", "2025", "2025", "2026"), None),
    ("MM", ("03", "05", "06", "09"), "every January"),
]


def imported(root: Path, fmt: str, dates: tuple[str, str, str, str]) -> tuple[str, str, Run]:
    """The chart, the chart the import generates from it, and the import's run."""
    a, b, c, d = dates
    chart = (
        f"gantt\n    dateFormat {fmt}\n    section S\n    One :{a}, {b}\n"
        f"    Two :x, {c}, {d}\n    Three :after x, 2d\n"
    )
    write_tree(root, {"_config.yml": "title: t\n", "p.md": f"```mermaid\n{chart}```\n"})
    result = run_cli(
        "import", "--root", str(root), str(root / "p.md"), "--today", TODAY.isoformat()
    )
    assert result.code == 0, result.out
    text = (root / "p.md").read_text(encoding="utf-8")
    (region,), _ = find_regions(split(text), "p.md")
    generated = text[region.content_start : region.content_end]
    return chart, generated.split("```mermaid\n", 1)[1].rsplit("```", 1)[0], result


@pytest.fixture(scope="module")
def compiled(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Run, dict[str, Any], dict[str, Any]]]:
    """Every format imported, and both charts of each compiled in one batch (no cache)."""
    runs, texts = {}, []
    for fmt, dates, _ in FORMATS:
        chart, generated, result = imported(tmp_path_factory.mktemp("fmt"), fmt, dates)
        runs[fmt] = result
        texts += [chart, generated]
    results = compile_many(texts, use_cache=False)
    return {
        fmt: (runs[fmt], results[2 * i], results[2 * i + 1])
        for i, (fmt, _, _) in enumerate(FORMATS)
    }


@pytest.mark.parametrize(
    ("fmt", "moves"), [(f[0], f[2]) for f in FORMATS], ids=[f[0] for f in FORMATS]
)
def test_partial_date_formats_import_what_mermaid_draws_today(
    compiled: dict[str, tuple[Run, dict[str, Any], dict[str, Any]]], fmt: str, moves: str | None
) -> None:
    result, old, new = compiled[fmt]
    warned = [line for line in result.out.splitlines() if " I219 " in line]
    if moves is None:
        assert warned == []
    else:
        assert len(warned) == 1 and f"the chart moved {moves}" in warned[0], result.out
        assert f"on {TODAY.isoformat()}" in warned[0]
    assert old["ok"] and new["ok"], (old["error"], new["error"])
    keys = ("task", "start", "end")
    assert [[t[k] for k in keys] for t in new["tasks"]] == [
        [t[k] for k in keys] for t in old["tasks"]
    ]
