"""`build --commit [--push]` against real repositories: a bare remote and clones of it."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import Run, run_cli
from gitrepo import Repo, isolated_env

from pages_roadmap import __version__
from pages_roadmap.build import Rebuild, StampRun
from pages_roadmap.files import Change
from pages_roadmap.git import commit
from pages_roadmap.git.history import last_changed
from pages_roadmap.site import load_site

TODAY = "2025-01-10"
CONFIG = "title: test site\ntimezone: UTC\n"
ALPHA = """\
title: Alpha
sections:
  - name: Work
    items:
      - task: Design
        id: design
        start: 2025-01-06
        end: 2025-01-20
      - task: Build
        id: build
        start: 2025-02-01
        end: 2025-03-01
"""
BETA = """\
title: Beta
sections:
  - name: Ops
    items:
      - task: Migrate
        id: migrate
        start: 2025-01-01
        end: 2025-01-31
"""
PAGE = """\
---
title: Plan
---
# Plan

<!-- pages-roadmap:gantt alpha -->
<!-- /pages-roadmap:gantt -->

Text between the charts.

<!-- pages-roadmap:gantt beta -->
<!-- /pages-roadmap:gantt -->
"""
SEED_DATE = "2025-01-02T09:00:00+00:00"
IN_PROGRESS = ("rebase-merge", "rebase-apply", "MERGE_HEAD", "CHERRY_PICK_HEAD")


pytestmark = pytest.mark.usefixtures("isolated_git")


@dataclass
class Remote:
    bare: Path
    home: Path

    def clone(self, dest: Path) -> Repo:
        subprocess.run(
            ["git", "clone", "--quiet", self.bare.as_uri(), str(dest)],
            env=isolated_env(self.home),
            check=True,
            capture_output=True,
        )
        return Repo(dest, home=self.home, init=False)

    def head(self) -> str:
        return git(self.bare, "rev-parse", "refs/heads/main")

    def show(self, path: str) -> str:
        return git(self.bare, "show", f"main:{path}")


def git(where: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=where, capture_output=True, check=True, env=os.environ.copy()
    )
    return proc.stdout.decode().strip()


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    """A bare repository whose main branch holds a site with up-to-date charts."""
    home = tmp_path / "home"
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    git(bare, "symbolic-ref", "HEAD", "refs/heads/main")
    seed = Repo(tmp_path / "seed", home=home)
    files = {"_config.yml": CONFIG, "_roadmaps/alpha.yml": ALPHA, "_roadmaps/beta.yml": BETA}
    seed.write({**files, "plan.md": PAGE, "notes.txt": "notes\n"})
    assert build(seed).code == 0
    seed.run("add", "--all")
    seed.commit({}, "seed the site", SEED_DATE)
    # Stamps (if the pages have any) need the commit: the tool's own commit adds them.
    assert build(seed, "--commit").code == 0
    seed.run("push", "--quiet", bare.as_uri(), "main")
    return Remote(bare, home)


def build(repo: Repo, *flags: str, today: str = TODAY) -> Run:
    return run_cli("build", "--root", str(repo.path), "--today", today, *flags)


def state(repo: Repo) -> dict[str, str]:
    """Everything "left as it was" covers: refs, index, work tree status and bytes."""
    return {
        "head": repo.run("rev-parse", "HEAD"),
        "symbolic": repo.run("symbolic-ref", "-q", "HEAD") if branch_exists(repo) else "",
        "branches": repo.run("for-each-ref", "refs/heads"),
        "index": repo.run("ls-files", "--stage"),
        "status": repo.run("status", "--porcelain", "--untracked-files=all"),
        "page": (repo.path / "plan.md").read_text(),
        "in-progress": str([n for n in IN_PROGRESS if (repo.path / ".git" / n).exists()]),
    }


def branch_exists(repo: Repo) -> bool:
    return (
        subprocess.run(
            ["git", "symbolic-ref", "-q", "HEAD"], cwd=repo.path, env=repo.env, check=False
        ).returncode
        == 0
    )


def edit(repo: Repo, name: str, old: str, new: str, *, commit: str | None = None) -> None:
    text = (repo.path / name).read_text()
    assert old in text
    files = {name: text.replace(old, new, 1)}
    if commit:
        repo.commit(files, commit, "2025-01-03T09:00:00+00:00")
    else:
        repo.write(files)


def count(repo: Repo, rev_range: str) -> int:
    return int(repo.run("rev-list", "--count", rev_range))


def trailer(repo: Repo, rev: str = "HEAD") -> str:
    fmt = "--format=%(trailers:key=Pages-Roadmap-Generated,valueonly)"
    return repo.run("log", "-1", fmt, rev).strip()


# --- commits ------------------------------------------------------------------------------------


def test_clean_run_makes_no_commit(remote: Remote, tmp_path: Path) -> None:
    clone = remote.clone(tmp_path / "a")
    before = state(clone)
    result = build(clone, "--commit", "--push")
    assert (result.code, result.err) == (0, "")
    assert "changed files: none (nothing to commit)\n" in result.out
    assert state(clone) == before
    assert remote.head() == before["head"].strip()


def test_changed_data_makes_exactly_one_commit_with_the_trailer(
    remote: Remote, tmp_path: Path
) -> None:
    clone = remote.clone(tmp_path / "a")
    edit(clone, "_roadmaps/alpha.yml", "task: Design", "task: Design v2", commit="rename design")
    data_commit = clone.head()
    result = build(clone, "--commit", "--push")
    assert result.code == 0, result.err
    sha = clone.head()
    assert result.out == (
        f"updated plan.md\nchanged files:\n  plan.md\ncommit-sha: {sha}\npushed to origin/main\n"
        "1 chart and 1 stamp updated in 1 page; 0 pages up to date\n"
    )
    assert clone.run("rev-parse", "HEAD~1").strip() == data_commit
    assert clone.run("show", "--name-only", "--format=", "HEAD").split() == ["plan.md"]
    assert clone.run("log", "-1", "--format=%B", "HEAD") == (
        f"pages-roadmap: regenerate charts and stamps\n\n- plan.md\n\n"
        f"Pages-Roadmap-Generated: {__version__}\n\n"
    )
    assert trailer(clone) == __version__
    assert remote.head() == sha
    assert "Design v2" in remote.show("plan.md")
    assert clone.run("status", "--porcelain") == ""
    # history.py skips the tool's commit: the page's last real change is still the seed.
    dates = last_changed(clone.path, ["plan.md"])
    assert dates["plan.md"] == datetime.fromisoformat(SEED_DATE)


def test_json_output_is_one_document_with_the_commit(remote: Remote, tmp_path: Path) -> None:
    clone = remote.clone(tmp_path / "a")
    edit(clone, "_roadmaps/beta.yml", "Migrate", "Migrate all", commit="rename")
    result = build(clone, "--commit", "--push", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == {
        "version": 1,
        "command": "build",
        "findings": [],
        "summary": "1 chart and 1 stamp updated in 1 page; 0 pages up to date",
        "written": ["plan.md"],
        "commit": {
            "sha": clone.head(),
            "paths": ["plan.md"],
            "pushed_to": "origin/main",
            "push_attempts": 1,
        },
    }
    again = build(clone, "--commit", "--format", "json")
    assert json.loads(again.out)["commit"]["sha"] is None


def test_commit_without_push_stays_local(remote: Remote, tmp_path: Path) -> None:
    clone = remote.clone(tmp_path / "a")
    edit(clone, "_roadmaps/beta.yml", "Migrate", "Migrate all", commit="rename")
    origin = remote.head()
    result = build(clone, "--commit")
    assert result.code == 0, result.err
    assert "pushed" not in result.out
    assert trailer(clone) == __version__
    assert remote.head() == origin


def test_github_output(remote: Remote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clone = remote.clone(tmp_path / "a")
    output = tmp_path / "github_output"
    output.write_text("earlier=1\n")
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    assert build(clone, "--commit").code == 0
    lines = output.read_text().splitlines()
    end = lines[1].removeprefix("changed-files<<")
    assert lines == ["earlier=1", f"changed-files<<{end}", end, "commit-sha="]
    assert end.startswith("EOF_") and len(end) > 20
    edit(clone, "_roadmaps/beta.yml", "Migrate", "Migrate all", commit="rename")
    output.write_text("")
    assert build(clone, "--commit").code == 0
    lines = output.read_text().splitlines()
    end = lines[0].removeprefix("changed-files<<")
    assert lines == [f"changed-files<<{end}", "plan.md", end, f"commit-sha={clone.head()}"]


def test_unrelated_staged_and_unstaged_work_stays_out(remote: Remote, tmp_path: Path) -> None:
    clone = remote.clone(tmp_path / "a")
    edit(clone, "_roadmaps/alpha.yml", "task: Build", "task: Build it", commit="rename build")
    clone.stage({"staged.txt": "new and staged\n"})
    clone.stage({"notes.txt": "notes, staged edit\n"})
    clone.write({"notes.txt": "notes, staged edit\nand an unstaged line\n"})
    result = build(clone, "--commit")
    assert result.code == 0, result.err
    assert clone.run("show", "--name-only", "--format=", "HEAD").split() == ["plan.md"]
    assert clone.run("diff", "--cached", "--name-only").split() == ["notes.txt", "staged.txt"]
    assert clone.run("diff", "--name-only").split() == ["notes.txt"]
    assert clone.run("show", ":notes.txt") == "notes, staged edit\n"


def test_pages_left_by_an_earlier_build_are_committed(remote: Remote, tmp_path: Path) -> None:
    clone = remote.clone(tmp_path / "a")
    edit(clone, "_roadmaps/alpha.yml", "task: Build", "task: Build it", commit="rename build")
    assert build(clone).code == 0  # regenerated, not committed
    result = build(clone, "--commit")
    assert result.code == 0, result.err
    assert "changed files:\n  plan.md\n" in result.out
    assert clone.run("status", "--porcelain") == ""


def test_a_page_with_its_own_unstaged_edit_is_not_committed(remote: Remote, tmp_path: Path) -> None:
    clone = remote.clone(tmp_path / "a")
    edit(clone, "_roadmaps/alpha.yml", "task: Build", "task: Build it", commit="rename build")
    edit(clone, "plan.md", "Text between", "Edited text between")
    head = clone.head()
    result = build(clone, "--commit")
    assert result.code == 2
    assert result.err == (
        "pages-roadmap: error: plan.md has uncommitted changes besides the regenerated charts\n"
        "hint: commit or stash them, then run again: --commit commits only what pages-roadmap "
        "generated\n"
    )
    assert clone.head() == head
    page = (clone.path / "plan.md").read_text()
    assert "Edited text between" in page and "Build it" in page  # as a plain build leaves it


def test_a_page_with_its_own_unstaged_edit_is_left_alone_when_up_to_date(
    remote: Remote, tmp_path: Path
) -> None:
    clone = remote.clone(tmp_path / "a")
    edit(clone, "plan.md", "Text between", "Edited text between")
    result = build(clone, "--commit")
    assert (result.code, result.err) == (0, "")
    assert "nothing to commit" in result.out
    assert clone.run("diff", "--name-only").split() == ["plan.md"]


def test_a_staged_change_to_the_tools_file_is_an_error(remote: Remote, tmp_path: Path) -> None:
    clone = remote.clone(tmp_path / "a")
    edit(clone, "_roadmaps/alpha.yml", "task: Build", "task: Build it", commit="rename build")
    edit(clone, "plan.md", "Text between", "Staged text between")
    clone.run("add", "plan.md")
    index = clone.run("ls-files", "--stage")
    result = build(clone, "--commit")
    assert result.code == 2
    assert "plan.md has staged changes of its own" in result.err
    assert clone.run("ls-files", "--stage") == index
    assert count(clone, "origin/main..HEAD") == 1


def test_uncommitted_roadmap_data_is_an_error(remote: Remote, tmp_path: Path) -> None:
    clone = remote.clone(tmp_path / "a")
    edit(clone, "_roadmaps/alpha.yml", "task: Build", "task: Build it")
    head = clone.head()
    result = build(clone, "--commit")
    assert result.code == 2
    assert result.err.startswith(
        "pages-roadmap: error: _roadmaps/alpha.yml has uncommitted changes: the charts would "
        "be committed without the data they are drawn from\n"
    )
    assert clone.head() == head


def test_an_untracked_page_is_an_error(remote: Remote, tmp_path: Path) -> None:
    clone = remote.clone(tmp_path / "a")
    clone.write({"new.md": PAGE})
    result = build(clone, "--commit")
    assert result.code == 2
    assert "new.md is not tracked by git" in result.err


# --- clear errors that leave the repository as it was -------------------------------------------


def prepared(remote: Remote, dest: Path) -> Repo:
    """A clone with committed data and its page regenerated but not committed."""
    clone = remote.clone(dest)
    edit(clone, "_roadmaps/alpha.yml", "task: Build", "task: Build it", commit="rename build")
    assert build(clone).code == 0
    return clone


def test_detached_head_is_an_error_and_changes_nothing(remote: Remote, tmp_path: Path) -> None:
    clone = prepared(remote, tmp_path / "a")
    clone.run("checkout", "--quiet", "--detach")
    before = state(clone)
    result = build(clone, "--commit", "--push")
    assert result.code == 2
    assert result.err == (
        "pages-roadmap: error: HEAD is detached: there is no branch to commit to\n"
        "hint: check out a branch; in GitHub Actions, pull_request runs check out a merge "
        "commit: commit only on push and schedule runs\n"
    )
    assert state(clone) == before


def test_no_upstream_is_an_error_with_push_only(remote: Remote, tmp_path: Path) -> None:
    clone = prepared(remote, tmp_path / "a")
    clone.run("branch", "--unset-upstream")
    before = state(clone)
    result = build(clone, "--commit", "--push")
    assert result.code == 2
    assert result.err == (
        "pages-roadmap: error: branch 'main' has no upstream to push to\n"
        "hint: set one with 'git branch --set-upstream-to=origin/main', or drop --push\n"
    )
    assert state(clone) == before
    assert build(clone, "--commit").code == 0  # a local commit needs no upstream
    assert trailer(clone) == __version__


@pytest.mark.parametrize(
    ("setup", "flags", "message"),
    [
        (("checkout", "--quiet", "--detach"), ("--commit",), "HEAD is detached"),
        (("branch", "--unset-upstream"), ("--commit", "--push"), "has no upstream"),
    ],
)
def test_a_repository_that_cannot_take_the_commit_is_refused_before_any_page_is_written(
    remote: Remote, tmp_path: Path, setup: tuple[str, ...], flags: tuple[str, ...], message: str
) -> None:
    clone = remote.clone(tmp_path / "a")
    edit(clone, "_roadmaps/alpha.yml", "task: Build", "task: Build it", commit="rename build")
    clone.run(*setup)
    before = state(clone)
    result = build(clone, *flags)
    assert result.code == 2
    assert message in result.err
    assert state(clone) == before  # the out-of-date page was not regenerated either


def test_uncommitted_data_is_refused_before_any_page_is_written(
    remote: Remote, tmp_path: Path
) -> None:
    clone = remote.clone(tmp_path / "a")
    edit(clone, "_roadmaps/alpha.yml", "task: Build", "task: Build it")
    before = state(clone)
    assert build(clone, "--commit").code == 2
    assert state(clone) == before


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--push",), "--push needs --commit"),
        (
            ("--commit", "--check"),
            "--commit cannot be combined with --check or --diff (they write nothing)",
        ),
        (
            ("--commit", "--diff"),
            "--commit cannot be combined with --check or --diff (they write nothing)",
        ),
    ],
)
def test_flags_that_would_be_ignored_are_usage_errors(
    remote: Remote, tmp_path: Path, flags: tuple[str, ...], message: str
) -> None:
    clone = remote.clone(tmp_path / "a")
    edit(clone, "_roadmaps/alpha.yml", "task: Build", "task: Build it", commit="rename build")
    before = state(clone)
    result = build(clone, *flags)
    assert (result.code, result.err) == (2, f"pages-roadmap: error: {message}\n")
    assert state(clone) == before


def test_a_remote_that_refuses_the_push_is_an_error(remote: Remote, tmp_path: Path) -> None:
    hook = remote.bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n")
    hook.chmod(0o755)
    clone = prepared(remote, tmp_path / "a")
    before = state(clone)
    result = build(clone, "--commit", "--push")
    assert result.code == 2
    assert result.err.startswith("pages-roadmap: error: the push to origin/main failed: ")
    assert "protected branch" in result.err
    assert "hint: check that the token may push to this branch" in result.err
    assert state(clone) == before


def test_rebase_conflict_is_an_error_and_changes_nothing(remote: Remote, tmp_path: Path) -> None:
    first = remote.clone(tmp_path / "a")
    second = prepared(remote, tmp_path / "b")  # edits the same line as `first`, differently
    edit(first, "_roadmaps/alpha.yml", "task: Build", "task: Build fast", commit="mine")
    assert build(first, "--commit", "--push").code == 0
    before = state(second)
    result = build(second, "--commit", "--push")
    assert result.code == 2
    assert result.err == (
        "pages-roadmap: error: the local commits conflict with origin/main in "
        "_roadmaps/alpha.yml; the rebase was aborted\n"
        "hint: pull and resolve the conflict by hand ('git pull --rebase'), then run again\n"
    )
    assert state(second) == before
    assert remote.head() == first.head()


def test_an_operation_in_progress_is_an_error(remote: Remote, tmp_path: Path) -> None:
    clone = prepared(remote, tmp_path / "a")
    clone.write({"plan.md": (clone.path / "plan.md").read_text()})
    clone.run("stash", "--quiet")
    with pytest.raises(RuntimeError):  # stops with the rebase in progress
        clone.run("rebase", "--exec", "false", "HEAD~1")
    result = build(clone, "--commit")
    assert result.code == 2
    assert result.err == (
        "pages-roadmap: error: a merge, rebase, cherry-pick or revert is in progress "
        "(rebase-merge)\nhint: finish or abort it first\n"
    )


def test_a_branch_without_commits_is_an_error(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "new", home=tmp_path / "home")
    repo.write({"_config.yml": CONFIG, "_roadmaps/alpha.yml": ALPHA, "plan.md": PAGE})
    result = build(repo, "--commit")
    assert result.code == 2
    assert "the branch has no commits yet" in result.err


def test_uncommitted_work_blocks_a_rebase_and_is_kept(remote: Remote, tmp_path: Path) -> None:
    first = remote.clone(tmp_path / "a")
    second = prepared(remote, tmp_path / "b")  # has a local commit to rebase
    second.stage({"staged.txt": "staged\n"})
    edit(first, "_roadmaps/beta.yml", "task: Migrate", "task: Migrate A", commit="beta")
    assert build(first, "--commit", "--push").code == 0
    before = state(second)
    result = build(second, "--commit", "--push")
    assert result.code == 2
    assert result.err == (
        "pages-roadmap: error: cannot rebase the local commits onto origin/main: there are "
        "uncommitted changes\nhint: commit or stash them, then run again\n"
    )
    assert state(second) == before
    assert second.run("diff", "--cached", "--name-only") == "staged.txt\n"


# --- races --------------------------------------------------------------------------------------


def test_two_clones_racing_both_land(remote: Remote, tmp_path: Path) -> None:
    first = remote.clone(tmp_path / "a")
    second = remote.clone(tmp_path / "b")
    edit(first, "_roadmaps/alpha.yml", "task: Design", "task: Design A", commit="alpha")
    edit(second, "_roadmaps/beta.yml", "task: Migrate", "task: Migrate B", commit="beta")
    assert build(first, "--commit", "--push").code == 0
    result = build(second, "--commit", "--push")
    assert result.code == 0, result.err
    assert "\npushed to origin/main (after 2 attempts)\n" in result.out
    assert remote.head() == second.head()
    page = remote.show("plan.md")
    assert "Design A" in page and "Migrate B" in page
    log = second.run("log", "--format=%s", "-4").splitlines()
    assert log == [
        "pages-roadmap: regenerate charts and stamps",
        "beta",
        "pages-roadmap: regenerate charts and stamps",
        "alpha",
    ]
    assert second.run("status", "--porcelain") == ""
    assert build(second, "--check").code == 0


def test_a_nightly_run_overtaken_by_a_push_fast_forwards_and_rebuilds(
    remote: Remote, tmp_path: Path
) -> None:
    nightly = remote.clone(tmp_path / "nightly")
    author = remote.clone(tmp_path / "author")
    edit(author, "_roadmaps/beta.yml", "task: Migrate", "task: Migrate B", commit="beta")
    assert build(author, "--commit", "--push").code == 0
    # The nightly run started before that push: its date flips alpha's Design to done.
    result = build(nightly, "--commit", "--push", today="2025-01-25")
    assert result.code == 0, result.err
    page = remote.show("plan.md")
    assert "Migrate B" in page and ":done, design," in page
    assert count(nightly, "HEAD") == count(author, "HEAD") + 1


def test_rebuild_from_a_race_with_the_same_result_commits_nothing(
    remote: Remote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = remote.clone(tmp_path / "a")
    second = remote.clone(tmp_path / "b")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2025-01-25T03:00:00+00:00")
    assert build(first, "--commit", "--push", today="2025-01-25").code == 0
    # Another second, else both runs would make the very same commit (same tree, parent,
    # message and time) and the second push would trivially be up to date.
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2025-01-25T03:00:01+00:00")
    result = build(second, "--commit", "--push", today="2025-01-25")
    assert result.code == 0, result.err
    assert "changed files: none (nothing to commit)\n" in result.out
    assert second.head() == remote.head() == first.head()
    assert second.run("status", "--porcelain") == ""


def test_pushes_lost_every_time_give_up_and_restore(remote: Remote, tmp_path: Path) -> None:
    clone = prepared(remote, tmp_path / "a")
    rival = remote.clone(tmp_path / "rival")
    before = state(clone)
    rounds = []

    def push_first() -> None:
        rounds.append(1)
        rival.run("pull", "--quiet", "--ff-only")
        rival.commit({"notes.txt": f"round {len(rounds)}\n"}, "rival", SEED_DATE)
        rival.run("push", "--quiet")

    real = builder(clone)

    class Racing:
        """The real build, with a rival push landing each time it runs."""

        def changes(self) -> list[Change]:
            push_first()
            return real.changes()

        def from_blobs(
            self, pages: Mapping[Path, bytes], data: Callable[[Path], bytes | None]
        ) -> dict[Path, bytes]:
            push_first()
            return real.from_blobs(pages, data)

    push_first()
    with pytest.raises(commit.CommitError) as exc:
        commit.commit_and_push(
            clone.path,
            [clone.path / "plan.md"],
            push=True,
            build=Racing(),
            attempts=3,
        )
    assert exc.value.message == (
        "the push to origin/main was rejected 3 times: others kept pushing first"
    )
    assert state(clone) == before
    # Before the run, in the in-memory proof, and in the rebuilds that follow the first two
    # rejected pushes (the third rejection gives up without rebuilding).
    assert len(rounds) == 4


class Unused:
    def changes(self) -> list[Change]:
        raise AssertionError("not called")

    def from_blobs(
        self, pages: Mapping[Path, bytes], data: Callable[[Path], bytes | None]
    ) -> dict[Path, bytes]:
        raise AssertionError("not called")


def builder(repo: Repo, today: str = TODAY) -> Rebuild:
    """The build `build --today TODAY` runs, as the commit step receives it."""
    site = load_site(repo.path)
    now = datetime.fromisoformat(f"{today}T12:00:00+00:00")
    return Rebuild(site, None, date.fromisoformat(today), stamps=StampRun(now))


def test_attempts_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        commit.commit_and_push(tmp_path, [], push=False, build=Unused(), attempts=0)


def test_outside_a_repository(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    with pytest.raises(commit.CommitError, match="is not inside a git repository"):
        commit.commit_and_push(site, [], push=False, build=Unused())


def test_message_lists_the_files_and_ends_with_the_trailer() -> None:
    assert commit.message_for("subject", ["a.md", "b c.md"], "9.9") == (
        "subject\n\n- a.md\n- b c.md\n\nPages-Roadmap-Generated: 9.9\n"
    )


# --- status from the date -----------------------------------------------------------------------


def nightly(remote: Remote, tmp_path: Path, today: str) -> tuple[Repo, Run]:
    clone = remote.clone(tmp_path / f"n-{today}")
    return clone, build(clone, "--commit", today=today)


@pytest.mark.parametrize("today", ["2025-01-06", "2025-01-12", "2025-01-19"])
def test_a_nightly_run_without_a_state_change_commits_nothing(
    remote: Remote, tmp_path: Path, today: str
) -> None:
    clone, result = nightly(remote, tmp_path, today)
    assert (result.code, result.out) == (
        0,
        "changed files: none (nothing to commit)\nnothing to update; 1 page up to date\n",
    )
    assert clone.head() == remote.head()


def test_a_date_crossing_an_end_flips_exactly_that_item(remote: Remote, tmp_path: Path) -> None:
    clone, result = nightly(remote, tmp_path, "2025-01-20")
    assert result.code == 0, result.err
    diff = clone.run("diff", "--unified=0", "HEAD~1", "--", "plan.md")
    changed = [
        line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed[:2] == [
        "-    Design :active, design, 2025-01-06, 2025-01-20",
        "+    Design :done, design, 2025-01-06, 2025-01-20",
    ]
    assert len([line for line in changed if line.startswith("-")]) == 2  # and the checksum
