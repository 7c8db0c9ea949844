"""The one safe file reader: regular files inside the site, size-limited before reading.

Everything the tool reads from a site (pages, roadmaps, `_config.yml`, a site's schemas, the
ignore-revs file) comes through `read_bytes`/`read_text`:

- the path must resolve inside the site: a symlink inside the site to a file inside the site is
  read, one that leads anywhere else is refused without opening its target, so no finding can
  quote a byte of a file outside the site;
- only a regular file is read: a FIFO, a device, a socket or a folder is refused without
  blocking (the file is opened with O_NONBLOCK and checked with fstat before any read);
- the size is checked on the open file before reading, and at most `limit + 1` bytes are read,
  so a file that grows (or lies about its size) cannot exhaust memory;
- text is UTF-8, and an undecodable byte is located (Y105).

Problems are `ReadError`s (a `FindingError`: the caller reports the located finding, or turns it
into an exit-2 error for files named by settings).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pages_roadmap.findings import error
from pages_roadmap.yamlload import MAX_BYTES, LoadError, decode

__all__ = ["ReadError", "inside", "read_bytes", "read_text"]


class ReadError(LoadError):
    """A file that cannot be read safely; carries the located finding (F101 or Y104)."""


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def inside(path: Path, root: Path) -> bool:
    """True when `path`, symlinks resolved, is `root` or lies inside it."""
    real = Path(os.path.realpath(path))
    top = Path(os.path.realpath(root))
    return real == top or real.is_relative_to(top)


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _fail(rel: str, message: str, hint: str, code: str = "F101") -> ReadError:
    return ReadError(error(rel, 1, 1, code, message, hint))


def read_head(path: Path, rel: str, root: Path | None, size: int) -> bytes:
    """The first `size` bytes of a regular file inside `root` (the rules of `read_bytes`)."""
    return read_bytes(path, rel, root, limit=size, head=True)


def read_bytes(
    path: Path, rel: str, root: Path | None, *, limit: int = MAX_BYTES, head: bool = False
) -> bytes:
    """The bytes of a regular file inside `root` (None: no containment test), at most `limit`.

    With `head`, a longer file is not an error: its first `limit` bytes are returned.
    """
    real = Path(os.path.realpath(path))
    if root is not None and not inside(real, root):
        raise _fail(
            rel,
            "is a symlink (or under one) that leads outside the site; not read",
            "point the link at a file inside the site, or replace it with the file itself",
        )
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        raise _fail(rel, f"cannot read: {exc.strerror}", "check that the file exists") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _fail(
                rel,
                f"is {kind_of(info.st_mode)}, not a regular file; not read",
                "replace it with a regular file, or remove it",
            )
        if info.st_size > limit and not head:
            raise _too_big(rel, info.st_size, limit)
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        want = limit if head else limit + 1
        while size < want:
            chunk = os.read(fd, min(want - size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise _too_big(rel, size, limit, at_least=True)
        return b"".join(chunks)
    except OSError as exc:
        raise _fail(rel, f"cannot read: {exc.strerror}", "check the file's permissions") from None
    finally:
        os.close(fd)


def _too_big(rel: str, size: int, limit: int, *, at_least: bool = False) -> ReadError:
    more = "more than " if at_least else ""
    return _fail(
        rel,
        f"file is {more}{size - (1 if at_least else 0):,} bytes, over the limit of {limit:,}",
        "split the file, or check that it is really a page or roadmap",
        "Y104",
    )


def read_text(path: Path, rel: str, root: Path | None, *, limit: int = MAX_BYTES) -> str:
    """`read_bytes` decoded as UTF-8; an undecodable byte is a located Y105."""
    return decode(read_bytes(path, rel, root, limit=limit), rel, limit=limit)
