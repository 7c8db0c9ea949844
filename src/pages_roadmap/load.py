"""The load step every command shares: roadmap files, page front matter, the per-run roadmap cache.

Each loader returns findings as values; nothing here writes or prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pages_roadmap import roadmap as rm
from pages_roadmap.findings import Finding, error
from pages_roadmap.jekyll import front_matter_findings
from pages_roadmap.page import PageText, Region, is_hand_edited
from pages_roadmap.reading import read_text
from pages_roadmap.roadmap import ROADMAP_ID
from pages_roadmap.schema import validate, validator_for
from pages_roadmap.stamps.render import data_digest, data_sum
from pages_roadmap.yamlload import Document, LoadError, load

if TYPE_CHECKING:
    from pages_roadmap.site import Site


@dataclass(frozen=True)
class LoadedRoadmap:
    roadmap: rm.Roadmap | None  # None when it has errors
    findings: list[Finding]
    # Checksum of its data (stamps.render.roadmap_digest): what the record of a page that embeds
    # it depends on. None when the file cannot be read.
    digest: str | None = None


def roadmap_from_text(text: str, path: str, roadmap_id: str, site: Site) -> LoadedRoadmap:
    """Load, validate and check one roadmap document."""
    try:
        doc = load(text, path)
    except LoadError as exc:
        return LoadedRoadmap(None, [exc.finding], data_digest(text))
    digest = data_sum(doc.data)
    findings: list[Finding] = []
    if not rm.ROADMAP_ID.match(roadmap_id):
        findings.append(
            error(
                path,
                1,
                1,
                "R100",
                f"roadmap id {roadmap_id!r} (the file name) is not a plain id",
                "name the file with lowercase letters, digits and hyphens "
                "(e.g. _roadmaps/my-roadmap.yml)",
            )
        )
    if doc.data is None:
        findings.append(
            error(
                path,
                1,
                1,
                "S101",
                "$: the roadmap file is empty",
                "add 'sections:' with at least one item",
            )
        )
        return LoadedRoadmap(None, findings, digest)
    findings += validate(doc, validator_for("roadmap", site.schema_override("roadmap")), path)
    if any(f.is_error for f in findings):
        return LoadedRoadmap(None, findings, digest)
    model = rm.from_data(roadmap_id, doc.data)
    findings += rm.check(model, doc, path)
    if not any(f.is_error for f in findings):
        findings += _chart_limits(model, doc, path)
    return LoadedRoadmap(None if any(f.is_error for f in findings) else model, findings, digest)


# Mermaid renders only "Maximum text size in diagram exceeded" above this many characters.
MAX_TEXT_SIZE = 50_000
# More ticks than this make an unreadable axis; Mermaid 12.3 skips ticks above 10,000 and 11.12
# draws every one (a 5.6 MB SVG, or out of memory).
MAX_TICKS = 1_000
_TICK_SECONDS = {
    "millisecond": 0.001,
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86_400,
    "week": 7 * 86_400,
    "month": 28 * 86_400,  # the shortest month: an upper bound on the tick count
}


def _data_chars(data: object) -> int:
    if isinstance(data, dict):
        return sum(len(str(k)) + _data_chars(v) for k, v in data.items())
    if isinstance(data, list):
        return sum(_data_chars(v) for v in data)
    return len(str(data))


def text_size_bound(model: rm.Roadmap, data: object) -> int:
    """More than the size of the chart text (plus two per item) on any day.

    Every text in the chart comes from the data, each of its characters at most five (an
    entity escape), and a text appears at most twice (an id in its line and in references is
    written in the data each time): ten per character. What a line adds of its own (keyword,
    tags, two dates, punctuation) stays under 200. tests/test_build_properties.py holds every
    roadmap of the tests to it.
    """
    items = sum(1 for _ in model.items())
    lines = items + len(model.sections) + 40
    return 10 * _data_chars(data) + 200 * lines + 2 * items


def _chart_limits(model: rm.Roadmap, doc: Document, path: str) -> list[Finding]:
    """Render limits the parser never sees: the chart's size and its number of ticks."""
    from datetime import date

    from pages_roadmap.mermaid import render as gantt

    out = []
    items = sum(1 for _ in model.items())
    # Statuses change with the day; 'active, ' is the longest tag a day can add to an item.
    # The chart is drawn to measure it only when a cheap bound says it might be too big.
    size = 0
    if text_size_bound(model, doc.data) > MAX_TEXT_SIZE:
        size = len(gantt.render(model, date(9999, 12, 31))) + 2 * items
    if size > MAX_TEXT_SIZE:
        out.append(
            error(
                path,
                1,
                1,
                "R121",
                f"$: the chart would have about {size:,} characters; Mermaid draws only an error "
                f"above {MAX_TEXT_SIZE:,}",
                "split the roadmap into several, or shorten names",
            )
        )
    m = re.fullmatch(r"(\d+)(\w+)", model.chart.tick_interval or "")
    spans = rm.resolve(model)
    if m and spans:
        lo = min(s.start for s in spans.values())
        hi = max(max(s.start, s.drawn_end) for s in spans.values())
        ticks = (hi - lo).total_seconds() / (int(m[1]) * _TICK_SECONDS[m[2]])
        if ticks > MAX_TICKS:
            pos = doc.pos(("chart", "tick_interval"))
            out.append(
                error(
                    path,
                    pos.line,
                    pos.col,
                    "R112",
                    f"$.chart.tick_interval: {model.chart.tick_interval!r} gives about "
                    f"{int(ticks):,} ticks over the chart's span ({lo.date()} to {hi.date()})",
                    f"choose an interval that gives at most {MAX_TICKS:,} ticks",
                )
            )
    return out


