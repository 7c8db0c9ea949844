"""Commit, and push, exactly the files pages-roadmap changed.

This is the only module that writes to git: commands through git/run.py, the repository's state
(bare, detached HEAD, active branch) through gitpython. Design decisions:

* Only the tool's changes are committed. `git commit --only -- <paths>` commits the work-tree
  content of those paths through a temporary index, so an unrelated staged file stays staged and
  uncommitted. Before that, every candidate file is proven to hold nothing but generated output:
  it is put back to HEAD's content, the build is run again (`rebuild`), and the result must be
  byte for byte what is in the work tree. A page that also carries someone's unsaved work is an
  error, never half-committed.
* The commit message ends with the trailer `Pages-Roadmap-Generated: <version>`, the key that
  history.py skips, so the tool's own commits never bump a page's "last updated" date.
* A push that loses a race (non-fast-forward) is not retried blindly. The tool's commit is
  dropped, the upstream fetched, the branch fast-forwarded (or its own local commits rebased),
  the pages rebuilt from the new data, committed again and pushed, a bounded number of times.
  Regenerated output is derived data: rebuilding it beats rebasing it, which would conflict
  whenever two runs regenerated the same chart (the auto-commit actions' "known edge case",
  stefanzweifel/git-auto-commit-action#170). There is no force-push anywhere.
* Every failure raises `CommitError` after putting the repository back as it was when the commit
  step began: the branch where it was, the index as it was, the regenerated pages uncommitted
  in the work tree (as a plain `build` leaves them). Only remote-tracking refs updated by
  `git fetch` stay updated, which is harmless.
* Moving the branch uses `git read-tree -m -u` plus `git update-ref` (what `git checkout` does
  internally): local changes to other files, staged or not, survive; `git reset --keep` would
  unstage them.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pages_roadmap import __version__
from pages_roadmap.git.history import HistoryOptions, dirty_paths
from pages_roadmap.git.run import GitError, run, split_z

if TYPE_CHECKING:
    import git

__all__ = [
    "SUBJECT",
    "CommitError",
    "CommitResult",
    "commit_and_push",
    "files_written_by",
    "message_for",
    "modified_files",
]

SUBJECT = "pages-roadmap: regenerate charts and stamps"
# The key history.py skips when dating pages; one definition, so the two can never drift apart.
TRAILER = HistoryOptions().trailer

_IN_PROGRESS = ("rebase-merge", "rebase-apply", "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD")


class CommitError(GitError):
    """The repository is not in a state to commit or push; it has been left as it was."""


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


def _exec(repo: git.Repo, *args: str) -> tuple[int, str, str]:
    """Run git (git/run.py) in the work tree; (status, stdout, stderr), never raising on status."""
    try:
        proc = run(_top(repo), *args)
    except GitError as exc:
        raise CommitError(exc.message, exc.hint) from None
    text = [s.decode("utf-8", "surrogateescape") for s in (proc.stdout, proc.stderr)]
    return proc.returncode, text[0], text[1]


def _git(repo: git.Repo, *args: str, failure: str | None = None, hint: str = "") -> str:
    """Run git and return stdout; a failure becomes a CommitError quoting git's message."""
    status, out, err = _exec(repo, *args)
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


def _fingerprints(repo: git.Repo) -> dict[str, str]:
    top = _top(repo)
    prints = {}
    for rel in _dirty(repo):
        file = top / rel
        prints[rel] = hashlib.sha256(file.read_bytes()).hexdigest() if file.is_file() else "-"
    return prints


def files_written_by(root: Path, action: Callable[[], object]) -> list[Path]:
    """Run action; return the files whose work-tree content it changed (found through git)."""
    repo = _open(root)
    before = _fingerprints(repo)
    action()
    after = _fingerprints(repo)
    top = _top(repo)
    return [top / rel for rel in sorted(after) if before.get(rel) != after[rel]]


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
    repo: git.Repo,
    top: Path,
    wanted: list[str],
    extra: list[str],
    rebuild: Callable[[], list[Path]],
) -> list[str]:
    """The candidates whose work-tree content is exactly HEAD's plus the build's changes."""
    candidates = sorted({*wanted, *extra})
    current = {rel: (top / rel).read_bytes() for rel in candidates}
    _git(repo, "checkout", "HEAD", "--", *candidates)
    head = {rel: (top / rel).read_bytes() for rel in candidates}
    try:
        rebuilt = set(_rels(top, rebuild()))
        again = {rel: (top / rel).read_bytes() for rel in candidates}
    finally:
        for rel, data in current.items():
            (top / rel).write_bytes(data)
    changed = [rel for rel in candidates if current[rel] != head[rel]]
    foreign = [rel for rel in changed if rel not in rebuilt or again[rel] != current[rel]]
    mixed = [rel for rel in foreign if rel in wanted]
    if mixed:
        raise CommitError(
            f"{mixed[0]} has uncommitted changes besides the regenerated charts",
            "commit or stash them, then run again: --commit commits only what "
            "pages-roadmap generated",
        )
    return [rel for rel in changed if rel not in foreign]


# --- the commit and push loop -------------------------------------------------------------------


