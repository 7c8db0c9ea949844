"""Run Mermaid's own gantt parser (tests/node/mermaid-tasks.mjs) on chart text, for tests.

Many charts go to one Node process (one per Mermaid version and time zone), which isolates them
from each other (see the harness's header), and every result is cached on disk, keyed by the
SHA-256 of (harness, lockfile, version, time zone, mode, chart text), under tests/.cache/mermaid/
(gitignored), so a rerun compiles only charts it has not seen.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

NODE_DIR = Path(__file__).parent / "node"
SCRIPT = NODE_DIR / "mermaid-tasks.mjs"
CACHE_DIR = Path(__file__).parent / ".cache" / "mermaid"
# The npm package names of the Mermaid versions under test (tests/node/package.json).
VERSIONS = {"12.3.0": "mermaid", "11.12.0": "mermaid11"}
DEFAULT_VERSION = "12.3.0"
TIME_ZONES = ("UTC", "America/Sao_Paulo")
TIMEOUT_S = 600
# Charts per Node process: start-up (~1 s) is paid once per batch; two batches run at a time.
BATCH = 400
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


def _salt() -> bytes:
    # A change to the harness or to the installed packages invalidates every cached result.
    lock = NODE_DIR / "package-lock.json"
    return SCRIPT.read_bytes() + (lock.read_bytes() if lock.exists() else b"")


def cache_key(version: str, tz: str, text: str, render: bool = False) -> str:
    h = hashlib.sha256(_salt())
    for part in (version, tz, "render" if render else "compile", text):
        h.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _cache_path(key: str) -> Path:
    return CACHE_DIR / key[:2] / f"{key}.json"


def _run_batch(node: str, package: str, tz: str, texts: list[str], render: bool) -> list[Any]:
    request = json.dumps({"package": package, "charts": texts, "render": render})
    proc = subprocess.run(
        [node, str(SCRIPT)],
        input=request,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogatepass",
        timeout=TIMEOUT_S,
        cwd=NODE_DIR,
        env={**os.environ, "TZ": tz},
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"mermaid-tasks.mjs failed (exit {proc.returncode}):\n{proc.stderr.strip()}"
        )
    results: list[Any] = json.loads(proc.stdout)
    if len(results) != len(texts):
        raise RuntimeError(f"mermaid-tasks.mjs returned {len(results)} results for {len(texts)}")
    return results


def compile_many(
    texts: list[str],
    version: str = DEFAULT_VERSION,
    tz: str = "UTC",
    *,
    render: bool = False,
    use_cache: bool = True,
) -> list[dict[str, Any]]:
    """Compile charts with one Mermaid version in one time zone; results keep input order."""
    package = VERSIONS[version]
    node = _node()
    keys = [cache_key(version, tz, t, render) for t in texts]
    out: dict[int, dict[str, Any]] = {}
    todo: list[int] = []
    for i, key in enumerate(keys):
        path = _cache_path(key)
        if use_cache and path.is_file():
            out[i] = json.loads(path.read_text(encoding="utf-8"))
        else:
            todo.append(i)
    # The same chart twice is compiled once.
    unique = list(dict.fromkeys(texts[i] for i in todo))
    batches = [unique[n : n + BATCH] for n in range(0, len(unique), BATCH)]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        done = list(pool.map(lambda b: _run_batch(node, package, tz, b, render), batches))
    by_text = {
        t: r
        for batch, results in zip(batches, done, strict=True)
        for t, r in zip(batch, results, strict=True)
    }
    for i in todo:
        out[i] = by_text[texts[i]]
        if use_cache:
            path = _cache_path(keys[i])
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(out[i]), encoding="utf-8")
            tmp.replace(path)
    return [out[i] for i in range(len(texts))]


def compile_chart(text: str, version: str = DEFAULT_VERSION, tz: str = "UTC") -> dict[str, Any]:
    """Compile one gantt chart with Mermaid and return the harness's JSON result."""
    return compile_many([text], version, tz)[0]


def compile_matrix(
    texts: list[str], tzs: tuple[str, ...] = TIME_ZONES
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Every chart under every Mermaid version and time zone: {(version, tz): results}."""
    return {(v, tz): compile_many(texts, v, tz) for v in VERSIONS for tz in tzs}
