"""`pages-roadmap adopt` on a site with a real history, built from the corpus pages.

The repository has pinned dates, a pure rename, a CRLF page, a page with two charts, two pages
named Roadmap.md in different folders, a page without front matter, Liquid stamps, a
just-the-docs `_config.yml` and an existing `.pre-commit-config.yaml`. After one `adopt`:
every chart is imported (Mermaid draws the same tasks), every page keeps the date of its last
real change, no byte outside the managed regions, stamps and the date key changes, the settings
files only gain lines, `build --check` and `check` pass, `pre-commit run --all-files` passes,
and a second `adopt` changes nothing.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import CORPUS, SEED, run_cli
from gitrepo import Repo
from mermaid import compile_many
from test_hooks import PRE_COMMIT, Snapshot, env_for, snapshot  # noqa: F401 (a fixture)
from test_import_roundtrip import INTENDED, KEYS, Intended, expected_rows, rows

from pages_roadmap.importer import pages as importer
from pages_roadmap.page import find_regions, split

pytestmark = pytest.mark.usefixtures("isolated_git")

CONFIG = 'title: OS2produktmodning\ntheme: just-the-docs\nmermaid:\n  version: "11.12.0"\n'
HOOKS = """\
# Our own checks (kept as they are by adopt).
repos:
  - repo: local
    hooks:
      - id: nothing
        name: nothing
        entry: "true"
        language: system
        files: \\.md$