@dataclass
class _Session:
    repo: git.Repo
    branch: str
    upstream: _Upstream | None
    rebuild: Callable[[], list[Path]]
    subject: str
    orig_head: str
    generated: dict[str, bytes]  # the work tree of the tool's files when the step began
    tool_commit: str | None = None
    touched: set[str] = field(default_factory=set)

    def run(self, rels: list[str], attempts: int) -> CommitResult:
        for attempt in range(1, attempts + 1):
            sha = self._commit(rels)
            if self.upstream is None:
                return CommitResult(sha, tuple(rels))
            if self._push(self.upstream):
                return CommitResult(sha, tuple(rels), str(self.upstream), attempt)
            self._uncommit()
            if attempt == attempts:
                break
            self._sync(self.upstream)
            rels = self._rebuild()
            if not rels:  # the upstream already holds this very result
                return CommitResult(None, (), str(self.upstream), attempt)
        raise CommitError(
            f"the push to {self.upstream} was rejected {attempts} times: others kept pushing first",
            "run again later; nothing was committed",
        )

    def _commit(self, rels: list[str]) -> str:
        self.touched.update(rels)
        _git(
            self.repo,
            "commit",
            "--only",
            "--no-verify",
            "--quiet",
            "--cleanup=verbatim",
            "-m",
            message_for(self.subject, rels),
            "--",
            *rels,
            failure="git commit failed",
            hint="git needs an identity: set user.name and user.email",
        )
        self.tool_commit = _rev(self.repo, "HEAD")
        return self.tool_commit

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

    def _rebuild(self) -> list[str]:
        top = _top(self.repo)
        dirty = _dirty(self.repo)
        rels = _rels(top, self.rebuild())
        self.touched.update(rels)
        stale = [rel for rel in rels if rel in dirty]
        if stale:
            raise CommitError(
                f"{stale[0]} has uncommitted changes and needs regenerating after the "
                "upstream changed",
                "commit or stash them, then run again",
            )
        _check_committable(self.repo, rels)
        return rels

    def restore(self) -> None:
        """Put the repository back as it was when the commit step began."""
        if _in_progress(self.repo) in ("rebase-merge", "rebase-apply"):
            _exec(self.repo, "rebase", "--abort")
        self._uncommit()
        top = _top(self.repo)
        if _rev(self.repo, "HEAD") != self.orig_head:
            # Rebuilt pages are pure tool output: put them back to HEAD, so they cannot stand in
            # the way of moving back.
            touched = sorted(self.touched)
            untracked = set(_untracked(self.repo, touched))
            present = [rel for rel in touched if rel not in untracked]
            if present:
                _git(self.repo, "checkout", "HEAD", "--", *present)
            _move(self.repo, self.branch, self.orig_head, "restore after a failed push")
        for rel, data in self.generated.items():
            (top / rel).write_bytes(data)


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
    rebuild: Callable[[], list[Path]],
    attempts: int = 3,
    also: Sequence[Path] = (),
    inputs: Sequence[Path] = (),
) -> CommitResult:
    """Commit the tool's changes to `paths` (and push them), or raise CommitError.

    `rebuild` runs the build again and returns the files it wrote. `also` are files left
    regenerated but uncommitted by an earlier run: committed too when they hold nothing but
    generated output, otherwise left alone. `inputs` (the roadmaps folder) must be committed.
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
    rels = _only_tool_changes(repo, top, wanted, extra, rebuild)
    if not rels:
        return CommitResult(None)
    session = _Session(
        repo,
        branch,
        upstream,
        rebuild,
        message,
        _rev(repo, "HEAD"),
        {rel: (top / rel).read_bytes() for rel in rels},
    )
    try:
        return session.run(rels, attempts)
    except BaseException:
        session.restore()
        raise


# --- adopt: one commit of a whole adoption -----------------------------------------------------


def adoption_preflight(root: Path) -> Path:
    """The repository's top for `adopt`: a branch with commits and a clean work tree.

    A clean tree is what makes the adoption commit hold nothing but the adoption (and what lets
    its pages be dated by their history at HEAD).
    """
    try:
        repo = _open(root)
    except CommitError:
        raise CommitError(
            f"{root} is not inside a git repository: adopt dates pages from history and "
            "commits the adoption",
            "'git init' and commit the site first",
        ) from None
    _branch(repo)
    out = _git(repo, "status", "--porcelain=v1", "-z", "--untracked-files=no", "--no-renames")
    dirty = sorted(entry[3:] for entry in split_z(out))
    if dirty:
        shown = ", ".join(dirty[:3]) + (f" and {len(dirty) - 3} more" if len(dirty) > 3 else "")
        raise CommitError(
            f"uncommitted changes ({shown}): adopt commits the adoption on its own",
            "commit or stash them first",
        )
    return _top(repo)


def commit_adoption(root: Path, paths: Sequence[Path], subject: str, body: str) -> str:
    """Commit exactly `paths` (new or changed) as one tool commit; its sha.

    The message is the subject, what was done, the files, and the trailer history.py skips, so
    the adoption changes no page's date.
    """
    repo = _open(root)
    rels = _rels(_top(repo), paths)
    _git(repo, "add", "--", *rels, failure="git add failed")
    message = message_for(f"{subject}\n\n{body.rstrip()}", rels)
    _git(
        repo,
        "commit",
        "--only",
        "--no-verify",
        "--quiet",
        "--cleanup=verbatim",
        "-m",
        message,
        "--",
        *rels,
        failure="git commit failed",
        hint="git needs an identity: set user.name and user.email",
    )
    return _rev(repo, "HEAD")


@contextlib.contextmanager
def scratch_worktree(root: Path) -> Iterator[Path]:
    """A throw-away work tree of HEAD (for `adopt --dry-run`), removed afterwards; its top."""
    import tempfile

    repo = _open(root)
    with tempfile.TemporaryDirectory(prefix="pages-roadmap-") as tmp:
        where = Path(tmp) / "tree"
        _git(repo, "worktree", "add", "--detach", "--quiet", str(where), "HEAD")
        try:
            yield where
        finally:
            _exec(repo, "worktree", "remove", "--force", str(where))
            _exec(repo, "worktree", "prune")
