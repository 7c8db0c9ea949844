"""Which date each page gets when its record no longer matches: 'now' or git history.

`build` asks only about pages whose record checksum (stamps/render.py) is missing or stale, all at
once, so history is read in one pass (history.last_changed) or not at all. The rules:

* `--staged` (pre-commit): a page that is staged, or embeds a staged roadmap, gets `now`; the
  commit does not exist yet. Its record then matches, so later runs keep that date.
* Otherwise the newest real change among the page and the roadmaps it embeds, from history
  (the tool's own commits, ignore-revs commits and pure renames do not count).
* A page or roadmap with uncommitted changes is not dated yet (its date is the commit's, which
  does not exist); one never committed, or outside a repository, cannot be: a warning each,
  and the stamps stay as they are. Changes that are only the tool's own output (a chart
  written by an earlier run) do not count: the page's digest is compared with HEAD's.
* A shallow clone would date everything by its cut-off commit: an error unless allowed, and
  then the dates are written without a record checksum, so a full clone recomputes them.

git reads history on another core while the pages are read. A whole-site build without a build
cache (a first build, a fresh clone) starts it before it lists the site (`begin_history`: git
fills its pipe, then waits until a page needs a date); any other build, when its first page
needs one. A large build watches the walk as git writes it, for every page it may date, and
git stops once they all have a date (history.Watched) rather than walk on while pages are read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from pages_roadmap.findings import Finding, error, warning
from pages_roadmap.git.history import (
    HistoryError,
    HistoryOptions,
    NarrowLog,
    Watched,
    dirty_paths,
    head_texts,
    is_shallow,
    last_changes,
    parse_ignore_revs,
    repo_toplevel,
    staged_paths,
    start_dirty_paths,
    start_log,
    start_narrow_log,
)
from pages_roadmap.git.run import Early, Started
from pages_roadmap.reading import read_bytes, read_text
from pages_roadmap.site import Site
from pages_roadmap.stamps.find import PageStamps
from pages_roadmap.stamps.render import (
    analyze,
    content_sum,
    render,
    render_recorded,
    roadmap_digest,
)
from pages_roadmap.stamps.settings import StampSettings
from pages_roadmap.stamps.strftime import load_names, resolve_locale
from pages_roadmap.yamlload import LoadError

if TYPE_CHECKING:
    from pages_roadmap.load import Roadmaps

DEFAULT_IGNORE_REVS = ".git-blame-ignore-revs"


@dataclass(frozen=True)
class StampRun:
    """What stamping takes from the command line: the clock and the flags."""

    now: datetime  # aware; used for staged pages
    staged: bool = False
    allow_shallow: bool = False
    # `adopt`: the work tree holds nothing but the adoption (charts turned into managed blocks,
    # new roadmap data, stamps), which is no content change: pages are dated by their history
    # at HEAD, and roadmap files not committed yet do not count.
    adopting: bool = False


@dataclass
class Want:
    """A page that needs a date, and the roadmap data files it embeds."""

    rel: str  # site-relative path, for findings
    file: Path
    line: int  # where findings about its date point
    digest: str  # of its text without stamps and charts (stamps.analyze)
    roadmap_files: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Dated:
    when: datetime
    final: bool  # False: write the date without a record checksum (computed again next run)


def _top_rel(site: Site, top: Path, file: Path) -> str | None:
    # The folder is resolved (git prints the real top level), the file name is not: git tracks
    # a symlinked page as the link. The site resolves each folder once.
    parent, name = os.path.split(file)
    folder, top_text = site.real_dir(parent), str(top)
    if os.sep == "/" and folder.startswith(top_text + "/"):
        return f"{folder[len(top_text) + 1 :]}/{name}"
    real = Path(folder) / name
    try:
        return real.relative_to(top).as_posix()
    except ValueError:
        return None


def _ignore_revs(
    site: Site, top: Path, settings: StampSettings
) -> tuple[frozenset[str], list[Finding]]:
    if settings.ignore_revs == "":
        return frozenset(), []
    if settings.ignore_revs is None:
        candidates = [site.root / DEFAULT_IGNORE_REVS, top / DEFAULT_IGNORE_REVS]
        found = next((c for c in candidates if c.exists() or c.is_symlink()), None)
        if found is None:
            return frozenset(), []
        # The default may sit at the repository's top, above a site in a subfolder.
        within = site.root if found == candidates[0] else top
    else:
        found = site.inside_or_refuse(site.root / settings.ignore_revs, "stamps.ignore_revs")
        within = site.root
    rel = site.rel(found)
    try:
        text = read_text(found, rel, within)
    except LoadError as exc:
        return frozenset(), [
            error(
                "_config.yml",
                1,
                1,
                "G105",
                f"cannot read the ignore-revs file {rel}: {exc.finding.message}",
                "fix stamps.ignore_revs in _config.yml, or set it to false",
            )
        ]
    try:
        return parse_ignore_revs(text), []
    except ValueError as exc:
        line = int(str(exc).split(":", 1)[0].removeprefix("line ") or 1)
        return frozenset(), [
            error(
                rel,
                line,
                1,
                "G105",
                f"ignore-revs file: {str(exc).split(': ', 1)[-1]}",
                "list one full commit id per line ('git rev-parse <rev>'); '#' starts a comment",
            )
        ]


DigestOf = Callable[[str, str], str]  # (page text, site-relative path) -> digest


def date_pages(
    site: Site,
    wants: Sequence[Want],
    run: StampRun,
    settings: StampSettings,
    page_digest: DigestOf,
    early: Early | Watched | None = None,
    narrow: NarrowLog | None = None,
    top: Path | None = None,
) -> tuple[dict[str, Dated], list[Finding]]:
    """The date of each wanted page (keyed by `Want.rel`), and findings for those without one.

    `early` is the history read started before (history.start_log), used if history is read;
    `narrow` the read of the roadmap data's folder started with it (history.start_narrow_log).
    """
    if not wants:
        return {}, []
    first = wants[0]
    top = top or repo_toplevel(site.root)  # the top the history read was started in, if any
    if top is None:
        return {}, [
            warning(
                first.rel,
                first.line,
                1,
                "G102",
                f"not in a git repository: {len(wants)} page(s) not dated, "
                "their stamps are left as they are",
                "run pages-roadmap in a git checkout, or turn stamps off "
                "(--no-stamps, or 'stamps: {enabled: false}' in _config.yml)",
            )
        ]
    top = top.resolve()
    paths: dict[str, tuple[str | None, list[str | None]]] = {
        w.rel: (_top_rel(site, top, w.file), [_top_rel(site, top, f) for f in w.roadmap_files])
        for w in wants
    }
    try:
        return _date(site, top, wants, paths, run, settings, page_digest, early, narrow)
    except HistoryError as exc:
        return {}, [
            error(
                first.rel,
                first.line,
                1,
                "G104",
                f"git failed, {len(wants)} page(s) not dated: {exc}",
                "check that git works in this folder ('git log -1')",
            )
        ]


def _date(
    site: Site,
    top: Path,
    wants: Sequence[Want],
    paths: dict[str, tuple[str | None, list[str | None]]],
    run: StampRun,
    settings: StampSettings,
    page_digest: DigestOf,
    early: Early | Watched | None,
    narrow: NarrowLog | None = None,
) -> tuple[dict[str, Dated], list[Finding]]:
    dated: dict[str, Dated] = {}
    if run.staged:
        staged = staged_paths(top)
        for w in wants:
            page, roadmaps = paths[w.rel]
            if page in staged or any(r in staged for r in roadmaps):
                dated[w.rel] = Dated(run.now, final=True)
    rest = [w for w in wants if w.rel not in dated]
    if not rest:
        return dated, []
    shallow = is_shallow(top)
    if shallow and not run.allow_shallow:
        w = rest[0]
        return dated, [
            error(
                w.rel,
                w.line,
                1,
                "G101",
                f"shallow clone: history is cut off, so {len(rest)} page(s) cannot be dated "
                "(a page last changed before the cut would get the date of the oldest commit "
                "fetched); stamps left as they are",
                "fetch the whole history: actions/checkout with 'fetch-depth: 0' (or "
                "'git fetch --unshallow'); or pass --allow-shallow to stamp anyway",
            )
        ]
    revs, findings = _ignore_revs(site, top, settings)
    if findings:
        return dated, findings
    options = HistoryOptions(ignore_revs=revs, use_author_date=settings.use_author_date)
    wanted = {p for w in rest for p in (paths[w.rel][0], *paths[w.rel][1]) if p is not None}
    # Asked now, after every page was read (an edit saved while pages were read is seen, and
    # the page is left undated rather than dated with the last commit's date), and answered
    # after the history read: git compares the work tree meanwhile.
    asked = start_dirty_paths(top) if not run.adopting else None
    try:
        history, only_skipped = last_changes(top, sorted(wanted), options, early, narrow)
        dirty = set()
        if history and asked is not None:
            dirty = _really_changed(top, rest, paths, page_digest, asked)
    finally:
        if asked is not None:
            asked.wait()
    for w in rest:
        page, roadmaps = paths[w.rel]
        names = [(w.rel, page)] + [
            (site.rel(f), r) for f, r in zip(w.roadmap_files, roadmaps, strict=True)
        ]
        names = _real(names, page, history, only_skipped, adopting=run.adopting)
        missing = [name for name, p in names if p is None or p not in history]
        if missing:
            findings.append(_never_committed(w, missing))
            continue
        changed = [name for name, p in names if p in dirty]
        if changed:
            findings.append(
                warning(
                    w.rel,
                    w.line,
                    1,
                    "G106",
                    f"uncommitted changes in {', '.join(changed)}: the date is set once they "
                    "are committed",
                    "commit, then run build again (a pre-commit hook with 'build --staged' "
                    "dates the page in the commit itself)",
                )
            )
            continue
        when = max(history[p] for _name, p in names if p is not None)
        dated[w.rel] = Dated(when, final=not shallow)
    return dated, findings


def _real(
    names: list[tuple[str, str | None]],
    page: str | None,
    history: dict[str, datetime],
    only_skipped: set[str],
    *,
    adopting: bool,
) -> list[tuple[str, str | None]]:
    """The files whose history dates a page: the page, and the roadmaps it embeds that have a
    real change of their own.

    Adding roadmap data that a managed block then draws is not a content change of the page:
    a roadmap whose every commit is skipped (the tool's adoption commit, an ignore-revs commit)
    does not date the page, as long as the page has a date of its own; nor, while adopting,
    a roadmap not committed yet.
    """
    if page is None or page not in history:
        return names
    keep = [names[0]]
    for name, path in names[1:]:
        if path is not None and path in only_skipped:
            continue
        if adopting and (path is None or path not in history):
            continue
        keep.append((name, path))
    return keep


def _really_changed(
    top: Path,
    wants: Sequence[Want],
    paths: dict[str, tuple[str | None, list[str | None]]],
    page_digest: DigestOf,
    asked: Started,
) -> set[str]:
    """Repo-relative paths with uncommitted changes beyond the tool's own output (`asked`:
    history.start_dirty_paths)."""
    dirty = dirty_paths(top, asked)
    pages = {paths[w.rel][0]: w for w in wants if paths[w.rel][0] in dirty}
    roadmaps = {r: f for w in wants for f, r in zip(w.roadmap_files, paths[w.rel][1], strict=True)}
    roadmaps = {r: f for r, f in roadmaps.items() if r in dirty}
    if not pages and not roadmaps:
        return dirty
    head = head_texts(top, sorted(p for p in (*pages, *roadmaps) if p is not None))
    for p, w in pages.items():
        if p in head and page_digest(head[p], w.rel) == w.digest:
            dirty.discard(p)
    for r, f in roadmaps.items():
        try:
            now = read_bytes(f, str(f), None).decode("utf-8", "surrogateescape")
        except LoadError:
            continue
        if r in head and roadmap_digest(head[r]) == roadmap_digest(now):
            dirty.discard(r)
    return dirty


def _never_committed(w: Want, missing: list[str]) -> Finding:
    what = "the page" if missing == [w.rel] else ", ".join(missing)
    return warning(
        w.rel,
        w.line,
        1,
        "G103",
        f"{what} never committed: no date yet, stamps left as they are",
        "commit it, then run build again (with 'build --staged' in a pre-commit hook a new "
        "page is dated in its first commit)",
    )


@dataclass
class HistoryReads:
    """The git reads that date a run's pages, begun before its pages are read
    (`begin_history`): the whole history, then (`go`) the roadmap data's folder alone."""

    top: Path  # the repository's top level, resolved
    options: HistoryOptions | None = None
    whole: Early | Watched | None = None  # None: not started (a bad ignore-revs file, ...)
    folders: tuple[str, ...] = ()  # for the narrow walk, started by `go`
    narrow: NarrowLog | None = None

    def logs(self) -> tuple[Early | Watched | None, NarrowLog | None, Path]:
        return self.whole, self.narrow, self.top

    def go(self, paths: Iterable[str] | None = None) -> None:
        """Let git read on past its pipe's room, and start the narrow walk (a page needs a
        date). With `paths` (repo paths, among them every path the run will want dated),
        the whole walk is parsed as git writes it and git stops once they are all dated
        (history.Watched)."""
        whole = self.whole
        if whole is None or self.options is None:
            return
        if self.folders and self.narrow is None:
            self.narrow = start_narrow_log(self.top, self.folders, self.options)
        if isinstance(whole, Watched):
            return  # going since it was watched
        if paths is None:
            whole.go()
            return
        if self.narrow is not None:  # its paths are dated by the narrow walk
            inside = tuple(f"{folder}/" for folder in self.narrow.folders)
            paths = [p for p in paths if not p.startswith(inside)]
        self.whole = Watched(whole, paths, self.options)

    def close(self) -> None:
        """Stop git where it still runs (idempotent)."""
        for log in (self.whole, self.narrow.early if self.narrow is not None else None):
            if log is not None:
                log.close()