# a comment after the list
"""

NET = "fagligenetværk__produktforvaltere__produktforvaltere.md"


def iso_dates(text: str) -> str:
    """The corpus writes `date: "DD-MM-YYYY"` (check's S105); this site writes ISO dates."""
    return re.sub(r'(?m)^date: "(\d\d)-(\d\d)-(\d{4})"', r'date: "\3-\2-\1"', text)


def corpus(name: str) -> str:
    return iso_dates((CORPUS / name).read_text(encoding="utf-8"))


def edited(text: str, line: str) -> str:
    return text.rstrip("\n") + f"\n\n{line}\n"


# page -> the date of its last real content change (UTC, the site has no time zone).
EXPECTED = {
    "docs/OS2forms/gantt.md": "2025-06-10",
    "docs/OS2display/Roadmap.md": "2025-04-02",
    "docs/OS2borgerpc/Roadmap.md": "2025-07-15",
    "docs/net.md": "2025-05-20",
    "docs/releaseplan.md": "2025-03-01",
    "index.md": "2025-02-14",
}


CORPUS_NAME = {
    "docs/OS2forms/gantt.md": "OS2forms__gantt.md",
    "docs/OS2display/Roadmap.md": "OS2display__OS2display_roadmap.md",
    "docs/OS2borgerpc/Roadmap.md": "OS2borgerpc__talentudvikling__produktudvikling2025.md",
    "docs/net.md": NET,
    "docs/releaseplan.md": "OS2forms__Oprindelig-releasplan2025.md",
    "index.md": SEED.name,
}


PARENT_TITLES = (
    "OS2borgerpc",
    "Talentudvikling i OS2borgerpc",
    "OS2display",
    "OS2forms",
    "Faglige Netværk",
)


def make_site(repo: Repo) -> None:
    """A history: pages created, edited, renamed, then other files changed later."""
    gantt = corpus("OS2forms__gantt.md")
    display = corpus("OS2display__OS2display_roadmap.md")
    borger = corpus("OS2borgerpc__talentudvikling__produktudvikling2025.md")
    net = corpus(NET).replace("\n", "\r\n")
    seed = iso_dates(SEED.read_text(encoding="utf-8"))
    # The pages the corpus pages name as `parent`, so that just-the-docs' navigation holds.
    parents = {
        f"sections/{n}.md": f"---\ntitle: {title}\nhas_children: true\n---\n# {title}\n"
        for n, title in enumerate(PARENT_TITLES)
    }
    parents["sections/members.md"] = (
        "---\ntitle: Medlemmer\nparent: Fagligt netværk om OS2 Produkt- og Projektforvaltning\n"
        "grand_parent: Faglige Netværk\n---\n# Medlemmer\n"
    )
    repo.commit(
        {"_config.yml": CONFIG, ".pre-commit-config.yaml": HOOKS, "index.md": seed, **parents},
        "site",
        "2025-02-14T09:00:00+00:00",
    )
    repo.commit(
        {
            "docs/gantt.md": gantt,
            "docs/releaseplan.md": corpus("OS2forms__Oprindelig-releasplan2025.md"),
        },
        "forms",
        "2025-03-01T12:00:00+00:00",
    )
    repo.commit(
        {"docs/OS2display/Roadmap.md": display, "docs/OS2borgerpc/Roadmap.md": borger},
        "roadmaps",
        "2025-04-02T08:30:00+00:00",
    )
    repo.commit({"docs/net.md": net}, "network", "2025-05-20T16:00:00+00:00")
    repo.commit(
        {"docs/gantt.md": edited(gantt, "Opdateret plan.")}, "edit", "2025-06-10T10:00:00+00:00"
    )
    repo.commit(
        {"docs/OS2borgerpc/Roadmap.md": edited(borger, "Ny tekst.")},
        "edit borgerpc",
        "2025-07-15T07:00:00+00:00",
    )
    # A pure rename keeps the page's date.
    repo.rename("docs/gantt.md", "docs/OS2forms/gantt.md", "move", "2025-08-01T10:00:00+00:00")
    # A later change of other files dates no page.
    repo.commit({"_config.yml": CONFIG + "lang: en\n"}, "settings", "2025-09-01T10:00:00+00:00")


def files_of(repo: Repo) -> dict[str, bytes]:
    names = repo.run("ls-files", "-z").split("\0")
    return {n: (repo.path / n).read_bytes() for n in names if n}


def fences_of(text: str, name: str) -> list[str]:
    fences, _ = importer.find_charts(text, name)
    return ["".join(f"{line.text}\n" for line in fence.lines) for fence in fences]


def blocks_of(text: str, name: str) -> list[str]:
    regions, _ = find_regions(split(text), name)
    out = []
    for r in regions:
        body = text[r.content_start : r.content_end].replace("\r\n", "\n")
        out.append(body.split("```mermaid\n", 1)[1].rsplit("```", 1)[0])
    return out


STAMP = re.compile(
    r"\{\{ site\.time[^}]*\}\}|<!-- pages-roadmap:stamp.*?<!-- /pages-roadmap:stamp -->"
)


def outside(text: str, name: str) -> str:
    """The page without its charts (fenced or managed), stamps and the date key line."""
    regions, _ = find_regions(split(text), name)
    cut = [(text.rfind("<!--", 0, r.content_start), r.end_marker_end) for r in regions]
    fences, _ = importer.find_charts(text, name)
    cut += [(f.start, f.end) for f in fences]
    out, pos = [], 0
    for start, end in sorted(cut):
        out.append(text[pos:start])
        pos = end
    out.append(text[pos:])
    rest = STAMP.sub("", "".join(out))
    return re.sub(r"(?m)^last_modified_date: .*\r?\n", "", rest)


def test_adopt_a_site_with_a_real_history(tmp_path: Path, snapshot: Snapshot) -> None:  # noqa: F811
    repo = Repo(tmp_path / "site", home=tmp_path / "home")
    make_site(repo)
    before_head = repo.head()
    before = files_of(repo)
    assert run_cli("check", "--root", str(repo.path)).code == 0

    result = run_cli("adopt", "--root", str(repo.path), "--today", "2026-01-01")
    assert result.code == 0, result.out
    assert repo.run("status", "--porcelain") == ""
    # One commit, with the tool's trailer and a message that lists what it did.
    assert repo.run("rev-list", "--count", f"{before_head}..HEAD").strip() == "1"
    message = repo.run("log", "-1", "--format=%B")
    assert "Pages-Roadmap-Generated:" in message
    assert "imported 7 hand-written charts of 6 pages" in message
    assert "- .github/workflows/pages-roadmap.yml" in message
    after = files_of(repo)

    # Every chart imported; Mermaid draws the same tasks before and after (for the task the
    # corpus wrote with its end before its start, I206 swaps the dates: the bar appears).
    old_charts = [c for name in EXPECTED for c in fences_of(before[name].decode(), name)]
    new_charts = [c for name in EXPECTED for c in blocks_of(after[name].decode(), name)]
    assert len(old_charts) == len(new_charts) == 7
    assert not [c for name in EXPECTED for c in fences_of(after[name].decode(), name)]
    olds, news = compile_many(old_charts), compile_many(new_charts)
    names = [
        f"{CORPUS_NAME[n]}#{k}"
        for n in EXPECTED
        for k in range(1, len(fences_of(before[n].decode(), n)) + 1)
    ]
    for name, old, new in zip(names, olds, news, strict=True):
        # What the import changes on purpose, chart by chart, is test_import_roundtrip's table.
        intended = INTENDED.get(name, Intended("no change"))
        assert old["ok"] and new["ok"] and new["warnings"] == []
        got = [row for row in rows(new) if row["task"] not in intended.added]
        want = expected_rows(rows(old), intended)
        assert [{k: r[k] for k in KEYS} for r in got] == [{k: r[k] for k in KEYS} for r in want]

    # Every page keeps the date of its last real change.
    for name, day in EXPECTED.items():
        text = after[name].decode()
        keys = re.findall(r"(?m)^last_modified_date: (\S+) ", text)
        if split(text).front_matter is not None:
            assert keys == [day], name
        months = ["January", "February", "March", "April", "May", "June", "July", "August"]
        y, m, d = map(int, day.split("-"))
        for shown in re.findall(r"-->([^<]*)<!-- /pages-roadmap:stamp", text):
            assert shown == f"{months[m - 1]} {d:02d}, {y}", name

    # No other byte changed; CRLF stays CRLF.
    for name in EXPECTED:
        assert outside(after[name].decode(), name) == outside(before[name].decode(), name)
    assert b"\n" not in after["docs/net.md"].replace(b"\r\n", b"")
    assert after["_config.yml"].startswith(before["_config.yml"])
    assert after["_config.yml"].endswith(
        b'last_edit_timestamp: true\nlast_edit_time_format: "%b %e %Y"\n'
    )
    hooks = after[".pre-commit-config.yaml"].decode()
    assert hooks.endswith("\n# a comment after the list\n")
    entry = hooks[
        hooks.index("  - repo: https://github.com/pages-roadmap") : hooks.index(
            "\n# a comment after"
        )
    ]
    assert hooks.replace(entry, "") == HOOKS  # an entry added as text; every other byte kept
    assert entry.startswith("  - repo: https://github.com/pages-roadmap/pages-roadmap\n    rev: v")
    # The two Roadmap.md pages draw roadmaps of their own.
    ids = {n: [r.name for r in find_regions(split(after[n].decode()), n)[0]] for n in EXPECTED}
    assert ids["docs/OS2display/Roadmap.md"] == ["os2display-roadmap"]
    assert ids["docs/OS2borgerpc/Roadmap.md"] == ["os2borgerpc-roadmap"]

    # build --check and check pass: no roadmap has a finding, the pages have what they had.
    build = run_cli("build", "--root", str(repo.path), "--check", "--today", "2026-01-01")
    assert build.code == 0, build.out
    checked = run_cli("check", "--root", str(repo.path))
    assert (checked.code, checked.out.splitlines()[-1].split(": ")[-1]) == (
        0,
        "0 errors, 0 warnings",
    ), checked.out
    assert "- _roadmaps/roadmap.schema.json" in message

    # pre-commit runs the hooks adopt added (from this working copy instead of GitHub).
    config = tmp_path / "pre-commit.yaml"
    config.write_text(
        hooks.replace("https://github.com/pages-roadmap/pages-roadmap", str(snapshot.path)).replace(
            re.search(r"rev: (\S+)", hooks.split("pages-roadmap", 1)[1])[1],
            snapshot.rev,  # type: ignore[index]
        )
    )
    run = subprocess.run(
        [str(PRE_COMMIT), "run", "--all-files", "--config", str(config)],
        cwd=repo.path,
        env=env_for(snapshot),
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert repo.run("status", "--porcelain") == ""

    # A second adopt says so and changes nothing.
    head = repo.head()
    again = run_cli("adopt", "--root", str(repo.path), "--today", "2026-01-01")
    assert (again.code, again.out.splitlines()[-1]) == (0, "the site is adopted: nothing to change")
    assert (repo.head(), files_of(repo)) == (head, after)


def test_dry_run_prints_every_diff_and_writes_nothing(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "site", home=tmp_path / "home")
    make_site(repo)
    head, before = repo.head(), files_of(repo)
    result = run_cli("adopt", "--root", str(repo.path), "--dry-run", "--today", "2026-01-01")
    assert result.code == 0, result.out
    assert (repo.head(), files_of(repo), repo.run("status", "--porcelain")) == (head, before, "")
    assert repo.run("worktree", "list").count("\n") == 1
    for name in [*EXPECTED, "_config.yml", ".pre-commit-config.yaml"]:
        assert f"--- a/{name}\n+++ b/{name}\n" in result.out, name
    assert "+++ b/.github/workflows/pages-roadmap.yml" in result.out
    assert "+++ b/_roadmaps/os2display-roadmap.yml" in result.out


def test_no_commit_leaves_the_adoption_for_review(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "site", home=tmp_path / "home")
    make_site(repo)
    head = repo.head()
    result = run_cli(
        "adopt",
        "--root",
        str(repo.path),
        "--no-commit",
        "--no-workflow",
        "--no-hooks",
        "--today",
        "2026-01-01",
    )
    assert result.code == 0, result.out
    assert repo.head() == head
    status = repo.run("status", "--porcelain", "--untracked-files=all")
    assert ".github" not in status and ".pre-commit-config.yaml" not in status
    assert "?? _roadmaps/os2display-roadmap.yml" in status
    text = (repo.path / "docs/OS2forms/gantt.md").read_text(encoding="utf-8")
    assert "last_modified_date: 2025-06-10 10:00:00 +0000" in text
    # Committed by hand with the id in the ignore-revs file: the dates stay.
    repo.run("add", "--all")
    sha = repo.commit({}, "adopt by hand", "2026-01-02T10:00:00+00:00")
    repo.commit(
        {".git-blame-ignore-revs": f"{sha}\n"}, "ignore the adoption", "2026-01-02T11:00:00+00:00"
    )
    for page in (repo.path / "docs").rglob("*.md"):
        page.write_text(
            page.read_text(encoding="utf-8").replace(" # pages-roadmap sum:", " # x"),
            encoding="utf-8",
        )
    build = run_cli("build", "--root", str(repo.path), "--today", "2026-01-01")
    assert build.code == 0, build.out
    assert "last_modified_date: 2025-06-10 10:00:00 +0000" in (
        repo.path / "docs/OS2forms/gantt.md"
    ).read_text(encoding="utf-8")


def test_adopt_refuses_a_dirty_work_tree(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "site", home=tmp_path / "home")
    make_site(repo)
    (repo.path / "index.md").write_text("changed\n")
    result = run_cli("adopt", "--root", str(repo.path))
    assert result.code == 2
    assert "uncommitted changes (index.md)" in result.err


ENTRY = "  - repo: https://github.com/pages-roadmap/pages-roadmap\n"

HOOK_FILES = [
    # (the file as it was, what comes before the new entry, what comes after it)
    ("repos:\n  - repo: local\n    hooks: []\n", "repos:\n  - repo: local\n    hooks: []\n", ""),
    # No final newline: one is added before the entry, nothing else changes.
    ("repos:\n  - repo: local\n    hooks: []", "repos:\n  - repo: local\n    hooks: []\n", ""),
    # repos: is not the last key: the entry goes at the end of its list.
    (
        "repos:\n  - repo: local\n    hooks: []\n\nexclude: ^vendor/\n",
        "repos:\n  - repo: local\n    hooks: []\n",
        "\nexclude: ^vendor/\n",
    ),
    # A list not indented under repos: the new entry follows its indentation.
    ("repos:\n- repo: local\n  hooks: []\n", "repos:\n- repo: local\n  hooks: []\n", ""),
]


@pytest.mark.parametrize(("old", "before", "after"), HOOK_FILES)
def test_hooks_are_appended_as_text(old: str, before: str, after: str) -> None:
    from pages_roadmap.adopt import _with_hooks

    new = _with_hooks(old, "")
    assert new is not None
    assert new.startswith(before) and new.endswith(after)
    entry = new[len(before) : len(new) - len(after)]
    indent = "" if "\n- repo" in old else "  "
    assert entry.startswith(ENTRY.replace("  - ", f"{indent}- "))
    import yaml

    repos = yaml.safe_load(new)["repos"]
    assert [r["repo"] for r in repos][-1] == "https://github.com/pages-roadmap/pages-roadmap"
    assert [h["id"] for h in repos[-1]["hooks"]] == ["pages-roadmap-check", "pages-roadmap-build"]


@pytest.mark.parametrize("old", ["repos: []\n", "default_stages: [pre-commit]\n"])
def test_a_hooks_file_without_a_block_list_is_left_alone(old: str) -> None:
    from pages_roadmap.adopt import _with_hooks

    assert _with_hooks(old, "") is None


def test_crlf_hooks_file_stays_crlf() -> None:
    from pages_roadmap.adopt import _with_hooks

    old = "repos:\r\n  - repo: local\r\n    hooks: []\r\n"
    new = _with_hooks(old, "docs")
    assert new is not None and new.startswith(old)
    assert "\n" not in new.replace("\r\n", "")
    assert "args: [--root, docs]" in new


def test_json_report_is_one_document_with_every_finding(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "site", home=tmp_path / "home")
    make_site(repo)
    result = run_cli(
        "adopt", "--root", str(repo.path), "--dry-run", "--format", "json", "--today", "2026-01-01"
    )
    assert result.code == 0, result.out
    doc = result.document()
    assert doc["command"] == "adopt" and doc["charts"] == 7 and doc["commit"] is None
    assert "+++ b/_roadmaps/os2display-roadmap.yml" in str(doc["diff"])
    codes = [f["code"] for f in result.json()]
    text = run_cli("adopt", "--root", str(repo.path), "--dry-run", "--today", "2026-01-01")
    # Text: one line per code with its count (the diffs above them); -v lists every finding.
    for code in set(codes):
        assert f"  {code} warning x{codes.count(code)}: " in text.out
    verbose = run_cli("adopt", "--root", str(repo.path), "--dry-run", "-v", "--today", "2026-01-01")
    assert sum(
        f" {code} warning: " in line for line in verbose.out.splitlines() for code in set(codes)
    ) == len(codes)


def test_adopt_outside_a_repository_says_why(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "_config.yml").write_text("title: t\n")
    result = run_cli("adopt", "--root", str(tmp_path / "site"))
    assert result.code == 2
    assert "adopt dates pages from history" in result.err


def test_history_dates_adopted_pages_by_their_own_changes(tmp_path: Path) -> None:
    """After the adoption commit, history alone (no records) gives every page the same date:
    the tool commit is skipped, and roadmap data whose only commit it is dates no page."""
    repo = Repo(tmp_path / "site", home=tmp_path / "home")
    make_site(repo)
    assert run_cli("adopt", "--root", str(repo.path), "--today", "2026-01-01").code == 0
    for name in EXPECTED:
        page = repo.path / name
        page.write_bytes(page.read_bytes().replace(b" # pages-roadmap sum:", b" # stale:"))
    repo.run("add", "--all")
    repo.commit({}, "drop the records", "2026-02-01T10:00:00+00:00")
    repo.run("commit", "--amend", "--quiet", "-m", "drop\n\nPages-Roadmap-Generated: test\n")
    build = run_cli("build", "--root", str(repo.path), "--today", "2026-01-01")
    assert build.code == 0, build.out
    for name, day in EXPECTED.items():
        text = (repo.path / name).read_text(encoding="utf-8")
        if split(text).front_matter is not None:
            assert re.findall(r"(?m)^last_modified_date: (\S+) ", text) == [day], name
    # A real change of a roadmap's data dates the page that draws it, and only that page.
    data = repo.path / "_roadmaps/os2display-roadmap.yml"
    repo.commit(
        {
            "_roadmaps/os2display-roadmap.yml": data.read_text().replace(
                "date: 2026-02-01", "date: 2026-02-02", 1
            )
        },
        "move a milestone",
        "2026-03-03T09:00:00+00:00",
    )
    assert run_cli("build", "--root", str(repo.path), "--today", "2026-01-01").code == 0
    display = (repo.path / "docs/OS2display/Roadmap.md").read_text(encoding="utf-8")
    assert "last_modified_date: 2026-03-03 " in display
    other = (repo.path / "docs/OS2forms/gantt.md").read_text(encoding="utf-8")
    assert "last_modified_date: 2025-06-10 " in other
