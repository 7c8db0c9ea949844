"""Import a page's hand-written Mermaid gantt charts: fences -> roadmap files and managed blocks.

`run` finds the ```mermaid fences of a page in markdown-it's token stream, imports each gantt
chart with `read_chart` (builder.py) and replaces its fence with a managed block; no other byte
changes. A chart is read the way Mermaid 12.3 reads it, in passes that hand each other values:
reader.py -> fields.py -> builder.py, with mermaid/grammar.py and mermaid/dates.py for what
Mermaid accepts. Where Mermaid silently misreads what the author wrote, the importer takes the
evident meaning and says so in a located warning (I2xx) that names the reading it chose and how
the chart changes. A chart it cannot read is a located error (I1xx).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pages_roadmap import roadmap as rm
from pages_roadmap.findings import Finding, error, note, sort_key, warning
from pages_roadmap.importer.builder import read_chart
from pages_roadmap.importer.reader import Line, is_gantt, slug
from pages_roadmap.mermaid import render as gantt
from pages_roadmap.page import end_marker, line_starts, split, with_newline
from pages_roadmap.reading import read_bytes, read_text
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
    text: str
    old: bytes | None = None  # the file's bytes when the import looked (--force), or none


@dataclass
class ImportResult:
    """What `run` would write: the page change and data files; nothing when there are errors."""

    page: Change | None
    files: list[DataFile]
    findings: list[Finding]
    managed: bool = False  # the page's charts are managed blocks already


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


@dataclass
class SiteIds:
    """Roadmap ids across the site: the pages that embed each, and the ids this run assigned.

    An id is another page's when a data file with that name exists and a page other than the
    one being imported embeds it, or when this run gave it to another page: such an id is never
    reused, and the importer qualifies its own id by the page's folder instead.
    """

    embedded: dict[str, set[str]]  # roadmap id -> site-relative pages whose markers name it
    files: set[str]  # ids with a data file
    claimed: dict[str, str] = field(default_factory=dict)  # id -> page, assigned by this run

    @classmethod
    def of(cls, site: Site) -> SiteIds:
        """The site's data files and the roadmaps its pages embed (a byte search per page)."""
        embedded: dict[str, set[str]] = {}
        for page in site.pages():
            try:
                raw = read_bytes(page, site.rel(page), site)
            except LoadError:
                continue
            if b"pages-roadmap:gantt" not in raw:
                continue
            for m in _MARKER_ID.finditer(raw):
                embedded.setdefault(m[1].decode("ascii"), set()).add(site.rel(page))
        files = {f.stem for f in site.roadmap_files()}
        return cls(embedded, files)

    def owner(self, roadmap_id: str, rel: str) -> str | None:
        """Another page that has this id (None: the id is free for `rel`, or only a file)."""
        if roadmap_id in self.claimed and self.claimed[roadmap_id] != rel:
            return self.claimed[roadmap_id]
        others = sorted(self.embedded.get(roadmap_id, set()) - {rel})
        return others[0] if others and roadmap_id in self.files else None

    def managed(self, rel: str) -> list[str]:
        """The roadmaps a page embeds already."""
        return sorted(i for i, pages in self.embedded.items() if rel in pages)


_MARKER_ID = re.compile(rb"<!--[ \t]*pages-roadmap:gantt[ \t]+([a-z0-9][a-z0-9-]*)[ \t]*-->")


def base_ids(site: Site, pages: Sequence[Path]) -> dict[Path, str]:
    """Each page's roadmap id: its file name, qualified by its folder when names collide.

    Two pages of one run whose file names give the same id (`a/Roadmap.md`, `b/Roadmap.md`)
    both take their folder into the id (`a-roadmap`, `b-roadmap`), so neither depends on the
    order of the arguments.
    """
    chosen = {page: slug(page.stem) for page in pages}
    depth = {page: 0 for page in pages}
    while True:
        groups: dict[str, list[Path]] = {}
        for page, value in chosen.items():
            groups.setdefault(value, []).append(page)
        clashes = [g for g in groups.values() if len(g) > 1]
        deeper = [p for g in clashes for p in g if depth[p] < _folders(site, p)]
        if not deeper:
            return chosen
        for page in deeper:
            depth[page] += 1
            chosen[page] = qualified(site, page, depth[page])


def _folders(site: Site, page: Path) -> int:
    return len([p for p in Path(site.rel(page)).parent.parts if slug(p)])


def qualified(site: Site, page: Path, depth: int) -> str:
    """The page's id with `depth` of its folders in front (`docs/a/Roadmap.md`, 1: `a-roadmap`)."""
    parts = [slug(p) for p in Path(site.rel(page)).parent.parts]
    parts = [p for p in parts if p][-depth:] if depth else []
    return "-".join([*parts, slug(page.stem)])