def begin_history(
    site: Site, run: StampRun | None, settings: StampSettings | None = None
) -> HistoryReads | None:
    """Start the history reads of a run that may date pages, waiting (see `Early`): git walks
    history on another core while the tool loads and lists the site, and waits when its pipe
    is full, until `HistoryReads.go`. None for --staged and where no read would happen (stamps
    off, no repository). Close what this returns.
    """
    if run is None or run.staged:
        return None
    settings = settings or StampSettings.from_raw(site.settings.stamps)
    if not settings.enabled:
        return None
    try:
        top = repo_toplevel(site.root)
    except HistoryError:
        return None
    if top is None:
        return None
    reads = HistoryReads(top.resolve())
    revs, findings = _ignore_revs(site, reads.top, settings)
    if findings:
        return reads  # date_pages reports them
    author = settings.use_author_date
    options = reads.options = HistoryOptions(ignore_revs=revs, use_author_date=author)
    reads.whole = start_log(reads.top, options, waiting=True)
    # Roadmap data changes rarely: dating it would keep the whole walk going to the first
    # commit, so its folder has a walk of its own, limited to it (started by `go`: it needs
    # no head start, and a build that dates nothing does not pay for it).
    folder = site.roadmaps_path
    if reads.whole is not None and folder.is_dir() and any(site.roadmap_files()):
        real = Path(site.real_dir(str(folder)))
        if real.is_relative_to(reads.top) and real != reads.top:
            reads.folders = (real.relative_to(reads.top).as_posix(),)
    return reads


