"""The package as it ships, not as the editable install the rest of the suite uses.

`python -m build` builds the sdist from a clean copy of the repository and the wheel from that
sdist (what a release and `pip install <sdist>` do); the wheel is installed into a fresh venv,
and its `pages-roadmap` runs `check`, `import` and `build` on a small site outside the
repository. Each run's output is compared with the source tree's own CLI on a twin of the site,
so the installed package must behave exactly as the code under test.
"""

from __future__ import annotations

import ast
import email.parser
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from conftest import REPO, Run, run_cli
from gitrepo import Repo
from packaging.requirements import Requirement

from pages_roadmap import __version__

SRC = REPO / "src" / "pages_roadmap"
BUILD_TIMEOUT_S = 300


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path
    isolated: bool  # False: the fallback for an offline machine (build deps from the test venv)
    seconds: float


def tracked_files() -> list[str]:
    """The working copy as it would be committed: tracked and new files, minus ignored ones."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    names = filter(None, listed.split("\0"))
    return [n for n in names if (REPO / n).is_symlink() or (REPO / n).is_file()]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("package")
    copy, dist = base / "repo", base / "dist"
    for name in tracked_files():
        source, target = REPO / name, copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():  # kept as it is, so the file list checks below see it
            target.symlink_to(source.readlink())
        else:
            shutil.copyfile(source, target)
    command = [sys.executable, "-m", "build", "--outdir", str(dist), str(copy)]
    start = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    isolated = proc.returncode == 0
    if not isolated:
        # An isolated build installs hatchling from the package index; without one, build with
        # the hatchling of the test venv instead. A broken project fails both ways.
        shutil.rmtree(dist, ignore_errors=True)
        proc = subprocess.run(
            [*command, "--no-isolation"], capture_output=True, text=True, timeout=BUILD_TIMEOUT_S
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    seconds = time.monotonic() - start
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")
    return Built(sdist, wheel, isolated, seconds)


@pytest.fixture(scope="session")
def venv_bin(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and its dependencies (from the index or pip's cache)."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    pip = [bin_dir / "python", "-m", "pip", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "install", "-q", built.wheel],
        check=True,
        timeout=BUILD_TIMEOUT_S,
    )
    return bin_dir


# --- the files that ship ----------------------------------------------------------------------


def package_files() -> set[str]:
    """What the wheel must hold of the package: every tracked file under src/pages_roadmap."""
    prefix = "src/"
    return {n[len(prefix) :] for n in tracked_files() if n.startswith("src/pages_roadmap/")}


@pytest.mark.slow
def test_wheel_holds_the_package_schemas_and_license_and_nothing_else(built: Built) -> None:
    dist_info = f"pages_roadmap-{__version__}.dist-info/"
    with zipfile.ZipFile(built.wheel) as wheel:
        infos = wheel.infolist()
        names = {i.filename for i in infos}
        assert not [i.filename for i in infos if stat.S_ISLNK(i.external_attr >> 16)]
        assert {n for n in names if not n.startswith(dist_info)} == package_files()
        assert {n[len(dist_info) :] for n in names if n.startswith(dist_info)} == {
            "METADATA",
            "WHEEL",
            "RECORD",
            "entry_points.txt",
            "licenses/LICENSE",
        }
        for schema in ("roadmap", "page"):
            shipped = wheel.read(f"pages_roadmap/schemas/{schema}.schema.json")
            assert shipped == (REPO / "schemas" / f"{schema}.schema.json").read_bytes()
        assert wheel.read(dist_info + "licenses/LICENSE") == (REPO / "LICENSE").read_bytes()
        meta = email.parser.Parser().parsestr(wheel.read(dist_info + "METADATA").decode())
    assert (meta["Name"], meta["Version"], meta["License-Expression"]) == (
        "pages-roadmap",
        __version__,
        "MIT",
    )
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert urls["Source"] == "https://github.com/pages-roadmap/pages-roadmap"
    assert meta.get_payload() == (REPO / "README.md").read_text(encoding="utf-8")
    runtime = {
        Requirement(r).name: Requirement(r)
        for r in meta.get_all("Requires-Dist")
        if "extra ==" not in r
    }
    assert "pre-commit" not in runtime
    assert "python-frontmatter" not in runtime
    assert str(runtime["tzdata"].marker) == 'sys_platform == "win32"'


@pytest.mark.slow
def test_sdist_holds_real_files_and_builds_what_the_wheel_holds(built: Built) -> None:
    with tarfile.open(built.sdist) as sdist:
        members = sdist.getmembers()
    assert not [m.name for m in members if m.issym() or m.islnk()]
    root = f"pages_roadmap-{__version__}/"
    names = {m.name[len(root) :] for m in members if m.isfile()}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "PKG-INFO"} <= names
    assert {f"src/{n}" for n in package_files()} <= names


def imported_modules() -> set[str]:
    """Top-level names the package's code imports (at module level or lazily in functions)."""
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found


def test_every_runtime_dependency_is_imported() -> None:
    """Nothing declared is never imported (tzdata is zoneinfo's data, read without an import)."""
    providers: dict[str, set[str]] = {}
    for module, dists in metadata.packages_distributions().items():
        for dist in dists:
            providers.setdefault(dist.lower().replace("_", "-"), set()).add(module)
    imported = imported_modules()
    requirements = [Requirement(r) for r in metadata.requires("pages-roadmap") or []]
    runtime = [r for r in requirements if not (r.marker and "extra" in str(r.marker))]
    assert {r.name for r in runtime} >= {"pyyaml", "jsonschema", "gitpython", "tzdata"}
    for req in runtime:
        if req.name == "tzdata":
            continue
        modules = providers.get(req.name.lower(), set())
        assert modules & imported, f"{req.name} is declared but never imported"