def read_roadmap(site: Site, file: Path) -> LoadedRoadmap:
    path = site.rel(file)
    try:
        text = read_text(file, path, site)
    except LoadError as exc:
        return LoadedRoadmap(None, [exc.finding])
    return roadmap_from_text(text, path, file.stem, site)


def front_matter(page: PageText, path: str) -> tuple[Document | None, list[Finding]]:
    """The page's front matter as data with positions, and findings about its shape."""
    fm = page.front_matter
    # What Jekyll will not read (jekyll.py): text or a BOM before '---', no closing line, ...
    shape = front_matter_findings(page.text, fm is not None, page.body_start, path)
    if fm is None:
        return None, shape
    try:
        doc = load(fm.text, path, line_offset=fm.line - 1)
    except LoadError as exc:
        return None, [*shape, exc.finding]
    if doc.data is None:
        return doc, shape
    if not isinstance(doc.data, dict):
        return None, [
            *shape,
            error(
                path,
                fm.line,
                1,
                "P101",
                "front matter is not a mapping of keys",
                "write it as 'key: value' lines between the '---' lines",
            ),
        ]
    return doc, shape


def region_problems(
    page: PageText, region: Region, path: str, site: Site, *, force: bool = False
) -> list[Finding]:
    """What stops `build` from filling a managed block, short of the roadmap's own errors."""
    name, folder = region.name, site.settings.roadmaps_dir
    where = (path, region.start_line, 1)
    if not ROADMAP_ID.match(name):
        return [
            error(
                *where,
                "B108",
                f"{name!r} is not a plain roadmap id",
                f"use the file name of a roadmap in {folder}/ without '.yml' "
                "(lowercase letters, digits, hyphens)",
            )
        ]
    if site.roadmap_file(name) is None:
        return [
            error(
                *where,
                "B101",
                f"no roadmap {name!r} ({folder}/{name}.yml does not exist "
                "or leads outside the site)",
                f"create {folder}/{name}.yml, or fix the id in the marker",
            )
        ]
    if not force and is_hand_edited(page, region):
        return [
            error(
                path,
                region.content_line,
                1,
                "B105",
                f"the chart of {name!r} was edited by hand; not overwriting it",
                f"move the change into {folder}/{name}.yml, "
                "or run 'pages-roadmap build --force' to discard it",
            )
        ]
    return []


class Roadmaps:
    """Loads each roadmap once per run, however many pages embed it."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._cache: dict[str, LoadedRoadmap | None] = {}

    def digest(self, roadmap_id: str) -> str | None:
        """Checksum of a roadmap's data (what a page's stamp record depends on)."""
        loaded = self.get(roadmap_id)
        return loaded.digest if loaded is not None else None

    def get(self, roadmap_id: str) -> LoadedRoadmap | None:
        """The roadmap, read and checked once per run; None when it has no data file."""
        if roadmap_id not in self._cache:
            self._cache[roadmap_id] = self._load(roadmap_id)
        return self._cache[roadmap_id]

    def _load(self, roadmap_id: str) -> LoadedRoadmap | None:
        file = self.site.roadmap_file(roadmap_id)
        return read_roadmap(self.site, file) if file is not None else None
