"""The one way pages-roadmap runs git: `run` for a command's whole output, `stream` for a long read.

Every git process of the tool starts here, with an environment that keeps the output parseable
and the process non-interactive, and a missing git becomes one `GitError` (exit 2), never a
traceback. gitpython is used beside it only for what it models well: the repository's state
(which repository, bare or not, detached HEAD, the active branch), in commit.py.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from pages_roadmap.errors import Error

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]
_SETPIPE_SZ: int | None = getattr(fcntl, "F_SETPIPE_SZ", None)

__all__ = [
    "Early",
    "GitError",
    "Result",
    "Started",
    "cat_file_batch",
    "run",
    "split_z",
    "start",
    "stream",
]

# Pathspecs are file names, never globs (a page called `[draft].md` must not match `d.md`);
# git must never wait for a password or an editor, nor page its output.
ENV = {
    "GIT_LITERAL_PATHSPECS": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_EDITOR": "true",
    "GIT_PAGER": "cat",
    "LC_ALL": "C",
}
_MISSING = "git was not found on PATH; pages-roadmap needs it to read and commit history"


class GitError(Error):
    """Git is missing, the folder is not a usable repository, or a git command failed."""


Result = subprocess.CompletedProcess[bytes]


def _env() -> dict[str, str]:
    return {**os.environ, **ENV}


def run(root: Path, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> Result:
    """Run `git ARGS` in root and return its status and output; a failure is the caller's call.

    `env` adds variables (a temporary GIT_INDEX_FILE, say) to the runner's environment. git
    runs in a session of its own with its input and output in files, not pipes: if the tool is
    killed (or its process group signalled), a git command already running finishes its work
    instead of stopping half-way (SIGPIPE in the middle of a rebase, an index updated from
    input cut short).
    """
    return start(root, *args, stdin=stdin, env=env).wait()


def start(root: Path, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> Started:
    """`run`, started now and waited for by `Started.wait`: git works while the caller does."""
    if not root.is_dir():
        raise GitError(f"{root} is not a directory")
    out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by Started.wait)
    err = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        with tempfile.TemporaryFile() as given:
            given.write(stdin)
            given.seek(0)
            proc = subprocess.Popen(
                ["git", *args],
                cwd=root,
                stdin=given,
                stdout=out,
                stderr=err,
                env={**_env(), **(env or {})},
                start_new_session=True,
            )
    except BaseException as exc:
        out.close()
        err.close()
        if isinstance(exc, FileNotFoundError):
            raise GitError(_MISSING, "install git") from None
        raise
    return Started(proc, out, err)


class Started:
    """A git command started by `start`; `wait` gives its status and output (once, kept)."""

    def __init__(self, proc: subprocess.Popen[bytes], out: IO[bytes], err: IO[bytes]) -> None:
        self._proc = proc
        self._files = (out, err)
        self._result: Result | None = None

    def wait(self) -> Result:
        if self._result is None:
            out, err = self._files
            try:
                returncode = self._proc.wait()
                out.seek(0)
                err.seek(0)
                self._result = subprocess.CompletedProcess(
                    self._proc.args, returncode, out.read(), err.read()
                )
            finally:
                out.close()
                err.close()
        return self._result


class Stream:
    """A running git command's stdout; `returncode` is set once the `stream` block is left."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self._proc = proc
        self.at_eof = False
        self.returncode: int | None = None

    def read(self, size: int) -> bytes:
        assert self._proc.stdout is not None
        chunk = self._proc.stdout.read(size)
        self.at_eof = not chunk
        return chunk

    def kill(self) -> None:
        """Stop git now (a reader blocked on its output then sees the end)."""
        self._proc.kill()

    def poll(self) -> int | None:
        """git's exit status if it has ended, else None."""
        return self._proc.poll()


@contextmanager
def stream(root: Path, args: list[str], errfile: IO[bytes], room: int = 0) -> Iterator[Stream]:
    """A git process whose stdout is read as it comes; killed if the reader stops before its end.

    stderr goes to `errfile`: a pipe could fill up (one rename-limit warning per commit, say)
    and block git while the caller reads only stdout. `room`: the bytes the pipe should hold
    (where the system lets a pipe grow, as Linux does up to 1 MiB), so that git can run ahead
    of a reader that is not reading yet.
    """
    try:
        proc = subprocess.Popen(
            ["git", *args],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errfile,
            bufsize=0,
            env=_env(),
        )
    except FileNotFoundError:
        raise GitError(_MISSING, "install git") from None
    if room and _SETPIPE_SZ is not None and proc.stdout is not None:
        with suppress(OSError):  # a pipe that cannot grow is only slower
            fcntl.fcntl(proc.stdout.fileno(), _SETPIPE_SZ, room)
    out = Stream(proc)
    try:
        yield out
    finally:
        if not out.at_eof:
            proc.kill()
        if proc.stdout is not None:
            proc.stdout.close()
        out.returncode = proc.wait()


