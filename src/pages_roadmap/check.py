"""Validation of roadmap files and page front matter: load -> schema -> semantic checks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pages_roadmap.findings import Finding, error, warning
from pages_roadmap.load import front_matter, read_roadmap, region_problems
from pages_roadmap.page import PageText, find_regions, split
from pages_roadmap.schema import validate, validator_for
from pages_roadmap.yamlload import LoadError, decode

if TYPE_CHECKING:
    from pages_roadmap.site import Site


def _block_findings(page: PageText, path: str, site: Site) -> list[Finding]:
    """Markers that `build` would refuse, found without rendering (so `check` reports them)."""
    regions, findings = find_regions(page, path)  # a substring test first: cheap for most pages
    for region in regions:
        findings += region_problems(page, region, path, site)
    return findings


def page_from_text(text: str, path: str, site: Site) -> list[Finding]:
    """Findings of one page: front matter (schema and shape) and its managed blocks."""
    page = split(text)
    doc, findings = front_matter(page, path)
    findings += _block_findings(page, path, site)
    if doc is None or doc.data is None:
        return findings
    return findings + validate(doc, validator_for("page", site.schema_override("page")), path)


def read_page(site: Site, file: Path) -> list[Finding]:
    path = site.rel(file)
    try:
        text = decode(file.read_bytes(), path)
    except LoadError as exc:
        return [exc.finding]
    except OSError as exc:
        return [error(path, 1, 1, "F101", f"cannot read: {exc.strerror}")]
    return page_from_text(text, path, site)


PARALLEL_FROM = 400  # files; below this, starting worker processes costs more than it saves


def run(site: Site, files: list[Path] | None = None) -> list[Finding]:
    """All findings for the given files, or for the whole site."""
    roadmaps, pages = scope(site, files)
    return run_files(site, roadmaps, pages)


def scope(site: Site, files: list[Path] | None) -> tuple[list[Path], list[Path]]:
    """The roadmap files and pages a run checks: the given files, or the whole site."""
    if files is None:
        return site.roadmap_files(), site.pages()
    roadmaps = [f for f in files if site.is_roadmap_file(f)]
    pages = [f for f in files if f not in roadmaps and f.suffix in (".md", ".markdown")]
    return roadmaps, pages


def run_files(site: Site, roadmaps: list[Path], pages: list[Path]) -> list[Finding]:
    """All findings of these roadmap files and pages, and the site's own."""
    findings = list(site.findings) + editor_schema_problems(site, roadmaps)
    jobs = [(True, f) for f in roadmaps] + [(False, f) for f in pages]
    workers = _workers(len(jobs))
    if workers < 2:
        return findings + _check_files(site, jobs)
    # Compile the validators before forking, so every worker inherits them ready-made.
    validator_for("roadmap", site.schema_override("roadmap"))
    validator_for("page", site.schema_override("page"))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [jobs[i::workers] for i in range(workers)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for part in pool.map(_check_files, [site] * workers, chunks):
            findings += part
    return findings


def editor_schema_problems(site: Site, roadmaps: list[Path]) -> list[Finding]:
    """S108 when the editor schema the roadmaps' modeline names is missing or out of date."""
    from pages_roadmap.schema import EDITOR_SCHEMA, MODELINE, editor_schema_text

    target = site.roadmaps_path / EDITOR_SCHEMA
    wanting = [f for f in roadmaps if _first_line(f) == f"# {MODELINE}"]
    if not wanting:
        return []
    try:
        current = target.read_text(encoding="utf-8") if target.is_file() else None
    except (OSError, UnicodeDecodeError):
        current = None
    if current == editor_schema_text(site.schema_override("roadmap")):
        return []
    state = "does not exist" if current is None else "is not the schema this site checks against"
    return [
        warning(
            site.rel(target if current is not None else wanting[0]),
            1,
            1,
            "S108",
            f"the editor schema {site.rel(target)} {state}: editors cannot check the roadmaps",
            "run 'pages-roadmap schema' to write it",
        )
    ]


def _first_line(file: Path) -> str:
    try:
        with file.open("rb") as handle:
            return handle.readline(200).decode("utf-8", "replace").rstrip("\r\n")
    except OSError:
        return ""


def _workers(jobs: int) -> int:
    import multiprocessing
    import os

    if jobs < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(os.cpu_count() or 1, 4)


def _check_files(site: Site, jobs: list[tuple[bool, Path]]) -> list[Finding]:
    findings: list[Finding] = []
    for is_roadmap, file in jobs:
        findings += read_roadmap(site, file).findings if is_roadmap else read_page(site, file)
    return findings
