"""What the last build found up to date, so the next one skips those pages before decoding them.

A build that finds a page exactly as it would write it (no finding, nothing to change, no date
taken from git) remembers the page's bytes and its inputs: the data digests of the roadmaps it
embeds and, when one of them has automatic statuses, the day. The next run skips a page whose
bytes and inputs are the same; anything else (a new version of pages-roadmap or a change to its
files, `_config.yml`, a site schema, `--no-stamps`) starts from an empty memory. A skipped page
is reported as up to date, exactly as the full work would report it.

The memory lives outside the site, in the user's cache folder (`$XDG_CACHE_HOME/pages-roadmap/`,
else `~/.cache/pages-roadmap/`), one file per site folder: nothing in the work tree or in `.git`
is written, every clone and worktree has its own, and a fresh clone on a fresh machine (a CI
run) simply has none and does the full work. It is a cache: deleting it is always safe.

A remembered page also keeps its file's status (size, modification and change times, inode),
taken when a build reads it again and finds it up to date, as git's index does: while the
status is the same, the page is not even read. Like git, the status is trusted only for a file
last changed well before the run that read it (two seconds, more than any file system's time
step): a file saved in the same tick as that read could change without its times showing it,
so such a page is read and checked by its bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pages_roadmap import __version__

if TYPE_CHECKING:
    from pages_roadmap.roadmap import Roadmap

FORMAT = 2
_TRUST_NS = 2_000_000_000  # a status older than this, at the read, is trusted


def cache_file(site_root: Path) -> Path | None:
    """Where the memory of the site at `site_root` lives, or None without a cache folder."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or ".")
    if not base.is_absolute():
        home = Path(os.environ.get("HOME") or ".")
        if not home.is_absolute():
            return None
        base = home / ".cache"
    name = hashlib.sha256(os.fsencode(site_root.resolve())).hexdigest()[:24]
    return base / "pages-roadmap" / f"build-{name}.json"


def _code_fingerprint() -> str:
    """The package's version and its files' sizes and times: an edited install is a new tool."""
    h = hashlib.sha256(__version__.encode())
    base = Path(__file__).parent
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".py", ".json")):
                st = (Path(dirpath) / name).stat()
                h.update(f"{dirpath}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def run_key(site_root: Path, config_files: list[Path | None], *, stamps: bool) -> str:
    """Everything a run's output depends on besides the pages, their roadmaps and the day."""
    h = hashlib.sha256(f"{FORMAT}\n{_code_fingerprint()}\nstamps={stamps}\n".encode())
    for file in [site_root / "_config.yml", *config_files]:
        if file is None:
            continue
        try:
            h.update(file.read_bytes())
        except OSError:
            h.update(b"-")
        h.update(b"\0")
    return h.hexdigest()


def depends_on_today(roadmap: Roadmap) -> bool:
    """True when the chart's automatic statuses can differ from one day to another."""
    from pages_roadmap.roadmap import with_status

    return with_status(roadmap, date(1, 1, 2)) != with_status(roadmap, date(9999, 12, 30))


def page_sum(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:32]


def inputs_sum(digests: dict[str, str | None], day: str | None) -> str:
    h = hashlib.sha256((day or "-").encode())
    for name in sorted(digests):
        h.update(f"\n{name}:{digests[name] or '-'}".encode())
    return h.hexdigest()[:32]


def _status(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev]


class BuildCache:
    """The pages the last build found up to date: site-relative path -> (bytes, inputs)."""

    def __init__(self, file: Path | None, key: str) -> None:
        self.file = file
        self.key = key
        self.entries: dict[str, list[Any]] = {}
        self.changed = False
        self._started = time.time_ns()
        self._seen: dict[str, list[int] | None] = {}  # each page's status when this run read it
        if file is None:
            return
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("key") == key:
            pages = data.get("pages")
            self.entries = pages if isinstance(pages, dict) else {}

    @classmethod
    def for_site(
        cls, site_root: Path, config_files: list[Path | None], *, stamps: bool
    ) -> BuildCache:
        return cls(cache_file(site_root), run_key(site_root, config_files, stamps=stamps))

    def _entry(self, rel: str) -> list[Any] | None:
        entry = self.entries.get(rel)
        ok = isinstance(entry, list) and len(entry) == 5 and isinstance(entry[2], list)
        return entry if ok else None

    def seen(self, rel: str, info: os.stat_result) -> None:
        """The page's status, taken right before this run reads it."""
        old = max(info.st_mtime_ns, info.st_ctime_ns) < self._started - _TRUST_NS
        self._seen[rel] = _status(info) if old else None

    def unchanged(self, rel: str, info: os.stat_result) -> tuple[list[str], bool] | None:
        """(roadmap ids, depends on the day) when the file's status is the one remembered with
        bytes that were up to date: the page need not be read."""
        entry = self._entry(rel)
        if entry is None or entry[4] is None or entry[4] != _status(info):
            return None
        return self.remembered(rel)

    def remembered(self, rel: str) -> tuple[list[str], bool] | None:
        """(roadmap ids, depends on the day) of the page's entry, whatever its bytes."""
        entry = self._entry(rel)
        return None if entry is None else (entry[2], bool(entry[3]))

    def lookup(self, rel: str, raw: bytes) -> tuple[list[str], bool] | None:
        """(roadmap ids, depends on the day) when these bytes were up to date last time."""
        entry = self._entry(rel)
        return self.remembered(rel) if entry is not None and entry[0] == page_sum(raw) else None

    def fresh(self, rel: str, inputs: str) -> bool:
        return bool(self.entries[rel][1] == inputs)

    def keep(self, rel: str) -> None:
        """The page was read and found as remembered: remember the status it was read with."""
        status = self._seen.get(rel)
        entry = self.entries[rel]
        if status is not None and entry[4] != status:
            entry[4] = status
            self.changed = True

    def remember(self, rel: str, raw: bytes, inputs: str, ids: list[str], dated: bool) -> None:
        entry = [page_sum(raw), inputs, ids, dated, self._seen.get(rel)]
        if self.entries.get(rel) != entry:
            self.entries[rel] = entry
            self.changed = True

    def forget(self, rel: str) -> None:
        if self.entries.pop(rel, None) is not None:
            self.changed = True

    def save(self) -> None:
        """Write the memory (a temporary file and a rename); a failure only loses the cache."""
        if self.file is None or not self.changed:
            return
        text = json.dumps({"key": self.key, "pages": self.entries}, separators=(",", ":"))
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".build-cache.", dir=self.file.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            Path(tmp).replace(self.file)
        except OSError:
            return
