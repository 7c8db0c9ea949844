"""Regenerate the managed gantt blocks of pages, then their stamps: roadmap data in, pages out.

A page goes through two steps: its gantt blocks (`build_page`), then its "last updated" stamps
(stamps.py). A page whose stamp record still matches is finished at once; the others wait until
every page is read, so that their dates come from one read of history (dating.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from pages_roadmap.check import LoadedRoadmap, read_roadmap, region_problems
from pages_roadmap.findings import Finding, error
from pages_roadmap.mermaid import render as gantt
from pages_roadmap.page import BOM, PageText, Region, find_regions, splice, split
from pages_roadmap.roadmap import ROADMAP_ID
from pages_roadmap.site import Site
from pages_roadmap.stamps.dating import StampRun, Want, date_pages
from pages_roadmap.stamps.find import PageStamps
from pages_roadmap.stamps.render import analyze, content_sum, data_digest, render
from pages_roadmap.stamps.settings import StampSettings
from pages_roadmap.stamps.strftime import resolve_locale, unknown_language
from pages_roadmap.yamlload import LoadError, decode, load

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["BuildResult", "Change", "Roadmaps", "StampRun", "build_page", "run"]


@dataclass
class Change:
    path: Path
    old: str
    new: str


@dataclass
class BuildResult:
    changes: list[Change] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    pages_seen: int = 0


class Roadmaps:
    """Loads each roadmap once per run, however many pages embed it."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._cache: dict[str, LoadedRoadmap] = {}
        self._digests: dict[str, str | None] = {}

    def digest(self, roadmap_id: str) -> str | None:
        """Checksum of a roadmap's data file (what a page's stamp record depends on)."""
        if roadmap_id not in self._digests:
            file = self.site.roadmap_file(roadmap_id)
            try:
                text = file.read_bytes().decode("utf-8", "surrogateescape") if file else None
            except OSError:
                text = None
            self._digests[roadmap_id] = data_digest(text) if text is not None else None
        return self._digests[roadmap_id]

    def get(self, roadmap_id: str) -> LoadedRoadmap | None:
        if roadmap_id not in self._cache:
            file = self.site.roadmap_file(roadmap_id)
            if file is None:
                return None
            self._cache[roadmap_id] = read_roadmap(self.site, file)
        return self._cache[roadmap_id]


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
    return splice(text, edits), findings


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
    folder = site.roadmaps_path.resolve()
    data = [f for f in files if f.suffix in (".yml", ".yaml") and f.resolve().parent == folder]
    ids = [f.stem.encode() for f in data if ROADMAP_ID.match(f.stem)]
    pages = [f for f in files if f not in data]
    yield from pages
    if not ids:
        return
    # A byte search is enough here: build_page finds the real markers.
    embeds = re.compile(rb"pages-roadmap:gantt[ \t]+(?:" + b"|".join(ids) + rb")[ \t-]")
    seen = {p.resolve() for p in pages}
    for page in site.pages():
        if page.resolve() not in seen:
            try:
                if embeds.search(page.read_bytes()):
                    yield page
            except OSError:
                continue


def _may_stamp(raw: bytes, settings: StampSettings) -> bool:
    """Cheap test: could this page hold anything stamping touches?"""
    if settings.front_matter_key and raw.removeprefix(BOM.encode()).startswith(b"---"):
        return True
    if b"pages-roadmap:stamp" in raw:
        return True
    return settings.migrate_liquid and (b"site.time" in raw or b"now" in raw)


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


@dataclass
class _Waiting:
    """A page whose stamps wait for a date from `date_pages`."""

    index: int  # its place among the pages read
    file: Path
    stamps: PageStamps
    sum: str


