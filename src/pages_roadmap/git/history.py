"""Dates of the last real change of files, read from git history.

This is the only module that reads git history for dates. It never reads the clock and never
prints: callers decide time zones, fallbacks and warnings.

Design decisions (see also the comments in `last_changed`):

* One streamed ``git log`` over everything reachable from HEAD, read incrementally and stopped
  as soon as every wanted path is dated. Tools that spawn ``git log -1 -- path`` per page pay a
  process start plus a history walk per page (jekyll-last-modified-at#85, netbirdio/docs#837).
* Raw ``git`` through git/run.py, not gitpython: one byte stream parsed in place is much faster
  than building objects per commit.
* "Really changed" means the blob changed. A pure rename (same blob under a new name) or a
  mode-only change does not bump the date; for a pure rename the walk continues under the old
  name, so a moved page keeps the date of its last content change (mkdocs plugin #147).
* Merges are walked through but contribute no files: ``git log`` without ``-m`` shows no diff for
  merge commits, so a change merged from a branch is dated by its own commit on that branch,
  not by the merge. Edits made only while resolving a merge conflict are therefore invisible.
* Commits carrying the tool's trailer, or listed in an ignore-revs file, are skipped; if every
  commit that touched a path was skipped, the newest skipped one dates it (a date that is a bit
  too new beats no date at all).
* A deletion met while looking for a path is not a content change of the file at HEAD (it
  can only be met through a branch whose deletion lost in a merge), so the walk goes on. A
  path that is no longer in HEAD therefore gets the date of its last content before it was
  deleted; callers are expected to ask about pages that exist.
* A shallow clone ends history at its cut, where every file looks newly added: callers should
  check `is_shallow` and warn (the classic "every page shows the deploy date" complaint).
* A repository without commits yields an empty result rather than an error: it is the normal
  state for the very first pre-commit run, and "never committed" is already expressed by absence.
"""

from __future__ import annotations

import posixpath
import re
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pages_roadmap.git.run import (
    Early,
    GitError,
    Result,
    Started,
    cat_file_batch,
    run,
    start,
    stream,
)

__all__ = [
    "HistoryError",
    "HistoryOptions",
    "NarrowLog",
    "is_shallow",
    "last_changed",
    "parse_ignore_revs",
    "repo_toplevel",
    "staged_paths",
    "start_log",
    "start_narrow_log",
]

DEFAULT_TRAILER = "Pages-Roadmap-Generated"

# Trailer keys are interpolated into a --format placeholder, so only the characters git itself
# accepts in trailer tokens are allowed; anything else could break out of %(trailers:...).
_TRAILER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_OBJECT_ID_RE = re.compile(r"(?:[0-9a-f]{40}|[0-9a-f]{64})")

# A read returns whatever the pipe holds (usually at most 64 KiB); a generous cap lets one read
# take all of it, keeping syscalls and Python-level loop iterations few.
_CHUNK = 1 << 20

# Options that neutralise user configuration which would change the output we parse:
# log.showRoot=false would hide the files of the root commit, log.showSignature would inject
# gpg output, color.ui=always would inject escape codes, diff.renames=false would disable the
# rename detection we rely on. Path quoting (core.quotePath) is already off under -z.
_LOG_ARGS = (
    "log",
    "-z",
    "--raw",
    "--no-abbrev",
    "-M",
    "--root",
    "--no-color",
    "--no-show-signature",
)


class HistoryError(GitError):
    """Git is missing, the directory is not a repository, or git failed."""


