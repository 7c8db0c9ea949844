"""Serve a built site on 127.0.0.1 and open its pages in Debian's headless Chromium.

The browser is driven by tests/node/draw.mjs (playwright-core with the system Chromium as its
executable: nothing is downloaded); it reports what Mermaid drew and saves PNG screenshots.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

NODE_DIR = Path(__file__).parent / "node"
SCRIPT = NODE_DIR / "draw.mjs"
MERMAID_JS = NODE_DIR / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
PAGE_TIMEOUT_MS = 20_000
# Pages open three at a time in the one browser (measured: 24 pages in 5.9 s, 13.5 s one by one).
CONCURRENCY = 3


class Missing(RuntimeError):
    """A part the browser tests need is not installed (the message says how to install it)."""


# Debian's package first; a GitHub runner has Google Chrome (scripts/setup.sh agrees).
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str:
    """$PAGES_ROADMAP_CHROMIUM, else the first of BROWSERS on PATH (Debian's chromium here)."""
    found = os.environ.get("PAGES_ROADMAP_CHROMIUM") or next(
        (path for name in BROWSERS if (path := shutil.which(name))), None
    )
    if not found:
        raise Missing("Chromium is not installed: run scripts/setup.sh (apt-get install chromium)")
    return found


def node() -> str:
    found = shutil.which("node")
    if found is None:
        raise Missing("Node.js is not installed: run scripts/setup.sh (apt-get install nodejs)")
    if not (NODE_DIR / "node_modules" / "playwright-core").is_dir() or not MERMAID_JS.is_file():
        raise Missing(f"{NODE_DIR / 'node_modules'} is incomplete: run `npm ci` in {NODE_DIR}")
    return found


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ROOT on 127.0.0.1 at a port the system picks; yields the base URL, then closes."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def draw(pages: list[tuple[str, Path | None]]) -> list[dict[str, Any]]:
    """Open each (url, screenshot stem or None) in ONE browser; one result per page, in order."""
    request = {
        "chromium": chromium(),
        "timeout_ms": PAGE_TIMEOUT_MS,
        "concurrency": CONCURRENCY,
        "pages": [{"url": url, "screenshot": str(shot) if shot else None} for url, shot in pages],
    }
    proc = subprocess.run(
        [node(), str(SCRIPT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60 + len(pages) * PAGE_TIMEOUT_MS / 1000,
        cwd=NODE_DIR,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"draw.mjs failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    results: list[dict[str, Any]] = json.loads(proc.stdout)
    return results
