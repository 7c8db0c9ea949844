from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pages_roadmap.cli import main
from pages_roadmap.importer.reader import Line

if TYPE_CHECKING:
    from pages_roadmap.stamps.dating import HistoryReads

REPO = Path(__file__).resolve().parent.parent
# Real pages of a real site (tests/pages/README.md says where they come from).
PAGES = REPO / "tests" / "pages"
SEED = PAGES / "os2borgerpc-roadmap.md"
CORPUS = PAGES / "os2produktmodning"


def chart_lines(text: str) -> list[Line]:
    """A chart's lines as the importer gets them from a page whose first line it is."""
    return [Line(1 + i, 0, t) for i, t in enumerate(text.splitlines())]


@dataclass
class Run:
    code: int
    out: str
    err: str

    def document(self) -> dict[str, object]:
        """The whole --format json document."""
        return json.loads(self.out)  # type: ignore[no-any-return]

    def json(self) -> list[dict[str, object]]:
        """The findings of a --format json document."""
        return self.document()["findings"]  # type: ignore[return-value]


def run_cli(*argv: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The build cache (buildcache.py) of every run of the suite lives in the test's folders."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make code that runs git in-process (inheriting os.environ) immune to the user's git setup.

    The same identity, config and HOME as gitrepo.Repo's subprocesses; GIT_CEILING_DIRECTORIES
    keeps "not a repository" cases honest even when the temporary folder lies in a checkout.
    """
    from gitrepo import isolated_env

    for key in list(os.environ):
        if key.startswith("GIT_") or key == "GITHUB_OUTPUT":
            monkeypatch.delenv(key)
    for key, value in isolated_env(tmp_path / "home").items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


@pytest.fixture
def cli() -> Callable[..., Run]:
    return run_cli


@pytest.fixture
def began(monkeypatch: pytest.MonkeyPatch) -> list[HistoryReads | None]:
    """What each call of dating.begin_history returned (git started on history at once)."""
    from pages_roadmap.stamps import dating

    calls: list[HistoryReads | None] = []
    begin = dating.begin_history

    def beginning(*args: Any) -> HistoryReads | None:
        calls.append(begin(*args))
        return calls[-1]

    monkeypatch.setattr(dating, "begin_history", beginning)
    return calls


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- the example site, built by Jekyll and drawn by Chromium (once per test run) ---------------

REQUIRE_ALL = os.environ.get("PAGES_ROADMAP_REQUIRE_ALL") == "1"
SCREENSHOTS = Path(
    os.environ.get("PAGES_ROADMAP_SCREENSHOTS", REPO / "tests" / ".artifacts" / "screenshots")
)


def require(check: Callable[[], object]) -> None:
    """Run a part's presence check; a missing part fails under PAGES_ROADMAP_REQUIRE_ALL=1 (as
    scripts/test.sh and CI run) and skips otherwise, with the install hint either way."""
    import browser
    import jekyll

    try:
        check()
    except (browser.Missing, jekyll.Missing) as missing:
        if REQUIRE_ALL:
            pytest.fail(f"{missing} (PAGES_ROADMAP_REQUIRE_ALL=1: nothing is skipped)")
        pytest.skip(str(missing))


@dataclass
class BuiltSite:
    source: Path
    dest: Path
    log: str


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The repository's own example site, built once by Debian's jekyll (tests/site overlay)."""
    import jekyll

    require(jekyll.jekyll)
    dest = tmp_path_factory.mktemp("example-site") / "_site"
    return BuiltSite(REPO, dest, jekyll.build(REPO, dest))


@pytest.fixture(scope="session")
def example_drawn(example_site: BuiltSite) -> dict[str, dict[str, object]]:
    """Every page of the built example site opened in headless Chromium, once; by page URL path.

    Each chart's screenshot goes to SCREENSHOTS (tests/.artifacts/screenshots by default), named
    after its page: plan.png, os2borgerpc-roadmap.png.
    """
    import browser

    require(browser.chromium)
    require(browser.node)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paths = sorted(
        p.relative_to(example_site.dest).as_posix() for p in example_site.dest.rglob("*.html")
    )
    with browser.serve(example_site.dest) as base:
        results = browser.draw(
            [(f"{base}/{path}", SCREENSHOTS / path.removesuffix(".html").replace("/", "-"))
             for path in paths]
        )
    return dict(zip(paths, results, strict=True))
