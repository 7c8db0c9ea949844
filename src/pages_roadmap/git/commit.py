"""Commit, and push, exactly the files pages-roadmap changed, without ever losing a byte.

This is the only module that writes to git: commands through git/run.py, the repository's state
(bare, detached HEAD, active branch) through gitpython. Design decisions:

* Only the tool's changes are committed, and the proof that a page holds nothing else never
  touches the work tree: each candidate page's blob at HEAD is built again in memory, with the
  roadmap data from HEAD too (`Builder.from_blobs`, given by build.py: git/ knows no command),
  and must come out byte for byte what the work tree holds. A page that also carries someone's
  unsaved work is an error, never half-committed.
* The commit is made from those proven bytes, not from the work tree: blobs written with
  `git hash-object`, a tree from a temporary index (HEAD's, plus the pages), `git commit-tree`,
  and `git update-ref` from the old HEAD to the new commit, which fails if anyone moved the
  branch meanwhile. Then the real index takes the pages' new entries. Other staged or unstaged
  work stays where it is, and an edit saved while the commit is made stays an uncommitted
  edit. No hooks run.
* The commit message ends with the trailer `Pages-Roadmap-Generated: <version>`, the key that
  history.py skips, so the tool's own commits never bump a page's "last updated" date.
* A push that loses a race (non-fast-forward) is not retried blindly. The tool's commit is
  dropped, the upstream fetched, the branch fast-forwarded (or its own local commits rebased),
  the pages rebuilt from the new data, committed again and pushed, a bounded number of times.
  Regenerated output is derived data: rebuilding it beats rebasing it, which would conflict
  whenever two runs regenerated the same chart (the auto-commit actions' "known edge case",
  stefanzweifel/git-auto-commit-action#170). There is no force-push anywhere. The rebuild is
  made in memory first: a page that needs regenerating but holds uncommitted edits is an error
  before anything is written, and each page is written only if it is unchanged since it was
  read (files.py).
* Every failure raises `CommitError` after putting the repository back as it was when the commit
  step began: the branch where it was, the index as it was, the regenerated pages uncommitted
  in the work tree (as a plain `build` leaves them). Only remote-tracking refs updated by
  `git fetch` stay updated, which is harmless. Restoring writes only pages that hold the tool's
  own output, each checked unchanged since it was written.
* Moving the branch uses `git read-tree -m -u` plus `git update-ref` (what `git checkout` does
  internally): git refuses to overwrite a file whose work-tree content differs from the index,
  so local changes to other files, staged or not, survive; `git reset --keep` would unstage
  them.

A kill (SIGKILL, SIGTERM, SIGHUP: no handler runs) may come at any moment. Where it leaves the
repository, step by step (git commands the tool started finish on their own; a file is only
ever replaced by a rename, so it is the old or the new one as a whole):

1. build writes pages: some pages regenerated, others not; a leftover temporary file
   (`.pages-roadmap-tmp-*`) is removed by the next run. As after a plain `build`.
2. the proof reads and builds in memory: nothing changed.
3. objects and the commit are written: unreachable objects at most (git gc removes them).
4. `update-ref` moves the branch: the commit is made, but until the next step the real index
   still holds the pages' old entries (`git status` shows them staged back to the old text and
   changed in the work tree). No byte is lost; `git restore --staged <pages>` tidies the index.
5. the push: the remote has the commit, or not; the local branch has it either way.
6. after a lost race, the commit is dropped (`read-tree -u`, then `update-ref`), the branch
   fast-forwarded or rebased: git changes only files that match the index, so every byte it
   replaces is in a commit; a kill between the two leaves the index and work tree at the
   parent while the branch still names the tool's commit (in the reflog, nothing lost). A
   rebase interrupted by a kill is left in progress: `git rebase --abort`.
7. the rebuild after new data writes only clean pages (their old bytes are HEAD's) and
   commits as in 3-5.
8. restore after a failure: pages written in 7 back to HEAD's bytes, the branch back to where
   it was, the pages of 1 regenerated again: each write checked, so an edit saved meanwhile
   wins over the tool's output.

Uncommitted human edits are never overwritten at any step: the build writes over a page only
when it is unchanged since it was read (and keeps every byte outside the managed regions), the
commit step reads the work tree and writes pages only when they hold the tool's output, and
git refuses to replace a file with local changes.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pages_roadmap import __version__
from pages_roadmap.files import Change, Refused, Writer
from pages_roadmap.git.history import HistoryOptions, dirty_paths
from pages_roadmap.git.run import GitError, cat_file_batch, run, split_z

if TYPE_CHECKING:
    import git

__all__ = [
    "SUBJECT",
    "Builder",
    "CommitError",
    "CommitResult",
    "commit_and_push",
    "message_for",
    "modified_files",
]

SUBJECT = "pages-roadmap: regenerate charts and stamps"
# The key history.py skips when dating pages; one definition, so the two can never drift apart.
TRAILER = HistoryOptions().trailer

_INDEX_TRIES = 40  # times 50 ms
_IN_PROGRESS = ("rebase-merge", "rebase-apply", "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD")


class CommitError(GitError):
    """The repository is not in a state to commit or push; it has been left as it was."""


class Builder(Protocol):
    """What the commit step needs from the build (build.Rebuild): git/ knows no command."""

    def changes(self) -> Sequence[Change]:
        """The build of the work tree as it is now, in memory."""
        ...

    def from_blobs(
        self, pages: Mapping[Path, bytes], data: Callable[[Path], bytes | None]
    ) -> Mapping[Path, bytes]:
        """Each page built from the given bytes, the roadmap data read through `data`."""
        ...


@dataclass(frozen=True)
class CommitResult:
    sha: str | None  # None: nothing to commit
    paths: tuple[str, ...] = ()  # repo-relative POSIX paths in the commit
    upstream: str | None = None  # "origin/main" when pushed
    attempts: int = 0  # pushes tried


@dataclass(frozen=True)
class _Upstream:
    remote: str
    ref: str  # the branch on the remote, refs/heads/...

    def __str__(self) -> str:
        return f"{self.remote}/{self.ref.removeprefix('refs/heads/')}"


def message_for(subject: str, paths: Iterable[str], version: str = __version__) -> str:
    """The commit message: subject, the files, and the trailer history.py skips."""
    listing = "".join(f"- {path}\n" for path in paths)
    return f"{subject}\n\n{listing}\n{TRAILER}: {version}\n"


# --- git plumbing ------------------------------------------------------------------------------


def _open(root: Path) -> git.Repo:
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise CommitError(
            f"{root} is not inside a git repository", "run without --commit, or 'git init' first"
        ) from None
    if repo.bare or repo.working_tree_dir is None:
        raise CommitError(f"{root} is a bare repository", "run in a clone with a work tree")
    return repo


def _exec_bytes(
    repo: git.Repo, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> tuple[int, bytes, str]:
    """Run git (git/run.py) in the work tree; (status, stdout, stderr), never raising on status."""
    try:
        proc = run(_top(repo), *args, stdin=stdin, env=env)
    except GitError as exc:
        raise CommitError(exc.message, exc.hint) from None
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "surrogateescape")


def _exec(
    repo: git.Repo, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    status, out, err = _exec_bytes(repo, *args, stdin=stdin, env=env)
    return status, out.decode("utf-8", "surrogateescape"), err


def _git(
    repo: git.Repo,
    *args: str,
    failure: str | None = None,
    hint: str = "",
    stdin: bytes = b"",
    env: dict[str, str] | None = None,
) -> str:
    """Run git and return stdout; a failure becomes a CommitError quoting git's message."""
    status, out, err = _exec(repo, *args, stdin=stdin, env=env)
    if status != 0:
        detail = err.strip() or out.strip() or f"exit status {status}"
        raise CommitError(f"{failure or 'git ' + args[0] + ' failed'}: {detail}", hint)
    return out


