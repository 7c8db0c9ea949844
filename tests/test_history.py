"""Tests for pages_roadmap.history against real temporary git repositories."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from gitrepo import Repo, git_date

from pages_roadmap.git.history import (
    HistoryError,
    HistoryOptions,
    Watched,
    _log_command,
    _LogScanner,
    _walk,
    dirty_paths,
    is_shallow,
    last_changed,
    last_changes,
    parse_ignore_revs,
    repo_toplevel,
    staged_paths,
    start_dirty_paths,
    start_log,
    start_narrow_log,
)
from pages_roadmap.git.run import Early

D1 = "2025-01-01T12:00:00+00:00"
D2 = "2025-02-01T12:00:00+00:00"
D3 = "2025-03-01T12:00:00+00:00"
D4 = "2025-04-01T12:00:00+00:00"
TOOL_MSG = "Update roadmap stamps\n\nPages-Roadmap-Generated: v1\n"
# Enough lines that editing one keeps git's rename similarity well above the 50% threshold.
BODY = "".join(f"line {n}\n" for n in range(20))


pytestmark = pytest.mark.usefixtures("isolated_git")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo", home=tmp_path / "home")


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


# --- table-driven cases for last_changed -------------------------------------------------------


@dataclass
class Case:
    id: str
    # Builds history and returns the options to use (so it can ignore commits it created).
    build: Callable[[Repo], HistoryOptions]
    wanted: list[str]
    expected: dict[str, str]
    extra: dict[str, object] = field(default_factory=dict)


def _simple(r: Repo) -> HistoryOptions:
    r.commit({"a.md": "one\n"}, "add a", D1)
    r.commit({"a.md": "two\n"}, "edit a", D2)
    return HistoryOptions()


def _two_pages(r: Repo) -> HistoryOptions:
    r.commit({"a.md": "a\n"}, "add a", D1)
    r.commit({"b.md": "b\n"}, "add b", D2)
    r.commit({"a.md": "a2\n"}, "edit a", D3)
    return HistoryOptions()


def _pure_rename(r: Repo) -> HistoryOptions:
    r.commit({"old.md": BODY}, "add", D1)
    r.commit({"old.md": BODY + "more\n"}, "edit under old name", D2)
    r.rename("old.md", "docs/new.md", "move", D3)
    return HistoryOptions()


def _rename_chain(r: Repo) -> HistoryOptions:
    r.commit({"a.md": BODY, "other.md": "x\n"}, "add", D1)
    r.commit({"a.md": BODY + "edit\n"}, "edit", D2)
    r.rename("a.md", "b.md", "move 1", D3)
    r.rename("b.md", "dir with space/c.md", "move 2", D4)
    return HistoryOptions()


def _rename_with_edit(r: Repo) -> HistoryOptions:
    r.commit({"old.md": BODY}, "add", D1)
    r.rename("old.md", "new.md", "move and edit", D2, content=BODY.replace("line 3", "LINE 3"))
    return HistoryOptions()


def _trailer(r: Repo) -> HistoryOptions:
    r.commit({"a.md": "a\n", "b.md": "b\n"}, "add", D1)
    r.commit({"a.md": "stamped\n"}, TOOL_MSG, D2)
    # Git matches trailer keys case-insensitively; so do we.
    r.commit({"b.md": "stamped\n"}, "stamp\n\npages-roadmap-generated: yes\n", D3)
    return HistoryOptions()


def _trailer_only_in_prose(r: Repo) -> HistoryOptions:
    r.commit({"a.md": "a\n"}, "add", D1)
    # The key appears, but in the subject and mid-body, not in a trailer block: a human commit.
    r.commit(
        {"a.md": "a2\n"},
        "Pages-Roadmap-Generated: mentioned\n\nPages-Roadmap-Generated: is our trailer\n\nbye\n",
        D2,
    )
    return HistoryOptions()


def _custom_trailer(r: Repo) -> HistoryOptions:
    r.commit({"a.md": "a\n"}, "add", D1)
    r.commit({"a.md": "b\n"}, "bot\n\nX-Bot: 1\n", D2)
    r.commit({"a.md": "c\n"}, TOOL_MSG, D3)  # not ignored: a different trailer is configured
    return HistoryOptions(trailer="X-Bot")


def _ignore_revs(r: Repo) -> HistoryOptions:
    r.commit({"a.md": "a\n", "b.md": "b\n"}, "add", D1)
    reformat = r.commit({"a.md": "A\n", "b.md": "B\n"}, "reformat everything", D2)
    r.commit({"b.md": "B2\n"}, "real edit", D3)
    return HistoryOptions(ignore_revs=parse_ignore_revs(f"# formatter\n{reformat.upper()}\n"))


def _all_touching_commits_ignored(r: Repo) -> HistoryOptions:
    r.commit({"a.md": "a\n"}, "add a", D1)
    r.commit({"gen.md": "g\n"}, TOOL_MSG, D2)
    r.commit({"gen.md": "g2\n"}, TOOL_MSG, D3)
    return HistoryOptions()


def _ignored_move_and_reformat(r: Repo) -> HistoryOptions:
    r.commit({"old/p.md": BODY}, "add", D1)
    edited = BODY.replace("line 5", "LINE 5").replace("line 6", "LINE 6")
    big = r.rename("old/p.md", "new/p.md", "move + reformat", D2, content=edited)
    return HistoryOptions(ignore_revs=frozenset({big}))


def _author_vs_committer(r: Repo) -> HistoryOptions:
    # Like a rebase: authored in January, re-committed in March.
    r.commit({"a.md": "a\n"}, "rebased", date=D3, author_date=D1)
    return HistoryOptions()


def _author_date(r: Repo) -> HistoryOptions:
    _author_vs_committer(r)
    return HistoryOptions(use_author_date=True)


def _never_committed(r: Repo) -> HistoryOptions:
    r.commit({"a.md": "a\n"}, "add", D1)
    r.write({"untracked.md": "u\n"})
    return HistoryOptions()


def _unicode_and_spaces(r: Repo) -> HistoryOptions:
    r.commit({"fagligenetværk/side 1.md": "hej\n", "plain.md": "p\n"}, "add", D1)
    r.commit({"fagligenetværk/side 1.md": "hej igen\n"}, "edit", D2)
    return HistoryOptions()


def _offset_kept(r: Repo) -> HistoryOptions:
    r.commit({"a.md": "a\n"}, "late night in Copenhagen", "2025-03-01T00:30:00+01:00")
    return HistoryOptions()


def _mode_change(r: Repo) -> HistoryOptions:
    r.commit({"run.sh": "echo\n"}, "add", D1)
    r.run("update-index", "--chmod=+x", "run.sh")
    r.commit({}, "make executable", D2)
    return HistoryOptions()


def _merge(r: Repo) -> HistoryOptions:
    r.commit({"a.md": "a\n", "b.md": "b\n"}, "add", D1)
    r.run("checkout", "--quiet", "-b", "topic")
    r.commit({"a.md": "a on topic\n"}, "topic edit", D2)
    r.run("checkout", "--quiet", "main")
    r.commit({"b.md": "b on main\n"}, "main edit", D3)
    r.run(
        "merge",
        "--quiet",
        "--no-ff",
        "--no-edit",
        "topic",
        env={"GIT_AUTHOR_DATE": git_date(D4), "GIT_COMMITTER_DATE": git_date(D4)},
    )
    return HistoryOptions()


def _deleted_and_recreated(r: Repo) -> HistoryOptions:
    r.commit({"a.md": "a\n"}, "add", D1)
    r.commit({"a.md": None}, "delete", D2)
    r.commit({"a.md": "back\n"}, "recreate", D3)
    return HistoryOptions()


def _same_path_twice(r: Repo) -> HistoryOptions:
    r.commit({"docs/a.md": "a\n"}, "add", D2)
    return HistoryOptions()


CASES = [
    Case("simple last change", _simple, ["a.md"], {"a.md": D2}),
    Case("two pages, different dates", _two_pages, ["a.md", "b.md"], {"a.md": D3, "b.md": D2}),
    Case("pure rename keeps old date", _pure_rename, ["docs/new.md"], {"docs/new.md": D2}),
    Case(
        "chain of pure renames",
        _rename_chain,
        ["dir with space/c.md", "other.md"],
        {"dir with space/c.md": D2, "other.md": D1},
    ),
    Case("rename with edits bumps", _rename_with_edit, ["new.md"], {"new.md": D2}),
    Case("trailer commits ignored", _trailer, ["a.md", "b.md"], {"a.md": D1, "b.md": D1}),
    Case("trailer key in prose counts", _trailer_only_in_prose, ["a.md"], {"a.md": D2}),
    Case("custom trailer", _custom_trailer, ["a.md"], {"a.md": D3}),
    Case("ignore_revs", _ignore_revs, ["a.md", "b.md"], {"a.md": D1, "b.md": D3}),
    Case(
        "only ignored commits: newest ignored dates it",
        _all_touching_commits_ignored,
        ["a.md", "gen.md"],
        {"a.md": D1, "gen.md": D3},
    ),
    Case(
        "ignored move+reformat followed", _ignored_move_and_reformat, ["new/p.md"], {"new/p.md": D1}
    ),
    Case("committer date by default", _author_vs_committer, ["a.md"], {"a.md": D3}),
    Case("author date on request", _author_date, ["a.md"], {"a.md": D1}),
    Case(
        "never committed is absent",
        _never_committed,
        ["a.md", "untracked.md", "nope/x.md"],
        {"a.md": D1},
    ),
    Case(
        "spaces and non-ASCII",
        _unicode_and_spaces,
        ["fagligenetværk/side 1.md", "plain.md"],
        {"fagligenetværk/side 1.md": D2, "plain.md": D1},
    ),
    Case("commit offset kept", _offset_kept, ["a.md"], {"a.md": "2025-03-01T00:30:00+01:00"}),
    Case("mode-only change ignored", _mode_change, ["run.sh"], {"run.sh": D1}),
    Case("merge dated by branch commit", _merge, ["a.md", "b.md"], {"a.md": D2, "b.md": D3}),
    Case("deleted then recreated", _deleted_and_recreated, ["a.md"], {"a.md": D3}),
    Case(
        "same path spelled twice",
        _same_path_twice,
        ["docs/a.md", "./docs//a.md"],
        {"docs/a.md": D2, "./docs//a.md": D2},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_last_changed(case: Case, repo: Repo) -> None:
    options = case.build(repo)
    got = last_changed(repo.path, case.wanted, options)
    assert got == {path: at(iso) for path, iso in case.expected.items()}
    # Equal instants are not enough: the commit's own offset must survive.
    for path, iso in case.expected.items():
        assert got[path].utcoffset() == at(iso).utcoffset()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_last_changed_from_an_early_log(case: Case, repo: Repo) -> None:
    """The read a build starts before it knows the paths (start_log) dates exactly the same."""
    options = case.build(repo)
    early = start_log(repo.path, options)
    assert early is not None
    got = last_changed(repo.path, case.wanted, options, early)
    assert got == last_changed(repo.path, case.wanted, options)
    assert early.closed


def test_early_log_started_for_other_options_is_not_used(repo: Repo) -> None:
    _simple(repo)
    early = start_log(repo.path, HistoryOptions(trailer=""))
    assert early is not None
    assert last_changed(repo.path, ["a.md"], HistoryOptions(), early) == last_changed(
        repo.path, ["a.md"]
    )
    assert early.closed


def test_early_log_stops_git_when_done_early(repo: Repo) -> None:
    """A walk that stops early kills the git started for it, even with its output unread."""
    _long_history(repo, 500)
    early = start_log(repo.path, HistoryOptions(), limit=1)  # git soon waits on the reader
    assert early is not None
    results, stats = _walk(repo.path, ["hot.md"], HistoryOptions(), early)
    assert results == {"hot.md": at("2024-01-21T19:00:00+00:00")}
    assert stats.stopped_early
    assert early.closed and early.returncode is not None
    early.close()  # closing again is harmless


def test_early_log_in_an_empty_repository(repo: Repo) -> None:
    early = start_log(repo.path)
    assert early is not None
    assert last_changed(repo.path, ["a.md"], HistoryOptions(), early) == {}
    assert early.closed


def test_offset_is_the_commits_own(repo: Repo) -> None:
    _offset_kept(repo)
    got = last_changed(repo.path, ["a.md"])["a.md"]
    assert got.utcoffset() == timedelta(hours=1)
    assert got.astimezone(timezone.utc).date().isoformat() == "2025-02-28"


def test_empty_repository_gives_empty_result(repo: Repo) -> None:
    assert last_changed(repo.path, ["a.md"]) == {}


def test_no_wanted_paths(repo: Repo) -> None:
    _simple(repo)
    assert last_changed(repo.path, []) == {}


@pytest.mark.parametrize("bad", ["", "/etc/passwd", "../outside.md", ".", "a/../../b"])
def test_paths_must_be_repo_relative(repo: Repo, bad: str) -> None:
    _simple(repo)
    with pytest.raises(ValueError):
        last_changed(repo.path, [bad])


def test_root_may_be_a_subdirectory(repo: Repo) -> None:
    repo.commit({"docs/a.md": "a\n"}, "add", D1)
    assert last_changed(repo.path / "docs", ["docs/a.md"]) == {"docs/a.md": at(D1)}


# --- early stop -------------------------------------------------------------------------------


def _long_history(repo: Repo, n: int) -> None:
    start = at("2024-01-01T00:00:00+00:00")
    commits: list[tuple[Mapping[str, str | None], str, str]] = [
        ({"root.md": "root\n"}, "root", start.isoformat())
    ]
    for i in range(1, n):
        files: dict[str, str | None] = {f"filler/{i % 37}.md": f"rev {i}\n"}
        if i == n - 1:
            files["hot.md"] = "changed in the newest commit\n"
        commits.append((files, f"commit {i}", (start + timedelta(hours=i)).isoformat()))
    repo.bulk_commits(commits)


def test_walk_stops_as_soon_as_everything_is_dated(repo: Repo) -> None:
    _long_history(repo, 500)
    assert int(repo.run("rev-list", "--count", "HEAD")) == 500
    results, stats = _walk(repo.path, ["hot.md"], HistoryOptions())
    assert results == {"hot.md": at("2024-01-21T19:00:00+00:00")}
    assert stats.commits_read == 1
    assert stats.stopped_early


def test_walk_reads_everything_when_it_must(repo: Repo) -> None:
    _long_history(repo, 500)
    results, stats = _walk(repo.path, ["root.md", "missing.md"], HistoryOptions())
    assert results == {"root.md": at("2024-01-01T00:00:00+00:00")}
    assert stats.commits_read == 500
    assert not stats.stopped_early


def test_scanner_handles_any_chunk_boundary(repo: Repo) -> None:
    _rename_chain(repo)
    _unicode_and_spaces(repo)
    options = HistoryOptions()
    stream = subprocess.run(
        ["git", *_log_command(options)], cwd=repo.path, capture_output=True, check=True
    ).stdout
    wanted = ["dir with space/c.md", "other.md", "fagligenetværk/side 1.md", "absent.md"]
    expected = last_changed(repo.path, wanted)
    for size in (1, 2, 3, 7, 41, 64, len(stream)):
        scanner = _LogScanner({p.encode(): [p] for p in wanted}, options)
        for start in range(0, len(stream), size):
            if scanner.feed(stream[start : start + size]):
                break
        scanner.finish()
        assert scanner.results == expected, size


# --- shallow clones, repository discovery, errors ----------------------------------------------


def test_shallow_clone_detection(repo: Repo, tmp_path: Path) -> None:
    repo.commit({"a.md": "a\n"}, "one", D1)
    repo.commit({"b.md": "b\n"}, "two", D2)
    full = repo.clone(tmp_path / "full")
    shallow = repo.clone(tmp_path / "shallow", depth=1)
    assert is_shallow(repo.path) is False
    assert is_shallow(full.path) is False
    assert is_shallow(shallow.path) is True
    # Why callers must warn: a depth-1 clone dates every page by its only commit.
    assert last_changed(shallow.path, ["a.md"]) == {"a.md": at(D2)}
    assert last_changed(full.path, ["a.md"]) == {"a.md": at(D1)}


def test_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(HistoryError, match="not a usable git repository"):
        last_changed(plain, ["a.md"])
    with pytest.raises(HistoryError):
        is_shallow(plain)
    with pytest.raises(HistoryError):
        staged_paths(plain)
    assert repo_toplevel(plain) is None


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="not a directory"):
        last_changed(tmp_path / "nope", ["a.md"])
    assert repo_toplevel(tmp_path / "nope" / "deeper") is None


def test_git_not_on_path(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.commit({"a.md": "a\n"}, "add", D1)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(HistoryError, match="git was not found"):
        last_changed(repo.path, ["a.md"])


def test_repo_toplevel(repo: Repo) -> None:
    repo.commit({"docs/sub/a.md": "a\n"}, "add", D1)
    top = repo.path.resolve()
    assert repo_toplevel(repo.path) == top
    assert repo_toplevel(repo.path / "docs" / "sub") == top
    assert repo_toplevel(repo.path / "docs" / "sub" / "a.md") == top


# --- staged_paths ------------------------------------------------------------------------------


def test_staged_paths(repo: Repo) -> None:
    repo.commit(
        {
            "mod.md": "m\n",
            "moved.md": BODY,
            "edited-move.md": BODY,
            "gone.md": "g\n",
            "exec.sh": "x\n",
            "unstaged.md": "u\n",
        },
        "base",
        D1,
    )
    repo.stage({"mod.md": "m2\n", "new dir/ny side æ.md": "n\n", "gone.md": None})
    repo.run("mv", "moved.md", "moved-to.md")
    repo.run("mv", "edited-move.md", "edited-to.md")
    repo.stage({"edited-to.md": BODY + "tail\n"})
    repo.run("update-index", "--chmod=+x", "exec.sh")
    repo.write({"unstaged.md": "changed but not staged\n"})
    assert staged_paths(repo.path) == {"mod.md", "new dir/ny side æ.md", "edited-to.md"}


def test_staged_paths_before_first_commit(repo: Repo) -> None:
    repo.stage({"a.md": "a\n"})
    assert staged_paths(repo.path) == {"a.md"}


def test_staged_paths_nothing_staged(repo: Repo) -> None:
    _simple(repo)
    assert staged_paths(repo.path) == set()


def test_dirty_paths_asked_now_and_answered_later(repo: Repo) -> None:
    """git compares the work tree when asked (start_dirty_paths); the answer, taken later, is
    dirty_paths' own, and taking it twice is harmless."""
    _two_pages(repo)
    (repo.path / "a.md").write_text("edited\n")
    (repo.path / "new.md").write_text("untracked, so not dirty\n")
    asked = start_dirty_paths(repo.path)
    assert dirty_paths(repo.path, asked) == {"a.md"} == dirty_paths(repo.path)
    assert asked.wait() is asked.wait()


