"""Roadmap texts that Liquid, kramdown, HTML or Mermaid could read as code, through the real tools.

For each row, a small site of its own gets a roadmap with the text in one field; `check` runs on
it, and `build` if check passes. Then Debian's Jekyll builds every page that was built (one Jekyll
run for all rows: Liquid renders each page on its own) and headless Chromium opens them. The verdict
of a row is one of:

- REJECTED: `check` exits 1 with an error located at the field's line in the roadmap, with a hint;
- LITERAL: the chart reaches the HTML exactly as the page holds it (Liquid executed nothing), the
  page has no <script> element in its content, no dialog opened, Mermaid drew without an error,
  and the browser shows the field's text exactly as the data has it.

Anything else is unsafe or lossy and fails the row. The expected verdicts are the safe outcomes;
a row whose text `build` writes and the browser then shows differently fails until `check`
rejects it or the chart writes it so that it survives.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import REPO, SCREENSHOTS, require, run_cli

REJECTED = "rejected by check"
LITERAL = "rendered literally"

FIELDS = ("task", "title", "description")


@dataclass(frozen=True)
class Case:
    label: str
    text: str
    expected: dict[str, str]  # field -> verdict

    def ids(self) -> list[str]:
        return [f"{self.label}-{field}" for field in FIELDS]


def _all(verdict: str) -> dict[str, str]:
    return dict.fromkeys(FIELDS, verdict)


CASES = [
    Case("liquid-output", "{{ x }}", _all(REJECTED)),
    Case("liquid-raw-tag", "{% raw %}", _all(REJECTED)),
    Case("liquid-raw-tight", "{%raw%}", _all(REJECTED)),
    Case("html-end-code", "</code>", _all(LITERAL)),
    Case("html-script", "<script>alert(1)</script>", _all(LITERAL)),
    Case("html-comment-end", "-->", _all(LITERAL)),
    Case("mermaid-directive", "%%{init: {}}%%", _all(REJECTED)),
    Case("carriage-return", "a\rb", _all(REJECTED)),
    # The characters Mermaid ends a name at, which the chart writes as entities.
    Case("colon", "Phase 2: build", _all(LITERAL)),
    Case("hash", "issue #12", _all(LITERAL)),
    Case("semicolon", "a; b", _all(LITERAL)),
]
ROWS = [(case, field) for case in CASES for field in FIELDS]


def _value(field: str, case: Case) -> str:
    return f"Before {case.text} after"


def roadmap_yaml(case: Case, field: str) -> tuple[str, int]:
    """The roadmap file, and the line of the field that holds the case's text (JSON strings are
    YAML double-quoted scalars, so any character, '\\r' included, is written exactly)."""
    values = {
        "title": "A plain title",
        "description": "A plain description",
        "task": "A plain task",
    }
    values[field] = _value(field, case)
    lines = [
        f"title: {json.dumps(values['title'])}",
        f"description: {json.dumps(values['description'])}",
        "sections:",
        "  - name: Work",
        "    items:",
        f"      - task: {json.dumps(values['task'])}",
        "        id: t1",
        "        start: 2026-01-05",
        "        end: 2026-01-16",
    ]
    line = {"title": 1, "description": 2, "task": 6}[field]
    return "\n".join(lines) + "\n", line


PAGE = """---
layout: default
title: Case
---