def _rev(repo: git.Repo, rev: str) -> str:
    return _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()


def _is_ancestor(repo: git.Repo, older: str, newer: str) -> bool:
    return _exec(repo, "merge-base", "--is-ancestor", older, newer)[0] == 0


def _config(repo: git.Repo, key: str) -> str | None:
    status, out, _err = _exec(repo, "config", "--get", key)
    if status != 0:
        return None
    return out.strip() or None


def _top(repo: git.Repo) -> Path:
    return Path(str(repo.working_tree_dir)).resolve()


def _rel(top: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(top).as_posix()
    except ValueError:
        raise CommitError(f"{path} is outside the repository {top}", "") from None


def _rels(top: Path, paths: Iterable[Path]) -> list[str]:
    return sorted({_rel(top, Path(p)) for p in paths})


def _dirty(repo: git.Repo, *pathspec: str) -> set[str]:
    """Paths with any uncommitted change (staged, unstaged or untracked)."""
    out = _git(
        repo,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--no-renames",
        "--",
        *pathspec,
    )
    return {entry[3:] for entry in split_z(out)}


def _staged(repo: git.Repo, rels: Sequence[str]) -> set[str]:
    if not rels:  # an empty pathspec would mean every file
        return set()
    out = _git(repo, "diff", "--cached", "--name-only", "-z", "--no-renames", "HEAD", "--", *rels)
    return set(split_z(out))


def _untracked(repo: git.Repo, rels: Sequence[str]) -> list[str]:
    if not rels:
        return []
    tracked = set(split_z(_git(repo, "ls-files", "-z", "--", *rels)))
    return [rel for rel in rels if rel not in tracked]


def _in_progress(repo: git.Repo) -> str | None:
    git_dir = Path(repo.git_dir)
    return next((name for name in _IN_PROGRESS if (git_dir / name).exists()), None)


def _move(repo: git.Repo, branch: str, target: str, why: str) -> None:
    """Point the branch and the work tree at target, keeping unrelated local changes."""
    head = _rev(repo, "HEAD")
    if head == target:
        return
    _git(
        repo,
        "read-tree",
        "-m",
        "-u",
        head,
        target,
        failure=f"cannot move {branch} to {target[:12]}",
        hint="local changes to the files involved are in the way; commit or stash them",
    )
    _git(repo, "update-ref", "-m", f"pages-roadmap: {why}", f"refs/heads/{branch}", target, head)


def _entries(repo: git.Repo, rev: str, rels: Sequence[str]) -> dict[str, tuple[str, str]]:
    """(mode, blob id) at rev of each of rels that is a file there."""
    if not rels:
        return {}
    out = _git(repo, "ls-tree", "-z", "--full-tree", rev, "--", *rels)
    found = {}
    for entry in split_z(out):
        meta, _tab, path = entry.partition("\t")
        mode, kind, sha = meta.split(" ")
        if kind == "blob":
            found[path] = (mode, sha)
    return found


def _blobs(repo: git.Repo, shas: Sequence[str]) -> dict[str, bytes]:
    """The content of each blob, in one git process."""
    if not shas:
        return {}
    request = "".join(f"{sha}\n" for sha in shas).encode()
    status, out, err = _exec_bytes(repo, "cat-file", "--batch", stdin=request)
    if status != 0:
        raise CommitError(f"git cat-file failed: {err.strip()}", "")
    return cat_file_batch(out, shas)


def _files_at(repo: git.Repo, rev: str, rels: Sequence[str]) -> dict[str, bytes]:
    """The bytes at rev of each of rels that is a regular file there (not a symlink)."""
    entries = {
        rel: sha for rel, (mode, sha) in _entries(repo, rev, rels).items() if mode != "120000"
    }
    blobs = _blobs(repo, sorted(set(entries.values())))
    return {rel: blobs[sha] for rel, sha in entries.items() if sha in blobs}


def _current(file: Path) -> bytes | None:
    """A work-tree file's bytes; None for a symlink or a file that cannot be read."""
    try:
        return None if file.is_symlink() else file.read_bytes()
    except OSError:
        return None


def _reader(repo: git.Repo, top: Path, rev: str) -> Callable[[Path], bytes | None]:
    """Reads files (roadmap data) as they are at rev, each once."""
    cache: dict[str, bytes | None] = {}

    def read(path: Path) -> bytes | None:
        rel = _rel(top, path)
        if rel not in cache:
            cache[rel] = _files_at(repo, rev, [rel]).get(rel)
        return cache[rel]

    return read


def modified_files(root: Path) -> list[Path]:
    """Tracked files whose work-tree content differs from HEAD."""
    repo = _open(root)
    if not repo.head.is_valid():  # nothing committed: commit_and_push says so
        return []
    top = _top(repo)
    return [top / rel for rel in sorted(dirty_paths(top))]


# --- preconditions ------------------------------------------------------------------------------


def _branch(repo: git.Repo) -> str:
    busy = _in_progress(repo)
    if busy:
        raise CommitError(
            f"a merge, rebase, cherry-pick or revert is in progress ({busy})",
            "finish or abort it first",
        )
    if repo.head.is_detached:
        raise CommitError(
            "HEAD is detached: there is no branch to commit to",
            "check out a branch; in GitHub Actions, pull_request runs check out a merge "
            "commit: commit only on push and schedule runs",
        )
    if not repo.head.is_valid():
        raise CommitError("the branch has no commits yet", "make a first commit by hand")
    return str(repo.active_branch.name)


def _upstream(repo: git.Repo, branch: str) -> _Upstream:
    remote = _config(repo, f"branch.{branch}.remote")
    ref = _config(repo, f"branch.{branch}.merge")
    if not remote or not ref:
        raise CommitError(
            f"branch {branch!r} has no upstream to push to",
            f"set one with 'git branch --set-upstream-to=origin/{branch}', or drop --push",
        )
    if remote == ".":
        raise CommitError(
            f"the upstream of {branch!r} is a local branch, not a remote",
            f"set a remote upstream with 'git branch --set-upstream-to=origin/{branch}'",
        )
    return _Upstream(remote, ref)


def _check_committable(repo: git.Repo, rels: Sequence[str]) -> None:
    untracked = _untracked(repo, rels)
    if untracked:
        raise CommitError(
            f"{untracked[0]} is not tracked by git; committing it would commit the whole page",
            "commit the page once by hand, then let pages-roadmap keep it up to date",
        )
    staged = sorted(_staged(repo, rels))
    if staged:
        raise CommitError(
            f"{staged[0]} has staged changes of its own; committing it would commit them too",
            "commit or unstage them ('git restore --staged'), then run again",
        )


def _check_inputs(repo: git.Repo, top: Path, inputs: Sequence[Path]) -> None:
    specs = [_rel(top, p) for p in inputs if p.exists()]
    dirty = sorted(_dirty(repo, *specs)) if specs else []
    if dirty:
        raise CommitError(
            f"{dirty[0]} has uncommitted changes: the charts would be committed without "
            "the data they are drawn from",
            "commit the roadmap data first, then run again",
        )


def _only_tool_changes(
    repo: git.Repo, top: Path, wanted: list[str], extra: list[str], build: Builder
) -> dict[str, bytes]:
    """The candidates whose work-tree bytes are exactly the build of HEAD's: rel -> bytes.

    Made in memory: HEAD's blob of each page, built with HEAD's roadmap data, compared with
    the work tree read once. The work tree is never written.
    """
    candidates = sorted({*wanted, *extra})
    current = {rel: _current(top / rel) for rel in candidates}
    head = _files_at(repo, "HEAD", candidates)
    readable = [rel for rel in candidates if rel in head and current[rel] is not None]
    built = build.from_blobs({top / rel: head[rel] for rel in readable}, _reader(repo, top, "HEAD"))
    changed = [rel for rel in readable if current[rel] != head[rel]]
    foreign = [rel for rel in changed if built.get(top / rel) != current[rel]]
    mixed = [rel for rel in foreign if rel in wanted]
    if mixed:
        raise CommitError(
            f"{mixed[0]} has uncommitted changes besides the regenerated charts",
            "commit or stash them, then run again: --commit commits only what "
            "pages-roadmap generated",
        )
    return {rel: bytes(current[rel] or b"") for rel in changed if rel not in foreign}


# --- the commit and push loop -------------------------------------------------------------------


def _make_commit(
    repo: git.Repo, parent: str, files: Mapping[str, bytes], message: str
) -> tuple[str, bytes]:
    """A commit of parent's tree with files replaced by the given bytes, and their index lines.

    Nothing else is touched: the blobs are written from memory, the tree through a temporary
    index. The index lines (`update-index --index-info -z`) give the real index the same entries.
    """
    modes = {rel: mode for rel, (mode, _sha) in _entries(repo, parent, sorted(files)).items()}
    with tempfile.TemporaryDirectory(prefix="pages-roadmap-") as tmp:
        blobs = []
        for n, data in enumerate(files.values()):
            blob = Path(tmp) / f"blob-{n}"
            blob.write_bytes(data)
            blobs.append(str(blob))
        paths = "".join(f"{b}\n" for b in blobs).encode("utf-8", "surrogateescape")
        shas = _git(repo, "hash-object", "-w", "--no-filters", "--stdin-paths", stdin=paths).split()
        info = "".join(
            f"{modes.get(rel, '100644')} {sha}\t{rel}\0"
            for rel, sha in zip(files, shas, strict=True)
        ).encode("utf-8", "surrogateescape")
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        _git(repo, "read-tree", parent, env=env)
        _git(repo, "update-index", "-z", "--index-info", stdin=info, env=env)
        tree = _git(repo, "write-tree", env=env).strip()
    sha = _git(
        repo,
        "commit-tree",
        tree,
        "-p",
        parent,
        stdin=message.encode("utf-8"),
        failure="git commit failed",
        hint="git needs an identity: set user.name and user.email",
    ).strip()
    return sha, info


@dataclass
class _Session:
    repo: git.Repo
    branch: str
    upstream: _Upstream | None
    build: Builder
    subject: str
    orig_head: str
    generated: dict[str, bytes]  # the work tree of the tool's files when the step began
    writer: Writer = field(default_factory=Writer)
    tool_commit: str | None = None
    written: dict[str, bytes] = field(default_factory=dict)  # pages rebuilt after a sync
    base: str = ""  # the commit the files to commit were built from

    def __post_init__(self) -> None:
        self.base = self.base or self.orig_head

    def run(self, files: dict[str, bytes], attempts: int) -> CommitResult:
        for attempt in range(1, attempts + 1):
            sha = self._commit(files)
            rels = tuple(files)
            if sha is None:  # another run committed these very bytes meanwhile
                return CommitResult(None)
            if self.upstream is None:
                return CommitResult(sha, rels)
            if self._push(self.upstream):
                return CommitResult(sha, rels, str(self.upstream), attempt)
            self._uncommit()
            if attempt == attempts:
                break
            self._sync(self.upstream)
            self.base = _rev(self.repo, "HEAD")
            files = self._rebuild()
            if not files:  # the upstream already holds this very result
                return CommitResult(None, (), str(self.upstream), attempt)
        raise CommitError(
            f"the push to {self.upstream} was rejected {attempts} times: others kept pushing first",
            "run again later; nothing was committed",
        )

    def _commit(self, files: dict[str, bytes]) -> str | None:
        # The parent is the commit the files were proven (or rebuilt) against; if the branch
        # moved since, update-ref refuses and the files are not committed on a base they were
        # not built from.
        parent = self.base
        sha, info = _make_commit(self.repo, parent, files, message_for(self.subject, files))
        ref = f"refs/heads/{self.branch}"
        status, _out, _err = _exec(
            self.repo, "update-ref", "-m", "pages-roadmap: commit (generated)", ref, sha, parent
        )
        if status != 0:
            if _files_at(self.repo, "HEAD", sorted(files)) == files:
                return None
            raise CommitError(
                f"the branch {self.branch} moved while pages-roadmap was committing",
                "another run or a person committed at the same time: run again",
            )
        self.tool_commit = sha
        # The real index takes the same entries, so the pages show as committed; the work tree
        # is left alone (an edit saved meanwhile stays an uncommitted edit). Another git
        # command may hold the index for a moment (index.lock): wait for it, a few times.
        for attempt in range(_INDEX_TRIES):
            status, _out, err = _exec(self.repo, "update-index", "-z", "--index-info", stdin=info)
            if status == 0:
                break
            if attempt == _INDEX_TRIES - 1:
                raise CommitError(
                    f"cannot update the index after committing: {err.strip()}",
                    "another git command held the index; 'git restore --staged' the pages",
                )
            time.sleep(0.05)
        _exec(self.repo, "update-index", "-q", "--refresh")
        return sha

    def _uncommit(self) -> None:
        if self.tool_commit and _rev(self.repo, "HEAD") == self.tool_commit:
            parent = _rev(self.repo, f"{self.tool_commit}^")
            _move(self.repo, self.branch, parent, "drop the generated commit")
        self.tool_commit = None

    def _push(self, up: _Upstream) -> bool:
        """Push; True when it landed, False when it lost a race (non-fast-forward)."""
        status, out, err = _exec(self.repo, "push", "--porcelain", up.remote, f"HEAD:{up.ref}")
        if status == 0:
            return True
        for line in out.splitlines():
            lost_race = "fetch first" in line or "non-fast-forward" in line
            if line.startswith("!") and "[rejected]" in line and lost_race:
                return False
            # Another push landed while the remote was taking this one: its ref moved under it.
            moved = "failed to update ref" in line or "failed to lock" in line
            if line.startswith("!") and "[remote rejected]" in line and moved:
                return False
        detail = err.strip() or out.strip() or f"exit status {status}"
        raise CommitError(
            f"the push to {up} failed: {detail}",
            "check that the token may push to this branch (GitHub: 'contents: write'; a "
            "protected branch needs a token allowed to bypass its rules)",
        )

    def _sync(self, up: _Upstream) -> None:
        _git(self.repo, "fetch", "--no-tags", up.remote, up.ref, failure=f"cannot fetch {up}")
        target = _rev(self.repo, "FETCH_HEAD")
        head = _rev(self.repo, "HEAD")
        if _is_ancestor(self.repo, head, target):
            _move(self.repo, self.branch, target, f"fast-forward to {up}")
            return
        if _git(self.repo, "status", "--porcelain", "--untracked-files=no").strip():
            raise CommitError(
                f"cannot rebase the local commits onto {up}: there are uncommitted changes",
                "commit or stash them, then run again",
            )
        status, _out, _err = _exec(self.repo, "rebase", "--no-verify", "--no-autostash", target)
        if status != 0:
            conflicts = split_z(_exec(self.repo, "diff", "--name-only", "-z", "--diff-filter=U")[1])
            _exec(self.repo, "rebase", "--abort")
            raise CommitError(
                f"the local commits conflict with {up} in {', '.join(conflicts) or 'some files'}"
                "; the rebase was aborted",
                "pull and resolve the conflict by hand ('git pull --rebase'), then run again",
            )

    def _rebuild(self) -> dict[str, bytes]:
        """Build from the new data in memory; write the pages only when nothing is in the way."""
        top = _top(self.repo)
        changes = {_rel(top, c.path): c for c in self.build.changes()}
        rels = sorted(changes)
        dirty = _dirty(self.repo, *rels) if rels else set()
        stale = [rel for rel in rels if rel in dirty]
        if stale:
            raise CommitError(
                f"{stale[0]} has uncommitted changes and needs regenerating after the "
                "upstream changed",
                "commit or stash them, then run again",
            )
        _check_committable(self.repo, rels)
        files = {}
        for rel in rels:
            change = changes[rel]
            data = change.new.encode("utf-8")
            try:
                self.writer.write(change.path, data, change.old.encode("utf-8"))
            except Refused as exc:
                raise CommitError(f"{rel}: {exc.message}", exc.hint) from None
            self.written[rel] = data
            files[rel] = data
        return files

    def _put(self, file: Path, data: bytes, expected: bytes | None) -> None:
        """Write a page back, unless someone changed it since the tool did: their bytes win."""
        with contextlib.suppress(Refused):
            self.writer.write(file, data, expected)

    def restore(self) -> None:
        """Put the repository back as it was when the commit step began."""
        if _in_progress(self.repo) in ("rebase-merge", "rebase-apply"):
            _exec(self.repo, "rebase", "--abort")
        self._uncommit()
        top = _top(self.repo)
        if _rev(self.repo, "HEAD") != self.orig_head:
            # Rebuilt pages are pure tool output: put them back to HEAD, so they cannot stand in
            # the way of moving back.
            head = _files_at(self.repo, "HEAD", sorted(self.written))
            for rel, data in self.written.items():
                if rel in head:
                    self._put(top / rel, head[rel], data)
            _move(self.repo, self.branch, self.orig_head, "restore after a failed push")
        orig = _files_at(self.repo, "HEAD", sorted(self.generated))
        for rel, data in self.generated.items():
            self._put(top / rel, data, orig.get(rel))


def preflight(root: Path, *, push: bool, inputs: Sequence[Path] = ()) -> None:
    """Raise CommitError for a repository `--commit` cannot work in, before anything is written.

    commit_and_push checks the same again; this lets the command line refuse early, so a run
    that cannot commit leaves the work tree as it was.
    """
    repo = _open(root)
    branch = _branch(repo)
    if push:
        _upstream(repo, branch)
    _check_inputs(repo, _top(repo), inputs)


def commit_and_push(
    root: Path,
    paths: Sequence[Path],
    message: str = SUBJECT,
    *,
    push: bool,
    build: Builder,
    attempts: int = 3,
    also: Sequence[Path] = (),
    inputs: Sequence[Path] = (),
) -> CommitResult:
    """Commit the tool's changes to `paths` (and push them), or raise CommitError.

    `build` builds again: from HEAD's blobs for the proof, from the work tree after pulling new
    data. `also` are files left regenerated but uncommitted by an earlier run: committed too
    when they hold nothing but generated output, otherwise left alone. `inputs` (the roadmaps
    folder) must be committed.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    repo = _open(root)
    top = _top(repo)
    branch = _branch(repo)
    upstream = _upstream(repo, branch) if push else None
    wanted = _rels(top, paths)
    _check_committable(repo, wanted)
    extra = [rel for rel in _rels(top, also) if rel not in wanted]
    extra = [rel for rel in extra if rel not in _staged(repo, extra) | set(_untracked(repo, extra))]
    if not wanted and not extra:
        return CommitResult(None)
    _check_inputs(repo, top, inputs)
    files = _only_tool_changes(repo, top, wanted, extra, build)
    if not files:
        return CommitResult(None)
    session = _Session(repo, branch, upstream, build, message, _rev(repo, "HEAD"), dict(files))
    try:
        return session.run(files, attempts)
    except BaseException:
        session.restore()
        raise