def test_dirty_paths_outside_a_repository(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="git diff HEAD failed"):
        dirty_paths(tmp_path, start_dirty_paths(tmp_path))


# --- options and ignore-revs parsing ------------------------------------------------------------

SHA1 = "0123456789abcdef0123456789abcdef01234567"
SHA256 = "a" * 64


def test_parse_ignore_revs() -> None:
    text = f"""# Formatting commits
{SHA1}

   {SHA256.upper()}   # reflow, with an inline comment
#{"f" * 40}
"""
    assert parse_ignore_revs(text) == frozenset({SHA1, SHA256})
    assert parse_ignore_revs("") == frozenset()


@pytest.mark.parametrize("bad", ["abc123", SHA1 + "0", "not a hash", SHA1[:-1] + "g"])
def test_parse_ignore_revs_rejects_non_full_ids(bad: str) -> None:
    with pytest.raises(ValueError, match="line 2"):
        parse_ignore_revs(f"{SHA1}\n{bad}\n")


def test_options_validation() -> None:
    assert HistoryOptions(ignore_revs=frozenset({SHA1.upper()})).ignore_revs == {SHA1}
    with pytest.raises(ValueError):
        HistoryOptions(ignore_revs=frozenset({"abc"}))
    with pytest.raises(ValueError):
        HistoryOptions(trailer="Bad,Key)")
    assert HistoryOptions(trailer="").trailer == ""


