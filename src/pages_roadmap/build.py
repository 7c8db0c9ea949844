"""Regenerate the managed gantt blocks of pages, then their stamps: roadmap data in, pages out.

A page goes through two steps: its gantt blocks (`build_page`), then its "last updated" stamps
(stamps/). A page whose stamp record still matches is finished at once; the others wait until
every page is read, so that their dates come from one read of history (stamps/dating.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pages_roadmap.buildcache import BuildCache, depends_on_today, inputs_sum, page_sum
from pages_roadmap.files import Change, Refused, WriteError, Writer
from pages_roadmap.findings import Finding, error
from pages_roadmap.load import LoadedRoadmap, Roadmaps, region_problems, roadmap_from_text
from pages_roadmap.mermaid import render as gantt
from pages_roadmap.page import (
    BOM,
    MARKER_BYTES,
    PageText,
    Region,
    find_regions,
    splice,
    split,
)
from pages_roadmap.reading import read_bytes
from pages_roadmap.roadmap import ROADMAP_ID
from pages_roadmap.site import Site
from pages_roadmap.stamps.dating import HistoryReads, Pending, Stamper, StampRun
from pages_roadmap.stamps.settings import StampSettings
from pages_roadmap.stamps.strftime import resolve_locale, unknown_language
from pages_roadmap.yamlload import LoadError, decode, load

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

__all__ = ["BuildResult", "Change", "Rebuild", "Roadmaps", "StampRun", "build_page", "run", "write"]


@dataclass
class BuildResult:
    changes: list[Change] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    folders: set[Path] = field(default_factory=set)  # where the pages read live
    pages: int = 0  # pages the run looked at
    charts: int = 0  # managed blocks whose chart changed
    stamped: int = 0  # pages whose "last updated" date or stamps changed
    blocked: int = 0  # pages left as they were because of an error
    notes: list[tuple[str, str]] = field(default_factory=list)  # (page, what happened), for -v


def build_page(
    text: str, path: str, roadmaps: Roadmaps, today: date, *, force: bool = False
) -> tuple[str, list[Finding]]:
    """The page with every managed block regenerated; the page itself when anything is wrong."""
    page = split(text)
    regions, findings = find_regions(page, path)
    if findings:
        return text, findings
    edits: list[tuple[Region, str]] = []
    for region in regions:
        content, problems = _render_region(page, region, path, roadmaps, today, force=force)
        findings += problems
        if content is not None:
            edits.append((region, content))
    if any(f.is_error for f in findings):
        return text, findings
    return (splice(text, edits) if edits else text), findings


def _render_region(
    page: PageText, region: Region, path: str, roadmaps: Roadmaps, today: date, *, force: bool
) -> tuple[str | None, list[Finding]]:
    name = region.name
    problems = region_problems(page, region, path, roadmaps.site, force=force)
    if problems:
        return None, problems
    loaded = roadmaps.get(name)
    if loaded is None:  # the file vanished after region_problems looked
        return None, [
            error(path, region.start_line, 1, "B101", f"no roadmap {name!r} (its file vanished)")
        ]
    if loaded.roadmap is None:
        first = next(f for f in loaded.findings if f.is_error)
        return None, [
            error(
                path,
                region.start_line,
                1,
                "B107",
                f"roadmap {name!r} has errors, block left as it is "
                f"(first: {first.path}:{first.line}: {first.message})",
                f"run 'pages-roadmap check' and fix {first.path}",
            )
        ]
    return gantt.fenced(gantt.render(loaded.roadmap, today)), []


def _pages(site: Site, files: list[Path]) -> Iterator[Path]:
    """The pages to build: roadmap data files among `files` stand for the pages embedding them."""
    data = [f for f in files if site.is_roadmap_file(f)]
    ids = [f.stem.encode() for f in data if ROADMAP_ID.match(f.stem)]
    pages = _one_per_file([f for f in files if f not in data])
    yield from pages
    if not ids:
        return
    # A byte search is enough here: build_page finds the real markers.
    embeds = re.compile(rb"pages-roadmap:gantt[ \t]+(?:" + b"|".join(ids) + rb")[ \t-]")
    seen = {site.resolved(p) for p in pages}
    for page in site.pages():
        if site.resolved(page) not in seen:
            try:
                if embeds.search(read_bytes(page, site.rel(page), site)):
                    yield page
            except LoadError:
                continue


def _one_per_file(pages: list[Path]) -> list[Path]:
    """The pages without a symlink to another page of the list: the file is built (and
    written) once, through its own name, and the link stays a link."""
    links = {p for p in pages if os.path.islink(p)}  # noqa: PTH114
    if not links:
        return pages
    real = {os.path.realpath(p) for p in pages if p not in links}
    return [p for p in pages if not (p in links and os.path.realpath(p) in real)]


# What stamps/find.py's _CANDIDATE finds, on bytes: a managed stamp or a Liquid stamp's start.
_LIQUID_BYTES = re.compile(rb"\{\{-?[ \t]*(?:site\.time|[\"']now)")


def _may_stamp(raw: bytes, settings: StampSettings) -> bool:
    """Cheap test: could this page hold anything stamping touches?"""
    if settings.front_matter_key and raw.removeprefix(BOM.encode()).startswith(b"---"):
        return True
    if b"pages-roadmap:stamp" in raw:
        return True
    # A Liquid stamp that is not migrated is left alone without a word (stamps/render.py).
    return settings.migrate_liquid and _LIQUID_BYTES.search(raw) is not None


def _nothing_to_build(raw: bytes, stamper: Stamper | None) -> bool:
    """True for a page with no chart marker and nothing stamping would touch (a byte search)."""
    if MARKER_BYTES.search(raw):
        return False
    return stamper is None or not _may_stamp(raw, stamper.settings)


def _skipped(text: str) -> bool:
    """True for a page whose front matter says `pages_roadmap: {skip: true}`."""
    fm = split(text).front_matter
    if fm is None or "skip" not in fm.text:
        return False
    try:
        data = load(fm.text, "page").data
    except LoadError:
        return False
    own = data.get("pages_roadmap") if isinstance(data, dict) else None
    return isinstance(own, dict) and own.get("skip") is True


PARALLEL_FROM = 400  # pages to read and build; below this, forking costs more than it saves


def run(
    site: Site,
    files: list[Path],
    today: date,
    *,
    force: bool = False,
    stamps: StampRun | None = None,
    cache: BuildCache | None = None,
    history: HistoryReads | None = None,
) -> BuildResult:
    """Build every given page; pages with nothing to do are skipped after a byte search.

    With `stamps`, the "last updated" stamps are written too (after the charts); roadmap data
    files among `files` stand for the pages that embed them. With `cache`, a page the last
    build found up to date, with the same bytes and inputs, is skipped before it is decoded;
    the pages found up to date are remembered in it. `history`: the history reads the caller
    began for `stamps` (dating.begin_history); the build ends them.

    Each page is prepared (read, its charts and stamps worked out: `_Run.prepare`, pure), then
    settled in its turn (`_Run.settle`). On a large site the pages to read are prepared by
    forked copies of the process too (parallel.py: one per core, each taking the next batch of
    pages when done with one), while git reads history.
    """
    sources = list(_triage(site, _pages(site, files), cache))
    work = [i for i, (_, raw) in enumerate(sources) if raw is None]
    processes = _processes(len(work))
    if processes < 2:
        reads = ((f, _read(site, f) if r is None else r) for f, r in sources)
        return _run(site, reads, today, Roadmaps(site), force, stamps, cache, history)
    from pages_roadmap.parallel import chunks, fork_each

    _load_before_forking(site)
    state = _Run(site, today, Roadmaps(site), force, stamps, cache, history)
    me = os.getpid()
    every = [file for file, _ in sources]  # the pages that may want a date

    def prepare(indices: Sequence[int]) -> list[_Prepared]:
        done = []
        for i in indices:
            done.append(state.prepare(sources[i][0], _read(site, sources[i][0])))
            # This process's first page that needs a date starts git on history (after the
            # copies are made: a process with a thread should not fork), while every core
            # goes on preparing pages.
            mine = os.getpid() == me
            if mine and isinstance(done[-1].done, Pending) and state.stamper is not None:
                state.stamper.start_history(every)
        return done

    tasks = chunks(work, processes)
    prepared: dict[int, _Prepared] = {}
    for task, part in zip(tasks, fork_each(prepare, tasks, processes - 1), strict=True):
        prepared.update(zip(task, part, strict=True))
    for index, (file, raw) in enumerate(sources):
        p = prepared[index] if raw is None else state.prepare(file, raw)
        p.file = file  # a copy's page comes back without it (__getstate__)
        state.settle(p)
    return state.finish()


def _load_before_forking(site: Site) -> None:
    """What every copy needs, loaded once so that each inherits it: the roadmap schema's
    validator and the site language's Babel locale (each costs a copy some 10 ms)."""
    from pages_roadmap.schema import validator_for

    if site.roadmap_files():
        validator_for("roadmap", site.schema_override("roadmap"))
    if site.lang:
        resolve_locale(site.lang)
    resolve_locale("en")


