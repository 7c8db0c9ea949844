"""Regenerate the managed gantt blocks of pages: roadmap data in, page text out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import gantt
from .check import LoadedRoadmap, read_roadmap
from .findings import Finding, error
from .page import PageText, Region, find_regions, is_hand_edited, splice, split
from .roadmap import ROADMAP_ID
from .site import Site
from .yamlload import LoadError, decode


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

    def file_for(self, roadmap_id: str) -> Path | None:
        """The data file of a plain roadmap id inside the roadmaps folder, or None."""
        if not ROADMAP_ID.match(roadmap_id):
            return None
        folder = self.site.roadmaps_path
        for suffix in (".yml", ".yaml"):
            candidate = folder / f"{roadmap_id}{suffix}"
            if candidate.is_file():
                real = candidate.resolve()
                # A symlink may not lead out of the site: the page would publish any file.
                if not real.is_relative_to(self.site.root.resolve()):
                    return None
                return candidate
        return None

    def get(self, roadmap_id: str) -> LoadedRoadmap | None:
        if roadmap_id not in self._cache:
            file = self.file_for(roadmap_id)
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
    where = (path, region.start_line, 1)
    if not ROADMAP_ID.match(name):
        return None, [
            error(
                *where,
                "B108",
                f"{name!r} is not a plain roadmap id",
                "use the file name of a roadmap in _roadmaps/ without '.yml' "
                "(lowercase letters, digits, hyphens)",
            )
        ]
    loaded = roadmaps.get(name)
    if loaded is None:
        folder = roadmaps.site.settings.roadmaps_dir
        return None, [
            error(
                *where,
                "B101",
                f"no roadmap {name!r} ({folder}/{name}.yml does not exist "
                "or leads outside the site)",
                f"create {folder}/{name}.yml, or fix the id in the marker",
            )
        ]
    if loaded.roadmap is None:
        first = next(f for f in loaded.findings if f.is_error)
        return None, [
            error(
                *where,
                "B107",
                f"roadmap {name!r} has errors, block left as it is "
                f"(first: {first.path}:{first.line}: {first.message})",
                f"run 'pages-roadmap check' and fix {first.path}",
            )
        ]
    if not force and is_hand_edited(page, region):
        return None, [
            error(
                path,
                region.content_line,
                1,
                "B105",
                f"the chart of {name!r} was edited by hand; not overwriting it",
                f"move the change into {roadmaps.site.settings.roadmaps_dir}/{name}.yml, "
                "or run 'pages-roadmap build --force' to discard it",
            )
        ]
    return gantt.fenced(gantt.render(loaded.roadmap, today)), []


def run(site: Site, files: list[Path], today: date, *, force: bool = False) -> BuildResult:
    """Build every given page; pages without a marker are skipped after a substring test."""
    result = BuildResult()
    roadmaps = Roadmaps(site)
    for file in files:
        rel = site.rel(file)
        try:
            raw = file.read_bytes()
        except OSError as exc:
            result.findings.append(error(rel, 1, 1, "F101", f"cannot read: {exc.strerror}"))
            continue
        if b"pages-roadmap:" not in raw:
            continue
        result.pages_seen += 1
        try:
            text = decode(raw, rel)
        except LoadError as exc:
            result.findings.append(exc.finding)
            continue
        new, findings = build_page(text, rel, roadmaps, today, force=force)
        result.findings += findings
        if new != text:
            result.changes.append(Change(file, text, new))
    return result
