"""Stamps dated from real git history: `build` on temporary repositories with pinned dates."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import SEED, Run, run_cli, snapshot
from gitrepo import Repo

from pages_roadmap import build
from pages_roadmap.site import load_site
from pages_roadmap.stamps import dating

D1 = "2025-03-01T10:00:00+00:00"
D2 = "2025-04-01T10:00:00+00:00"
D3 = "2025-05-01T10:00:00+00:00"
TOOL = "pages-roadmap: regenerate charts and stamps\n\nPages-Roadmap-Generated: 0.1.0\n"
CONFIG = "title: t\nlang: da\ntimezone: Europe/Copenhagen\n"
STAMP = "<!-- pages-roadmap:stamp %d. %B %Y -->{}<!-- /pages-roadmap:stamp -->"
PAGE = (
    "---\ntitle: P\n---\nOpdateret "
    + STAMP.format("")
    + "\n\n"
    + "".join(f"Line {n} of the page.\n" for n in range(12))
)
ROADMAP = """sections:
  - name: S
    items:
      - task: Work
        id: w
        start: 2025-01-06
        end: 2025-01-20
        status: done
"""
EMBED = (
    "---\ntitle: R\n---\nOpdateret "
    + STAMP.format("")
    + ("\n\n<!-- pages-roadmap:gantt plan -->\n<!-- /pages-roadmap:gantt -->\n")
)
SEED_LINE = (
    "📆 _sidst opdateret: <!-- pages-roadmap:stamp %B %d, %Y -->{}<!-- /pages-roadmap:stamp -->_"
)


pytestmark = pytest.mark.usefixtures("isolated_git")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    r = Repo(tmp_path / "site", home=tmp_path / "home")
    r.commit({"_config.yml": CONFIG}, "config", D1)
    return r


def build_cli(r: Repo | Path, *args: str) -> Run:
    root = r.path if isinstance(r, Repo) else r
    return run_cli("build", "--root", str(root), "--today", "2026-11-28", *args)


def stamp_line(r: Repo, name: str = "p.md") -> str:
    return next(line for line in (r.path / name).read_text().splitlines() if "Opdateret" in line)


def key_line(r: Repo, name: str = "p.md") -> str:
    text = (r.path / name).read_text()
    return next(line for line in text.splitlines() if line.startswith("last_modified_date:"))


def dated(r: Repo, name: str = "p.md") -> str:
    """The page's date as its key records it, without the checksum."""
    return key_line(r, name).split(": ", 1)[1].split(" #")[0]


QUIET = "nothing to update; 1 page up to date\n"  # a build that finds nothing to do
UPDATED_P = "updated p.md\n1 stamp updated in 1 page; 0 pages up to date\n"


def codes(result: Run) -> list[str]:
    return [f["code"] for f in run_json(result)]


def run_json(result: Run) -> list[dict[str, object]]:
    return result.json() if result.out.startswith("{") else []


# --- the date of a page -------------------------------------------------------------------------


def test_last_commit_in_the_site_time_zone(repo: Repo) -> None:
    # 23:30 UTC on 27 November is already 28 November in Copenhagen.
    repo.commit({"p.md": PAGE}, "add page", "2026-11-27T23:30:00+00:00")
    result = build_cli(repo)
    assert (result.code, result.out) == (0, UPDATED_P)
    assert stamp_line(repo) == "Opdateret " + STAMP.format("28. november 2026")
    assert dated(repo) == "2026-11-28 00:30:00 +0100"


def test_page_never_committed_is_left_alone(repo: Repo) -> None:
    repo.write({"p.md": PAGE})
    result = build_cli(repo, "--format", "json")
    assert result.code == 0
    assert [(f["path"], f["line"], f["code"], f["severity"]) for f in result.json()] == [
        ("p.md", 4, "G103", "warning")
    ]
    assert (repo.path / "p.md").read_text() == PAGE


def test_not_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "p.md").write_text(PAGE)
    result = build_cli(tmp_path / "plain", "--format", "json")
    assert result.code == 0
    assert [(f["code"], f["severity"]) for f in result.json()] == [("G102", "warning")]
    assert "not in a git repository" in str(result.json()[0]["message"])
    assert (tmp_path / "plain" / "p.md").read_text() == PAGE


def test_pure_rename_keeps_the_date_an_edit_moves_it(repo: Repo) -> None:
    repo.commit({"p.md": PAGE}, "add", D1)
    repo.rename("p.md", "moved/p.md", "move", D2)
    build_cli(repo)
    assert dated(repo, "moved/p.md") == "2025-03-01 11:00:00 +0100"
    repo.run("checkout", "--", ".")
    repo.rename("moved/p.md", "q.md", "move and edit", D3, content=PAGE + "More.\n")
    build_cli(repo)
    assert dated(repo, "q.md") == "2025-05-01 12:00:00 +0200"