<!-- pages-roadmap:gantt r -->
<!-- /pages-roadmap:gantt -->
"""
CHART = re.compile(r"```mermaid\n(.*?)```\n", re.S)
CODE_BLOCK = re.compile(r'<code class="language-mermaid">(.*?)</code>', re.S)


@dataclass
class Row:
    id: str
    field: str
    data: str
    check: Any
    line: int
    page: str | None = None  # the built page's Markdown, when check passed
    html: str | None = None
    drawn: dict[str, Any] | None = None


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Row]:
    """Every row through check (and build), then one Jekyll run and one browser run for all."""
    import browser
    import jekyll

    require(jekyll.jekyll)
    require(browser.chromium)
    require(browser.node)
    base = tmp_path_factory.mktemp("liquid-safety")
    combined = base / "jekyll-source"
    jekyll.with_test_layout(combined)
    (combined / "_config.yml").write_text(
        "title: Liquid safety\nlang: en\nmermaid:\n  version: '12.3.0'\nexclude: [tests/]\n",
        encoding="utf-8",
    )
    out: dict[str, Row] = {}
    for case, field in ROWS:
        row_id = f"{case.label}-{field}"
        site = base / row_id
        (site / "_roadmaps").mkdir(parents=True)
        (site / "_config.yml").write_text("title: Case\nlang: en\n", encoding="utf-8")
        text, line = roadmap_yaml(case, field)
        (site / "_roadmaps" / "r.yml").write_bytes(text.encode("utf-8"))
        (site / "index.md").write_text(PAGE, encoding="utf-8")
        row = Row(row_id, field, _value(field, case), run_cli("check", "--root", str(site),
                  "--format", "json"), line)
        if row.check.code == 0:
            built = run_cli("build", "--root", str(site), "--no-stamps", "--today", "2026-01-01")
            assert built.code == 0, built.err
            row.page = (site / "index.md").read_text(encoding="utf-8")
            (combined / f"{row_id}.md").write_text(row.page, encoding="utf-8")
        out[row_id] = row
    dest = base / "_site"
    jekyll.build(combined, dest)
    built_rows = [row for row in out.values() if row.page is not None]
    shots = SCREENSHOTS / "liquid-safety"
    shots.mkdir(parents=True, exist_ok=True)
    with browser.serve(dest) as url:
        drawn = browser.draw([(f"{url}/{row.id}.html", shots / row.id) for row in built_rows])
    for row, result in zip(built_rows, drawn, strict=True):
        row.html = (dest / f"{row.id}.html").read_text(encoding="utf-8")
        row.drawn = result
    return out


def shown(row: Row, chart: dict[str, Any]) -> str | None:
    """The text the browser shows for the row's field."""
    if row.field == "title":
        return chart["title"]  # type: ignore[no-any-return]
    if row.field == "description":
        return chart["description"]  # type: ignore[no-any-return]
    texts = [t["text"] for t in chart["tasks"]]
    # Mermaid keeps the space before the ':' that ends a task name.
    return texts[0].strip() if len(texts) == 1 and texts[0] else None


def verdict(row: Row) -> str:
    """The row's outcome in the real tools: REJECTED, LITERAL or what went wrong."""
    if row.check.code != 0:
        findings = row.check.json()
        located = [
            f for f in findings
            if f["path"] == "_roadmaps/r.yml" and f["line"] == row.line
            and f["severity"] == "error" and f["hint"]
        ]
        return REJECTED if row.check.code == 1 and located else f"check failed: {findings}"
    assert row.page is not None and row.html is not None and row.drawn is not None
    problems = []
    blocks = CODE_BLOCK.findall(row.html)
    if [html.unescape(b) for b in blocks] != CHART.findall(row.page):
        problems.append(f"the HTML's chart is not the page's: {blocks}")
    if row.drawn["scripts_in_content"] or row.drawn["dialogs"]:
        problems.append(f"a script ran: {row.drawn['dialogs']}")
    if row.drawn["errors"]:
        problems.append(f"browser errors: {row.drawn['errors']}")
    charts = row.drawn["charts"]
    if len(charts) != 1 or charts[0]["error"]:
        problems.append(f"Mermaid did not draw the chart: {[c['error'] for c in charts]}")
    elif shown(row, charts[0]) != row.data:
        problems.append(f"the browser shows {shown(row, charts[0])!r}, the data says {row.data!r}")
    return LITERAL if not problems else "; ".join(problems)


@pytest.mark.parametrize(
    ("case", "field"), ROWS, ids=[f"{case.label}-{field}" for case, field in ROWS]
)
def test_verdict(rows: dict[str, Row], case: Case, field: str) -> None:
    row = rows[f"{case.label}-{field}"]
    assert verdict(row) == case.expected[field]


def readme_row(case: Case) -> str:
    text = case.text.replace("\r", "\\r")
    return f"| `{text}` | " + " | ".join(case.expected[f] for f in FIELDS) + " |"


def test_the_readme_shows_the_table_tested() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [readme_row(case) for case in CASES if readme_row(case) not in readme]
    assert not missing, "README.md lacks these rows of the Liquid-safety table:\n" + "\n".join(
        missing
    )
