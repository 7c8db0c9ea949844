"""Whole-process figures of issue 17, each as a ratio to its partner measured in the same run.

    .venv/bin/python benchmarks/process_bench.py [--pages 2000] [--commits 20000] [--repeat 5]
                                                [--growth] [--large]

Builds (once, then reuses, in the temp folder) a site in a git repository with git fast-import:
PAGES pages, each with front matter and a Liquid stamp `{{ site.time | date: ... }}` (one in
ten embeds one of 200 roadmaps), then COMMITS commits changing 1-3 pages each. Then it runs
whole `pages-roadmap` processes, alternating the commands of one figure run by run, and prints
medians:

1. first `build` (migrates every Liquid stamp, dates every page from one read of history;
   no build cache) against the per-page `git log -1` loop (jekyll-last-modified-at's way,
   timed on a sample of 200 pages and scaled) and git's floor (`git log --name-only` over the
   whole history, its output read and discarded);
2. `build` with nothing to do, on the migrated site: with the build cache of the run before,
   and without one (a fresh clone), against git's floor; and the files it wrote (0);
3. `build --staged` with one staged page against `check ONE_PAGE.md`;
4. `check` of the whole site against the YAML floor: one process reading every roadmap file
   and every page's front matter and composing it with PyYAML's C loader.

--growth adds the growth exponent of `build` (first run) and `check` from 1,000 pages to
20,000 (repositories with 10 commits per page; building the 20,000-page one takes a few
minutes, so it is a flag); --large adds figures 1-4 at 20,000 pages x 200,000 commits.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from benchlib import as_installed, commit_header, fast_import, git_env, inline_file, page_paths

BIN = Path(sys.executable).parent / "pages-roadmap"
START = 1577836800  # 2020-01-01 UTC
TODAY = "2026-01-15"
ROADMAPS = 200
CACHE_VERSION = 1
YAML_FLOOR = r"""
import sys, pathlib, yaml
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
root = pathlib.Path(sys.argv[1])
for f in sorted((root / "_roadmaps").glob("*.yml")):
    yaml.compose(f.read_bytes().decode("utf-8"), Loader=loader)
for f in sorted(root.rglob("*.md")):
    text = f.read_bytes().decode("utf-8")
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        yaml.compose(text[4:end + 1], Loader=loader)
"""


def roadmap(n: int) -> str:
    items = []
    for i in range(8):
        items.append(
            f"      - task: Task {i} of roadmap {n}\n        id: t{i}\n"
            f"        start: 2025-{1 + i:02d}-{1 + n % 28:02d}\n        duration: {5 + i}d\n"
        )
    return f"title: Roadmap {n}\nsections:\n  - name: Work\n    items:\n" + "".join(items)


def page(i: int, revision: int) -> str:
    embed = ""
    if i % 10 == 0:
        embed = f"\n<!-- pages-roadmap:gantt r{i % ROADMAPS} -->\n<!-- /pages-roadmap:gantt -->\n"
    return (
        f"---\ntitle: Page {i}\nlayout: default\nparent: Section {i // 50}\nnav_order: {i}\n---\n\n"
        f"# Page {i}\n\nRevision {revision} of this page; you know the drill.\n\n"
        + "Some filler text for the page, with `code` and a [link](https://example.org).\n" * 6
        + embed
        + "\nUpdated: {{ site.time | date: '%d %B %Y' }}\n"
    )


def _stream(pages: int, commits: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    paths = page_paths(pages)
    revision = [0] * pages

    def blob(path: str, text: str) -> bytes:
        return inline_file(path, text.encode())

    for n in range(commits):
        out = [commit_header(n, START + 600 * n)]
        if n == 0:
            out.append(blob("_config.yml", "title: bench\ntimezone: Europe/Copenhagen\n"))
            out += [blob(f"_roadmaps/r{k}.yml", roadmap(k)) for k in range(ROADMAPS)]
        changed = range(pages) if n == 0 else rng.sample(range(pages), rng.randint(1, 3))
        for i in changed:
            revision[i] += 1
            out.append(blob(paths[i], page(i, revision[i])))
        out.append(b"\n")
        yield b"".join(out)


def env_for(base: Path) -> dict[str, str]:
    """The benchmark's processes: isolated git, and a build cache of their own."""
    return git_env(base / "home", XDG_CACHE_HOME=str(base / "cache"))


