"""Benchmark the pre-commit hooks' commands on a copy of the bundled example site.

Prints wall times measured in this run (min and median of N subprocess runs):

1. `pages-roadmap check <one page>`: what the check hook runs for one staged page
   (target <= 0.3 s);
2. `pages-roadmap check <roadmap> <page>`: a data change and its page;
3. `pages-roadmap build --staged` over the whole site with nothing to do, and after a staged
   data change (the page is written, then put back before the next run);
4. for comparison, the bare interpreter start-up and `import pages_roadmap.cli`.

The package's bytecode is compiled first, as pip does on install.

With --pre-commit it also times both hooks through `pre-commit run` (a warm environment; the
first, installing run is not counted), which adds pre-commit's own start-up.

    .venv/bin/python benchmarks/hooks_bench.py [--repeat 15] [--pre-commit]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchlib import as_installed

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SITE_FILES = [
    "_config.yml",
    "index.md",
    "plan.md",
    "os2borgerpc/index.md",
    "os2borgerpc/roadmap.md",
    "_roadmaps",
    "schemas/example-page.schema.json",  # the example site's own page schema
]
PAGE = "os2borgerpc/roadmap.md"
DATA = "_roadmaps/os2borgerpc.yml"
ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "PRE_COMMIT_COLOR": "never",
}


def sh(cwd: Path, *cmd: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, check=False)
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr.decode()}")
    return proc


def timed(
    label: str, repeat: int, run: Callable[[], object], reset: Callable[[], object] = lambda: None
) -> None:
    times = []
    for _ in range(repeat):
        reset()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    print(f"{label:<66} min {min(times):6.3f} s   median {statistics.median(times):6.3f} s")


def make_site(base: Path) -> Path:
    site = base / "site"
    site.mkdir()
    for name in SITE_FILES:
        source = ROOT / name
        if source.is_dir():
            for file in source.rglob("*"):
                if file.is_file():
                    target = site / file.relative_to(ROOT)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(file.read_bytes())
        else:
            (site / name).parent.mkdir(parents=True, exist_ok=True)
            (site / name).write_bytes(source.read_bytes())
    sh(site, "git", "init", "--quiet")
    sh(site, str(BIN / "pages-roadmap"), "build")  # up to date for today's statuses
    sh(site, "git", "add", "--all")
    sh(site, "git", "commit", "--quiet", "-m", "site")
    sh(site, str(BIN / "pages-roadmap"), "build", "--commit")  # stamps need the commit
    return site


def stage_data_change(site: Path) -> None:
    sh(site, "git", "checkout", "--quiet", "HEAD", "--", ".")
    data = site / DATA
    text = data.read_text(encoding="utf-8")
    data.write_text(text.replace("title:", "title: Changed", 1), encoding="utf-8")
    sh(site, "git", "add", DATA)


def pre_commit_config(base: Path) -> Path:
    """A snapshot of this working copy as a hook repository (what try-repo does)."""
    snap = base / "snapshot"
    files = sh(ROOT, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, files.stdout.decode().split("\0")):
        source, target = ROOT / name, snap / name
        if source.is_symlink() or source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_symlink():
                target.symlink_to(source.readlink())
            else:
                target.write_bytes(source.read_bytes())
    sh(snap, "git", "init", "--quiet")
    sh(snap, "git", "add", "--all")
    sh(snap, "git", "commit", "--quiet", "-m", "snapshot")
    rev = sh(snap, "git", "rev-parse", "HEAD").stdout.decode().strip()
    config = base / "hooks.yaml"
    config.write_text(
        f"repos:\n- repo: {snap}\n  rev: {rev}\n"
        "  hooks: [{id: pages-roadmap-check}, {id: pages-roadmap-build}]\n"
    )
    return config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--pre-commit", action="store_true", help="also time `pre-commit run`")
    args = parser.parse_args()
    tool = str(BIN / "pages-roadmap")
    as_installed()  # run from bytecode, as an installed tool does
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        site = make_site(base)
        n = args.repeat
        print(f"example site: {sum(1 for _ in site.rglob('*.md'))} pages; {n} runs each")
        timed("python -c pass", n, lambda: sh(site, sys.executable, "-c", "pass"))
        timed(
            "python -c 'import pages_roadmap.cli'",
            n,
            lambda: sh(site, sys.executable, "-c", "import pages_roadmap.cli"),
        )
        timed(f"pages-roadmap check {PAGE}", n, lambda: sh(site, tool, "check", PAGE))
        timed(
            f"pages-roadmap check {DATA} {PAGE}",
            n,
            lambda: sh(site, tool, "check", DATA, PAGE),
        )
        timed(
            "pages-roadmap build --staged (nothing to do)",
            n,
            lambda: sh(site, tool, "build", "--staged"),
        )
        timed(
            "pages-roadmap build --staged (data staged, page written)",
            n,
            lambda: sh(site, tool, "build", "--staged"),
            lambda: stage_data_change(site),
        )
        if args.pre_commit:
            os.environ["PRE_COMMIT_HOME"] = ENV["PRE_COMMIT_HOME"] = str(base / "store")
            config = pre_commit_config(base)
            run = [str(BIN / "pre-commit"), "run", "--config", str(config)]
            sh(site, "git", "checkout", "--quiet", "HEAD", "--", ".")
            sh(site, "git", "add", PAGE)
            sh(site, *run, "--files", PAGE)  # installs the environment: not timed
            for hook in ("pages-roadmap-check", "pages-roadmap-build"):
                timed(
                    f"pre-commit run {hook} --files {PAGE}",
                    n,
                    lambda hook=hook: sh(site, *run, hook, "--files", PAGE),
                )
            timed(
                "pre-commit run pages-roadmap-build (data staged, page written)",
                n,
                lambda: sh(site, *run, "pages-roadmap-build", ok=(1,)),
                lambda: stage_data_change(site),
            )


if __name__ == "__main__":
    main()
