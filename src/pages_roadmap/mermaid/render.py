"""Roadmap -> Mermaid gantt text, in the strict canonical form Mermaid cannot misread."""

from __future__ import annotations

from datetime import date

from pages_roadmap.roadmap import Item, Roadmap, with_status
from pages_roadmap.yamlload import JsonPath

INDENT = "    "
_ESCAPES = {ord("#"): "#35;", ord(":"): "#58;", ord(";"): "#59;"}


def escape(text: str) -> str:
    """Mermaid entity escapes for the characters that end a name or its data: ':' '#' ';'."""
    # One pass, so the '#' and ';' of an escape are never escaped again.
    return text.translate(_ESCAPES)


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


def _end(item: Item) -> str:
    if item.kind != "task":
        return "0d"
    if item.end:
        return item.end
    if item.duration:
        return item.duration
    return "until " + " ".join(item.until)


def chart_ids(roadmap: Roadmap) -> dict[JsonPath, str]:
    """Every item's id in the chart: its own, or a generated one that collides with none."""
    taken = {item.id for _, item in roadmap.items() if item.id}
    out: dict[JsonPath, str] = {}
    n = 0
    for _, item in roadmap.items():
        if item.id:
            out[item.path] = item.id
            continue
        n += 1
        while f"i{n}" in taken:
            n += 1
        out[item.path] = f"i{n}"
    return out


def task_line(item: Item, item_id: str, prev_id: str | None) -> str:
    """`Name :tags, id, start, end` — always three data fields, tags first."""
    if item.start:
        start = item.start
    elif item.after:
        start = "after " + " ".join(item.after)
    else:
        # Mermaid's own "no start" form has no room for an id; `after <previous>` is the same date.
        start = f"after {prev_id}"
    fields = [*_tags(item), item_id, start, _end(item)]
    return f"{INDENT}{escape(item.name)} :{', '.join(fields)}"


def _header(roadmap: Roadmap) -> list[str]:
    chart = roadmap.chart
    lines = ["dateFormat YYYY-MM-DD"]
    if roadmap.title:
        lines.append(f"title {escape(roadmap.title)}")
    if roadmap.acc_title:
        lines.append(f"accTitle: {roadmap.acc_title}")
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
    if chart.inclusive_end_dates:
        lines.append("inclusiveEndDates")
    return [f"{INDENT}{line}" if not line.startswith(INDENT) else line for line in lines]


def render(roadmap: Roadmap, today: date) -> str:
    """The chart text (without the ```mermaid fence), ending with a newline."""
    roadmap = with_status(roadmap, today)
    lines = [*_front_matter(roadmap), "gantt", *_header(roadmap)]
    ids = chart_ids(roadmap)
    prev: str | None = None
    for section in roadmap.sections:
        if section.name is not None:
            lines.append("")
            lines.append(f"{INDENT}section {escape(section.name)}")
        for item in section.items:
            lines.append(task_line(item, ids[item.path], prev))
            prev = ids[item.path]
    return "\n".join(lines) + "\n"


def _acc_descr(text: str) -> list[str]:
    # The block form ends at the first '}', the one-line form at the line's end.
    text = text.strip().replace("}", ")")
    if "\n" not in text:
        return [f"{INDENT}accDescr: {text}"]
    return [
        f"{INDENT}accDescr {{",
        *(f"{INDENT}{INDENT}{ln.strip()}" for ln in text.splitlines()),
        f"{INDENT}}}",
    ]


def fenced(chart_text: str) -> str:
    """The chart inside a ```mermaid fence, as it stands between the markers."""
    return f"```mermaid\n{chart_text}```\n"