# --- the installed commands on a site outside the repository --------------------------------

CONFIG = "title: Demo\ntimezone: UTC\n"
ROADMAP = """\
title: Plan
sections:
  - name: Build
    items:
      - task: Design
        id: design
        start: 2026-01-05
        end: 2026-01-16
      - milestone: Launch
        date: 2026-02-02
"""
INDEX = """\
---
title: Home
---
# Plan

<!-- pages-roadmap:gantt plan -->
<!-- /pages-roadmap:gantt -->
"""
OLD = """\
---
title: Old plan
---
# Old plan

```mermaid
gantt
    dateFormat YYYY-MM-DD
    section Work
    Write :w1, 2026-03-02, 5d
    Review :after w1, 3d
```
"""
TODAY = ("--today", "2026-01-10")
COMMIT_DATE = "2026-01-08T09:30:00+00:00"


@dataclass
class Twins:
    installed: Repo  # the site the wheel's command works on
    source: Repo  # the same site for the source tree's CLI, run in this process
    bin_dir: Path


@pytest.fixture
def twins(
    tmp_path: Path, venv_bin: Path, monkeypatch: pytest.MonkeyPatch, isolated_git: None
) -> Iterator[Twins]:
    sites = []
    for name in ("installed", "source"):
        repo = Repo(tmp_path / name / "site", home=tmp_path / "home")
        repo.commit(
            {"_config.yml": CONFIG, "_roadmaps/plan.yml": ROADMAP, "index.md": INDEX},
            "a site",
            COMMIT_DATE,
        )
        repo.commit({"old.md": OLD}, "a hand-written chart", COMMIT_DATE)
        sites.append(repo)
    yield Twins(sites[0], sites[1], venv_bin)


def both(twins: Twins, monkeypatch: pytest.MonkeyPatch, *argv: str) -> Run:
    """Run the installed command and the source tree's CLI on the twin sites; they must agree."""
    proc = subprocess.run(
        [twins.bin_dir / "pages-roadmap", *argv],
        cwd=twins.installed.path,
        env={**os.environ, **twins.installed.env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    monkeypatch.chdir(twins.source.path)
    expected = run_cli(*argv)
    got = Run(proc.returncode, proc.stdout, proc.stderr)
    assert got == expected
    return got


@pytest.mark.slow
def test_installed_package_is_the_wheel_not_the_source(venv_bin: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [venv_bin / "python", "-c", "import pages_roadmap; print(pages_roadmap.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(proc.stdout.strip()).is_relative_to(venv_bin.parent)
    version = subprocess.run(
        [venv_bin / "pages-roadmap", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout == f"pages-roadmap {__version__}\n"


@pytest.mark.slow
def test_installed_check_import_build_on_a_site_outside_the_repository(
    twins: Twins, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = twins.installed.path
    assert not site.resolve().is_relative_to(REPO)

    assert both(twins, monkeypatch, "check").code == 0

    imported = both(twins, monkeypatch, "import", "old.md", *TODAY)
    assert imported.code == 0
    data = (site / "_roadmaps" / "old.yml").read_text(encoding="utf-8")
    assert "task: Write" in data and "task: Review" in data
    page = (site / "old.md").read_text(encoding="utf-8")
    assert "<!-- pages-roadmap:gantt old -->" in page and "```mermaid\ngantt\n" in page

    built = both(twins, monkeypatch, "build", *TODAY)
    assert built.code == 0
    assert "updated index.md" in built.out
    index = (site / "index.md").read_text(encoding="utf-8")
    assert "    Design :active, design, 2026-01-05, 2026-01-16\n" in index
    assert "    Launch :milestone, 2026-02-02, 0d\n" in index
    # The stamp comes from git history: the commit's date, in the site's time zone.
    assert "\nlast_modified_date: 2026-01-08 09:30:00 +0000 # pages-roadmap sum:" in index
    assert both(twins, monkeypatch, "build", "--check", *TODAY).code == 0
    assert both(twins, monkeypatch, "check").code == 0


@pytest.mark.slow
def test_installed_check_reads_the_shipped_schema(
    twins: Twins, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = ROADMAP.replace("        end: 2026-01-16\n", "        end: 16-01-2026\n")
    for repo in (twins.installed, twins.source):
        repo.write({"_roadmaps/plan.yml": broken})
    result = both(twins, monkeypatch, "check")
    assert result.code == 1
    assert result.out.startswith('_roadmaps/plan.yml:8:14: S105 $.sections[0].items[0].end: "16')


def test_readme_links_work_on_a_package_index_page() -> None:
    """The README is the wheel's long description: a relative link would break on PyPI."""
    from markdown_it import MarkdownIt

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "<owner>" not in readme
    targets = []
    for token in MarkdownIt("commonmark").parse(readme):
        for child in token.children or []:
            if child.type in ("link_open", "image"):
                targets.append(str(child.attrs.get("href") or child.attrs.get("src")))
    assert targets  # the parse found the links
    relative = [t for t in targets if not t.startswith(("https://", "#"))]
    assert relative == []
    blob = "https://github.com/pages-roadmap/pages-roadmap/blob/main/"
    for target in targets:
        if target.startswith(blob):
            assert (REPO / target[len(blob) :]).is_file(), target


def test_ci_runs_exactly_the_readme_test_command() -> None:
    import yaml

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Developing pages-roadmap", 1)[1].split("\n## ", 1)[0]
    block = setup.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["scripts/example.sh", "scripts/test.sh"]  # the two set-up commands
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "tests.yml").read_text())
    runs = [s["run"] for job in workflow["jobs"].values() for s in job["steps"] if "run" in s]
    assert runs == ["scripts/test.sh"]
    assert (REPO / ".ci" / "run").read_text().splitlines()[-1] == "exec bash scripts/test.sh"
