"""Benchmark pages_roadmap.history.last_changed against the per-page approach and bare git log.

Usage: python benchmarks/history_bench.py [--dir DIR] [--pages 2000] [--commits 20000]

Builds (once, then reuses) a synthetic repository with git fast-import: one commit adding every
page, then commits that each change 1-3 random pages (seeded RNG, dates one hour apart). Then,
in the same run, it times:

1. ours: one `last_changed` call for every page;
2. per-page: `git log -1 --format=%ct -- <path>` per page, the way jekyll-last-modified-at
   works, timed on a sample and extrapolated linearly to all pages;
3. bare: `git log --name-only --format=%H` over the whole history, read fully and discarded,
   i.e. the floor for any single-pass approach;

plus ours again with one never-committed path added, which forces a walk of the whole history
and so shows the parser's overhead without the benefit of stopping early.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

_SRC = Path(__file__).resolve().parents[1] / "src"
if str(_SRC) not in sys.path:
    # Lets the script run from a plain checkout, before the package is installed.
    sys.path.insert(0, str(_SRC))

from benchlib import commit_header, fast_import, git_env, inline_file, page_paths  # noqa: E402

from pages_roadmap.git.history import HistoryOptions, _walk, last_changed  # noqa: E402

START = int(datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp())
CACHE_VERSION = 1


def _fast_import_stream(paths: list[str], commits: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    revision = [0] * len(paths)

    def blob(i: int) -> bytes:
        return (
            f"---\ntitle: Page {i}\nlayout: default\n---\n\n# Page {i}\n\n"
            f"Revision {revision[i]} of this page.\n" + "Some filler text for the page.\n" * 4
        ).encode()

    for n in range(commits):
        changed = range(len(paths)) if n == 0 else rng.sample(range(len(paths)), rng.randint(1, 3))
        out = [commit_header(n, START + 3600 * n)]
        for i in changed:
            revision[i] += 1
            out.append(inline_file(paths[i], blob(i)))
        out.append(b"\n")
        yield b"".join(out)


def build_repo(repo: Path, env: dict[str, str], pages: int, commits: int, seed: int) -> None:
    """Create the synthetic repository with git fast-import (seconds, not minutes)."""
    fast_import(repo, env, _fast_import_stream(page_paths(pages), commits, seed))


def best_of(repeat: int, func: Callable[[], object]) -> float:
    """Return the fastest of `repeat` wall-clock timings of func, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def per_page(repo: Path, env: dict[str, str], paths: list[str]) -> dict[str, int]:
    """Date each path with its own git process, as jekyll-last-modified-at does."""
    out: dict[str, int] = {}
    for path in paths:
        proc = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", path],
            cwd=repo,
            env=env,
            capture_output=True,
            check=True,
        )
        out[path] = int(proc.stdout)
    return out


def bare_log(repo: Path, env: dict[str, str]) -> int:
    """Read `git log --name-only --format=%H` over all history and throw it away."""
    proc = subprocess.Popen(
        ["git", "log", "--name-only", "--format=%H", "HEAD"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        bufsize=0,
    )
    assert proc.stdout is not None
    total = 0
    while chunk := proc.stdout.read(1 << 20):
        total += len(chunk)
    proc.stdout.close()
    if proc.wait() != 0:
        raise SystemExit("bare git log failed")
    return total


def main(argv: list[str] | None = None) -> int:
    """Build or reuse the repository, run the three measurements, print figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dir", type=Path, help="where to build/reuse the repository")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--sample", type=int, default=200, help="pages timed per-page")
    parser.add_argument("--repeat", type=int, default=3, help="best of N for the fast runs")
    args = parser.parse_args(argv)

    base = args.dir or Path(tempfile.gettempdir()) / (
        f"pages-roadmap-history-bench-v{CACHE_VERSION}-{args.pages}-{args.commits}-{args.seed}"
    )
    repo, ready = base / "repo", base / "READY"
    env = git_env(base / "home")
    if not ready.exists():
        if repo.exists():
            raise SystemExit(f"{repo} exists but is incomplete; delete {base} and rerun")
        started = time.perf_counter()
        build_repo(repo, env, args.pages, args.commits, args.seed)
        ready.write_text("ok\n")
        print(f"built {repo} in {time.perf_counter() - started:.1f}s")
    else:
        print(f"reusing {repo}")

    # The code under test inherits os.environ, so isolate it the same way as the git calls.
    os.environ.clear()
    os.environ.update(env)

    paths = page_paths(args.pages)
    options = HistoryOptions()
    ours_result = last_changed(repo, paths, options)  # warm the page cache before timing
    t_ours = best_of(args.repeat, lambda: last_changed(repo, paths, options))
    _, stats = _walk(repo, paths, options)

    full_paths = [*paths, "never/committed.md"]
    t_full = best_of(args.repeat, lambda: last_changed(repo, full_paths, options))
    _, full_stats = _walk(repo, full_paths, options)

    bare_bytes = bare_log(repo, env)
    t_bare = best_of(args.repeat, lambda: bare_log(repo, env))

    sample = random.Random(args.seed).sample(paths, min(args.sample, len(paths)))
    started = time.perf_counter()
    reference = per_page(repo, env, sample)
    t_sample = time.perf_counter() - started
    t_per_page = t_sample * len(paths) / len(sample)

    mismatches = [p for p in sample if int(ours_result[p].timestamp()) != reference[p]]
    missing = [p for p in paths if p not in ours_result]

    total = args.commits
    print(f"repository: {args.pages} pages, {total} commits")
    print(
        f"(1) ours, last_changed for all {args.pages} pages: {t_ours:8.3f} s "
        f"(read {stats.commits_read} of {total} commits, stopped early: {stats.stopped_early})"
    )
    print(
        f"(2) per-page git log -1, extrapolated:          {t_per_page:8.3f} s "
        f"({len(sample)} pages took {t_sample:.3f} s, x{len(paths) / len(sample):g})"
    )
    print(f"(3) bare git log --name-only, full history:     {t_bare:8.3f} s ({bare_bytes} bytes)")
    print(
        f"(4) ours forced to walk all history:            {t_full:8.3f} s "
        f"(read {full_stats.commits_read} commits)"
    )
    ratio_pp = t_per_page / t_ours
    ratio_bare = t_ours / t_bare
    ratio_full = t_full / t_bare
    print(f"per-page / ours  = {ratio_pp:6.1f}x  (target >= 15x: {_ok(ratio_pp >= 15)})")
    print(f"ours / bare      = {ratio_bare:6.2f}x  (target <= 1.5x: {_ok(ratio_bare <= 1.5)})")
    print(f"ours-full / bare = {ratio_full:6.2f}x  (same target: {_ok(ratio_full <= 1.5)})")
    print(f"correctness: {len(sample) - len(mismatches)}/{len(sample)} sampled dates agree")
    if mismatches or missing:
        print(f"MISMATCH: {mismatches[:5]} missing: {missing[:5]}", file=sys.stderr)
        return 1
    return 0


def _ok(flag: bool) -> str:
    return "met" if flag else "MISSED"


if __name__ == "__main__":
    sys.exit(main())