def test_the_tools_own_commit_does_not_bump(repo: Repo) -> None:
    repo.commit({"p.md": PAGE}, "add", D1)
    repo.commit({"p.md": PAGE.replace("Line 3", "Line three")}, TOOL, D2)
    build_cli(repo)
    assert dated(repo) == "2025-03-01 11:00:00 +0100"


def test_ignore_revs_file(repo: Repo) -> None:
    repo.commit({"p.md": PAGE}, "add", D1)
    mass = repo.commit({"p.md": PAGE.replace("Line", "LINE")}, "reformat everything", D2)
    repo.commit({".git-blame-ignore-revs": f"# formatter\n{mass}\n"}, "ignore it", D3)
    build_cli(repo)
    assert dated(repo) == "2025-03-01 11:00:00 +0100"
    # Turned off, the mass commit counts again. (The page just stamped keeps its record, which
    # still matches its content; so date the committed page, which has none, anew.)
    repo.run("checkout", "--", "p.md")
    repo.commit(
        {"_config.yml": CONFIG + "pages_roadmap:\n  stamps:\n    ignore_revs: false\n"}, "c", D3
    )
    build_cli(repo)
    assert dated(repo) == "2025-04-01 12:00:00 +0200"


def test_bad_ignore_revs_file_is_a_located_error(repo: Repo) -> None:
    repo.commit({"p.md": PAGE, "revs.txt": "# ok\nnot-a-sha\n"}, "add", D1)
    repo.commit(
        {"_config.yml": CONFIG + "pages_roadmap:\n  stamps:\n    ignore_revs: revs.txt\n"}, "c", D2
    )
    result = build_cli(repo, "--format", "json")
    assert result.code == 1
    assert [(f["path"], f["line"], f["code"]) for f in result.json()] == [("revs.txt", 2, "G105")]
    assert (repo.path / "p.md").read_text() == PAGE


def test_a_roadmap_change_bumps_the_pages_embedding_it(repo: Repo) -> None:
    repo.commit({"_roadmaps/plan.yml": ROADMAP, "r.md": EMBED, "p.md": PAGE}, "add", D1)
    assert build_cli(repo).code == 0
    repo.commit(
        {"r.md": (repo.path / "r.md").read_text(), "p.md": (repo.path / "p.md").read_text()},
        "stamps",
        D1,
    )
    repo.commit({"_roadmaps/plan.yml": ROADMAP.replace("Work", "Labour")}, "rename task", D2)
    result = build_cli(repo)
    assert (result.code, result.out) == (
        0,
        "updated r.md\n1 chart and 1 stamp updated in 1 page; 1 page up to date\n",
    )
    assert dated(repo, "r.md") == "2025-04-01 12:00:00 +0200"
    assert "Labour" in (repo.path / "r.md").read_text()
    assert dated(repo, "p.md") == "2025-03-01 11:00:00 +0100"


def test_author_date_by_setting(repo: Repo) -> None:
    repo.stage({"p.md": PAGE})
    repo.commit({}, "add", D2, author_date=D1)
    build_cli(repo)
    assert dated(repo) == "2025-04-01 12:00:00 +0200"
    repo.run("checkout", "--", "p.md")
    config = CONFIG + "pages_roadmap:\n  stamps:\n    date: author\n"
    repo.commit({"_config.yml": config}, "c", D2)
    build_cli(repo)
    assert dated(repo) == "2025-03-01 11:00:00 +0100"


# --- idempotency and the record ----------------------------------------------------------------


def test_build_twice_is_build_once_and_a_human_commit_of_the_output_is_stable(
    repo: Repo,
) -> None:
    repo.commit({"p.md": PAGE}, "add", D1)
    assert build_cli(repo).code == 0
    once = snapshot(repo.path)
    assert (build_cli(repo).out, snapshot(repo.path)) == (QUIET, once)
    # Someone commits the tool's output by hand (no trailer): the record still matches.
    repo.commit({"p.md": (repo.path / "p.md").read_text()}, "stamps", D3)
    assert build_cli(repo).out == QUIET
    assert build_cli(repo, "--check").code == 0
    assert dated(repo) == "2025-03-01 11:00:00 +0100"


def test_uncommitted_change_waits_for_its_commit(repo: Repo) -> None:
    repo.commit({"p.md": PAGE}, "add", D1)
    build_cli(repo)
    repo.commit({"p.md": (repo.path / "p.md").read_text()}, "stamps", D1)
    edited = (repo.path / "p.md").read_text().replace("Line 5", "Line five")
    repo.write({"p.md": edited})
    result = build_cli(repo, "--format", "json")
    assert (result.code, codes(result)) == (0, ["G106"])
    assert (repo.path / "p.md").read_text() == edited
    repo.commit({"p.md": edited}, "edit", D2)
    build_cli(repo)
    assert dated(repo) == "2025-04-01 12:00:00 +0200"


