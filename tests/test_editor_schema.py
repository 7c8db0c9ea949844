"""The editor schema works where users are: the real yaml-language-server (npm), spoken to over LSP
as VS Code's YAML extension does, follows the modeline `import` writes to the schema that
`pages-roadmap schema` writes, in a site outside this repository."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, run_cli, write_tree
from lsp import YamlLanguageServer

from pages_roadmap.schema import EDITOR_SCHEMA, MODELINE

pytestmark = pytest.mark.slow

BROKEN = f"""\
# {MODELINE}
title: Plan
sections:
  - name: Work
    items:
      - task: Design
        start: 2025-01-06
        end: 2025-01-20
        status: finished
      - task: Build
        colour: red
        start: 2025-01-20
        end: 2025-02-03
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's site: the example site's roadmaps copied, the editor schema written by the tool."""
    root = tmp_path_factory.mktemp("site")
    write_tree(root, {"_config.yml": "title: Site\n", "_roadmaps/broken.yml": BROKEN})
    for name in ("os2borgerpc.yml", "pages-roadmap.yml"):
        shutil.copy(REPO / "_roadmaps" / name, root / "_roadmaps" / name)
    result = run_cli("schema", "--root", str(root))
    assert (result.code, result.out) == (0, f"wrote _roadmaps/{EDITOR_SCHEMA}\n")
    return root


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[YamlLanguageServer]:
    ls = YamlLanguageServer(site)
    yield ls
    ls.close()


@pytest.mark.parametrize("name", ["os2borgerpc.yml", "pages-roadmap.yml"])
def test_the_example_roadmaps_have_no_diagnostics(
    server: YamlLanguageServer, site: Path, name: str
) -> None:
    assert (site / "_roadmaps" / name).read_text().startswith(f"# {MODELINE}\n")
    assert server.diagnose(site / "_roadmaps" / name) == []


def test_a_broken_roadmap_gets_diagnostics_at_its_lines(
    server: YamlLanguageServer, site: Path
) -> None:
    found = server.diagnose(site / "_roadmaps" / "broken.yml")
    # LSP lines are 0-based: `status: finished` is line 9 of the file, `colour: red` line 11.
    lines = sorted({d["range"]["start"]["line"] + 1 for d in found})
    assert lines == [9, 11], found
    assert all(d.get("source", "").startswith("yaml-schema") for d in found), found


def test_check_says_when_the_editor_schema_is_missing(site: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(site, copy)
    (copy / "_roadmaps" / EDITOR_SCHEMA).unlink()
    (copy / "_roadmaps" / "broken.yml").unlink()
    result = run_cli("check", "--root", str(copy), "--format", "json")
    assert [(f["path"], f["code"], f["severity"]) for f in result.json()] == [
        ("_roadmaps/os2borgerpc.yml", "S108", "warning"),
        *[(f["path"], f["code"], f["severity"]) for f in result.json()][1:],
    ]
    assert [f["code"] for f in result.json()].count("S108") == 1
    assert run_cli("schema", "--root", str(copy)).code == 0
    again = run_cli("check", "--root", str(copy), "--format", "json")
    assert "S108" not in [f["code"] for f in again.json()]
