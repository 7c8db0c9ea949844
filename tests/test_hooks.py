"""The pre-commit hooks, run by pre-commit itself exactly as `.pre-commit-hooks.yaml` declares them.

`pre-commit try-repo` is a snapshot of a repository plus a generated config plus `pre-commit
run`, with a throw-away store, so every call installs the hook environment again (a pip install
from PyPI). The cases below therefore do what try-repo does, with one store for the session:
a snapshot of this working copy (uncommitted changes included) is committed to a temporary
repository, and `pre-commit run` uses it by path and commit. One test runs `try-repo` itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_cli
from gitrepo import Repo, isolated_env

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("isolated_git")]

MANIFEST = REPO / ".pre-commit-hooks.yaml"
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
# Dates long past: automatic statuses are "done" whatever day the tests run on.
ALPHA = """\
title: Alpha
sections:
  - name: Work
    items:
      - task: Design
        id: design
        start: 2001-01-08
        end: 2001-01-22
"""
PAGE = """\
---
title: Plan
---
# Plan

<!-- pages-roadmap:gantt alpha -->
<!-- /pages-roadmap:gantt -->
"""


@dataclass
class Snapshot:
    path: Path
    rev: str
    home: Path
    store: Path


@pytest.fixture(scope="session")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """This working copy committed to a temporary repository, and one pre-commit store."""
    base = tmp_path_factory.mktemp("hooks")
    home = base / "home"
    repo = Repo(base / "snapshot", home=home)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source, target = REPO / name, repo.path / name
        if not source.is_symlink() and not source.is_file():
            continue  # deleted in the working copy
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(source.readlink())
        else:
            target.write_bytes(source.read_bytes())
    repo.run("add", "--all")
    rev = repo.commit({}, "snapshot of the working copy")
    return Snapshot(repo.path, rev, home, base / "store")


def env_for(snap: Snapshot) -> dict[str, str]:
    env = isolated_env(snap.home)
    env["PRE_COMMIT_HOME"] = str(snap.store)
    env["PRE_COMMIT_COLOR"] = "never"
    # pip's download cache survives the isolated HOME, so a second session installs quickly.
    env["PIP_CACHE_DIR"] = os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip"))
    return env


@pytest.fixture
def site(tmp_path: Path, snapshot: Snapshot) -> Repo:
    """A committed site with an up-to-date chart."""
    repo = Repo(tmp_path / "site", home=snapshot.home)
    repo.write({"_config.yml": "title: t\n", "_roadmaps/alpha.yml": ALPHA, "plan.md": PAGE})
    assert run_cli("build", "--root", str(repo.path)).code == 0
    repo.run("add", "--all")
    repo.commit({}, "site")
    # Stamps (if the pages have any) need the commit: the tool's own commit adds them.
    assert run_cli("build", "--root", str(repo.path), "--commit").code == 0
    return repo


def run_hook(snap: Snapshot, site: Repo, hook_id: str) -> subprocess.CompletedProcess[str]:
    config = site.path.parent / f"{hook_id}.yaml"
    config.write_text(
        yaml.safe_dump(
            {"repos": [{"repo": str(snap.path), "rev": snap.rev, "hooks": [{"id": hook_id}]}]}
        )
    )
    return subprocess.run(
        [str(PRE_COMMIT), "run", "--config", str(config)],
        cwd=site.path,
        env=env_for(snap),
        capture_output=True,
        text=True,
        check=False,
    )


def rename_task(site: Repo, name: str) -> None:
    text = (site.path / "_roadmaps/alpha.yml").read_text()
    site.stage({"_roadmaps/alpha.yml": text.replace("task: Design", f"task: {name}")})


# --- cases, one pair per hook id in the manifest ------------------------------------------------


def check_passes(site: Repo) -> str:
    rename_task(site, "Design v2")
    return "pages-roadmap check" + "." * 20


def check_fails(site: Repo) -> str:
    text = (site.path / "_roadmaps/alpha.yml").read_text()
    site.stage({"_roadmaps/alpha.yml": text.replace("end: 2001-01-22", "end: 2001-01-01")})
    return "R102"


def build_passes(site: Repo) -> str:
    site.stage({"notes.md": "# Notes\n\nNo chart here.\n"})
    return "pages-roadmap build" + "." * 20


def build_fails(site: Repo) -> str:
    # Only the data is staged: the page that embeds it is regenerated although it is not.
    rename_task(site, "Design v3")
    return "files were modified by this hook"


CASES: dict[str, tuple[Callable[[Repo], str], Callable[[Repo], str]]] = {
    "pages-roadmap-check": (check_passes, check_fails),
    "pages-roadmap-build": (build_passes, build_fails),
}


def manifest_ids() -> list[str]:
    return [hook["id"] for hook in yaml.safe_load(MANIFEST.read_text())]


def test_every_hook_in_the_manifest_has_cases() -> None:
    assert manifest_ids() == list(CASES)


@pytest.mark.parametrize("hook_id", manifest_ids())
def test_hook_passes(snapshot: Snapshot, site: Repo, hook_id: str) -> None:
    expected = CASES[hook_id][0](site)
    before = site.run("status", "--porcelain")
    proc = run_hook(snapshot, site, hook_id)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert expected in proc.stdout and proc.stdout.rstrip().endswith("Passed")
    assert site.run("status", "--porcelain") == before


@pytest.mark.parametrize("hook_id", manifest_ids())
def test_hook_fails(snapshot: Snapshot, site: Repo, hook_id: str) -> None:
    expected = CASES[hook_id][1](site)
    proc = run_hook(snapshot, site, hook_id)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Failed" in proc.stdout and expected in proc.stdout


def test_check_hook_never_writes(snapshot: Snapshot, site: Repo) -> None:
    check_fails(site)
    before = site.run("status", "--porcelain")
    assert run_hook(snapshot, site, "pages-roadmap-check").returncode == 1
    assert site.run("status", "--porcelain") == before


def test_build_hook_regenerates_the_unstaged_page_then_passes(
    snapshot: Snapshot, site: Repo
) -> None:
    build_fails(site)
    assert run_hook(snapshot, site, "pages-roadmap-build").returncode == 1
    assert "Design v3" in (site.path / "plan.md").read_text()
    site.run("add", "plan.md")  # the author re-stages, as after a formatter
    proc = run_hook(snapshot, site, "pages-roadmap-build")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_try_repo_runs_every_hook(snapshot: Snapshot, site: Repo) -> None:
    check_passes(site)
    proc = subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(snapshot.path)],
        cwd=site.path,
        env=env_for(snapshot),
        capture_output=True,
        text=True,
        check=False,
    )
    # The page is out of date after the rename: check passes, build regenerates and fails.
    assert proc.returncode == 1, proc.stdout + proc.stderr
    ran = [line.split(".")[0] for line in proc.stdout.splitlines() if "....." in line]
    assert ran == ["pages-roadmap build", "pages-roadmap check"]
    assert proc.stdout.count("Passed") == 1 and proc.stdout.count("Failed") == 1


def test_both_hooks_pass_on_this_repository_as_committed(snapshot: Snapshot) -> None:
    """`pre-commit run --all-files` on this repository itself: the check hook is handed every
    Markdown file (test fixtures in excluded folders too) and must skip what Jekyll skips; the
    build hook must find the example site up to date."""
    config = snapshot.path.parent / "all-hooks.yaml"
    hooks = [{"id": hook_id} for hook_id in manifest_ids()]
    config.write_text(
        yaml.safe_dump(
            {"repos": [{"repo": str(snapshot.path), "rev": snapshot.rev, "hooks": hooks}]}
        )
    )
    proc = subprocess.run(
        [str(PRE_COMMIT), "run", "--all-files", "--config", str(config)],
        cwd=snapshot.path,
        env=env_for(snapshot),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ran = sorted(line.split(".")[0] for line in proc.stdout.splitlines() if "....." in line)
    assert (ran, proc.stdout.count("Passed")) == (["pages-roadmap build", "pages-roadmap check"], 2)