# --- shallow clones ----------------------------------------------------------------------------


def test_shallow_clone_refuses_to_stamp_but_builds_charts(repo: Repo, tmp_path: Path) -> None:
    repo.commit({"_roadmaps/plan.yml": ROADMAP, "r.md": EMBED}, "add", D1)
    repo.commit({"other.md": "x\n"}, "more", D2)
    clone = repo.clone(tmp_path / "shallow", depth=1)
    result = build_cli(clone, "--format", "json")
    assert result.code == 1
    [finding] = result.json()
    assert (finding["path"], finding["line"], finding["code"]) == ("r.md", 4, "G101")
    assert "fetch-depth: 0" in str(finding["hint"])
    text = (clone.path / "r.md").read_text()
    assert "```mermaid" in text and "last_modified_date" not in text
    # Allowed: stamped, but without a record checksum, so a full clone computes it again.
    assert build_cli(clone, "--allow-shallow").code == 0
    assert key_line(clone, "r.md").endswith("+0200")
    assert build_cli(clone, "--allow-shallow").out == "nothing to update; 2 pages up to date\n"


def test_shallow_clone_of_a_stamped_site_needs_no_history(repo: Repo, tmp_path: Path) -> None:
    repo.commit({"_roadmaps/plan.yml": ROADMAP, "r.md": EMBED}, "add", D1)
    build_cli(repo)
    repo.commit({"r.md": (repo.path / "r.md").read_text()}, TOOL, D2)
    clone = repo.clone(tmp_path / "shallow", depth=1)
    result = build_cli(clone, "--check")
    assert (result.code, result.out) == (0, "0 pages out of date; 1 page up to date\n")


# --- pre-commit mode ---------------------------------------------------------------------------

NOW = datetime.fromisoformat("2026-11-28T09:15:00+01:00")


def staged_build(r: Repo) -> build.BuildResult:
    site = load_site(r.path)
    run = build.StampRun(NOW, staged=True)
    result = build.run(site, site.pages(), NOW.date(), stamps=run)
    for change in result.changes:
        change.path.write_text(change.new)
    return result


def test_staged_page_gets_now_and_keeps_it(repo: Repo) -> None:
    repo.commit({"_roadmaps/plan.yml": ROADMAP, "r.md": EMBED, "p.md": PAGE}, "add", D1)
    build_cli(repo)
    repo.commit(
        {"r.md": (repo.path / "r.md").read_text(), "p.md": (repo.path / "p.md").read_text()},
        TOOL,
        D1,
    )
    repo.stage({"p.md": (repo.path / "p.md").read_text().replace("Line 2", "Line two")})
    result = staged_build(repo)
    assert [c.path.name for c in result.changes] == ["p.md"]
    assert dated(repo) == "2026-11-28 09:15:00 +0100"
    assert stamp_line(repo) == "Opdateret " + STAMP.format("28. november 2026")
    # The hook runs again after the author stages the result: nothing changes.
    repo.stage({"p.md": (repo.path / "p.md").read_text()})
    assert staged_build(repo).changes == []
    # The commit lands later; history-based runs keep the date the hook wrote.
    repo.commit({}, "edit", "2026-11-28T08:40:00+00:00")
    assert build_cli(repo).out == "nothing to update; 2 pages up to date\n"
    assert dated(repo, "r.md") == "2025-03-01 11:00:00 +0100"


def test_staged_roadmap_dates_the_pages_embedding_it(repo: Repo) -> None:
    repo.commit({"_roadmaps/plan.yml": ROADMAP, "r.md": EMBED, "p.md": PAGE}, "add", D1)
    build_cli(repo)
    repo.commit(
        {"r.md": (repo.path / "r.md").read_text(), "p.md": (repo.path / "p.md").read_text()},
        TOOL,
        D1,
    )
    repo.stage({"_roadmaps/plan.yml": ROADMAP.replace("Work", "Labour")})
    result = staged_build(repo)
    assert [c.path.name for c in result.changes] == ["r.md"]
    assert dated(repo, "r.md") == "2026-11-28 09:15:00 +0100"


def test_staged_page_whose_only_change_is_the_tools_own_output(repo: Repo) -> None:
    repo.commit({"p.md": PAGE}, "add", D1)
    build_cli(repo)  # history mode: dated D1, not yet committed
    repo.stage({"p.md": (repo.path / "p.md").read_text()})
    assert staged_build(repo).changes == []
    assert dated(repo) == "2025-03-01 11:00:00 +0100"


def test_roadmap_file_as_a_path_builds_the_pages_embedding_it(repo: Repo) -> None:
    repo.commit({"_roadmaps/plan.yml": ROADMAP, "r.md": EMBED, "p.md": PAGE}, "add", D1)
    result = build_cli(repo, str(repo.path / "_roadmaps" / "plan.yml"))
    assert (result.code, result.out) == (
        0,
        "updated r.md\n1 chart and 1 stamp updated in 1 page; 0 pages up to date\n",
    )