def _processes(pages: int) -> int:
    """How many processes share `pages` pages of work (one below PARALLEL_FROM)."""
    from pages_roadmap.parallel import cores

    return 1 if pages < PARALLEL_FROM else cores()


class _Unread:
    """A page not read: its file's status is the one the build cache remembers."""


_UNREAD = _Unread()


def _triage(
    site: Site, files: Iterable[Path], cache: BuildCache | None
) -> Iterator[tuple[Path, _Unread | None]]:
    """Each page, with _UNREAD when its file status is the one the build cache remembers (it
    is not read), else None (it is to be read, through the one safe reader)."""
    for file in files:
        rel = site.rel(file)
        if cache is not None and rel in cache.entries:  # a page never found up to date: no use
            try:
                info = os.stat(file)  # noqa: PTH116 (a page's status: pathlib costs more)
            except OSError:
                pass  # the reader says why
            else:
                if cache.unchanged(rel, info) is not None:
                    yield file, _UNREAD
                    continue
                cache.seen(rel, info)
        yield file, None


def _read(site: Site, file: Path) -> bytes | LoadError:
    try:
        return read_bytes(file, site.rel(file), site)
    except LoadError as exc:
        return exc


def _run(
    site: Site,
    sources: Iterable[tuple[Path, bytes | LoadError | _Unread]],
    today: date,
    roadmaps: Roadmaps,
    force: bool,
    stamps: StampRun | None,
    cache: BuildCache | None = None,
    history: HistoryReads | None = None,
) -> BuildResult:
    """Prepare and settle each page in turn (git goes on when the first page needs a date)."""
    state = _Run(site, today, roadmaps, force, stamps, cache, history)
    for file, raw in sources:
        state.settle(state.prepare(file, raw))
    return state.finish()


