"""Validation of roadmap files and page front matter: load -> schema -> semantic checks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pages_roadmap.findings import Finding
from pages_roadmap.load import front_matter, read_roadmap, region_problems
from pages_roadmap.page import PageText, find_regions, split
from pages_roadmap.reading import read_text
from pages_roadmap.schema import validate, validator_for
from pages_roadmap.yamlload import LoadError

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
        text = read_text(file, path, site.root)
    except LoadError as exc:
        return [exc.finding]
    return page_from_text(text, path, site)


PARALLEL_FROM = 400  # files; below this, starting worker processes costs more than it saves


def run(site: Site, files: list[Path] | None = None) -> list[Finding]:
    """All findings for the given files, or for the whole site."""
    findings = list(site.findings)
    roadmap_dir = site.roadmaps_path.resolve()
    if files is None:
        roadmaps, pages = site.roadmap_files(), site.pages()
    else:
        roadmaps = [
            f for f in files if f.resolve().parent == roadmap_dir and f.suffix in (".yml", ".yaml")
        ]
        pages = [f for f in files if f not in roadmaps and f.suffix in (".md", ".markdown")]
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
