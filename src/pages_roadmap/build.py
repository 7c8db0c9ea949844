"""Regenerate the managed gantt blocks of pages, then their stamps: roadmap data in, pages out.

A page goes through two steps: its gantt blocks (`build_page`), then its "last updated" stamps
(stamps/). A page whose stamp record still matches is finished at once; the others wait until
every page is read, so that their dates come from one read of history (stamps/dating.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pages_roadmap.files import Change
from pages_roadmap.findings import Finding, error
from pages_roadmap.load import Roadmaps, region_problems
from pages_roadmap.mermaid import render as gantt
from pages_roadmap.page import BOM, PageText, Region, find_regions, splice, split
from pages_roadmap.reading import read_bytes
from pages_roadmap.roadmap import ROADMAP_ID
from pages_roadmap.site import Site
from pages_roadmap.stamps.dating import Stamper, StampRun
from pages_roadmap.stamps.settings import StampSettings
from pages_roadmap.stamps.strftime import resolve_locale, unknown_language
from pages_roadmap.yamlload import LoadError, decode, load

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["BuildResult", "Change", "Roadmaps", "StampRun", "build_page", "run"]


@dataclass
class BuildResult:
    changes: list[Change] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


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
                if embeds.search(read_bytes(page, site.rel(page), site.root)):
                    yield page
            except LoadError:
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
    stamper = Stamper.for_run(site, roadmaps, stamps)
    if stamper is not None:
        result.findings += _site_language(site)
    texts: list[tuple[Path, str, str | None]] = []
    for file in _pages(site, files):
        rel = site.rel(file)
        try:
            raw = read_bytes(file, rel, site.root)
        except LoadError as exc:
            result.findings.append(exc.finding)
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


def _site_language(site: Site) -> list[Finding]:
    """T104 once, at _config.yml, when the site's `lang` is not a language Babel knows."""
    lang = site.lang
    if lang is None or resolve_locale(lang) is not None:
        return []
    line = site.config_doc.pos(("lang",)).line if site.config_doc is not None else 1
    return [unknown_language("_config.yml", line, lang)]
