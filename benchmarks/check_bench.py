"""Benchmark `pages-roadmap check` on a generated site of 2,000 pages and 200 roadmaps.

Prints wall times measured in this run (best of N): the whole site, one page, and the bare
interpreter start-up for comparison. Targets: whole site <= 1.5 s, one page <= 0.3 s.

    .venv/bin/python benchmarks/check_bench.py [--pages 2000] [--roadmaps 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import as_installed

BIN = Path(sys.executable).parent / "pages-roadmap"

ROADMAP = """# yaml-language-server: $schema=../schemas/roadmap.schema.json
title: Roadmap {n}
chart:
  tick_interval: 1month
  excludes: [weekends]
sections:
{sections}"""


def roadmap(n: int, rng: random.Random) -> str:
    sections = []
    for s in range(3):
        items = [f"  - name: Section {s}\n    items:"]
        for i in range(8):
            month = rng.randint(1, 9)
            items.append(
                f"      - task: Task {s}-{i} of roadmap {n}\n"
                f"        id: t{s}-{i}\n"
                f"        start: 2025-{month:02d}-{rng.randint(1, 28):02d}\n"
                f"        duration: {rng.randint(1, 30)}d\n"
                f"        owner: Team {i}"
            )
        items.append(f"      - milestone: Done {s}\n        after: t{s}-7")
        sections.append("\n".join(items))
    return ROADMAP.format(n=n, sections="\n".join(sections) + "\n")


def page(n: int, roadmaps: int) -> str:
    embed = ""
    if n % 10 == 0:
        embed = f"<!-- pages-roadmap:gantt r{n % roadmaps} -->\n<!-- /pages-roadmap:gantt -->\n"
    return (
        f'---\nlayout: default\ntitle: "Page {n}"\nparent: Section {n % 20}\n'
        f"nav_order: {n}\ndate: 2025-08-19\nhas_children: false\n---\n\n"
        f"# Page {n}\n\n" + "Lorem ipsum dolor sit amet. " * 40 + "\n\n" + embed
    )


def generate(root: Path, pages: int, roadmaps: int) -> None:
    rng = random.Random(7)
    (root / "_roadmaps").mkdir(parents=True)
    for n in range(roadmaps):
        (root / "_roadmaps" / f"r{n}.yml").write_text(roadmap(n, rng), encoding="utf-8")
    for n in range(pages):
        folder = root / "docs" / f"section-{n % 20}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"page-{n}.md").write_text(page(n, roadmaps), encoding="utf-8")
    for s in range(20):  # the parents the pages name: just-the-docs' navigation checks run
        (root / "docs" / f"section-{s}" / "index.md").write_text(
            f"---\ntitle: Section {s}\nnav_order: {s}\nhas_children: true\n---\n", encoding="utf-8"
        )
    (root / "_config.yml").write_text(
        "title: bench\ntheme: just-the-docs\nlast_edit_timestamp: true\n", encoding="utf-8"
    )


def best(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{cmd} failed: {done.stderr}")
    return min(times)


def verdict(seconds: float, target: float) -> str:
    return "OK" if seconds <= target else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--roadmaps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    as_installed()  # run from bytecode, as an installed tool does
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, args.pages, args.roadmaps)
        one = root / "docs" / "section-1" / "page-1.md"
        site = best([str(BIN), "check", "--root", tmp], args.repeat)
        single = best([str(BIN), "check", "--root", tmp, str(one)], args.repeat)
        bare = best([sys.executable, "-c", "pass"], args.repeat)
        build = best([str(BIN), "build", "--root", tmp, "--check", "--no-stamps"], args.repeat)
    print(f"site: {args.pages} pages, {args.roadmaps} roadmaps (best of {args.repeat})")
    print(f"check, whole site      {site:6.3f} s   target <= 1.5 s   {verdict(site, 1.5)}")
    print(f"check, one page        {single:6.3f} s   target <= 0.3 s   {verdict(single, 0.3)}")
    print(f"build --check, site    {build:6.3f} s")
    print(f"python -c pass         {bare:6.3f} s   (interpreter start-up, for scale)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
