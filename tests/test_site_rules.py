"""Table of what `check` says about Jekyll, just-the-docs and Mermaid, and what `--fix` does.

Each row is the exact finding (path, line, col, code, severity); the fix rows give the page as
`--fix` must leave it, or the same page when the fix must be refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli, snapshot, write_tree

from pages_roadmap import tuning
from pages_roadmap.navigation import scan
from pages_roadmap.yamlload import load

JTD = "theme: just-the-docs\nlast_edit_timestamp: true\n"
MERMAID = 'mermaid:\n  version: "11.12.0"\n'


def fm(front: str, body: str = "Text.\n") -> str:
    return f"---\n{front}---\n{body}"


GANTT = "```mermaid\ngantt\n    dateFormat YYYY-MM-DD\n{}```\n"

# (id, files, expected (path, line, col, code, severity), exit code)
Row = tuple[str, dict[str, str | bytes], tuple[str, int, int, str, str], int]
CASES: list[Row] = [
    # Dates, as Jekyll reads them (tests/test_jekyll_real.py pins the facts).
    ("day-first", {"p.md": fm('date: "19-08-2025"\n')}, ("p.md", 2, 7, "D104", "warning"), 0),
    ("ambiguous", {"p.md": fm("date: 05-06-2025\n")}, ("p.md", 2, 7, "D105", "warning"), 0),
    ("loose-iso", {"p.md": fm("date: 2025/8/9\n")}, ("p.md", 2, 7, "D104", "warning"), 0),
    ("rolls-over", {"p.md": fm("date: 2025-02-30\n")}, ("p.md", 2, 7, "D101", "error"), 1),
    ("month-13", {"p.md": fm("date: '2025-13-01'\n")}, ("p.md", 2, 7, "D102", "error"), 1),
    (
        "month-13-post",
        {"_posts/2025-01-01-a.md": fm("date: 2025-13-01\n")},
        ("_posts/2025-01-01-a.md", 2, 7, "D102", "error"),
        1,
    ),
    ("unreadable", {"p.md": fm("date: snart\n")}, ("p.md", 2, 7, "D103", "error"), 1),
    (
        "last-modified-at",
        {"p.md": fm("last_modified_at: 31-04-2025\n")},
        ("p.md", 2, 19, "D101", "error"),
        1,
    ),
    (
        "schema-declared-date",
        {
            "_config.yml": "pages_roadmap:\n  schemas:\n    page: s.json\n",
            "s.json": '{"properties": {"deadline": {"type": "string", "format": "jekyll-date"}}}',
            "p.md": fm("title: T\ndeadline: 2025-13-13\n"),
        },
        ("p.md", 3, 11, "D102", "error"),
        1,
    ),
    # Values
    ("trailing-spaces", {"p.md": fm('status: "Udkast "\n')}, ("p.md", 2, 9, "V101", "warning"), 0),
    (
        "vocabulary",
        {
            "_config.yml": "pages_roadmap:\n  vocabulary:\n    status: {final: Final}\n",
            "p.md": fm("status: final\n"),
        },
        ("p.md", 2, 9, "V102", "warning"),
        0,
    ),
    # Front matter Jekyll will not read
    ("text-before", {"p.md": "gelse---\ntitle: T\n---\n"}, ("p.md", 1, 6, "P102", "error"), 1),
    ("bom", {"p.md": "\ufeff---\ntitle: T\n---\n"}, ("p.md", 1, 1, "P104", "error"), 1),
    (
        "yaml-example-is-not-front-matter",
        {
            "p.md": "# Example\n\n```yaml\n---\ntitle: T\n---\n```\n",
            "q.md": "gelse---\ntitle: Q\n---\n",
        },
        ("q.md", 1, 6, "P102", "error"),
        1,
    ),
    ("bare-keys", {"p.md": "layout: default\ntitle: T\n\nx\n"}, ("p.md", 1, 1, "P105", "error"), 1),
    ("unclosed", {"p.md": "---\ntitle: T\n\nx\n"}, ("p.md", 1, 1, "P103", "error"), 1),
    (
        "two-blocks",
        {"p.md": "---\ntitle: T\n---\n\n---\nparent: X\n---\n"},
        ("p.md", 5, 1, "P106", "error"),
        1,
    ),
    # just-the-docs navigation
    (
        "parent-unknown",
        {"_config.yml": JTD, "p.md": fm("title: A\nparent: Nobody\n")},
        ("p.md", 3, 9, "N101", "error"),
        1,
    ),
    (
        "parent-case-only",
        {
            "_config.yml": JTD,
            "a.md": fm("title: OS2borgerPc\nhas_children: true\n"),
            "p.md": fm("title: B\nparent: OS2borgerpc\n"),
        },
        ("p.md", 3, 9, "N101", "error"),
        1,
    ),
    (
        "grand-parent-wrong",
        {
            "_config.yml": JTD,
            "top.md": fm("title: Top\n"),
            "mid.md": fm("title: Mid\nparent: Top\n"),
            "p.md": fm("title: Leaf\nparent: Mid\ngrand_parent: Other\n"),
        },
        ("p.md", 4, 15, "N102", "error"),
        1,
    ),
    (
        "duplicate-title",
        {"_config.yml": JTD, "a.md": fm("title: Same\n"), "b.md": fm("title: Same\n")},
        ("b.md", 2, 8, "N103", "warning"),
        0,
    ),
    (
        "childless",
        {"_config.yml": JTD, "a.md": fm("title: A\nhas_children: true\n")},
        ("a.md", 3, 15, "N104", "warning"),
        0,
    ),
    (
        "equal-nav-order",
        {
            "_config.yml": JTD,
            "a.md": fm("title: A\nnav_order: 2\n"),
            "b.md": fm("title: B\nnav_order: 2\n"),
        },
        ("a.md", 3, 12, "N105", "warning"),
        0,
    ),
    # The site's Mermaid
    (
        "no-mermaid",
        {
            "_config.yml": JTD,
            "p.md": fm("title: P\n", "x\n\n" + GANTT.format("    A :a, 2025-01-01, 1d\n")),
        },
        ("p.md", 6, 1, "M101", "warning"),
        0,
    ),
    (
        "vert-on-old-mermaid",
        {
            "_config.yml": JTD + 'mermaid:\n  version: "11.4.1"\n',
            "p.md": GANTT.format("    A :a, 2025-01-01, 1d\n    Start :vert, v1, 2025-01-01, 0d\n"),
        },
        ("p.md", 5, 12, "M102", "error"),
        1,
    ),
    (
        "vert-with-a-layout-loading-mermaid",
        {
            "_layouts/default.html": '<script src="/js/mermaid@10.9.0/mermaid.js"></script>',
            "p.md": GANTT.format("    A :a, 2025-01-01, 1d\n    Start :vert, v1, 2025-01-01, 0d\n"),
        },
        ("p.md", 5, 12, "M102", "error"),
        1,
    ),
    (
        "stamps-without-footer",
        {"_config.yml": "theme: just-the-docs\n" + MERMAID, "p.md": fm("title: P\n")},
        ("_config.yml", 1, 1, "M103", "note"),
        0,
    ),
    # Hand-written charts, read with the import reader
    (
        "chart-misread",
        {"p.md": GANTT.format("    tickInterval 1quarter\n    A :a, 2025-01-01, 1d\n")},
        ("p.md", 4, 18, "I201", "warning"),
        0,
    ),
    (
        "chart-unreadable",
        {"p.md": GANTT.format("    A :a, 2025-01-01, 1d\n    weekend sunday\n")},
        ("p.md", 5, 5, "I102", "error"),
        1,
    ),
    (
        "chart-unclosed",
        {"p.md": "x\n\n```mermaid\ngantt\n    A :a, 2025-01-01, 1d\n"},
        ("p.md", 3, 1, "I107", "error"),
        1,
    ),
    # Rules a site tunes
    (
        "severity-raised",
        {
            "_config.yml": "pages_roadmap:\n  severity:\n    D104: error\n",
            "p.md": fm("date: 19-08-2025\n"),
        },
        ("p.md", 2, 7, "D104", "error"),
        1,
    ),
    (
        "severity-unknown-code",
        {"_config.yml": "pages_roadmap:\n  severity:\n    D999: off\n"},
        ("_config.yml", 3, 5, "C101", "error"),
        1,
    ),
    (
        "severity-bad-level",
        {"_config.yml": "pages_roadmap:\n  severity:\n    D104: loud\n"},
        ("_config.yml", 3, 5, "C101", "error"),
        1,
    ),
    (
        "date-order-unknown",
        {"_config.yml": "pages_roadmap:\n  date_order: month-first\n"},
        ("_config.yml", 2, 3, "C101", "error"),
        1,
    ),
    (
        "vocabulary-not-a-table",
        {"_config.yml": "pages_roadmap:\n  vocabulary:\n    status: [Final]\n"},
        ("_config.yml", 3, 5, "C101", "error"),
        1,
    ),
    (
        "site-schema-enum",
        {
            "_config.yml": "pages_roadmap:\n  schemas:\n    page: s.json\n",
            "s.json": '{"properties": {"status": {"enum": ["Udkast", "Final"]}}}',
            "p.md": fm("status: Done\n"),
        },
        ("p.md", 2, 9, "S104", "error"),
        1,
    ),
]


@pytest.mark.parametrize(
    ("files", "expected", "exit_code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_case(
    tmp_path: Path,
    files: dict[str, str | bytes],
    expected: tuple[str, int, int, str, str],
    exit_code: int,
) -> None:
    write_tree(tmp_path, files)
    before = snapshot(tmp_path)
    result = run_cli("check", "--root", str(tmp_path), "--format", "json")
    found = [(f["path"], f["line"], f["col"], f["code"], f["severity"]) for f in result.json()]
    assert expected in found, result.out
    assert result.code == exit_code, result.out
    assert snapshot(tmp_path) == before
    assert result.err == ""


CLEAN_ONE_PAGE = "checked 0 roadmaps and 1 page: 0 errors, 0 warnings\n"


def test_severity_off_drops_the_code(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "_config.yml": "pages_roadmap:\n  severity:\n    D104: off\n",
            "p.md": fm("date: 19-08-2025\n"),
        },
    )
    assert run_cli("check", "--root", str(tmp_path)).out == CLEAN_ONE_PAGE


def test_ambiguous_date_names_both_readings(tmp_path: Path) -> None:
    write_tree(tmp_path, {"p.md": fm("date: 05-06-2025\n")})
    out = run_cli("check", "--root", str(tmp_path)).out
    assert "Jekyll reads it day-first as 5 June 2025; a month-first reader means 6 May 2025" in out
    assert "date_order: day-first" in out


# (id, config, page, the page after `check --fix`: None = left as it is)
FIXES: list[tuple[str, str, str, str | None]] = [
    ("day-first-quoted", "", fm('date: "19-08-2025"\n'), fm('date: "2025-08-19"\n')),
    ("day-first-single", "", fm("date: '19-08-2025' # x\n"), fm("date: '2025-08-19' # x\n")),
    ("day-first-plain", "", fm("date: 19-08-2025\n"), fm("date: 2025-08-19\n")),
    ("time-kept", "", fm("date: 19-08-2025 10:30\n"), fm("date: 2025-08-19 10:30\n")),
    ("ambiguous-refused", "", fm("date: 05-06-2025\n"), None),
    (
        "ambiguous-declared",
        "pages_roadmap:\n  date_order: day-first\n",
        fm("date: 05-06-2025\n"),
        fm("date: 2025-06-05\n"),
    ),
    ("does-not-exist-refused", "", fm("date: 2025-02-30\n"), None),
    ("multi-line-refused", "", fm('title: T\ndate: "19-08-\n  2025"\n'), None),
    ("trailing-spaces", "", fm('status: "Udkast  "   \n'), fm('status: "Udkast"   \n')),
    (
        "vocabulary",
        "pages_roadmap:\n  vocabulary:\n    status: {færdigt: Final}\n",
        fm("status: færdigt # sidst\n"),
        fm("status: Final # sidst\n"),
    ),
    (
        "vocabulary-unlisted-refused",
        "pages_roadmap:\n  vocabulary:\n    status: {færdigt: Final}\n",
        fm("status: daft\n"),
        None,
    ),
    (
        "crlf-bom-kept",
        "",
        '\ufeff---\r\ndate: "19-8-2025"\r\n---\r\n',
        '\ufeff---\r\ndate: "2025-08-19"\r\n---\r\n',
    ),
    (
        "parent-case-only",
        JTD,
        fm('title: B\nparent: "os2borgerpc"\n'),
        fm('title: B\nparent: "OS2borgerpc"\n'),
    ),
    ("parent-two-candidates-refused", JTD + "#2\n", fm("title: B\nparent: os2\n"), None),
    ("parent-whitespace-refused", JTD, fm("title: B\nparent: OS2 borgerpc\n"), None),
]
OTHERS = {
    "a.md": fm("title: OS2borgerpc\nhas_children: true\n"),
    "c.md": fm("title: OS2\nhas_children: true\n"),
    "d.md": fm("title: Os2\n"),
}


@pytest.mark.parametrize(
    ("config", "page", "fixed"), [f[1:] for f in FIXES], ids=[f[0] for f in FIXES]
)
def test_fix(tmp_path: Path, config: str, page: str, fixed: str | None) -> None:
    write_tree(tmp_path, {"_config.yml": config, "p.md": page, **OTHERS})
    others = snapshot(tmp_path)
    shown = run_cli("check", "--root", str(tmp_path), "--fix", "--diff")
    assert snapshot(tmp_path) == others  # --diff writes nothing
    result = run_cli("check", "--root", str(tmp_path), "--fix")
    text = (tmp_path / "p.md").read_bytes().decode("utf-8")
    assert text == (page if fixed is None else fixed)
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if k != "p.md"} == {
        k: v for k, v in others.items() if k != "p.md"
    }
    if fixed is None:
        assert ": fixed " not in result.out and ": fixed " not in shown.out
        return
    assert "p.md:" in result.out.split(": fixed ")[0]
    assert shown.code == 1  # --diff shows changes: exit 1, like build --diff
    again = run_cli("check", "--root", str(tmp_path), "--fix")
    assert ": fixed " not in again.out
    assert snapshot(tmp_path) == after


def test_diff_needs_fix(tmp_path: Path) -> None:
    result = run_cli("check", "--root", str(tmp_path), "--diff")
    assert result.code == 2 and "--diff goes with --fix" in result.err


NAV_SCANS = [
    'title: "Plain quoted"\nparent: Plain\n',
    "title: 'It''s'\nnav_order: 3\nhas_children: yes\n",
    'title: "Tab\\tescaped"\nnav_exclude: false\n',
    "title: With # not a comment\nparent: A # a comment\n",
    "title:  Spaced  \ngrand_parent: ~\nnav_order: 1.5\n",
    "description: x\ntitle: OS2borgerpc\n",
    "title: Ærø\nhas_children: True\n",
]


@pytest.mark.parametrize("front", NAV_SCANS)
def test_navigation_scan_agrees_with_yaml(front: str) -> None:
    """The line scan of navigation keys reads what the YAML parser reads (the oracle)."""
    doc = load(front, "p.md", line_offset=1)
    page = scan(f"---\n{front}---\n", "p.md")
    assert {k: v.value for k, v in page.keys.items()} == {
        k: v for k, v in doc.data.items() if k in page.keys or k in ("title", "parent")
    }
    for key, found in page.keys.items():
        pos = doc.pos((key,))
        assert (found.line, found.col) == (pos.line, pos.col)


def test_one_page_check_sees_the_whole_site(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "_config.yml": JTD,
            "docs/a.md": fm("title: A\nhas_children: true\nnav_order: 1\n"),
            "docs/b.md": fm("title: B\nparent: a\nnav_order: 1\n"),
            "docs/c.md": fm("title: C\nnav_order: 1\n"),
        },
    )
    whole = run_cli("check", "--root", str(tmp_path), "--format", "json").json()
    one = run_cli("check", "--root", str(tmp_path), "--format", "json", str(tmp_path / "docs/a.md"))
    assert [f for f in whole if f["path"] == "docs/a.md"] == one.json()
    assert {f["code"] for f in one.json()} == {"N104", "N105"}


def test_readme_lists_every_code_with_its_default_severity() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What `check` reports", 1)[1].split("\n## ", 1)[0]
    imports = readme.split("## Importing hand-written charts", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in imports.splitlines():  # I1xx errors, I2xx warnings (the import's own table)
        code = line.strip("| ").split(" ", 1)[0]
        if len(code) == 4 and code[0] == "I" and code[1:].isdigit():
            rows[code] = next((s for s in ("error", "note") if f"| {s}: " in line), "warning")
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if (
            len(cells) >= 3
            and len(cells[0]) == 4
            and cells[0][0].isupper()
            and cells[0][1:].isdigit()
        ):
            rows[cells[0]] = cells[1]
    assert rows == tuning.CODES


def test_example_schema_is_the_builtin_plus_status() -> None:
    import json

    repo = Path(__file__).parent.parent
    builtin = json.loads((repo / "src/pages_roadmap/schemas/page.schema.json").read_text())
    example = json.loads((repo / "schemas/example-page.schema.json").read_text())
    status = example["properties"].pop("status")
    assert status["enum"] == ["Udkast", "Final"]
    assert example["properties"] == builtin["properties"]
    assert example["$defs"] == builtin["$defs"]


def test_example_site_restricts_status(tmp_path: Path) -> None:
    import shutil

    repo = Path(__file__).parent.parent
    for name in ("_config.yml", "schemas", "_roadmaps", "os2borgerpc", "index.md", "plan.md"):
        src = repo / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    page = tmp_path / "os2borgerpc/roadmap.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace('"Udkast"', '"Done"'), encoding="utf-8"
    )
    found = run_cli("check", "--root", str(tmp_path), "--format", "json").json()
    assert [(f["path"], f["line"], f["code"]) for f in found if f["severity"] == "error"] == [
        ("os2borgerpc/roadmap.md", 6, "S104")
    ]


def test_a_yaml_example_in_the_text_is_no_finding(tmp_path: Path) -> None:
    write_tree(tmp_path, {"p.md": "# Example\n\n```yaml\n---\ntitle: T\n---\n```\n"})
    assert run_cli("check", "--root", str(tmp_path)).out == CLEAN_ONE_PAGE


@pytest.mark.parametrize("one_page", [False, True])
def test_navigation_counts_html_pages_and_not_posts(tmp_path: Path, one_page: bool) -> None:
    write_tree(
        tmp_path,
        {
            "_config.yml": JTD,
            "home.html": "---\ntitle: Home\nhas_children: true\n---\n<p>x</p>\n",
            "_posts/2025-01-01-news.md": fm("title: News\ndate: 2025-01-01\n"),
            "a.md": fm("title: A\nparent: Home\n"),
            "b.md": fm("title: B\nparent: News\n"),
        },
    )
    paths = [str(tmp_path / "a.md"), str(tmp_path / "b.md")] if one_page else []
    found = run_cli("check", "--root", str(tmp_path), "--format", "json", *paths).json()
    assert [(f["path"], f["line"], f["code"]) for f in found] == [("b.md", 3, "N101")]
