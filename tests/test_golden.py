"""Golden files: tests/golden/<case>/before.md + roadmap.yml -> after.md (and findings.txt).

A new case is a new folder. Set UPDATE_GOLDEN=1 to write the expected files after checking them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import run_cli

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_golden(tmp_path: Path, case: str) -> None:
    folder = GOLDEN / case
    (tmp_path / "_roadmaps").mkdir()
    shutil.copy(folder / "roadmap.yml", tmp_path / "_roadmaps" / "roadmap.yml")
    shutil.copy(folder / "before.md", tmp_path / "page.md")
    args = ("build", "--root", str(tmp_path), "--today", "2026-11-28", "--no-stamps")
    result = run_cli(*args, *(["--force"] if (folder / "force").exists() else []))
    after = (tmp_path / "page.md").read_bytes()
    if os.environ.get("UPDATE_GOLDEN"):
        (folder / "after.md").write_bytes(after)
        (folder / "output.txt").write_text(result.out)
    assert after == (folder / "after.md").read_bytes()
    assert result.out == (folder / "output.txt").read_text()
    # Idempotent: a second run changes nothing and reports only what still stands.
    again = run_cli(*args)
    still = "nothing to update; 1 page up to date\n" if result.code == 0 else result.out
    assert (again.code, again.out, (tmp_path / "page.md").read_bytes()) == (
        result.code,
        still,
        after,
    )
