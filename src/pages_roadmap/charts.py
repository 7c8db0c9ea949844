"""The Mermaid charts of a page as the site will draw them.

- Hand-written ```` ```mermaid ```` gantt charts (outside managed blocks) are read with the import
  reader, `read_chart`: what Mermaid silently misreads is a warning at the chart's line (the
  same I2xx codes as `import`), a chart Mermaid cannot draw an error (I1xx), each with the hint
  to import the page.
- The site's Mermaid: just-the-docs' `mermaid: version:` key, or a layout or include that loads
  Mermaid. Charts on a site that loads none show as code (M101); a `vert` marker needs Mermaid
  11.7 or later (M102).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from pages_roadmap.findings import Finding, error, warning
from pages_roadmap.page import PageText, blocks, find_regions
from pages_roadmap.reading import read_bytes
from pages_roadmap.yamlload import LoadError

VERT_SINCE = (11, 7)
_FENCE_HINT = re.compile(r"^ {0,3}(?:`{3,}|~{3,})[ \t]*mermaid", re.MULTILINE)
_CLOSING = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")
_VERSION_IN_URL = re.compile(r"mermaid(?:@|/)(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class MermaidSetup:
    loaded: bool
    version: tuple[int, ...] | None  # None: unknown (or a layout loads it without a version)
    where: str  # where the site loads it, for messages


@cache
def _setup(root: Path, config_version: object, has_key: bool) -> MermaidSetup:
    if has_key:
        text = str(config_version) if config_version is not None else ""
        m = re.fullmatch(r"\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*", text)
        version = tuple(int(g) for g in m.groups() if g is not None) if m else None
        return MermaidSetup(True, version, "_config.yml mermaid.version")
    for folder in ("_layouts", "_includes"):
        base = root / folder
        if not base.is_dir():
            continue
        for file in sorted(base.rglob("*.html")):
            try:  # the safe reader: no FIFO, no link out of the site, bounded
                raw = read_bytes(file, file.relative_to(root).as_posix(), root)
            except LoadError:
                continue
            text = raw.decode("utf-8", "replace")
            if "mermaid" in text.lower():
                url = _VERSION_IN_URL.search(text)
                version = tuple(int(g) for g in url.groups() if g is not None) if url else None
                return MermaidSetup(True, version, file.relative_to(root).as_posix())
    return MermaidSetup(False, None, "")


def setup_of(root: Path, config: dict[str, Any]) -> MermaidSetup:
    """How the site loads Mermaid (read once per run)."""
    mermaid = config.get("mermaid")
    if isinstance(mermaid, dict):
        return _setup(root, mermaid.get("version"), True)
    return _setup(root, None, False)


@dataclass(frozen=True)
class Chart:
    line: int  # 1-based page line of the opening fence
    lines: tuple[tuple[int, int, str], ...]  # (page line, indentation removed, text)
    closed: bool
    managed: bool
    nested: bool


def _is_gantt(lines: tuple[tuple[int, int, str], ...]) -> bool:
    in_front = False
    for i, (_, _, text) in enumerate(lines):
        s = text.strip()
        if i == 0 and s == "---":
            in_front = True
            continue
        if in_front:
            in_front = s != "---"
            continue
        if not s or s.startswith("%%"):
            continue
        return s.split()[0] == "gantt"
    return False


def charts_of(page: PageText, path: str) -> list[Chart]:
    """The page's ```mermaid fences, found in markdown-it's block tokens (cheap test first)."""
    if not _FENCE_HINT.search(page.body):
        return []
    regions, _ = find_regions(page, path)
    managed = {n for r in regions for n in range(r.start_line, r.end_line + 1)}
    raw = page.text.splitlines()
    offset = page.body_line - 1
    charts = []
    for token in blocks(page.body)[0]:  # the page's one block parse, shared with the regions
        info = token.info.strip().split()[0] if token.type == "fence" and token.info else ""
        if info != "mermaid" or token.map is None:
            continue
        first, after = token.map[0] + offset, token.map[1] + offset
        opening = raw[first].lstrip("\ufeff")
        indent = len(opening) - len(opening.lstrip(" "))
        closing = raw[after - 1] if after - 1 > first and after - 1 < len(raw) else ""
        m = _CLOSING.match(closing)
        closed = bool(m and m[1][0] == token.markup[0] and len(m[1]) >= len(token.markup))
        last = after - 1 if closed else after
        lines = []
        for index in range(first + 1, min(last, len(raw))):
            text = raw[index]
            strip = min(indent, len(text) - len(text.lstrip(" ")))
            lines.append((index + 1, strip, text[strip:]))
        charts.append(
            Chart(first + 1, tuple(lines), closed, first + 1 in managed, token.level != 0)
        )
    return charts


def _vert_at(text: str) -> int | None:
    """The 0-based column of a task line's `vert` tag, if it has one."""
    if ":" not in text or text.lstrip().startswith("%%"):
        return None
    at = text.index(":") + 1
    for part in text[at:].split(","):
        if part.strip() == "vert":
            return at + part.index("vert")
        at += len(part) + 1
    return None


def chart_findings(page: PageText, path: str, setup: MermaidSetup, today: date) -> list[Finding]:
    """Findings for the Mermaid charts of one page."""
    charts = charts_of(page, path)
    if not charts:
        return []
    findings: list[Finding] = []
    if not setup.loaded:
        findings.append(
            warning(
                path,
                charts[0].line,
                1,
                "M101",
                "the site loads no Mermaid: this page's charts show as code",
                "just-the-docs: set 'mermaid: {version: \"11.12.0\"}' in _config.yml; other "
                "themes: load Mermaid in a layout",
            )
        )
    old = setup.version is not None and setup.version[:2] < VERT_SINCE
    for chart in charts:
        if old:
            for no, col0, text in chart.lines:
                at = _vert_at(text)
                if at is not None:
                    assert setup.version is not None
                    have = ".".join(map(str, setup.version))
                    findings.append(
                        error(
                            path,
                            no,
                            col0 + at + 1,
                            "M102",
                            f"a 'vert' marker needs Mermaid 11.7 or later; the site loads "
                            f"{have} ({setup.where}), which cannot draw this chart",
                            "raise the site's Mermaid version to 11.7 or later",
                        )
                    )
        if not chart.managed and not chart.nested and _is_gantt(chart.lines):
            findings += _hand_written(chart, path, today)
    return findings


def _hand_written(chart: Chart, path: str, today: date) -> list[Finding]:
    hint = f"pages-roadmap import {path}: moves the chart into data, reading it as meant"
    if not chart.closed:
        return [
            error(
                path,
                chart.line,
                1,
                "I107",
                "the ```mermaid fence is never closed",
                "add the closing ``` after the chart",
            )
        ]
    # The import reader, through its one entry point (imported here: only a page with a
    # hand-written chart pays for it).
    from pages_roadmap.importer.builder import read_chart
    from pages_roadmap.importer.reader import Line

    imported = read_chart([Line(no, col0, text) for no, col0, text in chart.lines], path, today)
    out = []
    for f in imported.findings:
        # An error is fixed in the chart; a silent misreading is what `import` resolves.
        out.append(f if f.is_error else replace(f, hint=hint))
    return out