# --- the seed page -----------------------------------------------------------------------------

GOLDEN = Path(__file__).parent / "stamps" / "seed-after.md"


def test_seed_page_is_migrated_with_danish_month_names(repo: Repo) -> None:
    seed = SEED.read_text()
    repo.commit({"os2borgerpc/roadmap.md": seed}, "add the page", "2026-11-28T13:03:00+00:00")
    assert build_cli(repo).code == 0
    text = (repo.path / "os2borgerpc" / "roadmap.md").read_text()
    lines = text.splitlines()
    assert lines[12] == SEED_LINE.format("november 28, 2026")
    assert (
        lines[9] == "last_modified_date: 2026-11-28 14:03:00 +0100 # pages-roadmap sum:68715b8808"
    )
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        shutil.copy(repo.path / "os2borgerpc" / "roadmap.md", GOLDEN)
    assert text == GOLDEN.read_text()
    # Every other byte is the seed's.
    assert text.replace(lines[9] + "\n", "").replace(lines[12], lines[12]) == seed.replace(
        "{{ site.time | date: '%B %d, %Y' }}",
        "<!-- pages-roadmap:stamp %B %d, %Y -->november 28, 2026<!-- /pages-roadmap:stamp -->",
    )


def test_unknown_site_language_is_reported_once(repo: Repo) -> None:
    repo.commit({"_config.yml": "lang: xx-nope\n", "p.md": PAGE, "q.md": PAGE}, "add", D1)
    result = build_cli(repo, "--format", "json")
    assert [(f["path"], f["line"], f["code"]) for f in result.json()] == [
        ("_config.yml", 1, "T104")
    ]
    assert stamp_line(repo, "q.md") == "Opdateret " + STAMP.format("01. March 2025")


def test_staged_flag_through_the_command_line(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    from pages_roadmap import cli

    monkeypatch.setattr(cli, "now_in", lambda tz: NOW.astimezone(ZoneInfo(tz)))
    repo.commit({"p.md": PAGE}, "add", D1)
    repo.stage({"p.md": PAGE.replace("Line 1 ", "Line one ")})
    result = build_cli(repo, "--staged")
    assert (result.code, result.out) == (0, UPDATED_P)
    assert dated(repo) == "2026-11-28 09:15:00 +0100"
    repo.stage({"p.md": (repo.path / "p.md").read_text()})
    assert build_cli(repo, "--staged").out == QUIET
    # A run without --staged keeps the date too: the record matches the page.
    assert build_cli(repo).out == QUIET


def test_a_comment_or_layout_change_of_a_roadmap_bumps_nothing(repo: Repo) -> None:
    """Only the data counts: a new modeline, a reworded comment or other quoting draws the same
    chart, so the pages that embed the roadmap keep their date."""
    repo.commit({"_roadmaps/plan.yml": ROADMAP, "r.md": EMBED}, "add", D1)
    assert build_cli(repo).code == 0
    repo.commit({"r.md": (repo.path / "r.md").read_text()}, "stamps", D1)
    before = dated(repo, "r.md")
    relaid = "# yaml-language-server: $schema=roadmap.schema.json\n# Our plan.\n" + ROADMAP
    repo.commit({"_roadmaps/plan.yml": relaid}, "comments", D2)
    result = build_cli(repo)
    assert (result.code, result.out, dated(repo, "r.md")) == (0, QUIET, before)


# --- when git starts on history ------------------------------------------------------------------


def test_git_starts_on_history_at_once_only_where_dates_are_likely_wanted(
    repo: Repo, began: list[dating.HistoryReads | None]
) -> None:
    """A whole-site build without a build cache starts git before it lists the pages; a build
    with one, a build of named pages, --check, --staged and --no-stamps do not (git starts, if
    at all, when a page needs a date). The dates are the same either way."""
    repo.commit({"p.md": PAGE, "q.md": PAGE}, "add", D2)
    for args, early in [
        ((), True),  # no build cache yet: a first build, or a fresh clone
        (("--check",), False),
        (("p.md",), False),
        ((), False),  # the cache of the first build is there
    ]:
        began.clear()
        if args == ("p.md",):
            args = (str(repo.path / "p.md"),)
        build_cli(repo, *args)
        assert len(began) == (1 if early else 0), args
        assert all(b is not None and b.whole is not None for b in began)
    assert dated(repo) == dated(repo, "q.md") == "2025-04-01 12:00:00 +0200"
    site = load_site(repo.path)
    assert dating.begin_history(site, dating.StampRun(NOW, staged=True)) is None
    assert dating.begin_history(site, None) is None  # --no-stamps
