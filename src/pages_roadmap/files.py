"""Writing files: atomically, only when the bytes change, keeping the file's mode."""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Change:
    """A file's text as read and as a command would write it."""

    path: Path
    old: str
    new: str


def write_atomic(path: Path, text: str, *, sync: bool = True) -> bool:
    """Write `text` as UTF-8 through a temporary file and a rename; False when nothing changed.

    `sync=False` leaves out the fsync of each file, for a caller that writes many and then
    syncs once (`os.sync()`).
    """
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    # The temporary file lives in the same folder, so the rename cannot cross file systems.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        if mode is not None:
            Path(tmp).chmod(mode)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
