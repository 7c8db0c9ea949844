"""Roadmap -> Mermaid gantt text, in the strict canonical form Mermaid cannot misread.

Every item is written with the dates the roadmap resolves to (roadmap.resolve): a literal start
and a literal end, `YYYY-MM-DD` under `dateFormat YYYY-MM-DD`. Mermaid then resolves nothing
itself: no `after`/`until` pass order, no stretching over excluded days (an explicit
`YYYY-MM-DD` end is never stretched), and no date arithmetic in the reader's time zone, so no
reader's clock or time zone can move a bar. `excludes`/`includes`/`weekend` stay in the chart for
the shading of excluded days; `inclusiveEndDates` does not (the written ends are exclusive).
"""

from __future__ import annotations

from datetime import date, datetime

from pages_roadmap.roadmap import Item, ResolveError, Roadmap, Span, resolve, with_status
from pages_roadmap.text import escape

INDENT = "    "


def _front_matter(roadmap: Roadmap) -> list[str]:
    # Mermaid has no text statement for these (`topAxis` breaks the parser, `displayMode`
    # is not a statement at all); its front matter config is the supported way.
    chart = roadmap.chart
    lines = []
    if chart.display_mode:
        lines.append(f"displayMode: {chart.display_mode}")
    if chart.top_axis:
        lines += ["config:", "  gantt:", "    topAxis: true"]
    return ["---", *lines, "---"] if lines else []


def _tags(item: Item) -> list[str]:
    tags = []
    # A marker is a line, not work: Mermaid draws no state for it.
    if item.kind != "marker" and item.status in ("done", "active"):
        tags.append(item.status)
    if item.crit:
        tags.append("crit")
    if item.kind == "milestone":
        tags.append("milestone")
    elif item.kind == "marker":
        tags.append("vert")
    return tags


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def task_line(item: Item, span: Span) -> str:
    """`Name :tags, [id,] start, end` — tags first, the item's own id if any, literal dates.

    A task's end is where its bar ends (excluded days at its end are not drawn, as Mermaid draws
    a stretched task); a milestone or marker has no length (`0d`, Mermaid's canonical form).
    """
    end = _day(span.drawn_end) if item.kind == "task" else "0d"
    fields = [*_tags(item), *([item.id] if item.id else []), _day(span.start), end]
    return f"{INDENT}{escape(item.name)} :{', '.join(fields)}"


def _header(roadmap: Roadmap) -> list[str]:
    chart = roadmap.chart
    lines = ["dateFormat YYYY-MM-DD"]
    if roadmap.title:
        lines.append(f"title {escape(roadmap.title)}")
    if roadmap.acc_title:
        lines.append(f"accTitle: {escape(roadmap.acc_title)}")
    if roadmap.description:
        lines += _acc_descr(roadmap.description)
    optional = [
        ("axisFormat", chart.axis_format),
        ("tickInterval", chart.tick_interval),
        ("excludes", ", ".join(e.lower() for e in chart.excludes)),
        ("includes", ", ".join(chart.includes)),
        ("weekend", chart.weekend),
        ("weekday", chart.weekday),
        ("todayMarker", "off" if chart.today_marker is False else chart.today_marker),
    ]
    lines += [f"{key} {value}" for key, value in optional if isinstance(value, str) and value]
    return [f"{INDENT}{line}" if not line.startswith(INDENT) else line for line in lines]


def render(roadmap: Roadmap, today: date) -> str:
    """The chart text (without the ```mermaid fence), ending with a newline."""
    spans = resolve(roadmap)
    roadmap = with_status(roadmap, today)
    lines = [*_front_matter(roadmap), "gantt", *_header(roadmap)]
    for section in roadmap.sections:
        if section.name is not None:
            lines.append("")
            lines.append(f"{INDENT}section {escape(section.name)}")
        for item in section.items:
            span = spans.get(item.path)
            if span is None:  # check reports it (R117); build never renders such a roadmap
                raise ResolveError(f"the dates of {item.name!r} cannot be worked out")
            lines.append(task_line(item, span))
    return "\n".join(lines) + "\n"


def _acc_descr(text: str) -> list[str]:
    # The block form ends at the first '}' (written as an entity), the one-line form at the
    # line's end.
    text = escape(text.strip())
    if "\n" not in text:
        return [f"{INDENT}accDescr: {text}"]
    return [
        f"{INDENT}accDescr {{",
        *(f"{INDENT}{INDENT}{ln.strip()}".replace("}", "#125;") for ln in text.splitlines()),
        f"{INDENT}}}",
    ]


def fenced(chart_text: str) -> str:
    """The chart inside a ```mermaid fence, as it stands between the markers."""
    return f"```mermaid\n{chart_text}```\n"
