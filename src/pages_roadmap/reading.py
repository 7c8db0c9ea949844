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

import errno
import os
import stat
from pathlib import Path
from typing import Protocol

from pages_roadmap.findings import error
from pages_roadmap.yamlload import MAX_BYTES, LoadError, decode

__all__ = ["Place", "ReadError", "inside", "read_bytes", "read_text"]

_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NOFOLLOW", 0)


class Place(Protocol):
    """A site as the reader needs it: its folder, and its folders' real paths looked up once
    (site.Site). Reading a thousand pages then resolves each folder once, not each page."""

    @property
    def root(self) -> Path: ...

    def real_dir(self, folder: str) -> str: ...


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


def read_head(path: Path, rel: str, root: Path | Place | None, size: int) -> bytes:
    """The first `size` bytes of a regular file inside `root` (the rules of `read_bytes`)."""
    return read_bytes(path, rel, root, limit=size, head=True)


def _quick_real(path: Path, place: Place) -> str | None:
    """The file's real path from its folder's (looked up once per folder), if that is inside
    the site; None when only the full resolution can tell (a '..', a folder outside)."""
    text = os.fspath(path)
    if "/.." in text or text.startswith(".."):
        return None
    folder, name = os.path.split(os.path.abspath(text))  # noqa: PTH100
    if not name:
        return None
    real_folder = place.real_dir(folder).rstrip("/")
    top = place.real_dir(str(place.root)).rstrip("/")
    if real_folder != top and not real_folder.startswith(top + "/"):
        return None
    return f"{real_folder}/{name}"


def _open(path: Path, rel: str, root: Path | Place | None) -> int:
    """An fd on the file, opened without following a last symlink, once it is known to lie
    inside the site; a symlink is resolved first and its target must lie inside too."""
    if root is not None and not isinstance(root, Path):
        quick = _quick_real(path, root)
        if quick is not None:
            try:
                return os.open(quick, _FLAGS)
            except OSError as exc:
                if exc.errno not in (errno.ELOOP, errno.EMLINK):  # EMLINK: BSD's ELOOP here
                    raise _fail(
                        rel, f"cannot read: {exc.strerror}", "check that the file exists"
                    ) from None
        root = root.root  # the file is a symlink: resolve it fully
    real = os.path.realpath(path)
    if root is not None and not inside(Path(real), root):
        raise _fail(
            rel,
            "is a symlink (or under one) that leads outside the site; not read",
            "point the link at a file inside the site, or replace it with the file itself",
        )
    try:
        return os.open(real, _FLAGS)
    except OSError as exc:
        raise _fail(rel, f"cannot read: {exc.strerror}", "check that the file exists") from None


def read_bytes(
    path: Path,
    rel: str,
    root: Path | Place | None,
    *,
    limit: int = MAX_BYTES,
    head: bool = False,
) -> bytes:
    """The bytes of a regular file inside `root` (None: no containment test), at most `limit`.

    `root` is the site's folder, or the site itself (a `Place`: its folders are resolved once).
    With `head`, a longer file is not an error: its first `limit` bytes are returned.
    """
    fd = _open(path, rel, root)
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


def read_text(
    path: Path, rel: str, root: Path | Place | None, *, limit: int = MAX_BYTES
) -> str:
    """`read_bytes` decoded as UTF-8; an undecodable byte is a located Y105."""
    return decode(read_bytes(path, rel, root, limit=limit), rel, limit=limit)
