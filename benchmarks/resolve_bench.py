"""Benchmark roadmap.resolve on a backward `after` chain (worst case of Mermaid's repeated pass).

Usage: python benchmarks/resolve_bench.py [--items 12000]

The chain lists its items last-first: item k starts `after` item k+1, and only the last item of
the list has a start date. Mermaid's compiler (and pages-roadmap's resolver before it worked in
dependency order) needs one pass over all items per link of the chain, so its cost grows with the
square of the items: 12,000 items took 71 s. The resolver now visits each item and each
reference once. The script builds the roadmap the way `check` does (YAML text -> load -> schema
-> model), so the chain is also within the loader's size limit, then times `resolve` alone, and
a whole `pages-roadmap check` process on a site holding the roadmap (the issue's figure: under
1 s).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import as_installed

_SRC = Path(__file__).resolve().parents[1] / "src"
if str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))

from pages_roadmap import roadmap as rm  # noqa: E402
from pages_roadmap.yamlload import MAX_BYTES, load  # noqa: E402


def chain_yaml(items: int) -> str:
    lines = ["sections:", "  - name: Chain", "    items:"]
    for k in range(items):
        lines.append(f"      - {{task: T{k}, id: t{k}, duration: 1d, after: t{k + 1}}}")
    lines[-1] = f"      - {{task: T{items - 1}, id: t{items - 1}, start: 2025-01-01, duration: 1d}}"
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--items", type=int, default=12_000)
    args = parser.parse_args()
    text = chain_yaml(args.items)
    size = len(text.encode())
    model = rm.from_data("chain", load(text, "chain.yml").data)
    began = time.perf_counter()
    spans = rm.resolve(model)
    took = time.perf_counter() - began
    first = spans[("sections", 0, "items", 0)]
    print(f"items: {args.items:,}  file: {size:,} bytes (limit {MAX_BYTES:,})")
    print(f"resolve: {took:.3f} s, {len(spans):,} spans; the chain's head ends {first.end.date()}")
    as_installed()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        (site / "_config.yml").write_text("title: chain\n")
        (site / "_roadmaps").mkdir()
        (site / "_roadmaps" / "chain.yml").write_text(text)
        tool = Path(sys.executable).parent / "pages-roadmap"
        runs = []
        for _ in range(3):
            began = time.perf_counter()
            done = subprocess.run([str(tool), "check", "-q"], cwd=site, capture_output=True)
            runs.append(time.perf_counter() - began)
        median = sorted(runs)[1]
        print(f"check (whole process, median of 3): {median:.3f} s, exit {done.returncode}")
    return 0 if len(spans) == args.items else 1


if __name__ == "__main__":
    raise SystemExit(main())