def sh(env: dict[str, str], cwd: Path, *cmd: str, ok: tuple[int, ...] = (0,)) -> bytes:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr.decode()}")
    return proc.stdout


def make_repo(base: Path, env: dict[str, str], pages: int, commits: int) -> Path:
    """The unmigrated repository (reused between runs of this script)."""
    repo, ready = base / "repo", base / "READY"
    if ready.exists():
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    fast_import(repo, env, _stream(pages, commits, 1234))
    sh(env, repo, "git", "checkout", "--quiet", "-f", "main")
    ready.write_text("ok\n")
    return repo


def migrated_copy(base: Path, env: dict[str, str], repo: Path) -> Path:
    """A clone where the first build has run and been committed (`build --commit`)."""
    done = base / "migrated"
    if (base / "MIGRATED").exists():
        return done
    shutil.rmtree(done, ignore_errors=True)
    sh(env, base, "git", "clone", "--quiet", "--no-hardlinks", str(repo), str(done))
    sh(env, done, str(BIN), "build", "--today", TODAY, "--commit", "-q")
    (base / "MIGRATED").write_text("ok\n")
    return done


def clear_cache(env: dict[str, str]) -> None:
    shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)


def alternate(
    runs: dict[str, tuple[Callable[[], object], Callable[[], object]]], repeat: int
) -> dict[str, float]:
    """Median wall time of each (run, reset) pair, the pairs taking turns run by run."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, (run, reset) in runs.items():
            reset()
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def figures(base: Path, pages: int, commits: int, repeat: int) -> dict[str, float]:
    env = env_for(base)
    repo = make_repo(base, env, pages, commits)
    done = migrated_copy(base, env, repo)
    tool = str(BIN)
    paths = page_paths(pages)
    sample = random.Random(7).sample(paths, min(200, pages))

    def first_build() -> None:
        sh(env, repo, tool, "build", "--today", TODAY, "-q")

    def unmigrate() -> None:
        sh(env, repo, "git", "checkout", "--quiet", "-f", "HEAD", "--", ".")
        clear_cache(env)

    def loop() -> None:
        for p in sample:
            sh(env, repo, "git", "log", "-1", "--format=%ct", "--", p)

    def floor() -> None:
        proc = subprocess.Popen(
            ["git", "log", "--name-only", "--format=%H", "HEAD"],
            cwd=repo,
            env=env,
            stdout=subprocess.PIPE,
        )
        assert proc.stdout is not None
        while proc.stdout.read(1 << 20):
            pass
        proc.wait()

    nothing = lambda: None  # noqa: E731
    one = first = alternate(
        {
            "first build": (first_build, unmigrate),
            "per-page loop (sample)": (loop, nothing),
            "git floor": (floor, nothing),
        },
        repeat,
    )
    first["per-page loop"] = one["per-page loop (sample)"] * pages / len(sample)

    def quiet_build() -> None:
        sh(env, done, tool, "build", "--today", TODAY, "-q")

    sh(env, done, tool, "build", "--today", TODAY, "-q")  # fills the cache
    before = sh(env, done, "git", "status", "--porcelain")
    fresh_env = {**env, "XDG_CACHE_HOME": str(base / "no-cache")}

    def fresh_build() -> None:
        sh(fresh_env, done, tool, "build", "--today", TODAY, "-q")

    def no_cache() -> None:
        shutil.rmtree(base / "no-cache", ignore_errors=True)

    quiet = alternate(
        {
            "no-change build (cache)": (quiet_build, nothing),
            "no-change build (fresh clone)": (fresh_build, no_cache),
            "git floor ": (floor, nothing),
        },
        repeat,
    )
    after = sh(env, done, "git", "status", "--porcelain")
    written = len(set(after.splitlines()) ^ set(before.splitlines()))
    one_page = paths[1]
    target = done / one_page

    def stage_one() -> None:
        sh(env, done, "git", "checkout", "--quiet", "HEAD", "--", one_page)
        target.write_text(target.read_text().replace("you know", "you knew"))
        sh(env, done, "git", "add", one_page)

    def staged_build() -> None:
        sh(env, done, tool, "build", "--staged", "--today", TODAY, "-q", ok=(0, 1))

    staged = alternate(
        {
            "build --staged, one page": (staged_build, stage_one),
            "check ONE_PAGE.md": (lambda: sh(env, done, tool, "check", one_page), nothing),
        },
        repeat,
    )
    sh(env, done, "git", "reset", "--quiet", "--hard")
    check = alternate(
        {
            "check, whole site": (lambda: sh(env, done, tool, "check", "-q", ok=(0, 1)), nothing),
            "YAML floor": (lambda: sh(env, done, sys.executable, "-c", YAML_FLOOR, "."), nothing),
        },
        repeat,
    )
    out = {**first, **quiet, **staged, **check}
    out["files written by the no-change build"] = float(written)
    return out


def report(label: str, f: dict[str, float]) -> None:
    print(f"\n== {label} (medians, seconds)")
    for name, value in f.items():
        print(f"  {name:<40} {value:8.3f}")
    rows = [
        ("first build / git floor", f["first build"] / f["git floor"], "<= 1.5"),
        ("per-page loop / first build", f["per-page loop"] / f["first build"], ">= 12"),
        (
            "no-change build (cache) / git floor",
            f["no-change build (cache)"] / f["git floor "],
            "<= 0.5",
        ),
        (
            "no-change build (fresh clone) / git floor",
            f["no-change build (fresh clone)"] / f["git floor "],
            "",
        ),
        (
            "build --staged / check ONE_PAGE.md",
            f["build --staged, one page"] / f["check ONE_PAGE.md"],
            "<= 2",
        ),
        ("check / YAML floor", f["check, whole site"] / f["YAML floor"], "<= 2.5 (3 at 20,000)"),
    ]
    for name, ratio, target in rows:
        print(f"  {name:<44} {ratio:6.2f}x   target {target}")


def growth(root: Path, repeat: int) -> None:
    times: dict[int, dict[str, float]] = {}
    for pages in (1000, 20000):
        base = root / f"growth-{pages}"
        env = env_for(base)
        repo = make_repo(base, env, pages, pages * 10)

        def first(repo: Path = repo, env: dict[str, str] = env) -> None:
            sh(env, repo, str(BIN), "build", "--today", TODAY, "-q")

        def reset(repo: Path = repo, env: dict[str, str] = env) -> None:
            sh(env, repo, "git", "checkout", "--quiet", "-f", "HEAD", "--", ".")
            clear_cache(env)

        def check(repo: Path = repo, env: dict[str, str] = env) -> None:
            sh(env, repo, str(BIN), "check", "-q", ok=(0, 1))

        times[pages] = alternate({"build": (first, reset), "check": (check, lambda: None)}, repeat)
    print("\n== growth from 1,000 to 20,000 pages (10 commits per page; medians)")
    for name in ("build", "check"):
        a, b = times[1000][name], times[20000][name]
        k = math.log(b / a) / math.log(20)
        print(f"  {name:<6} {a:7.3f} s -> {b:7.3f} s   exponent {k:4.2f}   target <= 1.05")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--growth", action="store_true")
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    as_installed()  # run from bytecode, as an installed tool does
    root = args.dir / f"pages-roadmap-process-bench-v{CACHE_VERSION}"
    base = root / f"{args.pages}-{args.commits}"
    report(
        f"{args.pages} pages x {args.commits} commits",
        figures(base, args.pages, args.commits, args.repeat),
    )
    if args.large:
        report(
            "20000 pages x 200000 commits",
            figures(root / "20000-200000", 20000, 200000, args.repeat),
        )
    if args.growth:
        growth(root, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
