"""Import a page's hand-written Mermaid gantt charts: fences -> roadmap files and managed blocks.

`run` finds the ```mermaid fences of a page in markdown-it's token stream, imports each gantt
chart with `read_chart` (chart_builder.py) and replaces its fence with a managed block; no other
byte changes. A chart is read the way Mermaid 12.3 reads it (see
shared/reference/mermaid-gantt.md), in steps: chart_reader.py -> chart_fields.py ->
chart_builder.py, with mermaid_dates.py for dates. Where Mermaid silently misreads what the
author wrote, the importer takes the evident meaning and says so in a located warning (I2xx)
that names the reading it chose and how the chart changes. A chart it cannot read is a located
error (I1xx).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pages_roadmap import roadmap as rm
from pages_roadmap.findings import Finding, error, sort_key, warning
from pages_roadmap.importer.builder import read_chart
from pages_roadmap.importer.reader import Line, is_gantt, slug
from pages_roadmap.mermaid import render as gantt
from pages_roadmap.page import end_marker, line_starts, split, with_newline
from pages_roadmap.reading import read_text
from pages_roadmap.yamlload import LoadError

if TYPE_CHECKING:
    from pages_roadmap.files import Change
    from pages_roadmap.site import Site


# --- The page side -------------------------------------------------------------------------

_CLOSING_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")


@dataclass(frozen=True)
class Fence:
    """A ```mermaid fence holding a gantt chart, and the page text it spans."""

    line: int  # 1-based page line of the opening fence
    start: int  # offsets of the text the managed block replaces (the closing fence's newline
    end: int  # stays after it)
    lines: tuple[Line, ...]  # the chart, as Mermaid receives it, with page positions
    newline: str


@dataclass(frozen=True)
class DataFile:
    path: Path
    roadmap_id: str
    text: str


@dataclass
class ImportResult:
    """What `run` would write: the page change and data files; nothing when there are errors."""

    page: Change | None
    files: list[DataFile]
    findings: list[Finding]

    @property
    def data_file(self) -> Path | None:
        return self.files[0].path if self.files else None

    @property
    def yaml(self) -> str:
        return self.files[0].text if self.files else ""


def _tokens(text: str) -> list[Any]:
    from markdown_it import MarkdownIt  # lazily, as page.py does

    return list(MarkdownIt("commonmark").disable("inline").parse(text))  # fences are blocks


def find_charts(text: str, path: str) -> tuple[list[Fence], list[Finding]]:
    """The page's hand-written gantt fences, found in markdown-it's token stream."""
    from pages_roadmap.page import find_regions

    page = split(text)
    regions, findings = find_regions(page, path)
    if any(f.is_error for f in findings):
        return [], findings
    managed = {n for r in regions for n in range(r.start_line, r.end_line + 1)}
    starts = line_starts(text)
    offset = page.body_line - 1
    fences: list[Fence] = []
    for token in _tokens(page.body):
        info = token.info.strip().split()[0] if token.type == "fence" and token.info else ""
        if info != "mermaid" or token.map is None or not is_gantt(token.content):
            continue
        first, after = token.map[0] + offset, token.map[1] + offset  # 0-based page lines
        if first + 1 in managed:
            continue
        if token.level != 0:
            findings.append(
                warning(
                    path,
                    first + 1,
                    1,
                    "I218",
                    "a gantt chart inside a list or quote is not imported (a managed block must "
                    "stand on its own); it is left as it is",
                    "move the chart out of the list or quote, then import again",
                )
            )
            continue
        fence = _fence(text, starts, page.body_start, first, after, token.markup)
        if fence is None:
            findings.append(
                error(
                    path,
                    first + 1,
                    1,
                    "I107",
                    "the ```mermaid fence is never closed",
                    "add the closing ``` after the chart",
                )
            )
            continue
        fences.append(fence)
    return fences, findings


def _raw_line(text: str, starts: list[int], index: int) -> tuple[str, str]:
    """Line `index` (0-based) without its newline, and the newline."""
    end = starts[index + 1] if index + 1 < len(starts) else len(text)
    raw = text[starts[index] : end]
    body = raw.rstrip("\r\n")
    return body, raw[len(body) :]


def _fence(
    text: str, starts: list[int], body_start: int, first: int, after: int, markup: str
) -> Fence | None:
    last = after - 1
    closing, _ = _raw_line(text, starts, last) if last > first else ("", "")
    m = _CLOSING_FENCE.match(closing)
    if not m or m[1][0] != markup[0] or len(m[1]) < len(markup):
        return None
    opening, newline = _raw_line(text, starts, first)
    opening = opening.lstrip("\ufeff")
    indent = len(opening) - len(opening.lstrip(" "))
    lines = []
    for index in range(first + 1, last):
        raw, _ = _raw_line(text, starts, index)
        # markdown-it removes up to the opening fence's indentation from each line.
        strip = min(indent, len(raw) - len(raw.lstrip(" ")))
        lines.append(Line(index + 1, strip, raw[strip:]))
    end = starts[last] + len(closing)
    start = max(starts[first], body_start)
    return Fence(first + 1, start, end, tuple(lines), newline or "\n")


