"""Real, isolated git repositories with pinned identities and dates, for tests.

Every git call made through `Repo` runs with an environment stripped of the caller's GIT_*
variables and pointed at an empty HOME, so neither the developer's config nor a surrounding
git hook (which exports GIT_DIR, GIT_INDEX_FILE, ...) can leak in.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

DEFAULT_DATE = "2025-01-01T12:00:00+00:00"
AUTHOR_NAME = "Test Author"
AUTHOR_EMAIL = "author@example.com"
COMMITTER_NAME = "Test Committer"
COMMITTER_EMAIL = "committer@example.com"


def git_date(iso: str) -> str:
    """Convert an ISO 8601 date with offset into git's unambiguous raw form '<unix> +hhmm'."""
    moment = datetime.fromisoformat(iso)
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(f"date needs an explicit offset, got {iso!r}")
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{int(moment.timestamp())} {sign}{hours:02d}{mins:02d}"


def isolated_env(home: Path) -> dict[str, str]:
    """Return an environment in which git sees no user/system config and a fixed identity."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
            "GIT_AUTHOR_NAME": AUTHOR_NAME,
            "GIT_AUTHOR_EMAIL": AUTHOR_EMAIL,
            "GIT_COMMITTER_NAME": COMMITTER_NAME,
            "GIT_COMMITTER_EMAIL": COMMITTER_EMAIL,
            "GIT_TERMINAL_PROMPT": "0",
            "TZ": "UTC",
        }
    )
    return env


class Repo:
    """A git work tree under `path` with helpers to commit files at pinned dates."""

    def __init__(self, path: Path, *, home: Path | None = None, init: bool = True) -> None:
        """Create (or, with init=False, adopt) a repository at path."""
        self.path = path
        self.env = isolated_env(home if home is not None else path.parent / f".{path.name}-home")
        if init:
            path.mkdir(parents=True, exist_ok=True)
            self.run("init", "--quiet")
            # Not `init -b`: that needs git >= 2.28.
            self.run("symbolic-ref", "HEAD", "refs/heads/main")

    def run(
        self, *args: str, env: Mapping[str, str] | None = None, stdin: bytes | None = None
    ) -> str:
        """Run git in the work tree and return its stdout; raise with stderr on failure."""
        proc = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env={**self.env, **(env or {})},
            input=stdin,
            capture_output=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"git {' '.join(args)} failed ({proc.returncode}): "
                f"{proc.stderr.decode('utf-8', 'replace')}"
            )
        return proc.stdout.decode("utf-8", "surrogateescape")

    def write(self, files: Mapping[str, str | None]) -> None:
        """Write files (content None deletes) in the work tree without staging them."""
        for name, content in files.items():
            target = self.path / name
            if content is None:
                target.unlink(missing_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            # Bytes, so the platform never translates newlines behind the test's back.
            target.write_bytes(content.encode("utf-8"))

    def stage(self, files: Mapping[str, str | None]) -> None:
        """Write files and stage exactly those paths (deletions included)."""
        self.write(files)
        if files:
            self.run("add", "--all", "--", *files)

    def commit(
        self,
        files: Mapping[str, str | None],
        message: str,
        date: str = DEFAULT_DATE,
        author_date: str | None = None,
    ) -> str:
        """Stage files, commit with pinned dates, and return the new commit id."""
        self.stage(files)
        self._commit(message, date, author_date)
        return self.head()

    def rename(
        self,
        old: str,
        new: str,
        message: str,
        date: str = DEFAULT_DATE,
        content: str | None = None,
    ) -> str:
        """Move old to new (optionally rewriting its content) in one commit; return its id."""
        (self.path / new).parent.mkdir(parents=True, exist_ok=True)
        self.run("mv", "--", old, new)
        if content is not None:
            self.stage({new: content})
        self._commit(message, date, None)
        return self.head()

    def _commit(self, message: str, date: str, author_date: str | None) -> None:
        self.run(
            "commit",
            "--quiet",
            "--allow-empty",
            "--no-verify",
            "--cleanup=verbatim",
            "--file=-",
            stdin=message.encode("utf-8"),
            env={
                "GIT_AUTHOR_DATE": git_date(author_date or date),
                "GIT_COMMITTER_DATE": git_date(date),
            },
        )

    def head(self) -> str:
        """Return the full id of HEAD."""
        return self.run("rev-parse", "HEAD").strip()

    def bulk_commits(self, commits: Iterable[tuple[Mapping[str, str | None], str, str]]) -> None:
        """Append many (files, message, date) commits to the current branch via fast-import.

        Orders of magnitude faster than `commit` in a loop; use it to build long histories.
        """
        branch = self.run("symbolic-ref", "HEAD").strip()
        parent = self.head() if self._has_head() else ""
        chunks: list[bytes] = []
        for mark, (files, message, date) in enumerate(commits, start=1):
            stamp = git_date(date)
            msg = message.encode("utf-8")
            chunks.append(
                f"commit {branch}\nmark :{mark}\n"
                f"author {AUTHOR_NAME} <{AUTHOR_EMAIL}> {stamp}\n"
                f"committer {COMMITTER_NAME} <{COMMITTER_EMAIL}> {stamp}\n"
                f"data {len(msg)}\n".encode()
                + msg
                + b"\n"
            )
            if mark == 1 and parent:
                chunks.append(f"from {parent}\n".encode())
            for name, content in files.items():
                quoted = _fast_import_path(name)
                if content is None:
                    chunks.append(b"D " + quoted + b"\n")
                else:
                    data = content.encode("utf-8")
                    chunks.append(
                        b"M 100644 inline "
                        + quoted
                        + b"\n"
                        + f"data {len(data)}\n".encode()
                        + data
                        + b"\n"
                    )
            chunks.append(b"\n")
        self.run("fast-import", "--quiet", "--done", stdin=b"".join(chunks) + b"done\n")
        # fast-import updates the ref but not the index or work tree.
        self.run("reset", "--quiet", "--hard")

    def _has_head(self) -> bool:
        proc = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
            cwd=self.path,
            env=self.env,
            capture_output=True,
            check=False,
        )
        return proc.returncode == 0

    def clone(self, dest: Path, *, depth: int | None = None) -> Repo:
        """Clone this repository through file:// (so --depth is honoured) into dest."""
        args = ["clone", "--quiet"]
        if depth is not None:
            args.append(f"--depth={depth}")
        args += [self.path.resolve().as_uri(), str(dest)]
        self.run(*args)
        return Repo(dest, home=Path(self.env["HOME"]), init=False)


def _fast_import_path(name: str) -> bytes:
    """Quote a path for fast-import as a C-style string (handles spaces and non-ASCII)."""
    raw = name.encode("utf-8")
    out = bytearray(b'"')
    for byte in raw:
        if byte in (0x22, 0x5C):  # '"' and '\'
            out += b"\\" + bytes([byte])
        elif byte == 0x0A:
            out += b"\\n"
        else:
            out.append(byte)
    out += b'"'
    return bytes(out)