def test_empty_trailer_disables_filtering(repo: Repo) -> None:
    _trailer(repo)
    got = last_changed(repo.path, ["a.md", "b.md"], HistoryOptions(trailer=""))
    assert got == {"a.md": at(D2), "b.md": at(D3)}


def test_hostile_git_config_does_not_change_results(repo: Repo) -> None:
    repo.commit({"root-only.md": "r\n"}, "root commit", D1)
    repo.commit({"old.md": BODY}, "add", D2)
    repo.rename("old.md", "new.md", "move", D3)
    for key, value in [
        ("log.showRoot", "false"),  # would hide the root commit's files
        ("log.showSignature", "true"),
        ("color.ui", "always"),
        ("diff.renames", "false"),  # would turn the pure rename into delete + add
        ("core.quotePath", "true"),
    ]:
        repo.run("config", key, value)
    got = last_changed(repo.path, ["new.md", "root-only.md"])
    assert got == {"new.md": at(D2), "root-only.md": at(D1)}


def _iter_nothing() -> Iterator[str]:
    yield from ()


def test_paths_may_be_any_iterable(repo: Repo) -> None:
    _simple(repo)
    assert last_changed(repo.path, _iter_nothing()) == {}
    assert last_changed(repo.path, (p for p in ["a.md"])) == {"a.md": at(D2)}


