"""Run Mermaid's own gantt parser (tests/node/mermaid-tasks.mjs) on chart text, for tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

NODE_DIR = Path(__file__).parent / "node"
SCRIPT = NODE_DIR / "mermaid-tasks.mjs"
TIMEOUT_S = 60
# Each chart needs its own Node process (Mermaid's task-id table leaks between diagrams), and each
# process spends ~1 s importing Mermaid; two at a time keeps CI runners responsive.
WORKERS = 2


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError(
            "Node.js is not installed: the Mermaid tests need `node` (>= 20) on PATH"
        )
    if not (NODE_DIR / "node_modules" / "mermaid").is_dir():
        raise RuntimeError(
            f"{NODE_DIR / 'node_modules'} is missing: run scripts/test.sh, "
            f"or `npm ci` in {NODE_DIR}"
        )
    return node


def compile_chart(text: str) -> dict[str, Any]:
    """Compile one gantt chart with Mermaid and return the harness's JSON result."""
    proc = subprocess.run(
        [_node(), str(SCRIPT)],
        input=text,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT_S,
        cwd=NODE_DIR,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"mermaid-tasks.mjs failed (exit {proc.returncode}):\n{proc.stderr.strip()}"
        )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def compile_many(texts: list[str]) -> list[dict[str, Any]]:
    """Compile several charts, one Node process each, two at a time; results keep input order."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(compile_chart, texts))
