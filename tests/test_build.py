"""`build` end to end: in-place regeneration, --check/--diff, hand-edit protection, bad markers."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from conftest import run_cli, snapshot, write_tree

ROADMAP = """sections:
  - name: S
    items:
      - task: "Phase 2: build"
        id: a
        start: 2025-01-01
        end: 2025-01-10
        status: done
"""
EMPTY = "<!-- pages-roadmap:gantt plan -->\n<!-- /pages-roadmap:gantt -->\n"
TODAY = ("--today", "2026-11-28")


def site(tmp_path: Path, pages: dict[str, str], roadmaps: dict[str, str] | None = None) -> Path:
    files: dict[str, str | bytes] = {
        f"_roadmaps/{k}.yml": v for k, v in (roadmaps or {"plan": ROADMAP}).items()
    }
    files.update(pages)
    write_tree(tmp_path, files)
    return tmp_path


def build(root: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_cli("build", "--root", str(root), *TODAY, *args)


EXPECTED_BLOCK = """<!-- pages-roadmap:gantt plan -->
```mermaid
gantt
    dateFormat YYYY-MM-DD

    section S
    Phase 2#58; build :done, a, 2025-01-01, 2025-01-10
```
<!-- /pages-roadmap:gantt plan sum:{sum} -->
"""


def test_build_fills_block_and_is_idempotent(tmp_path: Path) -> None:
    root = site(tmp_path, {"p.md": "# Title\n\n" + EMPTY + "\nAfter.\n"})
    result = build(root)
    assert (result.code, result.out) == (
        0,
        "updated p.md\n1 chart updated in 1 page; 0 pages up to date\n",
    )
    text = (root / "p.md").read_text()
    from pages_roadmap.page import checksum

    content = text.split("-->\n", 1)[1].rsplit("<!-- /", 1)[0]
    assert text == "# Title\n\n" + EXPECTED_BLOCK.format(sum=checksum(content)) + "\nAfter.\n"
    before = snapshot(root)
    again = build(root)
    assert (again.code, again.out) == (0, "nothing to update; 1 page up to date\n")
    assert snapshot(root) == before


def test_unchanged_page_is_not_rewritten(tmp_path: Path) -> None:
    root = site(tmp_path, {"p.md": EMPTY})
    build(root)
    os.utime(root / "p.md", (1_000_000, 1_000_000))
    build(root)
    assert (root / "p.md").stat().st_mtime == 1_000_000


def test_file_mode_is_kept(tmp_path: Path) -> None:
    root = site(tmp_path, {"p.md": EMPTY})
    (root / "p.md").chmod(0o640)
    build(root)
    assert stat.S_IMODE((root / "p.md").stat().st_mode) == 0o640
    assert [p.name for p in root.iterdir() if p.name.endswith(".tmp")] == []


def test_check_mode_writes_nothing_and_names_the_fix(tmp_path: Path) -> None:
    root = site(tmp_path, {"p.md": EMPTY, "q.md": "no markers\n"})
    before = snapshot(root)
    result = build(root, "--check")
    assert result.code == 1
    assert result.out == (
        "p.md:2:1: B106 page is out of date\n"
        "    hint: run 'pages-roadmap build' to update it\n"
        "1 page out of date; 1 page up to date: 1 error, 0 warnings\n"
    )
    assert snapshot(root) == before
    build(root)
    assert build(root, "--check").code == 0


def test_diff_mode_prints_unified_diff(tmp_path: Path) -> None:
    root = site(tmp_path, {"p.md": EMPTY})
    before = snapshot(root)
    result = build(root, "--diff")
    assert result.code == 1
    assert result.out.startswith("--- a/p.md\n+++ b/p.md\n@@ -1,2 +1,9 @@\n")
    assert "+    Phase 2#58; build :done, a, 2025-01-01, 2025-01-10\n" in result.out
    assert snapshot(root) == before


def test_hand_edit_is_refused_then_forced(tmp_path: Path) -> None:
    root = site(tmp_path, {"p.md": "Intro\n" + EMPTY, "other.md": EMPTY})
    build(root)
    page = root / "p.md"
    edited = page.read_text().replace("2025-01-10", "2025-02-10")
    page.write_text(edited)
    (root / "_roadmaps/plan.yml").write_text(ROADMAP.replace("Phase 2", "Phase 3"))
    result = build(root)
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "p.md:3:1: B105 the chart of 'plan' was edited by hand; not overwriting it"
    )
    assert (
        "move the change into _roadmaps/plan.yml, or run 'pages-roadmap build --force'"
        in result.out
    )
    assert page.read_text() == edited
    assert "Phase 3" in (root / "other.md").read_text()  # every other page is still processed
    forced = build(root, "--force")
    assert forced.code == 0
    assert "Phase 3" in page.read_text()


def test_crlf_bom_and_missing_final_newline_are_kept(tmp_path: Path) -> None:
    original = (
        "\ufeff---\r\ntitle: T  # keep\r\n---\r\nA\ttab  \r\n" + EMPTY.replace("\n", "\r\n") + "end"
    )
    root = site(tmp_path, {"p.md": original})
    build(root)
    data = (root / "p.md").read_bytes()
    assert data.startswith("\ufeff---\r\ntitle: T  # keep\r\n---\r\nA\ttab  \r\n".encode())
    assert data.endswith(b" -->\r\nend")
    assert b"\n" not in data.replace(b"\r\n", b"")


@pytest.mark.parametrize(
    ("page", "line", "code"),
    [
        ("<!-- pages-roadmap:gantt nope -->\n<!-- /pages-roadmap:gantt -->\n", 1, "B101"),
        ("<!-- pages-roadmap:gantt plan -->\n```mermaid\ngantt\n```\n", 1, "B102"),
        ("text\n\n<!-- /pages-roadmap:gantt -->\n", 3, "B102"),
        (
            "<!-- pages-roadmap:gantt plan -->\n<!-- pages-roadmap:gantt plan -->\n"
            "<!-- /pages-roadmap:gantt -->\n<!-- /pages-roadmap:gantt -->\n",
            2,
            "B103",
        ),
        ("<!-- pages-roadmap:gantt plan -->\n<!-- /pages-roadmap:gantt other -->\n", 2, "B103"),
        ("- item\n\n  <!-- pages-roadmap:gantt plan -->\n", 3, "B103"),
        ("<!-- pages-roadmap:gant plan -->\n", 1, "B104"),
        ("<!-- pages-roadmap:gantt ../secret -->\n<!-- /pages-roadmap:gantt -->\n", 1, "B108"),
        ("<!-- pages-roadmap:gantt /etc/passwd -->\n<!-- /pages-roadmap:gantt -->\n", 1, "B108"),
        ("<!-- pages-roadmap:gantt broken -->\n<!-- /pages-roadmap:gantt -->\n", 1, "B107"),
    ],
)
def test_bad_markers_leave_the_page_untouched(
    tmp_path: Path, page: str, line: int, code: str
) -> None:
    root = site(
        tmp_path, {"p.md": page, "ok.md": EMPTY}, {"plan": ROADMAP, "broken": "sections: []\n"}
    )
    before = (root / "p.md").read_bytes()
    result = run_cli("build", "--root", str(root), *TODAY, "--format", "json")
    assert result.code == 1
    assert [(f["path"], f["line"], f["code"]) for f in result.json()] == [("p.md", line, code)]
    assert (root / "p.md").read_bytes() == before
    assert "```mermaid" in (root / "ok.md").read_text()


def test_symlinked_roadmap_leading_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yml"
    outside.write_text(ROADMAP)
    root = tmp_path / "site"
    site(root, {"p.md": EMPTY.replace("plan", "leak")})
    (root / "_roadmaps" / "leak.yml").symlink_to(outside)
    result = run_cli("build", "--root", str(root), *TODAY, "--format", "json")
    assert [(f["line"], f["code"]) for f in result.json()] == [(1, "B101")]


@pytest.mark.parametrize(
    "page",
    [
        "```\n" + EMPTY + "```\n",
        "    <!-- pages-roadmap:gantt plan -->\n    <!-- /pages-roadmap:gantt -->\n",
        "Inline `<!-- pages-roadmap:gantt plan -->` code.\n",
        "~~~md\n" + EMPTY + "~~~\n",
    ],
)
def test_markers_in_code_are_text(tmp_path: Path, page: str) -> None:
    root = site(tmp_path, {"p.md": page})
    result = build(root)
    assert (result.code, result.out) == (0, "nothing to update; 1 page up to date\n")
    assert (root / "p.md").read_text() == page


@pytest.mark.parametrize(
    "stamp",
    [
        "<!-- pages-roadmap:stamp %Y-%m-%d -->2025-01-01<!-- /pages-roadmap:stamp -->\n",
        "- <!-- pages-roadmap:stamp %Y-%m-%d -->2025-01-01<!-- /pages-roadmap:stamp -->\n",
        "> <!-- pages-roadmap:stamp -->\n",
    ],
)
def test_stamp_markers_at_the_start_of_a_line_are_not_gantt_markers(
    tmp_path: Path, stamp: str
) -> None:
    root = site(tmp_path, {"p.md": stamp + "\n" + EMPTY})
    result = build(root, "--no-stamps", "--format", "json")
    assert (result.code, result.json()) == (0, [])
    assert "```mermaid" in (root / "p.md").read_text()


def test_several_blocks_and_one_roadmap_in_several_pages(tmp_path: Path) -> None:
    two = EMPTY + "\nBetween\n\n" + EMPTY.replace("plan", "other")
    root = site(
        tmp_path,
        {"a.md": two, "b.md": EMPTY},
        {"plan": ROADMAP, "other": ROADMAP.replace("Phase 2", "Other")},
    )
    assert build(root).code == 0
    a = (root / "a.md").read_text()
    assert a.count("```mermaid") == 2 and "Other" in a and "\nBetween\n" in a
    assert "Phase 2#58;" in (root / "b.md").read_text()


def test_explicit_paths_only(tmp_path: Path) -> None:
    root = site(tmp_path, {"a.md": EMPTY, "b.md": EMPTY})
    build(root, str(root / "b.md"))
    assert (root / "a.md").read_text() == EMPTY
    assert "```mermaid" in (root / "b.md").read_text()


def test_a_folder_path_builds_the_pages_in_it(tmp_path: Path) -> None:
    root = site(tmp_path, {"a.md": EMPTY, "docs/b.md": EMPTY, "docs/sub/c.md": EMPTY})
    assert build(root, str(root / "docs")).code == 0
    assert (root / "a.md").read_text() == EMPTY
    assert "```mermaid" in (root / "docs/b.md").read_text()
    assert "```mermaid" in (root / "docs/sub/c.md").read_text()


def test_front_matter_skip_leaves_the_page_alone(tmp_path: Path) -> None:
    """`pages_roadmap: {skip: true}` keeps a page out of the build: its chart and stamps."""
    stamp = "Updated {{ site.time | date: '%Y' }}\n"
    skipped = "---\ntitle: T\npages_roadmap:\n  skip: true\n---\n" + EMPTY + stamp
    kept = "---\ntitle: T\n---\n" + EMPTY
    root = site(tmp_path, {"skipped.md": skipped, "kept.md": kept})
    result = run_cli("build", "--root", str(root), *TODAY, "--no-stamps")
    assert (result.code, result.out) == (
        0,
        "updated kept.md\n1 chart updated in 1 page; 1 page up to date\n",
    )
    assert (root / "skipped.md").read_text() == skipped