# --- the watched walk (Watched): parsed as git writes it, for more paths than are wanted -------


def _watched(repo: Repo, options: HistoryOptions, paths: list[str]) -> Watched:
    early = start_log(repo.path, options, waiting=True)
    assert early is not None
    return Watched(early, paths, options)


def _as_asked(repo: Repo, wanted: list[str], options: HistoryOptions) -> object:
    return last_changes(repo.path, wanted, options)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_watched_walk_dates_exactly_as_a_walk_of_its_own(case: Case, repo: Repo) -> None:
    """Watching every path of the repository (and some never committed) changes no date of
    the paths asked for, nor which were dated by skipped commits only."""
    options = case.build(repo)
    watch = sorted({*case.wanted, *_every_path(repo), "never/committed.md"})
    for wanted in (case.wanted, *([p] for p in case.wanted)):
        watched = _watched(repo, options, watch)
        got = last_changes(repo.path, wanted, options, watched)
        assert got == _as_asked(repo, wanted, options), wanted
        assert watched.early.closed


@pytest.mark.parametrize("seed", range(12))
def test_a_watched_walk_dates_random_histories_as_walks_of_their_own(
    seed: int, repo: Repo
) -> None:
    options = _random_history(repo, seed)
    every = _every_path(repo)
    rnd = random.Random(seed)
    for wanted in (every, rnd.sample(every, max(1, len(every) // 3)), [rnd.choice(every)]):
        watched = _watched(repo, options, every)
        assert last_changes(repo.path, wanted, options, watched) == _as_asked(
            repo, wanted, options
        )


def test_a_watched_walk_asked_for_other_paths_walks_again(repo: Repo) -> None:
    _two_pages(repo)
    watched = _watched(repo, HistoryOptions(), ["a.md"])
    got = last_changes(repo.path, ["a.md", "b.md"], HistoryOptions(), watched)
    assert got == _as_asked(repo, ["a.md", "b.md"], HistoryOptions())
    assert watched.early.closed


def _ended(early: Early, seconds: float = 20.0) -> int | None:
    deadline = time.monotonic() + seconds
    while early.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return early.poll()


def test_a_watched_walk_stops_git_by_itself_once_its_paths_are_dated(repo: Repo) -> None:
    """Nobody asks for the dates yet: the reading thread itself stops git."""
    _long_history(repo, 3000)
    watched = _watched(repo, HistoryOptions(), ["hot.md"])
    assert _ended(watched.early) == -signal.SIGKILL  # stopped, not run to its end
    results, only_skipped = last_changes(repo.path, ["hot.md"], HistoryOptions(), watched)
    assert results == {"hot.md": at("2024-01-01T00:00:00+00:00") + timedelta(hours=2999)}
    assert only_skipped == set()


def test_a_watched_walk_reads_to_the_end_for_a_path_never_committed(repo: Repo) -> None:
    _long_history(repo, 300)
    watched = _watched(repo, HistoryOptions(), ["root.md", "missing.md"])
    got = last_changes(repo.path, ["root.md", "missing.md"], HistoryOptions(), watched)
    assert got == ({"root.md": at("2024-01-01T00:00:00+00:00")}, set())
    assert watched.early.returncode == 0  # git ran to its end


def test_a_watched_walk_reports_output_it_cannot_read(repo: Repo) -> None:
    """A parse error in the reading thread is raised where the dates are asked for (no hang,
    no thread dying alone)."""
    _simple(repo)
    early = Early(repo.path, ["log", "-z", "--format=%H"], waiting=True)
    watched = Watched(early, ["a.md"], HistoryOptions())
    with pytest.raises(HistoryError, match="unexpected git log output"):
        watched.dates(repo.path, {b"a.md": ["a.md"]})
    assert early.closed


def test_a_watched_walk_reports_git_failing(repo: Repo) -> None:
    _simple(repo)
    early = Early(repo.path, ["log", "--format=not our format"], waiting=True)
    watched = Watched(early, ["a.md"], HistoryOptions())
    with pytest.raises(HistoryError, match=r"git log failed in .*: fatal: "):
        watched.dates(repo.path, {b"a.md": ["a.md"]})
    assert early.closed


def test_a_waiting_log_fills_its_pipe_then_waits_for_go(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started waiting, git runs until its pipe is full and no further; `go` lets it on."""
    _long_history(repo, 300)  # some 100 kB of log: more than a 4 kB pipe holds
    monkeypatch.setattr(Early, "ROOM", 4096)
    early = start_log(repo.path, HistoryOptions(), waiting=True)
    assert early is not None
    assert _ended(early, 1.0) is None  # still there, waiting on its pipe
    assert last_changed(repo.path, ["root.md"], HistoryOptions(), early) == {
        "root.md": at("2024-01-01T00:00:00+00:00")
    }
    assert early.returncode == 0


def test_a_waiting_log_never_let_go_is_stopped_by_close(repo: Repo) -> None:
    _long_history(repo, 3000)
    early = start_log(repo.path, HistoryOptions(), waiting=True)
    assert early is not None
    early.close()
    assert early.closed and early.returncode is not None
    early.close()  # again: harmless


# --- the narrow walk (start_narrow_log): the same dates from a walk limited to folders ---------


def _every_path(repo: Repo) -> list[str]:
    return sorted(repo.run("ls-files", "-z").split("\0")[:-1])


def _narrow_dates(repo: Repo, wanted: list[str], options: HistoryOptions) -> dict[str, datetime]:
    """Every wanted path dated with a narrow walk over all the folders holding them (the top
    level as '.' is not a folder: its files go to the whole walk)."""
    folders = sorted({p.rsplit("/", 1)[0] for p in wanted if "/" in p})
    narrow = start_narrow_log(repo.path, folders, options) if folders else None
    early = start_log(repo.path, options)
    return last_changes(repo.path, wanted, options, early, narrow)[0]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_narrow_walk_dates_exactly_as_the_whole_walk(case: Case, repo: Repo) -> None:
    options = case.build(repo)
    # Every path at HEAD and every path the case asks for, moved into folders where needed.
    wanted = sorted({*case.wanted, *_every_path(repo)})
    assert _narrow_dates(repo, wanted, options) == last_changed(repo.path, wanted, options)


def _random_history(repo: Repo, seed: int) -> HistoryOptions:
    """Adds, edits, renames inside and across folders, deletions, tool commits and merges."""
    rnd = random.Random(seed)
    folders = ["_roadmaps", "docs", "docs/deep", ""]
    files: dict[str, str] = {}
    day = 0

    def when() -> str:
        nonlocal day
        day += 1
        return f"2025-{1 + day // 28:02d}-{1 + day % 28:02d}T12:00:00+00:00"

    def name() -> str:
        folder = rnd.choice(folders)
        return f"{folder}/f{rnd.randrange(6)}.yml".lstrip("/")

    for _ in range(4):
        files[name()] = BODY + f"{rnd.random()}\n"
    repo.commit(dict(files), "start", when())
    for step in range(18):
        action = rnd.choice(["edit", "edit", "add", "rename", "rename-edit", "delete", "tool"])
        if action in ("rename", "rename-edit") and files:
            old = rnd.choice(sorted(files))
            new = name()
            if new in files:
                continue
            content = files.pop(old)
            if action == "rename-edit":
                content = content.replace("line 3", f"LINE {step}")
            files[new] = content
            repo.rename(old, new, f"move {step}", when(), content=content)
        elif action == "delete" and len(files) > 1:
            gone = rnd.choice(sorted(files))
            del files[gone]
            repo.commit({gone: None}, f"delete {step}", when())
        elif action == "tool" and files:
            target = rnd.choice(sorted(files))
            files[target] += "stamped\n"
            repo.commit({target: files[target]}, TOOL_MSG, when())
        else:
            target = name() if action == "add" or not files else rnd.choice(sorted(files))
            files[target] = files.get(target, BODY) + f"{step}\n"
            repo.commit({target: files[target]}, f"{action} {step}", when())
        if step == 9:  # a side branch, merged later, with edits of its own
            repo.run("checkout", "--quiet", "-b", "side")
            side = rnd.choice(sorted(files))
            repo.commit({side: files[side] + "side\n"}, "side edit", when())
            repo.run("checkout", "--quiet", "main")
            date = git_date(when())
            repo.run(
                "merge", "--quiet", "--no-ff", "--no-edit", "-X", "theirs", "side",
                env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date},
            )
            files = {p: (repo.path / p).read_text() for p in _every_path(repo)}
    return HistoryOptions()


@pytest.mark.parametrize("seed", range(12))
def test_a_narrow_walk_dates_random_histories_as_the_whole_walk(seed: int, repo: Repo) -> None:
    options = _random_history(repo, seed)
    wanted = _every_path(repo)
    assert _narrow_dates(repo, wanted, options) == last_changed(repo.path, wanted, options)
