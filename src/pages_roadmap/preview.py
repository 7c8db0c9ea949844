"""`pages-roadmap preview`: a roadmap's chart before it is committed, without a site build.

`text_view` draws the chart in a terminal with Unicode bars (pure: roadmap, today and width in,
text out). `render` draws it with Mermaid in a headless Chromium and writes PNG, SVG or a
self-contained HTML file; it needs a Chromium on the machine and Mermaid's browser script (the
npm package `mermaid`, `dist/mermaid.min.js`), and says what to install when either is missing.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pages_roadmap.errors import Error
from pages_roadmap.roadmap import Item, Roadmap, Span, resolve, with_status

if TYPE_CHECKING:
    from pages_roadmap.findings import Finding
    from pages_roadmap.site import Site

__all__ = [
    "DrawError",
    "PreviewError",
    "find_chromium",
    "find_mermaid",
    "render",
    "targets",
    "text_view",
]

# --- the terminal view ---------------------------------------------------------------------------

BAR = {"done": "█", "active": "▓", "planned": "░"}
STATUS_MARK = {"done": "✓", "active": "▶", "planned": "·"}
MILESTONE = "◆"
MARKER = "│"
TODAY = "┃"
RULE = "─"
TICK = "┬"
ELLIPSIS = "…"
WIDE = 100  # from this width on, one line per item; below it, the name above its bar
MIN_BAR = 16
LABEL_MAX = 34  # the name column of the one-line layout, at most (or a third of the width)
INFO_WIDTH = 31  # "2026-11-02 → 2026-11-16 planned"


@dataclass(frozen=True)
class _Row:
    item: Item
    span: Span | None


def _cut(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: width - 1] + ELLIPSIS


def _day(when: datetime) -> str:
    return when.date().isoformat()


def _last_day(row: _Row) -> datetime:
    """The item's last day: a task's end is exclusive (Mermaid's), a point is its own day."""
    assert row.span is not None
    if row.item.kind != "task":
        return row.span.start
    return max(row.span.start, row.span.end - timedelta(days=1))


def _info(row: _Row) -> str:
    item, span = row.item, row.span
    if span is None:
        return "dates unresolved"
    if item.kind == "marker":
        return f"{_day(span.start)} marker"
    if item.kind == "milestone":
        return f"{_day(span.start)} {item.status}"
    return f"{_day(span.start)} → {_day(_last_day(row))} {item.status}"


def _label(item: Item) -> str:
    if item.kind == "marker":
        mark = MARKER
    elif item.kind == "milestone":
        mark = MILESTONE
    else:
        mark = STATUS_MARK.get(item.status, "·")
    return f"{mark}{'!' if item.crit else ' '}{item.name}"


class _Scale:
    """Maps moments to the columns of a bar area of `width` cells."""

    def __init__(self, lo: datetime, hi: datetime, width: int) -> None:
        self.lo = lo
        self.seconds = max((hi - lo).total_seconds(), 86400.0)
        self.width = width

    def col(self, when: datetime) -> int:
        ratio = (when - self.lo).total_seconds() / self.seconds
        return min(self.width - 1, max(0, int(ratio * (self.width - 1) + 0.5)))

    def at(self, col: int) -> datetime:
        return self.lo + timedelta(seconds=self.seconds * col / max(1, self.width - 1))


def _background(scale: _Scale, markers: Iterable[datetime], today: datetime | None) -> list[str]:
    cells = [" "] * scale.width
    for when in markers:
        cells[scale.col(when)] = MARKER
    if today is not None:
        cells[scale.col(today)] = TODAY
    return cells


def _bar(row: _Row, scale: _Scale, background: list[str]) -> str:
    cells = list(background)
    item, span = row.item, row.span
    if span is not None:
        if item.kind == "milestone":
            cells[scale.col(span.start)] = MILESTONE
        elif item.kind == "marker":
            cells[scale.col(span.start)] = MARKER
        else:
            first = scale.col(span.start)
            last = max(first, scale.col(span.end) - 1)
            glyph = BAR.get(item.status, BAR["planned"])
            for col in range(first, last + 1):
                cells[col] = glyph
    return "".join(cells).rstrip()


def _axis(scale: _Scale, background: list[str]) -> tuple[str, str]:
    """A line of date labels and a rule with a tick under each label's first character."""
    label_of = "%Y-%m" if scale.seconds > 400 * 86400 else "%m-%d"
    labels = [" "] * scale.width
    rule = [RULE if c == " " else c for c in background]
    col = 0
    while col < scale.width:
        text = scale.at(col).strftime(label_of)
        if col + len(text) > scale.width:
            break
        labels[col : col + len(text)] = text
        rule[col] = TICK if rule[col] == RULE else rule[col]
        col += len(text) + 4
    return "".join(labels).rstrip(), "".join(rule)


def _legend(today: date, in_range: bool, width: int) -> list[str]:
    parts = [
        f"{BAR['done']} done",
        f"{BAR['active']} active",
        f"{BAR['planned']} planned",
        f"{MILESTONE} milestone",
        f"{MARKER} marker",
        f"{TODAY} today {today.isoformat()}" + ("" if in_range else " (outside the chart)"),
        "! critical",
    ]
    lines, line = [], ""
    for part in parts:
        candidate = f"{line}  {part}" if line else part
        if line and len(candidate) > width:
            lines.append(line)
            line = part
        else:
            line = candidate
    return [*lines, line]


def text_view(roadmap: Roadmap, today: date, width: int = 100) -> str:
    """The roadmap as a gantt chart in text: sections, items with dates and statuses, today.

    WIDTH is the terminal's; from 100 columns on each item is one line (name, bar, dates and
    status), below that the name and dates stand above the item's bar.
    """
    width = max(width, 40)
    dated = with_status(roadmap, today)
    spans = resolve(dated)
    rows = [[_Row(item, spans.get(item.path)) for item in s.items] for s in dated.sections]
    known = [r.span for rs in rows for r in rs if r.span is not None]
    lines = [_cut(roadmap.title or roadmap.id, width)]
    if not known:
        return "\n".join([*lines, "(no item has dates the chart can draw)", ""])
    lo = min(s.start for s in known)
    hi = max(s.end for s in known)
    wide = width >= WIDE
    names = [len(_label(r.item)) + 3 for rs in rows for r in rs]  # indent, label, a space
    label_width = min(max(names), max(LABEL_MAX, width // 3)) if wide else 0
    bar_width = width - label_width - INFO_WIDTH - 2 if wide else width - 4
    bar_width = max(bar_width, MIN_BAR)
    scale = _Scale(lo, hi, bar_width)
    midnight = datetime.combine(today, datetime.min.time())
    in_range = lo <= midnight <= hi
    markers = [r.span.start for rs in rows for r in rs if r.item.kind == "marker" and r.span]
    background = _background(scale, markers, midnight if in_range else None)
    last = max(_last_day(r) for rs in rows for r in rs if r.span is not None)
    lines.append(f"{_day(lo)} → {_day(last)}")
    lines.append("")
    indent = " " * (label_width if wide else 4)
    labels, rule = _axis(scale, background)
    lines += [(indent + labels).rstrip(), indent + rule]
    empty = "".join(background).rstrip()
    for section, section_rows in zip(dated.sections, rows, strict=True):
        if section.name and wide:
            lines.append(f"{_cut(section.name, label_width - 1):<{label_width}}{empty}".rstrip())
        elif section.name:
            lines.append(_cut(section.name, width))
        for row in section_rows:
            bar = _bar(row, scale, background)
            if wide:
                label = _cut("  " + _label(row.item), label_width - 1)
                lines.append(f"{label:<{label_width}}{bar:<{bar_width}}  {_info(row)}".rstrip())
            else:
                info = _info(row)
                label = _cut("  " + _label(row.item), width - len(info) - 2)
                lines.append(f"{label}  {info}")
                lines.append(f"    {bar}".rstrip())
    lines.append("")
    lines += _legend(today, in_range, width)
    return "\n".join(lines) + "\n"


# --- what to preview -----------------------------------------------------------------------------


class PreviewError(Error):
    """Preview cannot run (bad target, missing browser or Mermaid): a usage error."""


class DrawError(Exception):
    """Mermaid could not draw a chart in the browser (a finding, exit 1)."""


def targets(site: Site, path: Path) -> tuple[list[Roadmap], list[Finding]]:
    """The roadmaps to preview: a roadmap file itself, or those a page embeds, in page order."""
    from pages_roadmap import load
    from pages_roadmap.page import find_regions, split
    from pages_roadmap.yamlload import LoadError, decode

    files: list[Path]
    if path.suffix in (".yml", ".yaml"):
        files = [path]
    else:
        rel = site.rel(path)
        try:
            page = split(decode(path.read_bytes(), rel))
        except LoadError as exc:
            return [], [exc.finding]
        except OSError as exc:
            raise PreviewError(f"{path}: cannot read: {exc.strerror}") from None
        regions, findings = find_regions(page, rel)
        if findings:
            return [], findings
        if not regions:
            raise PreviewError(
                f"{path}: no pages-roadmap chart in this page (give a roadmap file, or a page "
                "with '<!-- pages-roadmap:gantt ID -->' markers)"
            )
        files = []
        for region in regions:
            file = site.roadmap_file(region.name)
            if file is None:
                raise PreviewError(f"{path}:{region.start_line}: no roadmap {region.name!r}")
            files.append(file)
    roadmaps: list[Roadmap] = []
    problems: list[Finding] = []
    for file in dict.fromkeys(files):
        loaded = load.read_roadmap(site, file)
        problems += loaded.findings
        if loaded.roadmap is not None:
            roadmaps.append(loaded.roadmap)
    return roadmaps, problems


# --- drawn by Mermaid in a headless Chromium -----------------------------------------------------

CHROMIUMS = ("chromium", "chromium-browser", "google-chrome")
# A clean, quiet, offline browser: no sandbox (CI runs as root), no GPU, none of Chromium's own
# network traffic; a new empty profile each run.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
MERMAID_IN_PACKAGE = Path("node_modules/mermaid/dist/mermaid.min.js")
BROWSER_TIMEOUT_S = 60
VIRTUAL_TIME_MS = 20_000  # how long the page's scripts may run (virtual time: no real waiting)


def find_chromium() -> str:
    """$PAGES_ROADMAP_CHROMIUM, else chromium, chromium-browser or google-chrome on PATH."""
    explicit = os.environ.get("PAGES_ROADMAP_CHROMIUM")
    found = explicit or next((p for name in CHROMIUMS if (p := shutil.which(name))), None)
    if not found or not Path(found).exists():
        raise PreviewError(
            "preview -o FILE.png/.svg needs a Chromium browser, and none was found: install one "
            "(Debian/Ubuntu: sudo apt-get install chromium) or set PAGES_ROADMAP_CHROMIUM to its "
            "path; --text needs none"
        )
    return found


def find_mermaid(root: Path, explicit: Path | None = None) -> Path:
    """Mermaid's browser script: --mermaid, $PAGES_ROADMAP_MERMAID, or an npm install of it."""
    env = os.environ.get("PAGES_ROADMAP_MERMAID")
    given = explicit or (Path(env) if env else None)
    if given is not None:
        if not given.is_file():
            raise PreviewError(f"{given}: no such file (Mermaid's mermaid.min.js)")
        return given
    for folder in (root, root / "tests" / "node", Path.cwd()):
        candidate = folder / MERMAID_IN_PACKAGE
        if candidate.is_file():
            return candidate
    raise PreviewError(
        "preview -o needs Mermaid's browser script (nothing is fetched from a CDN): run "
        f"`npm install mermaid` in {root} (it provides {MERMAID_IN_PACKAGE}), or pass "
        "--mermaid FILE or set PAGES_ROADMAP_MERMAID to a mermaid.min.js"
    )


def _script(source: str) -> str:
    return source.replace("</script", "<\\/script")


# Mermaid draws its today line at the browser's `new Date()`: start the page's clock at TODAY's
# midnight (it still runs, so ids made from Date.now() stay unique).
_CLOCK = """<script>
  (() => {
    const Real = Date, shift = new Real('TODAYT00:00:00').getTime() - Real.now();
    class Clock extends Real {
      constructor(...args) { if (args.length) super(...args); else super(Real.now() + shift); }
      static now() { return Real.now() + shift; }
    }
    window.Date = Clock;
  })();
</script>"""


def page_html(
    charts: Sequence[str], mermaid: str, *, inline: bool, width: int, today: date | None = None
) -> str:
    """An HTML page that draws CHARTS with Mermaid as just-the-docs does (mermaid.run on
    `.language-mermaid`) and then writes the SVGs, serialized, into #pages-roadmap-result.
    With TODAY, the page's clock starts at that day, so Mermaid's today line is drawn there."""
    clock = _CLOCK.replace("TODAY", today.isoformat()) if today else ""
    blocks = "\n".join(
        f'<pre><code class="language-mermaid">{html.escape(chart)}</code></pre>'
        for chart in charts
    )
    load = (
        f"<script>{_script(mermaid)}</script>"
        if inline
        else f'<script src="{html.escape(mermaid)}"></script>'
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>pages-roadmap preview</title>
<link rel="icon" href="data:,">
<style>body {{ margin: 0; padding: 8px; width: {width}px; background: #fff; }}</style>
{clock}
{load}
</head>
<body>
{blocks}
<pre id="pages-roadmap-result" hidden></pre>
<script>
  mermaid.initialize({{}});
  mermaid.run({{ querySelector: '.language-mermaid' }}).then(
    () => ({{ ok: true, svgs: [...document.querySelectorAll('.language-mermaid svg')]
      .map((svg) => new XMLSerializer().serializeToString(svg)) }}),
    (err) => ({{ ok: false, error: String((err && err.message) || err) }}),
  ).then((result) => {{
    document.getElementById('pages-roadmap-result').textContent = JSON.stringify(result);
  }});
</script>
</body>
</html>
"""


def _chromium(chromium: str, work: Path, *args: str) -> str:
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=work))
    try:
        proc = subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=BROWSER_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PreviewError(f"{chromium} did not run: {exc}") from None
    if proc.returncode != 0:
        raise PreviewError(f"{chromium} failed (exit {proc.returncode}): {proc.stderr[-800:]}")
    return proc.stdout


_RESULT = re.compile(r'<pre id="pages-roadmap-result"[^>]*>(.*?)</pre>', re.S)


def draw_svgs(
    charts: Sequence[str], chromium: str, mermaid: Path, width: int, today: date | None = None
) -> list[str]:
    """Each chart drawn by Mermaid in headless Chromium, as standalone SVG text."""
    with tempfile.TemporaryDirectory(prefix="pages-roadmap-preview-") as tmp:
        work = Path(tmp)
        page = work / "chart.html"
        page.write_text(
            page_html(charts, mermaid.resolve().as_uri(), inline=False, width=width, today=today),
            encoding="utf-8",
        )
        dom = _chromium(
            chromium,
            work,
            "--allow-file-access-from-files",
            f"--virtual-time-budget={VIRTUAL_TIME_MS}",
            f"--window-size={width + 16},900",
            "--dump-dom",
            page.as_uri(),
        )
    found = _RESULT.search(dom)
    if not found or not found.group(1).strip():
        raise DrawError("Mermaid did not finish drawing in the browser")
    result = json.loads(html.unescape(found.group(1)))
    if not result["ok"]:
        raise DrawError(f"Mermaid could not draw the chart: {result['error']}")
    return [str(svg) for svg in result["svgs"]]


_VIEWBOX = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"')


def svg_size(svg: str) -> tuple[int, int]:
    found = _VIEWBOX.search(svg)
    if not found:
        raise DrawError("Mermaid's SVG has no viewBox")
    return math.ceil(float(found.group(1))), math.ceil(float(found.group(2)))


def fixed_size(svg: str) -> str:
    """The SVG at its own size (Mermaid draws it 100% wide, to fit the page it is in)."""
    width, height = svg_size(svg)
    return re.sub(r'\swidth="100%"', f' width="{width}" height="{height}"', svg, count=1)


def screenshot(svg: str, out: Path, chromium: str) -> None:
    """A PNG of the SVG at its own size (Chromium's --screenshot of a page holding only it)."""
    width, height = svg_size(svg)
    sized = fixed_size(svg)
    with tempfile.TemporaryDirectory(prefix="pages-roadmap-preview-") as tmp:
        work = Path(tmp)
        page = work / "svg.html"
        page.write_text(
            "<!DOCTYPE html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
            "<style>html,body{margin:0;background:#fff}svg{display:block;max-width:none!important}"
            f"</style></head><body>{sized}</body></html>",
            encoding="utf-8",
        )
        target = work / "shot.png"
        _chromium(
            chromium,
            work,
            "--hide-scrollbars",
            f"--window-size={width},{height}",
            f"--screenshot={target}",
            page.as_uri(),
        )
        if not target.is_file():
            raise PreviewError(f"{chromium} wrote no screenshot")
        shutil.copyfile(target, out)


def outputs(out: Path, count: int) -> list[Path]:
    """Where each chart goes: OUT itself for one, OUT-1, OUT-2 ... (same suffix) for several."""
    if count == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{n}{out.suffix}") for n in range(1, count + 1)]


SUFFIXES = (".png", ".svg", ".html")


def render(
    charts: Sequence[str],
    out: Path,
    root: Path,
    mermaid: Path | None = None,
    width: int = 1200,
    today: date | None = None,
) -> list[Path]:
    """Write CHARTS to OUT (.png, .svg or a self-contained .html); returns the files written.
    TODAY places Mermaid's today line in .png and .svg (an .html page shows the reader's today)."""
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise PreviewError(f"{out}: write .png, .svg or .html")
    script = find_mermaid(root, mermaid)
    if suffix == ".html":  # the page draws itself wherever it is opened: no browser needed here
        text = script.read_text(encoding="utf-8")
        out.write_text(page_html(charts, text, inline=True, width=width), encoding="utf-8")
        return [out]
    chromium = find_chromium()
    svgs = draw_svgs(charts, chromium, script, width, today)
    written = outputs(out, len(svgs))
    for svg, target in zip(svgs, written, strict=True):
        if suffix == ".svg":
            xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + fixed_size(svg) + "\n"
            target.write_text(xml, encoding="utf-8")
        else:
            screenshot(svg, target, chromium)
    return written