def managed_block(roadmap_id: str, roadmap: rm.Roadmap, today: date, newline: str) -> str:
    """Start marker, the regenerated chart and the checksummed end marker (no final newline)."""
    content = gantt.fenced(gantt.render(roadmap, today))
    block = f"<!-- pages-roadmap:gantt {roadmap_id} -->\n{content}"
    return with_newline(block, newline) + end_marker(roadmap_id, content)


def run(
    site: Site,
    page_path: Path,
    roadmap_id: str | None = None,
    *,
    force: bool = False,
    today: date,
) -> ImportResult:
    """Import every gantt chart of one page; writes nothing (the caller writes the result)."""
    rel = site.rel(page_path)
    try:
        text = read_text(page_path, rel, site.root)
    except LoadError as exc:
        return ImportResult(None, [], [exc.finding])
    base = roadmap_id or slug(page_path.stem)
    if not rm.ROADMAP_ID.match(base):
        return ImportResult(None, [], [_bad_id(rel, base, roadmap_id is None)])
    fences, findings = find_charts(text, rel)
    if not fences and not any(f.is_error for f in findings):
        findings.append(
            error(
                rel,
                1,
                1,
                "I101",
                "no hand-written ```mermaid gantt chart in this page",
                "import pages whose charts are still fenced ```mermaid blocks",
            )
        )
    files: list[DataFile] = []
    edits: list[tuple[Fence, str]] = []
    for n, fence in enumerate(fences, 1):
        chart_id = base if n == 1 else f"{base}-{n}"
        done = _import_fence(site, rel, fence, chart_id, force=force, today=today)
        findings += done[2]
        if done[0] is not None and done[1] is not None:
            files.append(done[0])
            edits.append((fence, done[1]))
    findings = sorted(findings, key=sort_key)
    if any(f.is_error for f in findings):
        return ImportResult(None, [], findings)
    return ImportResult(_spliced(page_path, text, edits), files, findings)


def _bad_id(rel: str, value: str, from_name: bool) -> Finding:
    source = "the page's file name gives" if from_name else "--id gives"
    return error(
        rel,
        1,
        1,
        "I112",
        f"{source} the roadmap id {value!r}, which is not a plain id",
        "give --id with lowercase letters, digits and hyphens",
    )


def _import_fence(
    site: Site, rel: str, fence: Fence, chart_id: str, *, force: bool, today: date
) -> tuple[DataFile | None, str | None, list[Finding]]:
    from pages_roadmap.load import roadmap_from_text

    imported = read_chart(fence.lines, rel, today)
    findings = list(imported.findings)
    if imported.data is None:
        return None, None, findings
    folder = site.roadmaps_path
    existing = [p for p in (folder / f"{chart_id}.yml", folder / f"{chart_id}.yaml") if p.exists()]
    target = existing[0] if existing else folder / f"{chart_id}.yml"
    if existing and not force:
        findings.append(
            error(
                rel,
                fence.line,
                1,
                "I108",
                f"{site.rel(target)} exists already; not overwritten",
                "import with --force to replace it, or choose another id with --id",
            )
        )
        return None, None, findings
    imported.header.insert(0, f"Imported from {rel} by 'pages-roadmap import'.")
    text = imported.yaml()
    unusable = _unusable_target(site, target, text)
    if unusable:
        findings.append(error(rel, fence.line, 1, "I113", *unusable))
        return None, None, findings
    loaded = roadmap_from_text(text, site.rel(target), chart_id, site)
    findings += loaded.findings
    if loaded.roadmap is None:
        findings.append(
            error(
                rel,
                fence.line,
                1,
                "I109",
                f"the imported roadmap does not pass the checks (see {site.rel(target)} above); "
                "nothing is written",
                "please report this chart: the importer should have written valid data",
            )
        )
        return None, None, findings
    block = managed_block(chart_id, loaded.roadmap, today, fence.newline)
    return DataFile(target, chart_id, text), block, findings


def _unusable_target(site: Site, target: Path, text: str) -> tuple[str, str] | None:
    """Why the data file cannot be written there (message, hint), or None."""
    from pages_roadmap.reading import inside
    from pages_roadmap.yamlload import MAX_BYTES

    folder, name = site.rel(target.parent), site.rel(target)
    if not inside(target, site.root):
        return f"{name} leads outside the site; nothing is written", (
            "the roadmaps folder may not be (or be under) a symlink out of the site"
        )
    if target.parent.exists() and not target.parent.is_dir():
        return f"{folder} is a file, not a folder; nothing is written", (
            f"remove or rename {folder}, or set roadmaps_dir in _config.yml"
        )
    if target.is_dir() or (target.is_symlink() and not target.is_file()):
        return f"{name} is not a regular file; nothing is written", f"remove {name}"
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        return (
            f"the imported data would be {size:,} bytes, over the loader's limit of "
            f"{MAX_BYTES:,}; nothing is written",
            "split the chart into smaller charts before importing",
        )
    return None


def _spliced(page_path: Path, text: str, edits: Iterable[tuple[Fence, str]]) -> Change:
    from pages_roadmap.files import Change

    out: list[str] = []
    pos = 0
    for fence, block in sorted(edits, key=lambda e: e[0].start):
        out += [text[pos : fence.start], block]
        pos = fence.end
    out.append(text[pos:])
    return Change(page_path, text, "".join(out))