@dataclass
class _Prepared:
    """One page's work, done without changing anything (in this process or in a copy)."""

    file: Path
    rel: str
    up_to_date: bool = False  # the build cache says so: nothing was read
    note: str | None = None  # a page not built, and why (for -v)
    findings: list[Finding] = field(default_factory=list)
    raw: bytes = b""  # a page built: its bytes, text, text with charts, and stamped text
    text: str | None = None
    new: str = ""
    done: str | Pending = ""
    charts: int = 0  # managed blocks whose chart changed

    def __getstate__(self) -> dict[str, object]:
        # A forked copy sends its pages back without their paths, which the caller knows (a
        # path is slow to unpickle: a tenth of the time to take a copy's pages back).
        return {k: v for k, v in self.__dict__.items() if k != "file"}


class _Run:
    """One build: pages prepared (`prepare`, pure) and settled in their order (`settle`)."""

    def __init__(
        self,
        site: Site,
        today: date,
        roadmaps: Roadmaps,
        force: bool,
        stamps: StampRun | None,
        cache: BuildCache | None,
        history: HistoryReads | None = None,
    ) -> None:
        self.site = site
        self.today = today
        self.roadmaps = roadmaps
        self.force = force
        self.result = BuildResult()
        self.fresh = _Fresh(roadmaps, today, cache)
        self.stamper = Stamper.for_run(site, roadmaps, stamps, history)
        if self.stamper is not None:
            self.result.findings += _site_language(site)
        # (file, text as read, text with its charts, final text or None while it waits for a
        # date, charts that changed)
        self.texts: list[tuple[Path, str, str, str | None, int]] = []

    def prepare(self, file: Path, raw: bytes | LoadError | _Unread) -> _Prepared:
        rel = self.site.rel(file)
        p = _Prepared(file, rel)
        if self.fresh.skips(rel, raw):
            p.up_to_date = True
            return p
        if isinstance(raw, _Unread):
            raw = _read(self.site, file)  # its roadmaps or the day changed: build it
        read = _text_to_build(raw, rel, self.stamper, p)
        if read is None:
            return p
        p.raw, p.text = read
        p.new, p.findings = build_page(p.text, rel, self.roadmaps, self.today, force=self.force)
        p.done = p.new
        if self.stamper is not None and not any(f.is_error for f in p.findings):
            p.done, problems = self.stamper.prepare(p.text, p.new, rel)
            p.findings += problems
        # Counted now, while both texts' block parses are in page.blocks' small cache.
        p.charts = _changed_charts(p.text, p.new)
        if p.findings or p.done != p.text:
            p.raw = b""  # only a page found up to date needs its bytes again (the build cache)
        return p

    def settle(self, p: _Prepared) -> None:
        result = self.result
        result.pages += 1
        if p.up_to_date:
            self.fresh.keep(p.rel)
            self.texts.append((p.file, "", "", "", 0))  # up to date, said in its turn
            return
        if p.text is None:  # not built: why is a finding or a note
            result.findings += p.findings
            if p.note:
                result.notes.append((p.rel, p.note))
            return
        result.folders.add(p.file.parent)
        done: str | None
        if isinstance(p.done, Pending):
            assert self.stamper is not None
            self.stamper.wait(len(self.texts), p.file, p.done)
            done = None
        else:
            done = p.done
        self.texts.append((p.file, p.text, p.new, done, p.charts))
        if not p.findings and done == p.text:
            self.fresh.found(p.rel, p.raw, p.text)
        result.findings += p.findings
        if any(f.is_error for f in p.findings):
            result.blocked += 1
            result.notes.append((p.rel, "left as it is: it has errors"))
            self.texts.pop()

    def finish(self) -> BuildResult:
        result = self.result
        later: dict[int, str] = {}
        if self.stamper is not None:
            if self.stamper.waiting:
                later, problems = self.stamper.finish()
                result.findings += problems
            self.stamper.close()
        for index, (path, old, charted, done, charts) in enumerate(self.texts):
            change = Change(path, old, later.get(index, done) or old)
            _count(result, self.site.rel(path), change, charted, charts)
        return result


