"""Build a site with Debian's jekyll, offline, through our overlay config (tests/site/)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from browser import MERMAID_JS

SITE_DIR = Path(__file__).parent / "site"
OVERLAY = SITE_DIR / "_config.overlay.yml"
# Where the overlay's `mermaid.path` points (just-the-docs loads it from there).
MERMAID_IN_SITE = Path("assets/js/mermaid.min.js")


class Missing(RuntimeError):
    """Jekyll is not installed (the message says how to install it)."""


def jekyll() -> str:
    found = shutil.which("jekyll")
    if found is None:
        raise Missing("Jekyll is not installed: run scripts/setup.sh (apt-get install jekyll)")
    return found


def build(source: Path, dest: Path) -> str:
    """`jekyll build` SOURCE into DEST with SOURCE/_config.yml plus the overlay; returns the log.

    The overlay names its layouts as tests/site/... inside the source (Jekyll reads layouts only
    from inside the source), so SOURCE must have tests/site: the repository has it, a temporary
    site gets a copy (see with_test_layout). Mermaid's script is copied in afterwards.
    """
    proc = subprocess.run(
        [
            jekyll(),
            "build",
            "--source",
            str(source),
            "--destination",
            str(dest),
            "--config",
            f"{source / '_config.yml'},{source / OVERLAY.relative_to(SITE_DIR.parent.parent)}",
            "--disable-disk-cache",
            "--strict_front_matter",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"jekyll build failed (exit {proc.returncode}):\n{proc.stderr}")
    target = dest / MERMAID_IN_SITE
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MERMAID_JS, target)
    return proc.stdout + proc.stderr


def with_test_layout(source: Path) -> None:
    """Give a temporary site the overlay's layouts at the path the overlay names."""
    shutil.copytree(SITE_DIR, source / "tests" / "site")
