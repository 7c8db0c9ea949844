"""files.Writer: every write checks the file is unchanged since it was read (real files)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run

from pages_roadmap.files import TEMP_PREFIX, Refused, Writer, clean_leftovers

OLD, NEW = b"old text\n", "new text\n"


def nothing(path: Path) -> None:
    pass


def edited_by_someone(path: Path) -> None:
    path.write_bytes(b"someone's text\n")


def removed(path: Path) -> None:
    path.unlink()


@pytest.mark.parametrize(
    ("meddle", "result", "left"),
    [
        (nothing, True, NEW.encode()),  # unchanged since the read: written
        (edited_by_someone, "F102", b"someone's text\n"),  # changed: left alone
        (removed, "F102", None),  # deleted since the read: not brought back
    ],
)
def test_a_write_checks_the_file_is_as_read(
    tmp_path: Path, meddle: Callable[[Path], None], result: object, left: bytes | None
) -> None:
    page = tmp_path / "page.md"
    page.write_bytes(OLD)
    page.chmod(0o640)
    meddle(page)
    if result is True:
        assert Writer().write(page, NEW, OLD) is True
        assert stat.S_IMODE(page.stat().st_mode) == 0o640  # the mode is kept
    else:
        with pytest.raises(Refused) as exc:
            Writer().write(page, NEW, OLD)
        assert exc.value.code == result
    assert (page.read_bytes() if page.exists() else None) == left
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)] == []


def test_the_same_bytes_are_not_written(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(NEW)
    before = page.stat()
    assert Writer().write(page, NEW, b"whatever was read\n") is False  # another run wrote it
    assert page.stat().st_ino == before.st_ino


def test_a_new_file_is_created_only_if_still_absent(tmp_path: Path) -> None:
    data = tmp_path / "new.yml"
    assert Writer().write(data, NEW, None) is True
    assert data.read_text() == NEW
    with pytest.raises(Refused) as exc:
        Writer().write(data, "other\n", None)  # it exists now: not what the caller saw
    assert exc.value.code == "F102"
    assert data.read_text() == NEW


def test_a_symlink_is_never_replaced_by_a_regular_file(tmp_path: Path) -> None:
    target = tmp_path / "real.md"
    target.write_bytes(OLD)
    link = tmp_path / "link.md"
    link.symlink_to(target.name)
    with pytest.raises(Refused) as exc:
        Writer().write(link, NEW, OLD)
    assert exc.value.code == "F103"
    assert link.is_symlink() and target.read_bytes() == OLD


def test_leftovers_of_dead_runs_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead = tmp_path / f"{TEMP_PREFIX}999999999-x-page.md"  # above any pid_max
    live = tmp_path / f"{TEMP_PREFIX}{os.getppid()}-y-page.md"  # the process running pytest
    old = tmp_path / f"{TEMP_PREFIX}{os.getppid()}-z-page.md"
    mine = tmp_path / ".pages-roadmap-notes"
    for path in (dead, live, old, mine):
        path.write_text("x")
    os.utime(old, (1, 1))  # an hour and more ago
    assert sorted(clean_leftovers(tmp_path)) == sorted([dead, old])
    assert live.exists() and mine.exists()


def test_a_build_never_replaces_a_symlinked_page(tmp_path: Path, cli: Callable[..., Run]) -> None:
    """A link to another page is built through the file's own name (the link stays a link); a
    link to a file the site does not list is refused (F103), never replaced by a copy."""
    (tmp_path / "_roadmaps").mkdir()
    (tmp_path / "_roadmaps" / "a.yml").write_text(
        "title: A\nsections:\n  - name: W\n    items:\n      - task: T\n"
        "        start: 2025-01-01\n        end: 2025-01-02\n"
    )
    empty = "<!-- pages-roadmap:gantt a -->\n<!-- /pages-roadmap:gantt -->\n"
    (tmp_path / "real.md").write_text(empty)
    (tmp_path / "link.md").symlink_to("real.md")
    (tmp_path / "_parts").mkdir()
    (tmp_path / "_parts" / "hidden.md").write_text(empty)
    (tmp_path / "other.md").symlink_to("_parts/hidden.md")
    result = cli("build", "--root", str(tmp_path), "--today", "2025-01-01", "--no-stamps")
    assert result.code == 1
    assert "other.md:1:1: F103 the file is a symlink" in result.out
    assert "link.md" not in result.out
    assert "updated real.md" in result.out
    assert (tmp_path / "link.md").is_symlink() and (tmp_path / "other.md").is_symlink()
    assert (tmp_path / "_parts" / "hidden.md").read_text() == empty
    assert "pages-roadmap:gantt a sum:" in (tmp_path / "real.md").read_text()