def _text_to_build(
    raw: bytes | LoadError, rel: str, stamper: Stamper | None, p: _Prepared
) -> tuple[bytes, str] | None:
    """The page's bytes and text, or None for a page not to build (said in `p`)."""
    if isinstance(raw, LoadError):
        p.findings.append(raw.finding)
        return None
    if _nothing_to_build(raw, stamper):
        p.note = "nothing to build (no managed chart or stamp)"
        return None
    try:
        text = decode(raw, rel)
    except LoadError as exc:
        p.findings.append(exc.finding)
        return None
    if b"skip" in raw and _skipped(text):
        p.note = "skipped (front matter pages_roadmap: skip: true)"
        return None
    return raw, text


class _Fresh:
    """The run's side of the build cache: which pages to skip, which to remember."""

    def __init__(self, roadmaps: Roadmaps, today: date, cache: BuildCache | None) -> None:
        self.roadmaps = roadmaps
        self.day = today.isoformat()
        self.cache = cache
        self._dated: dict[str, bool] = {}
        self._files: dict[str, str | None] = {}

    def _inputs(self, ids: list[str], dated: bool) -> str:
        digests = {n: self._bytes_digest(n) for n in ids}
        return inputs_sum(digests, self.day if dated else None)

    def _bytes_digest(self, name: str) -> str | None:
        """Checksum of a roadmap file's bytes: any change at all invalidates its pages."""
        if name not in self._files:
            file = self.roadmaps.site.roadmap_file(name)
            try:
                self._files[name] = page_sum(file.read_bytes()) if file else None
            except OSError:
                self._files[name] = None
        return self._files[name]

    def skips(self, rel: str, raw: bytes | LoadError | _Unread) -> bool:
        """True for a page the last build found up to date, with these bytes (or, not read,
        this file status) and these inputs."""
        if self.cache is None or isinstance(raw, LoadError):
            return False
        cache = self.cache
        hit = cache.remembered(rel) if isinstance(raw, _Unread) else cache.lookup(rel, raw)
        return hit is not None and cache.fresh(rel, self._inputs(*hit))

    def keep(self, rel: str) -> None:
        """A page skipped as up to date: its entry takes the status it was read with."""
        if self.cache is not None:
            self.cache.keep(rel)

    def found(self, rel: str, raw: bytes, text: str) -> None:
        """A page this run found up to date, with no finding and no date from git."""
        if self.cache is None:
            return
        ids = sorted({r.name for r in find_regions(split(text), rel)[0]})
        dated = any(self._depends_on_today(n) for n in ids)
        self.cache.remember(rel, raw, self._inputs(ids, dated), ids, dated)

    def _depends_on_today(self, name: str) -> bool:
        if name not in self._dated:
            loaded = self.roadmaps.get(name)
            model = loaded.roadmap if loaded is not None else None
            self._dated[name] = model is None or depends_on_today(model)
        return self._dated[name]


def _count(result: BuildResult, rel: str, change: Change, charted: str, charts: int) -> None:
    """Record one page's outcome: its change (if any), what changed, and a -v note."""
    if change.new == change.old:
        result.notes.append((rel, "up to date"))
        return
    result.changes.append(change)
    result.charts += charts
    result.stamped += change.new != charted
    parts = [f"{charts} chart" + ("" if charts == 1 else "s")] if charts else []
    if change.new != charted:
        parts.append("its stamps")
    result.notes.append((rel, "updated: " + " and ".join(parts)))