@dataclass(frozen=True)
class HistoryOptions:
    """What counts as a real change when dating files."""

    # Commits whose message has a trailer "<trailer>: ..." are the tool's own and are skipped;
    # an empty string disables the check.
    trailer: str = DEFAULT_TRAILER
    # Full commit ids to skip, e.g. from parse_ignore_revs().
    ignore_revs: frozenset[str] = field(default_factory=frozenset)
    # Committer date by default: it is when the change reached the branch, and it is what
    # `git log` orders by, so the first commit met is also the one whose date we report.
    use_author_date: bool = False

    def __post_init__(self) -> None:
        """Validate the trailer key and normalise commit ids to lower case."""
        if self.trailer and not _TRAILER_RE.fullmatch(self.trailer):
            raise ValueError(
                f"invalid trailer key {self.trailer!r}: use letters, digits and '-' only"
            )
        revs = frozenset(rev.strip().lower() for rev in self.ignore_revs)
        bad = sorted(rev for rev in revs if not _OBJECT_ID_RE.fullmatch(rev))
        if bad:
            raise ValueError(f"ignore_revs must be full commit ids, got {bad[0]!r}")
        object.__setattr__(self, "ignore_revs", revs)


_DEFAULT_OPTIONS = HistoryOptions()


@dataclass
class _WalkStats:
    """Counters that let tests prove the walk stopped early."""

    commits_read: int = 0
    stopped_early: bool = False


def parse_ignore_revs(text: str) -> frozenset[str]:
    """Parse a .git-blame-ignore-revs style text into a set of full commit ids."""
    revs: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), start=1):
        # Same rules as git's own parser: '#' starts a comment anywhere on the line.
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        rev = content.lower()
        if not _OBJECT_ID_RE.fullmatch(rev):
            raise ValueError(
                f"line {lineno}: {content!r} is not a full commit id "
                "(use 40 or 64 hex digits, as git blame --ignore-revs-file requires)"
            )
        revs.add(rev)
    return frozenset(revs)


def _git(root: Path, *args: str, stdin: bytes = b"") -> Result:
    """Run a short git command in root (git/run.py), its errors as HistoryError."""
    try:
        return run(root, *args, stdin=stdin)
    except GitError as exc:
        raise HistoryError(exc.message, exc.hint) from None


def _stderr_text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").strip()


def _has_commits(root: Path) -> bool:
    """Tell whether HEAD points at a commit; raise HistoryError outside a repository."""
    proc = _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    if proc.returncode == 0:
        return True
    if proc.returncode == 1 and not proc.stderr.strip():
        # An unborn branch: inside a repository, nothing committed yet.
        return False
    detail = _stderr_text(proc.stderr) or f"exit status {proc.returncode}"
    raise HistoryError(f"{root} is not a usable git repository: {detail}")


def is_shallow(root: Path) -> bool:
    """Tell whether the repository is a shallow clone (its history is cut off)."""
    proc = _git(root, "rev-parse", "--is-shallow-repository")
    out = proc.stdout.strip()
    if proc.returncode != 0:
        raise HistoryError(f"{root} is not a usable git repository: {_stderr_text(proc.stderr)}")
    if out not in (b"true", b"false"):
        # Before git 2.15 rev-parse echoes unknown options instead of failing.
        raise HistoryError("git is too old to detect shallow clones (need git >= 2.15)")
    return out == b"true"


def repo_toplevel(path: Path) -> Path | None:
    """Return the top directory of the work tree containing path, or None outside one."""
    start = path if path.is_dir() else path.parent
    if not start.is_dir():
        return None
    proc = _git(start, "rev-parse", "--show-toplevel")
    if proc.returncode != 0 or not proc.stdout.strip():
        return None
    return Path(proc.stdout.rstrip(b"\r\n").decode("utf-8", "surrogateescape"))


def staged_paths(root: Path) -> set[str]:
    """Return repo-relative paths whose content is changed in the index (pre-commit mode)."""
    # --raw instead of --name-only so the rule matches last_changed: a staged pure rename or
    # mode change is not a content change, and deleted paths have nothing left to stamp.
    # Stamping those "today" in pre-commit would be undone by the next history-based run.
    proc = _git(root, "diff", "--cached", "-z", "--raw", "--no-abbrev", "-M", "--no-color")
    if proc.returncode != 0:
        raise HistoryError(f"git diff --cached failed in {root}: {_stderr_text(proc.stderr)}")
    tokens = proc.stdout.split(b"\0")
    result: set[str] = set()
    i = 0
    while i < len(tokens):
        raw = tokens[i].lstrip(b"\n")
        if not raw.startswith(b":"):
            i += 1
            continue
        fields = raw.split(b" ")
        status = fields[4][:1]
        two_paths = status in (b"R", b"C")
        path = tokens[i + 2] if two_paths else tokens[i + 1]
        i += 3 if two_paths else 2
        if status == b"D":
            continue
        if status in (b"M", b"T", b"R", b"C") and fields[2] == fields[3]:
            continue
        result.add(path.decode("utf-8", "surrogateescape"))
    return result