class _Stamper:
    """Stamps pages for one run: records first, then one dating pass for the rest."""

    def __init__(
        self, site: Site, roadmaps: Roadmaps, run: StampRun, settings: StampSettings
    ) -> None:
        from zoneinfo import ZoneInfo

        self.site = site
        self.roadmaps = roadmaps
        self.run = run
        self.settings = settings
        self.tz: tzinfo = ZoneInfo(site.timezone)
        self.waiting: list[_Waiting] = []

    def stamp(
        self, index: int, file: Path, old: str, new: str, rel: str
    ) -> tuple[str | None, list[Finding]]:
        """The stamped text (None: it waits for a date), and findings."""
        ps = analyze(new, rel, self.settings, self.site.lang, self.tz)
        if any(f.is_error for f in ps.findings):
            return old, ps.findings  # a page with a bad stamp stays as it was, chart included
        if not ps.has_work:
            return new, ps.findings
        digests = {name: self.roadmaps.digest(name) for name in ps.roadmap_ids}
        sum_ = content_sum(ps.digest, digests)
        recorded = ps.record(sum_)
        if recorded is not None:
            return render(ps, recorded, sum_, self.tz), ps.findings
        self.waiting.append(_Waiting(index, file, ps, sum_))
        return None, ps.findings

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
        dated, findings = date_pages(self.site, wants, self.run, self.settings, self._digest)
        texts: dict[int, str] = {}
        for w in self.waiting:
            d = dated.get(w.stamps.path)
            if d is None:
                texts[w.index] = w.stamps.text
            else:
                texts[w.index] = render(w.stamps, d.when, w.sum if d.final else None, self.tz)
        return texts, findings


def run(
    site: Site,
    files: list[Path],
    today: date,
    *,
    force: bool = False,
    stamps: StampRun | None = None,
) -> BuildResult:
    """Build every given page; pages with nothing to do are skipped after a byte search.

    With `stamps`, the "last updated" stamps are written too (after the charts); roadmap data
    files among `files` stand for the pages that embed them.
    """
    result = BuildResult()
    roadmaps = Roadmaps(site)
    stamper = _stamper(site, roadmaps, stamps)
    if stamper is not None:
        result.findings += _site_language(site)
    texts: list[tuple[Path, str, str | None]] = []
    for file in _pages(site, files):
        rel = site.rel(file)
        try:
            raw = file.read_bytes()
        except OSError as exc:
            result.findings.append(error(rel, 1, 1, "F101", f"cannot read: {exc.strerror}"))
            continue
        if b"pages-roadmap:" not in raw and not (stamper and _may_stamp(raw, stamper.settings)):
            continue
        try:
            text = decode(raw, rel)
        except LoadError as exc:
            result.findings.append(exc.finding)
            continue
        if b"skip" in raw and _skipped(text):
            continue
        result.pages_seen += 1
        new, findings = build_page(text, rel, roadmaps, today, force=force)
        result.findings += findings
        if stamper is not None and not any(f.is_error for f in findings):
            stamped, problems = stamper.stamp(len(texts), file, text, new, rel)
            result.findings += problems
            texts.append((file, text, stamped))
        else:
            texts.append((file, text, new))
    later: dict[int, str] = {}
    if stamper is not None and stamper.waiting:
        later, problems = stamper.finish()
        result.findings += problems
    for index, (path, old, done) in enumerate(texts):
        final = later.get(index, done)
        if final is not None and final != old:
            result.changes.append(Change(path, old, final))
    return result


def _stamper(site: Site, roadmaps: Roadmaps, stamps: StampRun | None) -> _Stamper | None:
    if stamps is None:
        return None
    settings = StampSettings.from_raw(site.settings.stamps)
    return _Stamper(site, roadmaps, stamps, settings) if settings.enabled else None


def _site_language(site: Site) -> list[Finding]:
    """T104 once, at _config.yml, when the site's `lang` is not a language Babel knows."""
    lang = site.lang
    if lang is None or resolve_locale(lang) is not None:
        return []
    line = site.config_doc.pos(("lang",)).line if site.config_doc is not None else 1
    return [unknown_language("_config.yml", line, lang)]
