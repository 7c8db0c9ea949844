"""What the benchmark scripts share: an isolated git environment and a `git fast-import` stream's
pieces, so that each script only says what its generated site holds."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path


def as_installed() -> None:
    """Compile the package's bytecode, as pip does on install.

    An editable install on a machine with PYTHONDONTWRITEBYTECODE=1 would compile every module
    in every run instead: a quarter of a short command's time, which no user pays.
    """
    import compileall

    compileall.compile_dir(str(Path(__file__).parent.parent / "src" / "pages_roadmap"), quiet=1)


def git_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment where no user or system git config can skew a measurement."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "XDG_"))}
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
        GIT_AUTHOR_NAME="Bench",
        GIT_AUTHOR_EMAIL="bench@example.com",
        GIT_COMMITTER_NAME="Bench",
        GIT_COMMITTER_EMAIL="bench@example.com",
        **extra,
    )
    return env


def page_paths(pages: int) -> list[str]:
    """The generated pages' paths: docs/section-N/page-M.md, 50 pages per section."""
    return [f"docs/section-{i // 50}/page-{i % 50}.md" for i in range(pages)]


def commit_header(n: int, when: int) -> bytes:
    """The start of fast-import commit `n` on main, committed at Unix time `when`."""
    msg = f"commit {n}\n".encode()
    return (
        b"commit refs/heads/main\n"
        b"committer Bench <bench@example.com> %d +0000\n" % when
        + b"data %d\n%s\n" % (len(msg), msg)
    )


def fast_import(repo: Path, env: dict[str, str], stream: Iterable[bytes]) -> None:
    """A new repository at `repo` whose branch main holds the commits of a fast-import stream
    (seconds for 20,000 commits, where committing one by one takes minutes)."""
    subprocess.run(["git", "init", "--quiet", str(repo)], check=True, env=env)
    subprocess.run(
        ["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=repo, check=True, env=env
    )
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet"], cwd=repo, stdin=subprocess.PIPE, env=env
    )
    assert proc.stdin is not None
    for chunk in stream:
        proc.stdin.write(chunk)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")


def inline_file(path: str, data: bytes) -> bytes:
    """A fast-import file of a commit, its content inline."""
    return b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)