_DIRTY = ("diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "HEAD", "--")


def start_dirty_paths(root: Path) -> Started:
    """`dirty_paths` asked now, answered by `dirty_paths(root, started)`: git compares the
    work tree with HEAD while the caller goes on."""
    try:
        return start(root, *_DIRTY)
    except GitError as exc:
        raise HistoryError(exc.message, exc.hint) from None


def dirty_paths(root: Path, started: Started | None = None) -> set[str]:
    """Repo-relative paths whose work tree or index differs from HEAD (`started`: the answer
    of start_dirty_paths)."""
    proc = (started or start_dirty_paths(root)).wait()
    if proc.returncode != 0:
        raise HistoryError(f"git diff HEAD failed in {root}: {_stderr_text(proc.stderr)}")
    return {p.decode("utf-8", "surrogateescape") for p in proc.stdout.split(b"\0") if p}


def head_texts(root: Path, paths: Sequence[str]) -> dict[str, str]:
    """The text at HEAD of each path (absent when it is not in HEAD), in one git process."""
    if not paths:
        return {}
    request = "".join(f"HEAD:{p}\n" for p in paths).encode("utf-8", "surrogateescape")
    proc = _git(root, "cat-file", "--batch", stdin=request)
    if proc.returncode != 0:
        raise HistoryError(f"git cat-file failed in {root}: {_stderr_text(proc.stderr)}")
    blobs = cat_file_batch(proc.stdout, paths)
    return {path: blob.decode("utf-8", "surrogateescape") for path, blob in blobs.items()}


def _normalise(path: str) -> bytes:
    """Turn a caller's repo-relative POSIX path into the bytes git prints for it."""
    norm = posixpath.normpath(path)
    if not path or posixpath.isabs(norm) or norm == "." or norm.split("/", 1)[0] == "..":
        raise ValueError(f"not a repo-relative path: {path!r}")
    # Git stores path names as bytes and prints them unchanged with -z; surrogateescape keeps
    # names that are not valid UTF-8 (from os.fsdecode) round-trippable.
    return norm.encode("utf-8", "surrogateescape")


class _LogScanner:
    """Incremental parser of the output of the command built by `_log_command`.

    Fed arbitrary chunks; tokens are NUL-separated. A header token starts with \\x01 (our
    format); a raw diff token starts with ':' (the first one of a commit with '\\n:'); after a
    raw token come one path token, or two for renames and copies. Because the number of path
    tokens is known from the status, a path that happens to look like a header is never
    misread.
    """

    def __init__(
        self,
        wanted: dict[bytes, list[str]],
        options: HistoryOptions,
        narrow: _Narrow | None = None,
    ) -> None:
        self.pending = wanted
        self.narrow = narrow
        self.unsure: list[str] = []  # owners a narrow walk cannot follow (to a full walk)
        self._commit = b""
        self.results: dict[str, datetime] = {}
        self.fallback: dict[str, datetime] = {}
        self.only_skipped: set[str] = set()  # owners dated by a skipped commit (no real one)
        self.stats = _WalkStats()
        self._ignore = {rev.encode("ascii") for rev in options.ignore_revs}
        self._rest = b""
        self._raw = b""
        self._src = b""
        self._need = 0  # path tokens still expected for the current raw entry
        self._skip = False
        self._date_raw = b""
        self._date: datetime | None = None

    @property
    def done(self) -> bool:
        """True once every wanted path is dated, i.e. reading further is useless."""
        return not self.pending

    def _commit_date(self) -> datetime:
        # Parsed lazily: most commits date nothing we want.
        if self._date is None:
            self._date = datetime.fromisoformat(self._date_raw.decode("ascii"))
        return self._date

    def feed(self, chunk: bytes) -> bool:
        """Consume a chunk of git output; return True when every wanted path is dated."""
        tokens = (self._rest + chunk).split(b"\0")
        self._rest = tokens.pop()
        return self._consume(tokens)

    def finish(self) -> None:
        """Flush any unterminated last token and apply fallbacks at the end of history."""
        if self._rest:
            self._consume([self._rest])
            self._rest = b""
        for owners in self.pending.values():
            for owner in owners:
                if owner in self.fallback:
                    self.results[owner] = self.fallback[owner]
                    self.only_skipped.add(owner)
        self.pending = {}

    def _consume(self, tokens: list[bytes]) -> bool:
        pending = self.pending
        for token in tokens:
            if self._need:
                if self._need == 2:
                    self._src = token
                    self._need = 1
                    continue
                self._need = 0
                if token in pending:
                    self._entry(token)
                    if not pending:
                        self.stats.stopped_early = True
                        return True
                continue
            if token[:1] == b"\x01":
                self._header(token)
            elif token[:1] == b":" or token[:2] == b"\n:":
                self._raw = token
                # The status letter follows the last space; R and C carry two paths.
                status = token[token.rfind(b" ") + 1]
                self._need = 2 if status in (0x52, 0x43) else 1  # 'R', 'C'
            elif token:
                raise HistoryError(f"unexpected git log output near {token[:60]!r}")
        return not pending

    def _header(self, token: bytes) -> None:
        self.stats.commits_read += 1
        commit, date, trailers = token[1:].split(b" ", 2)
        self._commit = commit
        if trailers.startswith(b"%("):
            # Git older than 2.22 prints unknown placeholders verbatim, which would make every
            # commit look like a tool commit and silently drop all dates.
            raise HistoryError("git is too old for trailer filtering (need git >= 2.22)")
        self._skip = bool(trailers) or commit in self._ignore
        self._date_raw = date
        self._date = None

    def _entry(self, path: bytes) -> None:
        fields = self._raw.split(b" ")
        status = fields[4][:1]
        if self.narrow is not None and status in (b"A", b"R", b"C"):
            # A walk limited to some folders cannot see a rename from elsewhere, and pairs
            # renames among its own files only: the commit's full diff says what it was.
            full = self.narrow.entry(self._commit, path)
            if full is None:  # pragma: no cover - the full diff holds every path changed
                self.unsure += self.pending.pop(path)
                return
            self._raw, self._src = full
            fields = self._raw.split(b" ")
            status = fields[4][:1]
            follows = fields[2] == fields[3] or self._skip
            if status in (b"R", b"C") and follows and not self.narrow.covers(self._src):
                self.unsure += self.pending.pop(path)  # followed outside: the full walk's job
                return
        same_blob = fields[2] == fields[3]
        owners = self.pending[path]
        if status in (b"R", b"C") and (same_blob or self._skip):
            # Follow the content back to its old name. For a skipped commit this happens even
            # with edits: a mass "move and reformat" must not cut a page off its history.
            del self.pending[path]
            self.pending.setdefault(self._src, []).extend(owners)
            if self._skip:
                self._remember_fallback(owners)
            return
        if status == b"D" or same_blob:
            # Not a content change of the page at HEAD: a mode change, or a deletion seen
            # through a branch whose version lost in a merge. Keep looking further back.
            return
        if self._skip:
            self._remember_fallback(owners)
            return
        del self.pending[path]
        date = self._commit_date()
        for owner in owners:
            self.results[owner] = date

    def _remember_fallback(self, owners: list[str]) -> None:
        date = self._commit_date()
        for owner in owners:
            self.fallback.setdefault(owner, date)


def _log_command(options: HistoryOptions, folders: Sequence[str] = ()) -> list[str]:
    """The history read; with `folders`, limited to them (every commit that touches them, in
    the same order as the whole walk: --full-history simplifies nothing away)."""
    date = "%aI" if options.use_author_date else "%cI"
    trailers = f"%(trailers:key={options.trailer},separator=%x2C)" if options.trailer else ""
    return [
        "--no-pager",
        *_LOG_ARGS,
        f"--format=%x01%H {date} {trailers}",
        *(["--full-history"] if folders else []),
        "HEAD",
        "--",
        *folders,
    ]


class _Narrow:
    """What a walk limited to some folders needs: which paths it covers, and the full diff of
    a commit where a wanted path appears (its own diff pairs renames among its files only)."""

    def __init__(self, root: Path, folders: Sequence[str]) -> None:
        self.root = root
        self.prefixes = tuple(_normalise(f) + b"/" for f in folders)
        self._diffs: dict[bytes, dict[bytes, tuple[bytes, bytes]]] = {}

    def covers(self, path: bytes) -> bool:
        return path.startswith(self.prefixes)

    def entry(self, commit: bytes, path: bytes) -> tuple[bytes, bytes] | None:
        """(raw line, source path) of `path` in the commit's full diff (git log's own)."""
        if commit not in self._diffs:
            out = _git(
                self.root,
                "diff-tree",
                "-z",
                "-r",
                "--raw",
                "--no-abbrev",
                "-M",
                "--root",
                "--no-commit-id",
                commit.decode("ascii"),
            ).stdout
            diff: dict[bytes, tuple[bytes, bytes]] = {}
            tokens = iter(out.split(b"\0"))
            for raw in tokens:
                if not raw.startswith(b":"):
                    continue
                src = next(tokens, b"")
                two = raw[raw.rfind(b" ") + 1] in (0x52, 0x43)  # 'R', 'C'
                diff[next(tokens, b"") if two else src] = (raw, src)
            self._diffs[commit] = diff
        return self._diffs[commit].get(path)


@dataclass
class NarrowLog:
    """A history read limited to some folders (the roadmap data), started with `start_log`."""

    folders: tuple[str, ...]
    early: Early


def start_log(
    root: Path,
    options: HistoryOptions = _DEFAULT_OPTIONS,
    *,
    limit: int = 256 << 20,
    waiting: bool = False,
) -> Early | None:
    """The history read of `last_changed`, started now, before the paths are known.

    A build starts it before it reads its pages, so git walks history meanwhile (`waiting`:
    see `Early`); None when git cannot start (last_changed then says why).
    """
    try:
        return Early(root, _log_command(options), limit, waiting=waiting)
    except GitError:
        return None


def start_narrow_log(
    root: Path, folders: Sequence[str], options: HistoryOptions = _DEFAULT_OPTIONS
) -> NarrowLog | None:
    """The history of the files in `folders` alone, started now (beside `start_log`).

    Files changed rarely, such as roadmap data, would otherwise keep the whole walk going to
    the first commit; a walk limited to their folder reads far less and runs at the same time.
    """
    try:
        return NarrowLog(tuple(folders), Early(root, _log_command(options, folders)))
    except GitError:
        return None


class Watched:
    """The whole walk (`start_log`) parsed in its reading thread as git writes it, for a set of
    paths known before the wanted ones (every page of a build): git is stopped as soon as they
    are all dated, instead of walking on while the pages are read.

    `last_changes` given a `Watched` takes its dates for the wanted paths, which must be among
    the watched ones: each path's date is found on its own (a rename is followed for the paths
    it concerns), so watching more paths changes no date. It waits only until the wanted paths
    are dated, not the others.
    """

    def __init__(self, early: Early, paths: Iterable[str], options: HistoryOptions) -> None:
        self.early = early
        self.args = early.args
        self._watched = set(paths)
        self._scanner = _LogScanner(_by_path(self._watched), options)
        self._cond = threading.Condition()
        self._ended = False  # git's output ended, every watched path is dated, or it failed
        self._error: Exception | None = None
        early.go(self._feed)

    def _feed(self, chunk: bytes) -> bool:
        """In the reading thread: parse a piece; True to stop git."""
        with self._cond:
            try:
                done = self._scanner.feed(chunk) if chunk else False
            except Exception as exc:  # raised again where the dates are asked for
                self._error, done = exc, True
            if done or not chunk:
                self._ended = True
            self._cond.notify_all()
            return done

    def covers(self, paths: Iterable[str]) -> bool:
        return self._watched.issuperset(paths)

    def close(self) -> None:
        self.early.close()

    def dates(
        self, root: Path, wanted: dict[bytes, list[str]]
    ) -> tuple[dict[str, datetime], _WalkStats, set[str]]:
        """The walk's results for `wanted` (watched paths), once they are all dated."""
        owners = [owner for names in wanted.values() for owner in names]
        scanner = self._scanner
        with self._cond:
            while not self._ended and not all(o in scanner.results for o in owners):
                self._cond.wait()
        self.early.close()  # git stops; the thread has left
        if self._error is not None:
            raise self._error
        if not all(o in scanner.results for o in owners) and not scanner.done:
            _end_of_history(root, scanner, self.early.returncode, self.early.stderr)
        results = {o: scanner.results[o] for o in owners if o in scanner.results}
        return results, scanner.stats, scanner.only_skipped & set(owners)


def _by_path(paths: Iterable[str]) -> dict[bytes, list[str]]:
    """The paths as the scanner wants them: git's bytes -> the caller's names."""
    wanted: dict[bytes, list[str]] = {}
    for path in paths:
        wanted.setdefault(_normalise(path), []).append(path)
    return wanted


def _walk(
    root: Path, paths: Iterable[str], options: HistoryOptions, early: Early | None = None
) -> tuple[dict[str, datetime], _WalkStats]:
    results, stats, _ = _walk_all(root, paths, options, early)
    return results, stats


def _walk_all(
    root: Path,
    paths: Iterable[str],
    options: HistoryOptions,
    early: Early | Watched | None = None,
    narrow: NarrowLog | None = None,
) -> tuple[dict[str, datetime], _WalkStats, set[str]]:
    """Do the work of last_changed and also return walk statistics (for tests).

    With `narrow`, the paths in its folders are dated by its limited walk and the others by
    the whole one; a path the limited walk cannot follow (renamed from outside its folders)
    is dated by a whole walk of its own afterwards.
    """
    wanted = _by_path(paths)
    if narrow is not None and narrow.early.args != _log_command(options, narrow.folders):
        narrow.early.close()
        narrow = None
    if narrow is not None:
        limited = _Narrow(root, narrow.folders)
        inside = {k: v for k, v in wanted.items() if limited.covers(k)}
        wanted = {k: v for k, v in wanted.items() if k not in inside}
    if early is not None and early.args != _log_command(options):
        early.close()  # started for other options: of no use
        early = None
    if not _has_commits(root) or not (wanted or (narrow is not None and inside)):
        for log in (early, narrow.early if narrow is not None else None):
            if log is not None:
                log.close()
        return {}, _WalkStats(), set()
    if narrow is None:
        return _walk_one(root, wanted, options, early)
    if not wanted and early is not None:
        early.close()
        early = None
    results, stats, only_skipped = _walk_one(root, wanted, options, early) if wanted else (
        {},
        _WalkStats(),
        set(),
    )
    scanner = _LogScanner(inside, options, limited)
    more, _ = _scan_early(root, narrow.early, scanner)
    results.update(more)
    only_skipped |= scanner.only_skipped
    if scanner.unsure:
        again, _, skipped = _walk_all(root, scanner.unsure, options)
        for owner in scanner.unsure:
            results.pop(owner, None)
            only_skipped.discard(owner)
        results.update(again)
        only_skipped |= skipped
    return results, stats, only_skipped


def _walk_one(
    root: Path,
    wanted: dict[bytes, list[str]],
    options: HistoryOptions,
    early: Early | Watched | None,
) -> tuple[dict[str, datetime], _WalkStats, set[str]]:
    """One whole walk for the wanted paths (on `early` when it was started before)."""
    if isinstance(early, Watched):
        if early.covers(owner for names in wanted.values() for owner in names):
            return early.dates(root, wanted)
        early.close()  # it watches other paths: a walk of their own
        early = None
    scanner = _LogScanner(wanted, options)
    if early is not None:
        results, stats = _scan_early(root, early, scanner)
        return results, stats, scanner.only_skipped
    # stderr goes to a file: a pipe could fill up (e.g. one rename-limit warning per commit)
    # and deadlock git while we are only reading stdout.
    with tempfile.TemporaryFile() as errfile:
        try:
            # Leaving the block early kills git: once everything is dated (or parsing failed)
            # the rest of history is irrelevant, so git must not walk on to the root commit.
            with stream(root, _log_command(options), errfile) as out:
                while True:
                    chunk = out.read(_CHUNK)
                    if not chunk or scanner.feed(chunk):
                        break
            returncode = out.returncode
        except GitError as exc:
            raise HistoryError(exc.message, exc.hint) from None
        if not scanner.done:
            errfile.seek(0)
            _end_of_history(root, scanner, returncode, errfile.read())
    return scanner.results, scanner.stats, scanner.only_skipped


def last_changes(
    root: Path,
    paths: Iterable[str],
    options: HistoryOptions = _DEFAULT_OPTIONS,
    early: Early | Watched | None = None,
    narrow: NarrowLog | None = None,
) -> tuple[dict[str, datetime], set[str]]:
    """`last_changed`, and the paths whose every commit was skipped (dated by the newest one).

    A roadmap file whose only commits are the tool's own (the adoption commit that created it)
    has no real change: the caller can leave it out of a page's date. `narrow` (from
    start_narrow_log) dates the paths in its folders; the result is the same.
    """
    results, _stats, only_skipped = _walk_all(root, paths, options, early, narrow)
    return results, only_skipped


def _scan_early(
    root: Path, early: Early, scanner: _LogScanner
) -> tuple[dict[str, datetime], _WalkStats]:
    """`_walk`'s reading loop on a log started earlier (start_log)."""
    try:
        while True:
            chunk = early.read()
            if not chunk or scanner.feed(chunk):
                break
    finally:
        early.close()
    if not scanner.done:
        _end_of_history(root, scanner, early.returncode, early.stderr)
    return scanner.results, scanner.stats


def _end_of_history(
    root: Path, scanner: _LogScanner, returncode: int | None, stderr: bytes
) -> None:
    """git's output ended before every wanted path was dated: a failure of git, or the first
    commit reached (the paths dated by skipped commits only take their dates)."""
    if returncode != 0:
        detail = _stderr_text(stderr) or f"exit status {returncode}"
        raise HistoryError(f"git log failed in {root}: {detail}")
    scanner.finish()


def last_changed(
    root: Path,
    paths: Iterable[str],
    options: HistoryOptions = _DEFAULT_OPTIONS,
    early: Early | None = None,
) -> dict[str, datetime]:
    """Date of the last commit that really changed each path (repo-relative POSIX paths)."""
    # `paths` are relative to the repository top level even when `root` is a subdirectory,
    # because that is how git prints them. The result keeps each commit's own UTC offset;
    # converting to the site's time zone is the caller's job. Absent from the result: paths
    # never committed, and every path of a repository without commits. Commits are met in
    # `git log` order (newest committer date first) and the first real change wins; with
    # use_author_date that commit's author date is reported, as `git log -1 --format=%aI`
    # would, even if an older commit happens to carry a newer author date.
    # `early` is the same read started before (start_log): it is used, and closed, here.
    results, _stats = _walk(root, paths, options, early)
    return results
