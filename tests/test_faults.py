"""Fault tests: real `pages-roadmap` processes killed, raced and starved, on real git repositories.

Every case compares the sha256 of every file outside `.git` with the tree before the run: a
file may only be as it was, or (for a page the tool regenerates, or a file the upstream
changed) as a complete run leaves it; uncommitted edits must survive byte for byte. The kill
moments come from a seeded generator, spread over the measured length of an unkilled run;
`KILLS` per signal per scenario, so 3 signals x 4 scenarios x KILLS moments in all (one
scenario is large enough for the build's forked copies).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from gitrepo import Repo, isolated_env

from pages_roadmap.build import PARALLEL_FROM

KILLS = 10  # per signal and scenario: 40 per signal, 120 in all
SEED = 11
TODAY = "2025-01-10"
PAGES = 24
SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGHUP)
ALPHA = """\
title: Alpha
sections:
  - name: Work
    items:
      - task: Design
        id: design
        start: 2025-01-06
        end: 2025-01-20
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
HUMAN = "An uncommitted paragraph a person is writing.\n"


def page(n: int) -> str:
    name = "alpha" if n % 2 == 0 else "beta"
    return (
        f"# Page {n}\n\nIntro {n}.\n\n<!-- pages-roadmap:gantt {name} -->\n"
        f"<!-- /pages-roadmap:gantt -->\n\nText after the chart.\n"
    )


