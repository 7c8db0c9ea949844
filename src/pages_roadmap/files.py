"""Writing files: atomically, only when the bytes change, never over a change made since the read.

Every file the tool writes (pages by `build`, pages and data files by `import`, pages in the
commit step) goes through `Writer.write`, with the bytes the caller read (None: there was no
file). The rules:

* A temporary file in the same folder (so the rename cannot cross file systems), named
  `.pages-roadmap-tmp-<pid>-<n>-<name>`, created exclusively, given the old file's mode,
  written, then renamed over the file: a reader (or a kill at any moment) sees the old file or the
  new one, never a part. A temporary file left by a killed run is recognised by its prefix and
  removed by the next run that writes in that folder (when its process is gone, or after an
  hour).
* Right before the rename the file is read again: if its bytes differ from what the caller read
  (an editor saved it during the build), nothing is written and `Refused` says so; the command
  turns that into a finding. The check and the rename are a few system calls apart, the
  smallest window a rename-based write can have; a new file is created with `link`, which fails
  when a file appeared meanwhile, so there the check is exact.
* A symlink is never replaced by a regular file (the link would silently become a copy):
  `Refused`, as a finding.
* Anything the operating system refuses (a full disk, an unwritable folder, a file size limit)
  is a `WriteError`: exit 2, with the path.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from pages_roadmap.errors import Error

__all__ = ["TEMP_PREFIX", "Change", "Refused", "WriteError", "Writer", "write_atomic"]

TEMP_PREFIX = ".pages-roadmap-tmp-"
_STALE_SECONDS = 3600
_NAME_KEEP = 80  # characters of the file's name kept in its temporary file's name
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


@dataclass
class Change:
    """A file's text as read and as a command would write it."""

    path: Path
    old: str
    new: str


class WriteError(Error):
    """The operating system refused a write (full disk, unwritable folder): exit 2."""


class Refused(Exception):
    """A file was not written: it changed since it was read, or it is a symlink."""

    def __init__(self, path: Path, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.path = path
        self.code = code
        self.message = message
        self.hint = hint


def _lstat(path: Path) -> os.stat_result | None:
    """The file's status, None when it does not exist; refuses a symlink."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        raise Refused(
            path,
            "F103",
            "the file is a symlink; not replaced by a regular file",
            "let the link point at the file with the text and build that file, or replace the "
            "link by the file itself",
        )
    return info


def _read(path: Path) -> bytes | None:
    """The file's bytes (None when it does not exist), never through a symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError:
        _lstat(path)  # a symlink is F103; anything else is the system's refusal
        raise
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _changed(path: Path) -> Refused:
    return Refused(
        path,
        "F102",
        "the file changed while pages-roadmap was working on it; not overwritten",
        "run the command again: it starts from the file as it is now",
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(folder: Path) -> list[Path]:
    """Remove temporary files a killed run left in folder; the paths removed."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        pid_text = entry.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        try:
            info = entry.stat(follow_symlinks=False)
            old = now - info.st_mtime > _STALE_SECONDS
            if (
                old
                or not pid_text.isdigit()
                or not _alive(int(pid_text))
                or (int(pid_text) == os.getpid())
            ):
                Path(entry.path).unlink()
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


@dataclass
class Writer:
    """One run's writes; each folder is cleaned of leftover temporary files once."""

    cleaned: set[Path] = field(default_factory=set)
    made: int = 0  # temporary files made, for their names

    def clean(self, folder: Path) -> None:
        key = folder.absolute()
        if key not in self.cleaned:
            self.cleaned.add(key)
            clean_leftovers(key)

    def write(self, path: Path, text: str | bytes, expected: bytes | None) -> bool:
        """Write text (UTF-8) over the file whose bytes were `expected` (None: no file).

        False when the file already holds exactly these bytes. Raises `Refused` (the file
        changed since it was read, or is a symlink) or `WriteError` (the system refused).
        """
        data = text.encode("utf-8") if isinstance(text, str) else text
        try:
            return self._write(path, data, expected)
        except OSError as exc:
            raise WriteError(
                f"cannot write {path}: {exc.strerror or exc}",
                "check the disk space and that the folder is writable",
            ) from None

    def _write(self, path: Path, data: bytes, expected: bytes | None) -> bool:
        info = _lstat(path)
        if info is None and expected is not None:
            raise _changed(path)  # deleted since it was read
        if info is not None and (expected is None or info.st_size != len(expected)):
            if _read(path) == data:  # another run wrote the very same bytes meanwhile
                return False
            raise _changed(path)
        self.clean(path.parent)
        mode = 0o666 & ~_umask() if info is None else stat.S_IMODE(info.st_mode)
        fd, tmp = self._temporary(path, mode)
        try:
            # No fsync: a killed process loses nothing the kernel holds, and the rename below
            # still leaves the page old or new. Like git, which syncs no work-tree file, we do
            # not pay 4 ms a page (40 % of a first build) against a power cut.
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
            if info is None:
                try:
                    os.link(tmp, path)  # fails when a file appeared since the read
                except FileExistsError:
                    raise _changed(path) from None
                tmp.unlink()
            else:
                # Read again right before the rename: the check and the rename are a few
                # system calls apart, the smallest window a rename-based write can have.
                again = _read(path)
                if again == data:  # another run wrote the very same bytes meanwhile
                    tmp.unlink()
                    return False
                if again != expected:
                    raise _changed(path)
                tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return True

    def _temporary(self, path: Path, mode: int) -> tuple[int, Path]:
        """A new temporary file beside `path`, open for writing, with the file's mode."""
        name = path.name[-_NAME_KEEP:]
        while True:
            self.made += 1
            tmp = path.parent / f"{TEMP_PREFIX}{os.getpid()}-{self.made}-{name}"
            try:
                fd = os.open(tmp, _CREATE, 0o600)
            except FileExistsError:  # left by a killed process that had this pid
                continue
            try:
                os.fchmod(fd, mode)
            except BaseException:
                os.close(fd)
                tmp.unlink()
                raise
            return fd, tmp


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str | bytes, expected: bytes | None) -> bool:
    """`Writer().write`, for a single file."""
    return Writer().write(path, text, expected)
