"""A large build prepares and writes its pages in forked copies of the process: the very same
result.

The site is big enough for the parallel path (build.PARALLEL_FROM pages to read), with charts,
Liquid stamps to migrate, a page with an error, a page that is not UTF-8 and a page whose write
is refused; the same build is run with the copies and without them (one process), from the
same tree, and everything it says and writes must be equal. The build with copies also starts
git on history before it lists the pages and watches its walk (history.Watched); the one
without starts git when the first page needs a date and reads the walk afterwards.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run_cli, snapshot
from gitrepo import Repo

from pages_roadmap import build, cli, parallel
from pages_roadmap.git import history
from pages_roadmap.stamps import dating

pytestmark = pytest.mark.usefixtures("isolated_git")

PAGES = build.PARALLEL_FROM + 60
ROADMAP = """sections:
  - name: Work
    items:
      - task: Plan {n}
        id: plan
        start: 2025-01-{day:02d}
        duration: 5d
      - task: Build
        after: plan
        duration: 3d
"""


def page(n: int) -> str:
    body = f"---\ntitle: Page {n}\n---\n\n# Page {n}\n\nText of page {n}.\n\n"
    if n % 7 == 0:
        body += f"<!-- pages-roadmap:gantt r{n % 5} -->\n<!-- /pages-roadmap:gantt -->\n\n"
    if n == 13:
        body += "<!-- pages-roadmap:gantt missing -->\n<!-- /pages-roadmap:gantt -->\n\n"
    return body + "Updated: {{ site.time | date: '%d %B %Y' }}\n"


def tree(root: Path) -> dict[str, bytes]:
    """The work tree (git's index is left out: `git diff` refreshes its stat data)."""
    return {k: v for k, v in snapshot(root).items() if not k.startswith(".git/")}


@pytest.fixture
def site(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "site", home=tmp_path / "home")
    files: dict[str, str | None] = {"_config.yml": "title: t\ntimezone: Europe/Copenhagen\n"}
    files.update({f"_roadmaps/r{k}.yml": ROADMAP.format(n=k, day=k + 1) for k in range(5)})
    files.update({f"docs/s{n // 50}/p{n}.md": page(n) for n in range(PAGES)})
    commits = [(files, "add", "2025-01-01T12:00:00+00:00")]
    commits += [
        (
            {f"docs/s{n // 50}/p{n}.md": page(n) + f"edit {n}\n"},
            f"edit {n}",
            f"2025-02-{1 + n % 27:02d}T10:00:00+00:00",
        )
        for n in range(0, PAGES, 3)
    ]
    repo.bulk_commits(commits)
    repo.run("checkout", "--quiet", "-f", "HEAD", "--", ".")
    (repo.path / "docs/s0/p1.md").write_bytes(b"---\ntitle: x\n---\n\xff not UTF-8\n")
    # A page that is a symlink to a text that is no page: built through the link, and its
    # write refused (F103), by whichever process writes it.
    (repo.path / "notes").mkdir()
    (repo.path / "notes/target.txt").write_text(page(10**6))
    (repo.path / "docs/s0/zlink.md").symlink_to("../../notes/target.txt")
    repo.run("add", "notes/target.txt", "docs/s0/zlink.md")
    repo.run(
        "commit",
        "--quiet",
        "-m",
        "link",
        env={
            "GIT_AUTHOR_DATE": "2025-03-01T12:00:00+00:00",
            "GIT_COMMITTER_DATE": "2025-03-01T12:00:00+00:00",
        },
    )
    return repo


def test_a_large_build_with_copies_is_the_one_process_build(
    site: Repo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    began: list[dating.HistoryReads | None],
) -> None:
    copies: list[bool] = []
    collect = parallel._collect

    def counting(child: tuple[int, int]) -> object:
        got = collect(child)
        copies.append(got is not None)
        return got

    monkeypatch.setattr(parallel, "_collect", counting)
    before = tmp_path / "before"
    shutil.copytree(site.path, before, symlinks=True)
    args = ("build", "--today", "2026-01-15", "-v")
    forked = run_cli(*args, "--root", str(site.path))
    forked_tree = tree(site.path)
    assert copies and all(copies)  # the copies did their shares
    # git began on history before the pages were listed, and its walk was watched
    assert len(began) == 1 and began[0] is not None
    assert isinstance(began[0].whole, history.Watched)

    shutil.rmtree(site.path)
    shutil.copytree(before, site.path, symlinks=True)
    monkeypatch.setattr(build, "PARALLEL_FROM", 10**9)
    # ... and git on history only when the first page needs a date, read without watching.
    monkeypatch.setattr(cli, "_may_date", lambda args, site: False)
    watched = []
    monkeypatch.setattr(history.Watched, "__init__", lambda *a: watched.append(a))
    copies.clear()
    alone = run_cli(*args, "--root", str(site.path))
    assert copies == [] and watched == []
    assert (forked.code, forked.out, forked.err) == (alone.code, alone.out, alone.err)
    assert forked_tree == tree(site.path)
    assert forked.code == 1
    assert all(code in forked.out for code in ("B101", "Y105", "F103"))
    assert f"updated in {PAGES - 2} pages" in forked.out