def _changed_charts(old: str, new: str) -> int:
    """How many managed blocks differ between two texts of a page (in order)."""
    if old == new:
        return 0
    before, _ = find_regions(split(old), "")
    after, _ = find_regions(split(new), "")
    if len(before) != len(after):
        return max(len(before), len(after))
    return sum(
        old[a.content_start : a.content_end] != new[b.content_start : b.content_end]
        for a, b in zip(before, after, strict=True)
    )


def write(site: Site, result: BuildResult, writer: Writer | None = None) -> list[Path]:
    """The build's write step: each change written unless its page changed since it was read.

    A page saved by someone during the build, or a page that is a symlink, is left as it is and
    reported (F102, F103: errors, exit 1); the other pages are written. A write the system
    refuses raises WriteError (exit 2). Returns the files written. Many changes are written
    by forked copies too, one per core (each write is the same atomic write, so a kill at any
    moment still leaves every page old or new).
    """
    writer = writer or Writer()
    for folder in sorted(result.folders):
        writer.clean(folder)
    changes = result.changes

    def write_share(indices: Sequence[int]) -> list[tuple[int, str, tuple[str, ...]]]:
        done: list[tuple[int, str, tuple[str, ...]]] = []
        for i in indices:
            change = changes[i]
            try:
                wrote = writer.write(change.path, change.new, change.old.encode("utf-8"))
            except Refused as exc:
                done.append((i, "refused", (exc.code, exc.message, exc.hint)))
            except WriteError as exc:  # the system refuses: this share stops here
                done.append((i, "failed", (exc.message, exc.hint)))
                break
            else:
                done.append((i, "written" if wrote else "same", ()))
        return done

    processes = _processes(len(changes))
    if processes < 2:
        outcomes = write_share(range(len(changes)))
    else:
        from pages_roadmap.parallel import chunks, fork_each

        tasks = chunks(range(len(changes)), processes)
        outcomes = [o for part in fork_each(write_share, tasks, processes - 1) for o in part]
    written = []
    for i, what, detail in outcomes:
        if what == "failed":
            raise WriteError(*detail)
        if what == "refused":
            code, message, hint = detail
            result.findings.append(error(site.rel(changes[i].path), 1, 1, code, message, hint))
        elif what == "written":
            written.append(changes[i].path)
    return written


class _RoadmapsFrom(Roadmaps):
    """The run's roadmaps read through `data` (for instance a commit's blobs), not the disk."""

    def __init__(self, site: Site, data: Callable[[Path], bytes | None]) -> None:
        super().__init__(site)
        self._data = data

    def _load(self, roadmap_id: str) -> LoadedRoadmap | None:
        file = self.site.roadmap_file(roadmap_id)
        raw = self._data(file) if file is not None else None
        if file is None or raw is None:
            return None
        text = raw.decode("utf-8", "surrogateescape")
        return roadmap_from_text(text, self.site.rel(file), file.stem, self.site)


@dataclass(frozen=True)
class Rebuild:
    """One build's inputs, so that the commit step (git/commit.py) can run it again.

    `changes` builds the work tree again (after new data was pulled); `from_blobs` builds given
    page bytes with roadmap data read through a function (a commit's blobs): the proof that a
    page holds nothing but generated output, made in memory, without touching the work tree.
    """

    site: Site
    files: list[Path] | None  # None: the whole site
    today: date
    force: bool = False
    stamps: StampRun | None = None

    def changes(self) -> list[Change]:
        files = self.site.pages() if self.files is None else self.files
        return run(self.site, files, self.today, force=self.force, stamps=self.stamps).changes

    def from_blobs(
        self, pages: Mapping[Path, bytes], data: Callable[[Path], bytes | None]
    ) -> dict[Path, bytes]:
        """What the build makes of each page's given bytes (the bytes themselves if nothing)."""
        roadmaps = _RoadmapsFrom(self.site, data)
        result = _run(self.site, pages.items(), self.today, roadmaps, self.force, self.stamps)
        built = dict(pages)
        for change in result.changes:
            built[change.path] = change.new.encode("utf-8")
        return built


def _site_language(site: Site) -> list[Finding]:
    """T104 once, at _config.yml, when the site's `lang` is not a language Babel knows."""
    lang = site.lang
    if lang is None or resolve_locale(lang) is not None:
        return []
    line = site.config_doc.pos(("lang",)).line if site.config_doc is not None else 1
    return [unknown_language("_config.yml", line, lang)]
