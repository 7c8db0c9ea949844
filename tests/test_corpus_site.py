"""`check` and `check --fix` on a site built from the real corpus pages plus pages written for it.

tests/corpus-site/ (see its README): every problem class `check` knows about Jekyll and
just-the-docs, at exact places (the golden report); `--fix` makes exactly the mechanical fixes,
touching only the fixed values; a second `--fix` changes nothing.
Set UPDATE_GOLDEN=1 to rewrite the golden files after checking them by eye.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest
from conftest import run_cli, snapshot

HERE = Path(__file__).parent
SITE = HERE / "corpus-site"
GOLDEN = HERE / "corpus-site-expected"  # tests/golden/ holds build cases


def _golden(name: str, text: str) -> None:
    target = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    assert text == target.read_text(encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    return root


def test_the_copied_pages_are_the_corpus_bytes() -> None:
    # The five real pages stay as they were published (their hashes, from shared/corpus/).
    import hashlib

    sums = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:16]
        for p in sorted((SITE / "docs").glob("*__*.md"))
    }
    assert sums == {
        "OS2borgerpc__talentudvikling__produktudvikling2025.md": CORPUS["talent"],
        "OS2display__OS2display_roadmap.md": CORPUS["display"],
        "OS2forms__Oprindelig-releasplan2025.md": CORPUS["oprindelig"],
        "OS2forms__gantt.md": CORPUS["gantt"],
        "fagligenetværk__produktforvaltere__produktforvaltere.md": CORPUS["faglig"],
    }


def test_check_reports_every_class_at_its_place(site: Path) -> None:
    before = snapshot(site)
    result = run_cli("check", "--root", str(site))
    assert result.code == 1
    assert snapshot(site) == before  # check never writes
    _golden("check.txt", result.out)
    codes = {line.split()[1] for line in result.out.splitlines() if line.startswith(("docs", "_"))}
    assert {"P102", "P103", "P104", "P105", "P106"} <= codes  # front matter Jekyll will not read
    assert {"D101", "D102", "D103", "D104", "D105", "V101", "V102"} <= codes  # values
    assert {"N101", "N103", "N104", "N105"} <= codes  # navigation
    assert {"I201", "I202", "I206", "I208"} <= codes  # hand-written charts


def test_fix_repairs_exactly_the_mechanical_findings(site: Path) -> None:
    before = snapshot(site)
    shown = run_cli("check", "--root", str(site), "--fix", "--diff")
    assert snapshot(site) == before  # --diff writes nothing
    fixed = run_cli("check", "--root", str(site), "--fix")
    fix_lines = [line for line in fixed.out.splitlines() if ": fixed " in line]
    assert fix_lines == [line for line in shown.out.splitlines() if ": fixed " in line]
    _golden("fix.txt", "\n".join(fix_lines) + "\n")
    after = snapshot(site)
    # Only the fixed values changed: each changed line is one a fix names, and nothing else moved.
    fixed_at = {(line.split(":")[0], int(line.split(":")[1])) for line in fix_lines}
    for name, old in before.items():
        new = after[name]
        if old == new:
            continue
        a, b = old.decode().splitlines(keepends=True), new.decode().splitlines(keepends=True)
        assert len(a) == len(b), name
        changed = {(name, n + 1) for n, (x, y) in enumerate(zip(a, b, strict=True)) if x != y}
        assert changed and changed <= fixed_at, (name, changed)
        # --diff showed exactly this change.
        diff = "".join(difflib.unified_diff(a, b, f"a/{name}", f"b/{name}"))
        assert diff in shown.out
    # What is left is for a human, and a second --fix has nothing to do.
    left = fixed.out.split("\n", len(fix_lines))[-1]
    assert not {"D104", "V101", "V102"} & {line.split()[1] for line in left.splitlines()[:-1]}
    assert "Talentudvikling i OS2borgerpc" not in left  # the case-only parent: fixed
    assert "'Faglige Netværk' is the title of no page" in left  # no candidate: for a human
    assert "'05-06-2025' is ambiguous" in left  # no declared date order: not rewritten
    again = run_cli("check", "--root", str(site), "--fix")
    assert ": fixed " not in again.out
    assert snapshot(site) == after
    assert again.out == left


CORPUS = {
    "talent": "d2ba2c8b5dc08cbe",
    "display": "ef7caa3274873838",
    "oprindelig": "d6423be3ffbc9a1c",
    "gantt": "4708bc165ed1408a",
    "faglig": "c2865cfc25aa7978",
}
