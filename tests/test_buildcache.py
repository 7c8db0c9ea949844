"""The build cache: a page the last build found up to date is skipped unread, and only then.

Each test runs the same builds with the cache and with none (a fresh clone): the outputs and
the pages must be the same, and the cached run must decode no page it could skip.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run_cli, snapshot
from gitrepo import Repo

from pages_roadmap import build

pytestmark = pytest.mark.usefixtures("isolated_git")

D1 = "2025-03-01T10:00:00+00:00"
CONFIG = "title: t\nlang: da\ntimezone: Europe/Copenhagen\n"
STAMP = "<!-- pages-roadmap:stamp %d. %B %Y --><!-- /pages-roadmap:stamp -->"
PAGE = f"---\ntitle: P\n---\nOpdateret {STAMP}\n\nText.\n"
AUTO = """sections:
  - name: S
    items:
      - task: Work
        id: w
        start: 2026-01-05
        end: 2026-01-20
"""
EMBED = (
    f"---\ntitle: R\n---\nOpdateret {STAMP}\n\n"
    "<!-- pages-roadmap:gantt plan -->\n<!-- /pages-roadmap:gantt -->\n"
)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    r = Repo(tmp_path / "site", home=tmp_path / "home")
    r.commit(
        {"_config.yml": CONFIG, "p.md": PAGE, "r.md": EMBED, "_roadmaps/plan.yml": AUTO}, "add", D1
    )
    return r


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The pages build decodes, with the cache in a folder of the test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    seen: list[str] = []
    real = build.decode

    def counting(raw: bytes, path: str) -> str:
        seen.append(path)
        return real(raw, path)

    monkeypatch.setattr(build, "decode", counting)
    return seen


def tree(repo: Repo) -> dict[str, bytes]:
    """The work tree (git's index is left out: `git status` refreshes its stat data)."""
    return {k: v for k, v in snapshot(repo.path).items() if not k.startswith(".git/")}


def both(repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str) -> str:
    """Build with the cache, and build the same tree with none: same output, same pages."""
    before = tree(repo)
    cached = run_cli("build", "--root", str(repo.path), *args)
    after = tree(repo)
    repo.write({k: v.decode() for k, v in before.items()})
    with monkeypatch.context() as m:
        m.setenv("XDG_CACHE_HOME", str(tmp_path / "fresh-clone"))
        fresh = run_cli("build", "--root", str(repo.path), *args)
        shutil.rmtree(tmp_path / "fresh-clone", ignore_errors=True)
    assert (cached.code, cached.out) == (fresh.code, fresh.out)
    assert tree(repo) == after
    return cached.out


def test_a_second_build_decodes_nothing(
    repo: Repo, decoded: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run_cli("build", "--root", str(repo.path), "--today", "2026-01-10")
    run_cli("build", "--root", str(repo.path), "--today", "2026-01-10")  # finds both up to date
    decoded.clear()
    out = both(repo, monkeypatch, tmp_path, "--today", "2026-01-10", "-v")
    assert out.endswith("nothing to update; 2 pages up to date\n")
    assert decoded.count("p.md") == 1 and decoded.count("r.md") == 1  # only the fresh-clone run


@pytest.mark.parametrize(
    "change",
    ["data", "config", "day the status changes", "page"],
)
def test_what_invalidates_a_page(
    repo: Repo, decoded: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, change: str
) -> None:
    day = "2026-01-10"
    run_cli("build", "--root", str(repo.path), "--today", day)
    run_cli("build", "--root", str(repo.path), "--today", day)
    if change == "data":
        repo.write({"_roadmaps/plan.yml": AUTO.replace("Work", "Labour")})
    elif change == "config":
        repo.write({"_config.yml": CONFIG.replace("lang: da", "lang: de")})
    elif change == "day the status changes":
        day = "2026-01-21"  # the task is done from its end on
    else:
        repo.write({"r.md": (repo.path / "r.md").read_text().replace("title: R", "title: S")})
    decoded.clear()
    out = both(repo, monkeypatch, tmp_path, "--today", day)
    assert "r.md" in decoded[: len(decoded) // 2 or 1]
    assert out != "nothing to update; 2 pages up to date\n"


def test_a_day_on_which_no_status_changes_keeps_the_page(
    repo: Repo, decoded: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    no_auto = AUTO + "        status: done\n"
    repo.commit({"_roadmaps/plan.yml": no_auto}, "done", D1)
    run_cli("build", "--root", str(repo.path), "--today", "2026-01-10")
    run_cli("build", "--root", str(repo.path), "--today", "2026-01-10")
    decoded.clear()
    both(repo, monkeypatch, tmp_path, "--today", "2026-03-01")
    assert decoded.count("r.md") == 1  # only the fresh-clone run: its chart has no auto status


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages build reads from disk."""
    seen: list[str] = []
    real = build.read_bytes

    def counting(path: Path, rel: str, *args: object, **kwargs: object) -> bytes:
        seen.append(rel)
        return real(path, rel, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "read_bytes", counting)
    return seen


def _trust_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files here were written a moment ago: trust their status without the two-second wait."""
    from pages_roadmap import buildcache

    monkeypatch.setattr(buildcache, "_TRUST_NS", -(10**12))


def test_a_page_whose_status_is_remembered_is_not_read(
    repo: Repo,
    decoded: list[str],
    reads: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _trust_at_once(monkeypatch)
    # The first build stamps, the second finds the pages up to date and remembers their bytes,
    # the third reads them once more and remembers their status too.
    for _ in range(3):
        run_cli("build", "--root", str(repo.path), "--today", "2026-01-10")
    reads.clear()
    decoded.clear()
    out = run_cli("build", "--root", str(repo.path), "--today", "2026-01-10", "-v").out
    assert out.endswith("nothing to update; 2 pages up to date\n")
    assert reads == [] and decoded == []


def test_a_status_is_not_trusted_for_a_file_changed_right_before_the_read(
    repo: Repo, reads: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A file saved in the same time step as the read could change without its times showing
    it (git's "racy clean" files): such a page is read again, and checked by its bytes."""
    for _ in range(3):
        run_cli("build", "--root", str(repo.path), "--today", "2026-01-10")
    reads.clear()
    run_cli("build", "--root", str(repo.path), "--today", "2026-01-10")
    assert sorted(reads) == ["p.md", "r.md"]


@pytest.mark.parametrize("how", ["same size, old times put back", "other size"])
def test_an_edit_the_status_shows_is_built(
    repo: Repo, reads: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, how: str
) -> None:
    import os

    _trust_at_once(monkeypatch)
    for _ in range(3):
        run_cli("build", "--root", str(repo.path), "--today", "2026-01-10")
    page = repo.path / "r.md"
    before = page.stat()
    text = page.read_text()
    edited = text.replace("title: R", "title: S" if how.startswith("same") else "title: Longer")
    page.write_text(edited)
    if how.startswith("same"):
        os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))  # only the ctime moves
    reads.clear()
    both(repo, monkeypatch, tmp_path, "--today", "2026-01-10", "-v")  # as a fresh clone builds
    assert reads.count("r.md") == 2 and reads.count("p.md") == 1  # p.md: the fresh clone only