def run(
    site: Site,
    page_path: Path,
    roadmap_id: str | None = None,
    *,
    force: bool = False,
    today: date,
    ids: SiteIds | None = None,
    base: str | None = None,
) -> ImportResult:
    """Import every gantt chart of one page; writes nothing (the caller writes the result).

    `ids` are the site's roadmap ids (shared by the pages of one run; found when None), and
    `base` the page's id from `base_ids` when several pages are imported together.
    """
    rel = site.rel(page_path)
    try:
        text = read_text(page_path, rel, site)
    except LoadError as exc:
        return ImportResult(None, [], [exc.finding])
    ids = ids if ids is not None else SiteIds.of(site)
    base = roadmap_id or base or slug(page_path.stem)
    if not rm.ROADMAP_ID.match(base):
        return ImportResult(None, [], [_bad_id(rel, base, roadmap_id is None)])
    fences, findings = find_charts(text, rel)
    if not fences and not any(f.is_error for f in findings):
        managed = ids.managed(rel)
        if managed:
            findings.append(
                note(
                    rel,
                    1,
                    1,
                    "I100",
                    f"already managed: its charts are managed blocks of {', '.join(managed)}; "
                    "nothing to import",
                    "edit the roadmap data, then run 'pages-roadmap build'",
                )
            )
            return ImportResult(None, [], findings, managed=True)
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
    chosen: list[str] = []
    for n, fence in enumerate(fences, 1):
        chart_id, problem = _chart_id(site, page_path, base, n, ids, chosen, explicit=roadmap_id)
        if problem is not None:
            findings.append(replace(problem, line=fence.line))
            continue
        chosen.append(chart_id)
        done = _import_fence(site, rel, fence, chart_id, force=force, today=today)
        findings += done[2]
        if done[0] is not None and done[1] is not None:
            files.append(done[0])
            edits.append((fence, done[1]))
    findings = sorted(findings, key=sort_key)
    if any(f.is_error for f in findings):
        return ImportResult(None, [], findings)
    for chart_id in chosen:
        ids.claimed[chart_id] = rel
    return ImportResult(_spliced(page_path, text, edits), files, findings)


def _chart_id(
    site: Site,
    page: Path,
    base: str,
    n: int,
    ids: SiteIds,
    chosen: Sequence[str],
    *,
    explicit: str | None,
) -> tuple[str, Finding | None]:
    """The id of the page's n-th chart: one no other page has, qualified by folder if need be."""
    rel = site.rel(page)

    def numbered(value: str) -> str:
        return value if n == 1 else f"{value}-{n}"

    candidate = numbered(base)
    if explicit is not None:
        other = ids.owner(candidate, rel)
        if other is not None:
            return candidate, error(
                rel,
                1,
                1,
                "I108",
                f"the roadmap id {candidate!r} is {other}'s (its chart draws "
                f"{site.rel(site.roadmaps_path / candidate)}.yml); not replaced",
                "choose another id with --id",
            )
        return candidate, None
    own = set(ids.managed(rel))  # the page's managed blocks keep their roadmaps

    def free(value: str) -> bool:
        return ids.owner(value, rel) is None and value not in chosen and value not in own

    depth = 1
    folders = _folders(site, page)
    while not free(candidate):
        if depth <= folders:
            candidate = numbered(qualified(site, page, depth))
            depth += 1
        else:
            candidate = _next_free(candidate, free)
    return candidate, None


def _next_free(value: str, free: Callable[[str], bool]) -> str:
    k = 2
    while not free(f"{value}-{k}"):
        k += 1
    return f"{value}-{k}"


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
                f"{site.rel(target)} exists already (no page embeds it); not overwritten",
                "remove it, import with --force to replace it, or choose another id with --id",
            )
        )
        return None, None, findings
    origin = f"Imported from {rel} by 'pages-roadmap import'."
    text = replace(imported, header=(origin, *imported.header)).yaml()
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
    try:
        old = target.read_bytes() if existing else None
    except OSError as exc:
        findings.append(error(site.rel(target), 1, 1, "F101", f"cannot read: {exc.strerror}"))
        return None, None, findings
    return DataFile(target, text, old), block, findings


def write(site: Site, result: ImportResult) -> tuple[list[Path], bool, list[Finding]]:
    """Write the data files, then the page (a block naming a missing roadmap would not build).

    Each file only if it is unchanged since the import read it (files.py); the first one that
    changed (or is a symlink) stops the import with a finding, so the page is never written
    without its data. Returns the data files written, whether the page was, and findings.
    """
    from pages_roadmap.files import Refused, WriteError, Writer

    writer, written = Writer(), []
    try:
        for data in result.files:
            try:
                data.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise WriteError(
                    f"cannot create {data.path.parent}: {exc.strerror}",
                    "check that the folder is writable",
                ) from None
            writer.write(data.path, data.text, data.old)
            written.append(data.path)
        page = result.page
        done = page is not None and writer.write(page.path, page.new, page.old.encode("utf-8"))
    except Refused as exc:
        return written, False, [error(site.rel(exc.path), 1, 1, exc.code, exc.message, exc.hint)]
    return written, done, []


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
