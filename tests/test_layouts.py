"""Where the site is, as Jekyll users lay out repositories: found from the working directory and
the paths given, with finding paths a user (and GitHub's annotations) can open."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import run_cli, write_tree

BAD_ROADMAP = (
    "sections:\n  - name: S\n    items:\n      - task: T\n        start: 2025-02-30\n"
    "        end: 2025-03-10\n"
)
GOOD_PAGE = "---\ntitle: Home\n---\n# Home\n"
CONFIG = "title: Site\nexclude:\n  - drafts/\n"

# (name, files of the repository, folder to run in (relative), arguments, expected exit code,
#  the expected summary line, the expected finding locations "path:line:col: CODE")
LAYOUTS = [
    (
        "site at the top",
        {"_config.yml": CONFIG, "_roadmaps/x.yml": BAD_ROADMAP, "index.md": GOOD_PAGE},
        ".",
        [],
        1,
        "checked 1 roadmap and 1 page: 1 error, 0 warnings",
        ["_roadmaps/x.yml:5:16: R101"],
    ),
    (
        "site in docs/, run from docs/",
        {"docs/_config.yml": CONFIG, "docs/_roadmaps/x.yml": BAD_ROADMAP, "README.md": "# R\n"},
        "docs",
        [],
        1,
        "checked 1 roadmap and 0 pages: 1 error, 0 warnings",
        ["_roadmaps/x.yml:5:16: R101"],
    ),
    (
        "site in docs/, run from a folder inside it",
        {
            "docs/_config.yml": CONFIG,
            "docs/_roadmaps/x.yml": BAD_ROADMAP,
            "docs/guide/a.md": GOOD_PAGE,
        },
        "docs/guide",
        [],
        1,
        "checked 1 roadmap and 1 page: 1 error, 0 warnings",
        ["../_roadmaps/x.yml:5:16: R101"],
    ),
    (
        "site in docs/, run from the top with --root docs (the workflow's case)",
        {"docs/_config.yml": CONFIG, "docs/_roadmaps/x.yml": BAD_ROADMAP},
        ".",
        ["--root", "docs"],
        1,
        "checked 1 roadmap and 0 pages: 1 error, 0 warnings",
        ["docs/_roadmaps/x.yml:5:16: R101"],
    ),
    (
        "a roadmap named explicitly from the top: its site is docs/",
        {"docs/_config.yml": CONFIG, "docs/_roadmaps/x.yml": BAD_ROADMAP},
        ".",
        ["docs/_roadmaps/x.yml"],
        1,
        "checked 1 roadmap and 0 pages: 1 error, 0 warnings",
        ["docs/_roadmaps/x.yml:5:16: R101"],
    ),
    (
        "an explicit page the site excludes is skipped",
        {"_config.yml": CONFIG, "drafts/d.md": "---\ntitle: [unclosed\n---\n"},
        ".",
        ["drafts/d.md"],
        0,
        "checked 0 roadmaps and 0 pages: 0 errors, 0 warnings",
        [],
    ),
    (
        "an explicit page in a folder Jekyll never reads (_underscore) is skipped",
        {"_config.yml": CONFIG, "_notes/n.md": "---\ntitle: [unclosed\n---\n"},
        ".",
        ["_notes/n.md"],
        0,
        "checked 0 roadmaps and 0 pages: 0 errors, 0 warnings",
        [],
    ),
    (
        "an explicit file that is neither a page nor a roadmap is a note",
        {"_config.yml": CONFIG, "notes.txt": "hello\n"},
        ".",
        ["notes.txt"],
        0,
        "checked 0 roadmaps and 0 pages: 0 errors, 0 warnings, 1 note",
        ["notes.txt:1:1: F104"],
    ),
    (
        "no _config.yml at all: the repository top is the site",
        {"_roadmaps/x.yml": BAD_ROADMAP, "sub/page.md": GOOD_PAGE},
        "sub",
        [],
        1,
        "checked 1 roadmap and 1 page: 1 error, 0 warnings",
        ["../_roadmaps/x.yml:5:16: R101"],
    ),
]


def git_init(folder: Path) -> None:
    subprocess.run(["git", "init", "-q", str(folder)], check=True)


@pytest.mark.parametrize(
    ("files", "cwd", "args", "code", "summary", "where"),
    [row[1:] for row in LAYOUTS],
    ids=[row[0] for row in LAYOUTS],
)
def test_site_layouts(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str | bytes],
    cwd: str,
    args: list[str],
    code: int,
    summary: str,
    where: list[str],
) -> None:
    repo = tmp_path / "repo"
    write_tree(repo, files)
    git_init(repo)
    monkeypatch.chdir(repo / cwd)
    result = run_cli("check", *args)
    lines = result.out.splitlines()
    assert (result.code, lines[-1], result.err) == (code, summary, "")
    found = [" ".join(line.split(" ", 2)[:2]) for line in lines[:-1] if not line.startswith(" ")]
    assert found == where
    for finding in where:  # each path opens from the working directory
        assert (Path.cwd() / finding.split(":")[0]).is_file()


def test_outside_git_without_config_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notes.md").write_text("# Notes\n")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.chdir(tmp_path)
    result = run_cli("check")
    assert result.code == 2
    assert result.err == (
        f"pages-roadmap: error: {tmp_path} is not inside a Jekyll site: no _config.yml here or "
        "above, and no git repository\nhint: run it in your site's folder, or name the site "
        "with --root\n"
    )


def test_outside_git_a_config_marks_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"_config.yml": CONFIG, "a/b.md": GOOD_PAGE})
    monkeypatch.chdir(tmp_path / "a")
    result = run_cli("check")
    assert (result.code, result.out) == (0, "checked 0 roadmaps and 1 page: 0 errors, 0 warnings\n")


def test_verbose_says_what_happened_to_each_named_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"_config.yml": CONFIG, "index.md": GOOD_PAGE, "drafts/d.md": "x\n"})
    git_init(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "-v", "index.md", "drafts/d.md")
    assert result.out == (
        "drafts/d.md: not published by Jekyll (exclude:, or Jekyll's own rules)\n"
        "index.md: checked\n"
        "checked 0 roadmaps and 1 page: 0 errors, 0 warnings\n"
    )
    quiet = run_cli("check", "-q", "index.md")
    assert (quiet.code, quiet.out) == (0, "")