@dataclass(frozen=True)
class Pending:
    """A page prepared for stamping that needs its date from history."""

    stamps: PageStamps
    sum: str


@dataclass
class Waiting:
    """A page whose stamps wait for a date from `date_pages`."""

    index: int  # its place among the pages read
    file: Path
    stamps: PageStamps
    sum: str


class Stamper:
    """Stamps pages for one run: `prepare` each page (its record, when it holds, finishes it),
    `wait` those that need a date, then one dating pass for them all (`finish`)."""

    def __init__(
        self,
        site: Site,
        roadmaps: Roadmaps,
        run: StampRun,
        settings: StampSettings,
        reads: HistoryReads | None = None,
    ) -> None:
        from zoneinfo import ZoneInfo

        self.site = site
        self.roadmaps = roadmaps
        self.run = run
        self.settings = settings
        self.tz: tzinfo = ZoneInfo(site.timezone)
        self.waiting: list[Waiting] = []
        self._reads = reads
        self._begun = reads is not None  # begun by the run
        self._going = False

    @classmethod
    def for_run(
        cls,
        site: Site,
        roadmaps: Roadmaps,
        run: StampRun | None,
        reads: HistoryReads | None = None,
    ) -> Stamper | None:
        """The run's stamper, or None when stamps are off (by option or by the site).

        `reads`: the history reads `begin_history` started for this run (the stamper owns
        them from now on: `finish` or `close` ends them).
        """
        if run is None:
            return None
        settings = StampSettings.from_raw(site.settings.stamps)
        return cls(site, roadmaps, run, settings, reads) if settings.enabled else None

    def prepare(self, old: str, new: str, rel: str) -> tuple[str | Pending, list[Finding]]:
        """The stamped text when the page needs no date from history, else what `wait` takes.

        Pure: it changes nothing in the stamper, so pages can be prepared in forked copies of
        the process and waited for here, in their order.
        """
        ps = analyze(new, rel, self.settings, self.site.lang, self.tz)
        if any(f.is_error for f in ps.findings):
            return old, ps.findings  # a page with a bad stamp stays as it was, chart included
        if not ps.has_work:
            return new, ps.findings
        sum_ = content_sum(ps.digest, {n: self.roadmaps.digest(n) for n in ps.roadmap_ids})
        kept = render_recorded(ps, sum_, self.tz)
        if kept is not None:
            return kept, ps.findings
        return Pending(ps, sum_), ps.findings

    def wait(self, index: int, file: Path, pending: Pending) -> None:
        """The page waits for its date from the one read of history (`finish`)."""
        if not self.waiting:
            self.start_history()
        self.waiting.append(Waiting(index, file, pending.stamps, pending.sum))

    def close(self) -> None:
        """Stop a history read that no page waited for (idempotent)."""
        if not self.waiting:
            self._close_history()

    def _close_history(self) -> None:
        if self._reads is not None:
            self._reads.close()
        self._reads = None

    def start_history(self, files: Iterable[Path] | None = None) -> None:
        """Let the history read run now, so that git walks it while the other pages are read.

        `files`: every page the run may want dated (its roadmaps are added here), so that git
        stops as soon as they all have a date (HistoryReads.go). Not for --staged (the staged
        pages get 'now': history is rarely needed), nor where the read would not happen
        anyway (no repository, a bad ignore-revs file); finish() uses it, or close() stops
        it. Begun once (`begin_history`, unless the run began it).
        """
        if self._going:
            return
        self._going = True
        if not self._begun:
            self._reads = begin_history(self.site, self.run, self.settings)
        if self._reads is None:
            return
        paths = None
        if files is not None:
            top = self._reads.top
            every = [*files, *self.site.roadmap_files()]
            paths = [p for p in (_top_rel(self.site, top, f) for f in every) if p is not None]
        self._reads.go(paths)
        # While git reads, load the site language's month and day names (Babel's locale
        # data) that the dates will be written with.
        load_names((resolve_locale(self.site.lang) if self.site.lang else None) or "en")

    def _digest(self, text: str, rel: str) -> str:
        return analyze(text, rel, self.settings, self.site.lang, self.tz).digest

    def finish(self) -> tuple[dict[int, str], list[Finding]]:
        """Date the waiting pages; their new texts by index."""
        wants = []
        for w in self.waiting:
            files = [self.roadmaps.site.roadmap_file(name) for name in w.stamps.roadmap_ids]
            wants.append(
                Want(
                    w.stamps.path,
                    w.file,
                    w.stamps.first_line,
                    w.stamps.digest,
                    [f for f in files if f],
                )
            )
        try:
            dated, findings = date_pages(
                self.site,
                wants,
                self.run,
                self.settings,
                self._digest,
                *(self._reads.logs() if self._reads is not None else (None, None, None)),
            )
        finally:
            self._close_history()
        texts: dict[int, str] = {}
        for w in self.waiting:
            d = dated.get(w.stamps.path)
            if d is None:
                texts[w.index] = w.stamps.text
            else:
                texts[w.index] = render(w.stamps, d.when, w.sum if d.final else None, self.tz)
        return texts, findings