def cli(where: Path, home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pages_roadmap", "build", "--root", str(where), *args]


def tree(root: Path) -> dict[str, str]:
    """sha256 of every file outside .git."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] == ".git" or path.is_dir():
            continue
        out[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@dataclass
class Scenario:
    """A repository (clone + bare remote) and the command to run in it."""

    name: str
    base: Path  # holds clone/, remote.git/, home/
    args: tuple[str, ...]
    edited: tuple[str, ...]  # pages with uncommitted edits

    @property
    def clone(self) -> Path:
        return self.base / "clone"

    @property
    def home(self) -> Path:
        return self.base / "home"

    def copy(self, dest: Path) -> Scenario:
        shutil.copytree(self.base, dest, symlinks=True)
        # The clone's remote is the copied bare repository, not the template's.
        env = isolated_env(dest / "home")
        subprocess.run(
            ["git", "remote", "set-url", "origin", (dest / "remote.git").as_uri()],
            cwd=dest / "clone",
            env=env,
            check=True,
        )
        return Scenario(self.name, dest, self.args, self.edited)

    def start(self) -> subprocess.Popen[bytes]:
        env = {**isolated_env(self.home), "PYTHONDONTWRITEBYTECODE": "1"}
        return subprocess.Popen(
            cli(self.clone, self.home, "--today", TODAY, *self.args),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )


def git(where: Path, home: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=where, env=isolated_env(home), check=True, capture_output=True
    )
    return proc.stdout.decode()


def make_site(
    base: Path, name: str, args: tuple[str, ...], edit: str, pages: int = PAGES
) -> Scenario:
    """A bare remote seeded with an up-to-date site, a clone with a new data commit, and a rival
    push the clone has not fetched (so --push loses the first race and rebases)."""
    home = base / "home"
    bare = base / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    git(bare, home, "symbolic-ref", "HEAD", "refs/heads/main")
    seed = Repo(base / "seed", home=home)
    files = {"_config.yml": "title: t\n", "_roadmaps/alpha.yml": ALPHA, "_roadmaps/beta.yml": BETA}
    files |= {f"p{n:03}.md": page(n) for n in range(pages)}
    seed.write({**files, "notes.txt": "notes\n"})
    env = {**isolated_env(home), "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run(cli(seed.path, home, "--today", TODAY), env=env, check=True, capture_output=True)
    seed.run("add", "--all")
    seed.commit({}, "seed", "2025-01-02T09:00:00+00:00")
    seed.run("push", "--quiet", bare.as_uri(), "main")
    clone_dir = base / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", bare.as_uri(), str(clone_dir)],
        env=isolated_env(home),
        check=True,
    )
    clone = Repo(clone_dir, home=home, init=False)
    alpha = ALPHA.replace("task: Design", "task: Design v2")
    clone.commit({"_roadmaps/alpha.yml": alpha}, "alpha v2", "2025-01-03T09:00:00+00:00")
    seed.commit({"notes.txt": "notes, by a rival\n"}, "rival", "2025-01-03T10:00:00+00:00")
    seed.run("push", "--quiet", bare.as_uri(), "main")
    shutil.rmtree(seed.path)
    # Uncommitted edits: in pages the data change regenerates (even: alpha) or not (odd).
    picks = {"none": (), "unaffected": (1, 3, 5), "affected": (0, 1, 4, 7)}[edit]
    edited = []
    for n in picks:
        file = clone_dir / f"p{n:03}.md"
        file.write_text(file.read_text().replace("Text after the chart.\n", HUMAN))
        edited.append(file.name)
    return Scenario(name, base, args, tuple(edited))


SCENARIOS = {
    # name: (arguments, uncommitted edits, pages)
    "build": ((), "affected", PAGES),
    "commit-push": (("--commit", "--push"), "none", PAGES),
    "commit-push-edited": (("--commit", "--push"), "unaffected", PAGES),
    # Enough pages for forked copies to prepare and write them (build.PARALLEL_FROM).
    "build-forked": ((), "affected", PARALLEL_FROM + 20),
}


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Scenario]:
    root = tmp_path_factory.mktemp("faults")
    return {
        name: make_site(root / name, name, args, edit, pages)
        for name, (args, edit, pages) in SCENARIOS.items()
    }


def wait_group(proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """Wait for the process and every git it started (they finish on their own)."""
    proc.communicate(timeout=timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)
    raise AssertionError("the killed run's git processes did not finish")


def reference(template: Scenario, dest: Path) -> tuple[dict[str, str], float]:
    """The tree a complete run leaves, and how long the run took."""
    copy = template.copy(dest)
    started = time.monotonic()
    proc = copy.start()
    _out, err = proc.communicate(timeout=60)
    took = time.monotonic() - started
    assert b"Traceback" not in err, err.decode()
    return tree(copy.clone), took


def plain_build(template: Scenario, dest: Path) -> dict[str, str]:
    """The tree a plain `build` leaves (what --commit writes before committing)."""
    copy = template.copy(dest)
    env = {**isolated_env(copy.home), "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run(cli(copy.clone, copy.home, "--today", TODAY), env=env, capture_output=True)
    return tree(copy.clone)


def check_tree(
    before: dict[str, str], after: dict[str, str], allowed: list[dict[str, str]], what: str
) -> None:
    leftovers = [name for name in after if "/.pages-roadmap-tmp-" in f"/{name}"]
    after = {name: digest for name, digest in after.items() if name not in leftovers}
    assert set(after) == set(before), what
    for name, digest in after.items():
        versions = {before[name]} | {state[name] for state in allowed if name in state}
        assert digest in versions, f"{what}: {name} is neither as before nor as a run leaves it"


def test_kills_at_random_moments_lose_nothing(
    templates: dict[str, Scenario], tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    tried: dict[str, int] = {}
    trials: list[tuple[Scenario, signal.Signals, float, list[dict[str, str]], int]] = []
    for name, template in templates.items():
        final, took = reference(template, tmp_path / f"ref-{name}")
        allowed = [final, plain_build(template, tmp_path / f"plain-{name}")]
        for sig in SIGNALS:
            for _ in range(KILLS):
                trials.append((template, sig, rng.uniform(0, took), allowed, len(trials)))
        tried[name] = 0

    def trial(job: tuple[Scenario, signal.Signals, float, list[dict[str, str]], int]) -> str:
        template, sig, delay, allowed, n = job
        copy = template.copy(tmp_path / f"t{n}")
        before = tree(copy.clone)
        human = {name: (copy.clone / name).read_bytes() for name in copy.edited}
        proc = copy.start()
        time.sleep(delay)
        proc.send_signal(sig)
        wait_group(proc)
        what = f"{copy.name} {sig.name} at {delay:.3f}s"
        check_tree(before, tree(copy.clone), allowed, what)
        for name in human:  # the person's paragraph is there, whatever the tool did around it
            assert HUMAN.encode() in (copy.clone / name).read_bytes(), f"{what}: {name}"
        git(copy.clone, copy.home, "status", "--porcelain")  # the repository still works
        shutil.rmtree(copy.base)
        return copy.name

    with ThreadPoolExecutor(max_workers=4) as pool:
        for name in pool.map(trial, trials):
            tried[name] += 1
    assert tried == {name: KILLS * len(SIGNALS) for name in templates}


def test_a_leftover_temporary_file_is_cleaned_by_the_next_run(
    templates: dict[str, Scenario], tmp_path: Path
) -> None:
    copy = templates["build"].copy(tmp_path / "c")
    leftover = copy.clone / ".pages-roadmap-tmp-999999-abcd-p000.md"
    leftover.write_text("half a page")
    unrelated = copy.clone / ".pages-roadmap-notes"
    unrelated.write_text("kept")
    proc = copy.start()
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert not leftover.exists()
    assert unrelated.read_text() == "kept"


# --- a page edited while the build runs -------------------------------------------------------


def test_a_page_saved_during_a_build_is_not_overwritten(tmp_path: Path) -> None:
    """A big site makes the build slow; the first page (read first, written first) is saved by
    "an editor" from this process at moments spread over the run, until one lands between the
    build's read and its write. Whatever the moment, the editor's text survives."""
    site = tmp_path / "big"
    (site / "_roadmaps").mkdir(parents=True)
    (site / "_roadmaps" / "alpha.yml").write_text(ALPHA)
    pages = 400
    for n in range(pages):
        (site / f"p{n:04}.md").write_text(page(2 * n))
    first = site / "p0000.md"
    original = first.read_bytes()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [*cli(site, tmp_path), "--today", TODAY, "--no-stamps", "--format", "json"]
    started = time.monotonic()
    subprocess.run(command, env=env, check=True, capture_output=True)
    took = time.monotonic() - started
    edited = original.replace(b"Text after the chart.\n", HUMAN.encode())
    hit = 0
    outcomes = []
    for attempt in range(12):
        for n in range(pages):  # out of date again: every page will be written
            (site / f"p{n:04}.md").write_text(page(2 * n))
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(took * (0.1 + 0.07 * attempt))
        first.write_bytes(edited)  # an editor saving in place
        out, err = proc.communicate(timeout=60)
        assert b"Traceback" not in err
        now = first.read_bytes()
        assert HUMAN.encode() in now, f"attempt {attempt}: the saved text was overwritten"
        findings = json.loads(out)["findings"]
        refused = [f for f in findings if f["code"] == "F102"]
        outcomes.append((proc.returncode, len(refused)))
        if refused:
            assert proc.returncode == 1
            assert refused[0]["path"] == "p0000.md" and refused[0]["line"] == 1
            assert now == edited  # left exactly as the editor saved it
            hit += 1
            if hit == 2:
                break
    assert hit, f"the race was never hit: {outcomes}"


# --- two runs at once ---------------------------------------------------------------------------


def test_two_commits_at_once_in_one_clone_end_correct(
    templates: dict[str, Scenario], tmp_path: Path
) -> None:
    for round_ in range(4):
        copy = templates["commit-push"].copy(tmp_path / f"r{round_}")
        # Local commits only: two runs race for the same branch, not for the remote.
        args = ("--today", TODAY, "--commit")
        env = {**isolated_env(copy.home), "PYTHONDONTWRITEBYTECODE": "1"}
        procs = []
        for n in range(2):
            procs.append(
                subprocess.Popen(
                    cli(copy.clone, copy.home, *args),
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
            )
            time.sleep(0.05 * round_ * n)
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            results.append(proc.returncode)
            assert proc.returncode in (0, 2), (out + err).decode()
            assert b"Traceback" not in err
        assert 0 in results
        # One tool commit, or two when each run committed the pages it got to first; every
        # commit above the data is the tool's, and together they hold every page.
        log = git(copy.clone, copy.home, "log", "--format=%s", "-4").splitlines()
        tool = log[: log.index("alpha v2")]
        assert tool and set(tool) == {"pages-roadmap: regenerate charts and stamps"}, log
        assert git(copy.clone, copy.home, "status", "--porcelain") == ""
        check = subprocess.run(
            cli(copy.clone, copy.home, *args[:2], "--check"), env=env, capture_output=True
        )
        assert check.returncode == 0, check.stdout.decode()


def test_two_clones_pushing_at_once_both_land(
    templates: dict[str, Scenario], tmp_path: Path
) -> None:
    first = templates["commit-push"].copy(tmp_path / "a")
    second_dir = tmp_path / "b"
    subprocess.run(
        ["git", "clone", "--quiet", (first.base / "remote.git").as_uri(), str(second_dir)],
        env=isolated_env(first.home),
        check=True,
    )
    second = Repo(second_dir, home=first.home, init=False)
    beta = BETA.replace("task: Migrate", "task: Migrate B")
    second.commit({"_roadmaps/beta.yml": beta}, "beta B", "2025-01-04T09:00:00+00:00")
    env = {**isolated_env(first.home), "PYTHONDONTWRITEBYTECODE": "1"}
    procs = [
        subprocess.Popen(
            cli(where, first.home, "--today", TODAY, "--commit", "--push"),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for where in (first.clone, second_dir)
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
    final = tmp_path / "final"
    subprocess.run(
        ["git", "clone", "--quiet", (first.base / "remote.git").as_uri(), str(final)],
        env=isolated_env(first.home),
        check=True,
    )
    text = (final / "p000.md").read_text() + (final / "p001.md").read_text()
    assert "Design v2" in text and "Migrate B" in text
    check = subprocess.run(
        cli(final, first.home, "--today", TODAY, "--check"), env=env, capture_output=True
    )
    assert check.returncode == 0, check.stdout.decode()


# --- a full disk, an unwritable folder ----------------------------------------------------------


def small_site(root: Path) -> Path:
    (root / "_roadmaps").mkdir(parents=True)
    (root / "_roadmaps" / "alpha.yml").write_text(ALPHA)
    (root / "docs").mkdir()
    (root / "docs" / "plan.md").write_text(page(0))
    return root / "docs" / "plan.md"


def run_limited(root: Path, preexec: Callable[[], None] | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [*cli(root, root), "--today", TODAY, "--no-stamps"],
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=preexec,
        check=False,
    )


def test_a_full_disk_is_exit_2_with_the_path(tmp_path: Path) -> None:
    plan = small_site(tmp_path / "site")
    before = plan.read_bytes()

    def file_size_limit() -> None:
        # What a full disk does to a write (EFBIG instead of ENOSPC); the signal would kill.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (len(before) + 10, len(before) + 10))

    proc = run_limited(tmp_path / "site", file_size_limit)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"pages-roadmap: error: cannot write {plan}: File too large\n")
    assert "Traceback" not in proc.stderr
    assert plan.read_bytes() == before
    assert sorted(p.name for p in plan.parent.iterdir()) == ["plan.md"]  # no temporary file


def test_an_unwritable_folder_is_exit_2_with_the_path(tmp_path: Path) -> None:
    plan = small_site(tmp_path / "site")
    before = plan.read_bytes()
    if os.geteuid() == 0:  # root writes through permissions; an immutable folder stops it
        locked = subprocess.run(["chattr", "+i", str(plan.parent)], capture_output=True)
        if locked.returncode != 0:
            if os.environ.get("PAGES_ROADMAP_REQUIRE_ALL"):
                pytest.fail(f"chattr +i failed: {locked.stderr!r}")
            pytest.skip("cannot make a folder unwritable for root here")
        unlock = ["chattr", "-i", str(plan.parent)]
    else:
        plan.parent.chmod(0o555)
        unlock = ["chmod", "755", str(plan.parent)]
    try:
        proc = run_limited(tmp_path / "site", None)
    finally:
        subprocess.run(unlock, check=True)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"pages-roadmap: error: cannot write {plan}: ")
    assert "Traceback" not in proc.stderr
    assert plan.read_bytes() == before