class Early:
    """A git command started before its reader is ready: a thread reads its output meanwhile.

    The build starts its `git log` before it reads pages, so git walks history on another core
    at the same time. With `waiting`, no thread reads yet: git runs until its pipe (made to
    hold ROOM bytes) is full, then waits for `go` (a build starts git before it forks, and
    lets it go on when a page needs a date). The thread holds at most `limit` bytes (then git
    waits, as it would on a full pipe) and hands over everything it holds in one piece: git
    writes a few kilobytes at a time, and a bound counted in pieces stopped git after a few
    hundred kilobytes. `close` kills git if its output was not read to the end.
    """

    ROOM = 1 << 20
    PAUSE = 0.005  # seconds

    def __init__(
        self, root: Path, args: list[str], limit: int = 256 << 20, *, waiting: bool = False
    ) -> None:
        self.args = args
        self.errfile = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._stream = stream(root, args, self.errfile, self.ROOM)
        try:
            self._out = self._stream.__enter__()
        except BaseException:
            self.errfile.close()
            raise
        self._limit = max(1, limit)
        self._held = bytearray()
        self._eof = False
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._going = False
        self._feed: Callable[[bytes], bool] | None = None
        self.closed = False
        self.stderr = b""  # git's error output, once closed
        if not waiting:
            self.go()

    def go(self, feed: Callable[[bytes], bool] | None = None) -> None:
        """Start reading git's output (idempotent): a waiting git goes on.

        With `feed`, the thread hands each piece of output to it as it comes, not to `read`
        (b"" at the end); when it returns True, git is stopped: the rest is of no use.
        """
        if not self._going:
            self._going = True
            self._feed = feed
            self._thread.start()

    def _pump(self) -> None:
        while True:
            try:
                chunk = self._out.read(1 << 20)
            except (OSError, ValueError):  # closed under it by `close`
                chunk = b""
            if self._feed is not None:
                if self._stop:
                    return
                if self._feed(chunk) and chunk:
                    self._out.kill()
                    return
                if not chunk:
                    return
                self._pause(chunk)
                continue
            with self._cond:
                while len(self._held) >= self._limit and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                self._held += chunk
                self._eof = not chunk
                self._cond.notify_all()
            if not chunk:
                return
            self._pause(chunk)

    def _pause(self, chunk: bytes) -> None:
        """After a small piece, let git fill its pipe a while: git writes a few kilobytes at
        a time, and a wake-up per piece would take the interpreter's lock from the thread
        that reads the pages a thousand times."""
        if len(chunk) < self.ROOM // 8:
            time.sleep(self.PAUSE)

    def read(self) -> bytes:
        """All output that came since the last read, waiting for some (b"" at its end)."""
        self.go()
        with self._cond:
            while not self._held and not self._eof:
                self._cond.wait()
            chunk = bytes(self._held)
            self._held.clear()
            self._cond.notify_all()
            return chunk

    @property
    def returncode(self) -> int | None:
        """git's exit status once `close` has run."""
        return self._out.returncode

    def poll(self) -> int | None:
        """git's exit status if it has ended (by itself, or stopped), else None."""
        return self._out.poll()

    def close(self) -> None:
        """Stop git (if it still runs) and the thread; idempotent."""
        if self.closed:
            return
        self.closed = True
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if not self._out.at_eof:
            self._stream_kill()
        if self._going:
            self._thread.join()
        try:
            self._stream.__exit__(None, None, None)
            self.errfile.seek(0)
            self.stderr = self.errfile.read()
        finally:
            self.errfile.close()

    def _stream_kill(self) -> None:
        self._out.kill()


def cat_file_batch(out: bytes, names: Sequence[str]) -> dict[str, bytes]:
    """The blobs in the output of `git cat-file --batch` asked for `names`, in order.

    A name git does not know ("missing") or that is not a blob is left out of the result.
    """
    pos, found = 0, {}
    for name in names:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            found[name] = out[pos : pos + size]
            pos += size + 1
        elif len(header) == 3:
            pos += int(header[2]) + 1  # a tree or commit: skip its content
    return found


def split_z(out: bytes | str) -> list[str]:
    """The names of a `-z` listing."""
    text = out.decode("utf-8", "surrogateescape") if isinstance(out, bytes) else out
    return [name for name in text.split("\0") if name]
