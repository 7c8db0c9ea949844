"""Validation of roadmap files and page front matter: load -> schema -> semantic checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pages_roadmap.findings import Finding, note, warning
from pages_roadmap.fix import Edit
from pages_roadmap.load import front_matter, read_roadmap, region_problems
from pages_roadmap.page import PageText, find_regions, split
from pages_roadmap.reading import read_bytes, read_head, read_text
from pages_roadmap.schema import validate, validator_for
from pages_roadmap.yamlload import LoadError

if TYPE_CHECKING:
    from pages_roadmap.navigation import NavPage
    from pages_roadmap.site import Site
    from pages_roadmap.values import ValueRules


@dataclass
class PageReport:
    """What checking one page gives: findings, the edits `--fix` may make, its navigation keys."""

    findings: list[Finding]
    edits: list[Edit] = field(default_factory=list)
    nav: NavPage | None = None


@dataclass
class Report:
    """What `check` found in a run, and the mechanical fixes it knows."""

    findings: list[Finding]
    edits: list[Edit]
    roadmaps: list[Path] = field(default_factory=list)  # the roadmap files checked
    pages: list[Path] = field(default_factory=list)  # the pages checked


def _block_findings(page: PageText, path: str, site: Site) -> list[Finding]:
    """Markers that `build` would refuse, found without rendering (so `check` reports them)."""
    regions, findings = find_regions(page, path)  # a substring test first: cheap for most pages
    for region in regions:
        findings += region_problems(page, region, path, site)
    return findings


def inspect_page(text: str, path: str, site: Site, today: date | None = None) -> PageReport:
    """One page: front matter (shape, schema, values), managed blocks, charts, navigation keys."""
    from pages_roadmap.charts import chart_findings, setup_of
    from pages_roadmap.navigation import is_just_the_docs, scan
    from pages_roadmap.values import check_values

    page = split(text)
    doc, findings = front_matter(page, path)
    findings += _block_findings(page, path, site)
    # The navigation keys matter on a just-the-docs site only (check's navigation step).
    report = PageReport(findings, [], scan(text, path) if is_just_the_docs(site.config) else None)
    report.findings += chart_findings(
        page, path, setup_of(site.root, site.config), today or date.today()
    )
    if doc is None or doc.data is None:
        return report
    validator = validator_for("page", site.schema_override("page"))
    report.findings += validate(doc, validator, path)
    found, edits = check_values(doc, text, path, _rules(site, validator.schema))
    report.findings += found
    report.edits += edits
    return report


_RULES: dict[int, tuple[Site, object, ValueRules]] = {}


def _rules(site: Site, schema: object) -> ValueRules:
    """The site's value rules (its settings, its page schema's date keys), worked out once."""
    from pages_roadmap.values import rules_of

    hit = _RULES.get(id(site))
    if hit is None or hit[0] is not site or hit[1] is not schema:
        rules = rules_of(site.settings.date_order, site.settings.vocabulary, schema)
        _RULES.clear()  # one site per run: keep the last
        hit = _RULES[id(site)] = (site, schema, rules)
    return hit[2]


def inspect_file(site: Site, file: Path, today: date | None = None) -> PageReport:
    path = site.rel(file)
    try:
        text = read_text(file, path, site)
    except LoadError as exc:
        return PageReport([exc.finding])
    return inspect_page(text, path, site, today)


PARALLEL_FROM = 400  # files; below this, forking costs more than it saves


def run(site: Site, files: list[Path] | None = None, *, today: date | None = None) -> list[Finding]:
    """All findings for the given files, or for the whole site."""
    return inspect(site, files, today=today).findings


def inspect(site: Site, files: list[Path] | None = None, *, today: date | None = None) -> Report:
    """Findings and fixes for the given files, or for the whole site, tuned by its settings."""
    from pages_roadmap.fix import merge
    from pages_roadmap.navigation import NAV_SUFFIXES, is_just_the_docs
    from pages_roadmap.tuning import tune

    findings = list(site.findings) + _site_findings(site)
    edits: list[Edit] = []
    # One walk of the site: the pages to check, and (on a just-the-docs site) every page the
    # navigation needs, HTML pages included.
    listed = site.pages(NAV_SUFFIXES) if is_just_the_docs(site.config) else None
    if files is None:
        pages = site.pages() if listed is None else [f for f in listed if f.suffix != ".html"]
        roadmaps = site.roadmap_files()
    else:
        roadmaps, pages = scope(site, files)
    findings += editor_schema_problems(site, roadmaps)
    reports = _pages(site, roadmaps, pages, today or date.today())
    for report in reports:
        findings += report.findings
        edits += report.edits
    found, nav_edits = _navigation(site, listed, reports, whole=files is None)
    findings += found
    tuned = tune(findings, site.settings.severity)
    return Report(tuned, merge(edits + nav_edits), roadmaps, pages)


def scope(site: Site, files: list[Path]) -> tuple[list[Path], list[Path]]:
    """The roadmap files and the pages among the files given."""
    roadmaps = [f for f in files if site.is_roadmap_file(f)]
    pages = [f for f in files if f not in roadmaps and f.suffix in (".md", ".markdown")]
    return roadmaps, pages


def _pages(
    site: Site, roadmaps: list[Path], pages: list[Path], today: date
) -> list[PageReport]:
    """Reports for the roadmaps and pages given."""
    jobs = [(True, f) for f in roadmaps] + [(False, f) for f in pages]
    workers = _workers(len(jobs))
    if workers < 2:
        return _check_files(site, jobs, today)
    # Compile the validators before forking, so every copy inherits them ready-made.
    validator_for("roadmap", site.schema_override("roadmap"))
    validator_for("page", site.schema_override("page"))
    from pages_roadmap.parallel import chunks, fork_each

    tasks = chunks(jobs, workers)
    reports: list[PageReport] = []
    for part in fork_each(lambda chunk: _check_files(site, list(chunk), today), tasks, workers - 1):
        reports += part
    return reports


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
    """The first line of a regular file (never blocks on a FIFO; a bad file is read by load)."""
    import os
    import stat

    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        return os.read(fd, 200).split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")
    finally:
        os.close(fd)


def _workers(jobs: int) -> int:
    from pages_roadmap.parallel import cores

    return 1 if jobs < PARALLEL_FROM else cores()


def _check_files(site: Site, jobs: list[tuple[bool, Path]], today: date) -> list[PageReport]:
    return [
        PageReport(read_roadmap(site, file).findings)
        if is_roadmap
        else inspect_file(site, file, today)
        for is_roadmap, file in jobs
    ]


def _navigation(
    site: Site, listed: list[Path] | None, reports: list[PageReport], *, whole: bool
) -> tuple[list[Finding], list[Edit]]:
    """just-the-docs' navigation rules over all pages' front matter (navigation.py)."""
    from pages_roadmap import navigation

    if listed is None:
        return [], []
    pages = {r.nav.path: r.nav for r in reports if r.nav is not None}
    named = None if whole else set(pages)
    # Pages not checked in this run (HTML pages; all others when `check` is given a page,
    # as the pre-commit hook does): their navigation keys from a scan of their first bytes.
    prefix = str(site.root).rstrip("/") + "/"
    for file in listed:
        name = str(file)  # site.pages() joins names to the root: a string cut is enough
        rel = name[len(prefix) :] if name.startswith(prefix) else site.rel(file)
        if rel not in pages:
            try:  # the safe reader: a FIFO or a link out of the site is never opened
                head = read_head(file, rel, site, navigation.HEAD_BYTES)
                found = navigation.scan_file(rel, head)
                if not found.keys and len(head) == navigation.HEAD_BYTES:
                    found = navigation.scan_file(rel, read_bytes(file, rel, site))  # long
            except LoadError:
                continue
            pages[rel] = found

    def text_of(rel: str) -> str | None:
        try:
            return read_bytes(site.root / rel, rel, site).decode("utf-8")
        except (LoadError, UnicodeDecodeError):
            return None

    return navigation.check(list(pages.values()), text_of, named)


def _site_findings(site: Site) -> list[Finding]:
    """Site-wide notes: stamps whose front matter key the theme will not show."""
    from pages_roadmap.navigation import is_just_the_docs
    from pages_roadmap.stamps.settings import DEFAULT_KEY, StampSettings

    stamps = StampSettings.from_raw(site.settings.stamps)
    if (
        not is_just_the_docs(site.config)
        or not stamps.enabled
        or stamps.front_matter_key != DEFAULT_KEY
        or site.config.get("last_edit_timestamp") is True
    ):
        return []
    pos = site.config_doc.key_pos(("theme",)) if site.config_doc else None
    return [
        note(
            "_config.yml",
            pos.line if pos else 1,
            pos.col if pos else 1,
            "M103",
            f"'build' writes {DEFAULT_KEY} into the pages' front matter, but just-the-docs "
            "shows it in the footer only with 'last_edit_timestamp: true'",
            "add 'last_edit_timestamp: true' to _config.yml, or set "
            "pages_roadmap.stamps.front_matter_key",
        )
    ]
