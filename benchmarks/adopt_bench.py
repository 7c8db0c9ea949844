"""Benchmark `pages-roadmap adopt` on a generated site (target: under 5 s on 2 cores).

Usage: python benchmarks/adopt_bench.py [--pages 500] [--charts 50] [--commits 5000] [--repeat 3]

Builds a repository with git fast-import: a just-the-docs site of PAGES pages (each with front
matter and a Liquid stamp, CHARTS of them with a hand-written gantt chart of 12 tasks with ids,
`after` and milestones), then commits that each change 1-3 random pages (seeded, one hour
apart), COMMITS in all. Each repetition clones it afresh (a local clone: hard links, no copy)
and times one `pages-roadmap adopt` in-process, commit included; the best time is reported,
with the check that every page kept the date of its last commit.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

_SRC = Path(__file__).resolve().parents[1] / "src"
if str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))

from benchlib import commit_header, fast_import, git_env, inline_file, page_paths  # noqa: E402

from pages_roadmap.cli import main  # noqa: E402

START = int(datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp())
CONFIG = b"title: Bench\ntheme: just-the-docs\n"


def chart(i: int, revision: int) -> str:
    lines = ["```mermaid", "gantt", "    dateFormat YYYY-MM-DD", f"    title Plan {i}"]
    for s in range(3):
        lines.append(f"    section Part {s}")
        lines.append(f"    Design {s} :d{s}, 2025-0{s + 1}-0{1 + revision % 5}, 10d")
        lines.append(f"    Build {s} :b{s}, after d{s}, 2w")
        lines.append(f"    Review {s} :crit, 5d")
        lines.append(f"    Release {s} :milestone, m{s}, after b{s}, 0d")
    return "\n".join([*lines, "```"]) + "\n"


def page(i: int, revision: int, charts: int, pages: int) -> bytes:
    every = max(1, pages // charts)
    body = (
        f"---\ntitle: Page {i}\nlayout: default\n---\n\n"
        "📆 _last updated: {{ site.time | date: '%B %d, %Y' }}_\n\n"
        f"# Page {i}\n\nRevision {revision} of this page.\n\n"
        + ("Some filler text for the page.\n" * 4)
    )
    if i % every == 0 and i // every < charts:
        body += "\n" + chart(i, revision)
    return body.encode()


def stream(pages: int, charts: int, commits: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    revision = [0] * pages
    paths = page_paths(pages)
    for n in range(commits):
        out = [commit_header(n, START + 3600 * n)]
        if n == 0:
            out.append(inline_file("_config.yml", CONFIG))
        changed = range(pages) if n == 0 else rng.sample(range(pages), rng.randint(1, 3))
        for i in changed:
            revision[i] += 1
            out.append(inline_file(paths[i], page(i, revision[i], charts, pages)))
        out.append(b"\n")
        yield b"".join(out)


def build(repo: Path, env: dict[str, str], args: argparse.Namespace) -> None:
    fast_import(repo, env, stream(args.pages, args.charts, args.commits, args.seed))
    subprocess.run(["git", "checkout", "--quiet", "main"], cwd=repo, check=True, env=env)


def last_commit_days(repo: Path, env: dict[str, str]) -> dict[str, str]:
    """Each page's last commit day, by a per-page `git log -1` (an independent oracle)."""
    out = {}
    for path in sorted(repo.glob("docs/**/*.md")):
        rel = path.relative_to(repo).as_posix()
        day = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", rel],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        out[rel] = day
    return out


def main_bench() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--charts", type=int, default=50)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    profile = os.environ.get("ADOPT_PROFILE")
    with tempfile.TemporaryDirectory(prefix="adopt-bench-") as tmp:
        base = Path(tmp)
        env = git_env(base / "home", TZ="UTC")
        source = base / "source"
        t0 = time.perf_counter()
        build(source, env, args)
        took = time.perf_counter() - t0
        print(
            f"site: {args.pages} pages, {args.charts} charts, {args.commits} commits ({took:.1f} s)"
        )
        expected = last_commit_days(source, env)
        os.environ.clear()
        os.environ.update(env)
        best = float("inf")
        for n in range(args.repeat):
            clone = base / f"clone-{n}"
            subprocess.run(
                ["git", "clone", "--quiet", str(source), str(clone)], check=True, env=env
            )
            out, err = io.StringIO(), io.StringIO()
            start = time.perf_counter()
            argv = ["adopt", "--root", str(clone), "--today", "2026-01-01", "-q"]
            if profile:
                import cProfile

                cProfile.runctx("main(argv, out, err)", globals(), locals(), "/tmp/adopt.prof")
                code = 0
            else:
                code = main(argv, out, err)
            took = time.perf_counter() - start
            if code not in (0, 1):
                raise SystemExit(f"adopt failed ({code}): {err.getvalue()}{out.getvalue()}")
            best = min(best, took)
            print(f"run {n + 1}: {took:.2f} s")
        got = {}
        for path in sorted(clone.glob("docs/**/*.md")):
            m = re.search(r"(?m)^last_modified_date: (\S+)", path.read_text(encoding="utf-8"))
            got[path.relative_to(clone).as_posix()] = m[1] if m else None
        wrong = [p for p in expected if got.get(p) != expected[p]]
        charts = len(list((clone / "_roadmaps").glob("*.yml")))
        print(
            f"adopt: best of {args.repeat}: {best:.2f} s ({charts} charts imported; "
            f"{len(wrong)} of {len(expected)} pages with a wrong date)"
        )
        return 1 if wrong or charts != args.charts else 0


if __name__ == "__main__":
    raise SystemExit(main_bench())
