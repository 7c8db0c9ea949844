"""Importing one chart: a chart's lines -> roadmap data, YAML comments and findings.

`read_chart` runs the pipeline, each pass on the values the one before returned: reader.py
(`ReadChart`: the statements), fields.py (`DatedChart`: each task's start and end), then `build`:
the intended reading -> checked dates -> ids -> roadmap data (`Built`). The warnings of all three
passes then become the YAML comments above what they are about. A chart that cannot be read
gives no data, only findings.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from pages_roadmap import roadmap as rm
from pages_roadmap.findings import Finding, sort_key
from pages_roadmap.importer.fields import DatedChart, DatedTask, read_fields
from pages_roadmap.importer.notes import ChartError, Collector, Notes
from pages_roadmap.importer.reader import Line, ReadChart, read_chart_text, slug
from pages_roadmap.importer.yamlwrite import Comment, emit
from pages_roadmap.mermaid.dates import iso
from pages_roadmap.mermaid.grammar import TICK_INTERVAL, WEEKDAYS
from pages_roadmap.yamlload import JsonPath


@dataclass(frozen=True)
class ChartImport:
    """One imported chart: roadmap data, the comments to write with it, and the findings."""

    data: dict[str, Any] | None
    comments: dict[JsonPath, Comment]
    findings: list[Finding]
    header: tuple[str, ...] = ()

    def yaml(self) -> str:
        """The roadmap file's text."""
        if self.data is None:
            raise ValueError("the chart has errors; there is no roadmap to write")
        return emit(self.data, self.comments, header=self.header)


@dataclass(frozen=True)
class Built:
    """The builder's result: roadmap data, where the chart's comments go, and its warnings."""

    data: dict[str, Any]
    # In the order of the file: (path, the task an item holds or None for a section, the
    # chart's own comments above it).
    placed: tuple[tuple[JsonPath, int | None, tuple[str, ...]], ...]
    warnings: Notes

    def comments(self, notes: Notes) -> tuple[dict[JsonPath, Comment], tuple[str, ...]]:
        """The YAML comments and header lines that carry the warnings of every pass."""
        comments: dict[JsonPath, Comment] = {}
        by_task = notes.by_task()
        for path, task, own in self.placed:
            lines = own if task is None else (*own, *_wrapped(by_task.get(task, [])))
            if lines:
                comments[path] = Comment(lines)
        header = list(notes.header)
        # Warnings about settings go above the setting; about a dropped one, into the header.
        for key, said in notes.by_setting().items():
            if key in self.data:
                comments[(key,)] = Comment(_wrapped(said))
            elif key in self.data["chart"]:
                comments[("chart", key)] = Comment(_wrapped(said))
            else:
                header += said
        return comments, _wrapped(header)


def build(chart: ReadChart, dated: DatedChart) -> Built:
    """Third pass: the dated tasks -> roadmap data (raises `ChartError`)."""
    return _Builder(chart, dated).build()


class _Builder:
    """The intended reading -> checked dates -> ids -> roadmap data, on its own copies."""

    def __init__(self, chart: ReadChart, dated: DatedChart) -> None:
        self.chart = chart
        self.said = Collector(chart.path)
        self.settings = dict(dated.settings)
        self.tasks = list(dated.tasks)
        self.section_names = [section.name for section in chart.sections]
        self.front_matter_title = chart.title_from_front_matter
        self.notes = list(chart.notes)
        self.ids: dict[int, str] = {}
        self.placed: list[tuple[JsonPath, int | None, tuple[str, ...]]] = []
        self.left_out: dict[str, list[int]] = {}  # duplicate id -> the tasks that lose it

    def build(self) -> Built:
        self._texts()
        chart = self._chart()
        self._swap_reversed()
        spans = self._spans(chart)
        self._lengths(spans)
        self._stretched(chart, spans)
        self._assign_ids()
        self._left_out()
        out: dict[str, Any] = {}
        title = self.settings.get("title") or self.front_matter_title
        for key, value in (
            ("title", title),
            ("description", self.settings.get("description")),
            ("acc_title", self.settings.get("acc_title")),
        ):
            if value:
                out[key] = value
        out["chart"] = self._chart_data(chart)
        out["sections"] = self._sections(spans)
        if self.notes:
            out["notes"] = list(self.notes)
        return Built(out, tuple(self.placed), self.said.notes())

    def _texts(self) -> None:
        """Text the roadmap checks would reject (R109-R111), changed so that it passes."""
        for i, task in enumerate(self.tasks):
            name = _one_line(_liquid_free(task.name))
            problem = rm.name_problem(name)
            if problem:
                name = f'"{name}"'
            if name != task.name:
                why = problem or "it holds Liquid syntax or a line break"
                self.said.warn(
                    (task.line, task.col),
                    "I215",
                    f"the roadmap checks reject the name {task.name!r} ({why}); imported as "
                    f"{name!r}",
                    "reword the name if you like",
                    task=i,
                )
                self.tasks[i] = replace(task, name=name)
        for n, section in enumerate(self.chart.sections):
            if section.name is not None:
                where = (section.line, section.col)
                self.section_names[n] = self._fit(section.name, where, "section")
        for key in ("title", "acc_title", "description", "today_marker"):
            value = self.settings.get(key)
            if isinstance(value, str):
                self.settings[key] = self._fit(value, (self.chart.first_line, 1), key)
        if self.front_matter_title:
            self.front_matter_title = self._fit(self.front_matter_title, (1, 1), "title")

    def _fit(self, text: str, where: tuple[int, int], what: str) -> str:
        fixed = _liquid_free(text)
        if what != "description":
            fixed = _one_line(fixed)
        if fixed != text:
            self.said.warn(
                where,
                "I215",
                f"the roadmap checks reject the {what} {text!r} (Liquid syntax, which Jekyll "
                f"would run, or a line break); imported as {fixed!r}",
                "check the imported text in the roadmap file",
            )
        return fixed

    def _chart(self) -> rm.Chart:
        s = self.settings
        # A statement in the chart wins over the same setting in its config (Mermaid's order).
        for key in ("axis_format", "tick_interval", "weekday"):
            if f"config:{key}" in s and key not in s:
                s[key] = s[f"config:{key}"]
        if s.get("weekday") not in (None, *WEEKDAYS):
            self.said.warn(
                (self.chart.first_line, 1),
                "I209",
                f"the config's weekday {s.pop('weekday')!r} is not a day name; it is not kept",
                "",
            )
        if s.get("tick_interval") and not TICK_INTERVAL.match(s["tick_interval"]):
            self.said.warn(
                (self.chart.first_line, 1),
                "I201",
                f"Mermaid silently ignores the tick interval {s.pop('tick_interval')!r} of the "
                "chart's config; left out (the chart does not change)",
                "write e.g. 1week or 3month",
                same=True,
            )
        # A hand-written chart's statuses were set by hand: untagged items stay planned.
        return replace(rm.chart_from_data(s), auto_status=False)

    @staticmethod
    def _chart_data(chart: rm.Chart) -> dict[str, Any]:
        data = rm.to_data(rm.Roadmap("x", (), chart=chart)).get("chart", {})
        data["auto_status"] = False
        return dict(data)

    def _swap_reversed(self) -> None:
        for index, task in enumerate(self.tasks):
            if task.start[0] != "date" or task.end[0] != "date" or task.kind != "task":
                continue
            start, end = task.start[1], task.end[1]
            if end < start:
                self.tasks[index] = replace(task, start=("date", end), end=("date", start))
                self.said.warn(
                    (task.line, task.end_col - len(task.fields[-1].text)),
                    "I206",
                    f"the task ends ({end}) before it starts ({start}): Mermaid silently draws "
                    f"no bar; imported with the dates swapped ({end} to {start}), so the bar "
                    "appears",
                    "check which of the two dates is wrong",
                    task=index,
                )

    def _model(self, chart: rm.Chart) -> rm.Roadmap:
        items = []
        for i, task in enumerate(self.tasks):
            kind, start = task.start
            end_kind, end = task.end
            items.append(
                rm.Item(
                    kind="task",  # every line has its own end for Mermaid's date arithmetic
                    name=task.name,
                    id=f"x{i}",
                    start=start if kind == "date" else None,
                    after=tuple(f"x{j}" for j in start) if kind == "after" else (),
                    end=end if end_kind == "date" else None,
                    duration=end if end_kind == "duration" else None,
                    until=tuple(f"x{j}" for j in end) if end_kind == "until" else (),
                    path=(i,),
                )
            )
        return rm.Roadmap("x", (rm.Section(None, tuple(items)),), chart=chart)

    def _spans(self, chart: rm.Chart) -> dict[JsonPath, rm.Span]:
        try:
            spans = rm.resolve(self._model(chart))
        except rm.ResolveError:
            spans = {}
        for i, task in enumerate(self.tasks):
            if (i,) not in spans:
                raise self.said.fail(
                    (task.line, task.col),
                    "I106",
                    f"the dates of {task.name!r} cannot be worked out (a cycle of after/until, "
                    "or a chain Mermaid gives up on)",
                    "give it a start date",
                )
        return spans

    def _lengths(self, spans: dict[JsonPath, rm.Span]) -> None:
        for i, task in enumerate(self.tasks):
            span = spans[(i,)]
            if task.kind == "marker" and span.start.time() != datetime.min.time():
                raise self.said.fail(
                    (task.line, task.col),
                    "I106",
                    f"the marker {task.name!r} falls at {span.start:%Y-%m-%d %H:%M}, not at the "
                    "start of a day; a marker's date is a whole day",
                    "give the marker a date",
                )
            if task.kind == "task" or span.end == span.start:
                continue
            if task.kind == "milestone":
                middle = span.start + (span.end - span.start) / 2
                effect = f"draws the diamond in the middle, at {middle:%Y-%m-%d %H:%M}"
            else:
                effect = "draws the line at its start; the length only widens the axis"
            self.said.warn(
                (task.line, task.fields[-1].col),
                "I213",
                f"a {task.kind} with a length ({span.start:%Y-%m-%d} to {span.end:%Y-%m-%d}): "
                f"Mermaid {effect}; imported at {span.start:%Y-%m-%d} with no length, so items "
                "that start after it may move",
                f"a {task.kind} is one day: give it ', 0d'",
                task=i,
            )

    def _stretched(self, chart: rm.Chart, spans: dict[JsonPath, rm.Span]) -> None:
        if not chart.excludes:
            return
        calendar = rm.Calendar.of(chart)
        for i, task in enumerate(self.tasks):
            if not task.stretched_end:
                continue
            span = spans[(i,)]
            # Past Mermaid's limit of excluded days the end stays where the count stopped.
            moved, _, _ = rm.stretch(span.start, span.end, calendar)
            if moved != span.end:
                self.said.warn(
                    (task.line, task.fields[-1].col),
                    "I212",
                    f"Mermaid keeps an end date as written only in YYYY-MM-DD form: it "
                    f"stretches {task.fields[-1].text!r} over the excluded days to "
                    f"{moved:%Y-%m-%d}; imported as the date written ({span.end:%Y-%m-%d}), so "
                    "the bar ends there",
                    "nothing to do: the roadmap keeps end dates as written",
                    task=i,
                )

    def _needed(self) -> set[int]:
        needed: set[int] = set()
        for i, task in enumerate(self.tasks):
            for kind, value in (task.start, task.end):
                if kind in ("after", "until"):
                    needed.update(value)
            if task.start[0] == "prev" and task.kind == "milestone":
                needed.add(i - 1)
        return needed

    def _assign_ids(self) -> None:
        tasks = self.tasks
        needed = self._needed()
        taken: set[str] = set()
        seen: dict[str, int] = {}
        later: list[int] = []
        for i, task in enumerate(tasks):
            if not task.id:
                if i in needed:
                    later.append(i)
                continue
            clean = self._clean_id(i, task)
            if task.id in seen:
                self._duplicate(i, task, seen[task.id], clean, needed, taken)
                continue
            seen[task.id] = i
            if clean in taken:
                later.append(i)
                continue
            self.ids[i] = clean
            taken.add(clean)
        for i in later:
            if i not in self.ids:
                base = slug(tasks[i].name)[:24].strip("-") or "item"
                self.ids[i] = _unique(base, taken)

    def _clean_id(self, i: int, task: DatedTask) -> str:
        assert task.id is not None
        if rm.ID_CHARS.match(task.id) and not rm.AUTO_ID.match(task.id):
            return task.id
        clean = re.sub(r"[^A-Za-z0-9_-]+", "-", task.id).strip("-") or "item"
        if rm.AUTO_ID.match(clean):
            clean = clean[:4] + "-" + clean[4:]
        why = (
            "looks like Mermaid's automatic ids (taskN)"
            if rm.AUTO_ID.match(task.id)
            else "has characters Mermaid's 'after' cannot refer to"
        )
        self.said.warn(
            (task.line, task.id_col),
            "I215",
            f"the id {task.id!r} {why}; imported as {clean!r}",
            "use letters, digits, '_' and '-' in ids",
            task=i,
        )
        return clean

    def _duplicate(
        self, i: int, task: DatedTask, first: int, clean: str, needed: set[int], taken: set[str]
    ) -> None:
        first_line = self.tasks[first].line
        if i not in needed:
            # Left out, so the chart does not change: said once per id, with a count
            # (`_left_out`), and no comment on every item.
            self.left_out.setdefault(task.id or "", []).append(i)
            return
        n = sum(1 for t in self.tasks[: i + 1] if t.id == task.id)
        new = _unique(f"{clean}-{n}", taken)
        self.ids[i] = new
        self.said.warn(
            (task.line, task.id_col),
            "I208",
            f"duplicate id {task.id!r} (first at line {first_line}): Mermaid silently resolves "
            "after/until/click to the last task with it; the first keeps the id, and it is "
            f"renamed to {new!r} here: the after/until references to {task.id!r} point here, "
            "as Mermaid resolves them to the last task with the id",
            "give every task its own id",
            task=i,
            short=f"the chart's duplicate id {task.id!r} is {new!r} here; after/until meant it",
        )

    def _left_out(self) -> None:
        for value, indices in self.left_out.items():
            first = self.tasks[indices[0]]
            lines = ", ".join(str(self.tasks[i].line) for i in indices)
            many = len(indices) > 1
            first_line = next(t.line for t in self.tasks if t.id == value)
            self.said.warn(
                (first.line, first.id_col),
                "I208",
                f"duplicate id {value!r} (first at line {first_line}) on "
                f"{len(indices)} more task{'s' * many} (line{'s' * many} {lines}): nothing "
                f"refers to {'them' if many else 'it'}, so the first keeps the id and "
                f"{'they are' if many else 'it is'} imported without it; the chart does not "
                "change",
                "give every task its own id",
                same=True,
            )

    def _sections(self, spans: dict[JsonPath, rm.Span]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        by_section: dict[int, list[int]] = {}
        for i, task in enumerate(self.tasks):
            by_section.setdefault(task.section, []).append(i)
        carried: list[str] = []
        for s, section in enumerate(self.chart.sections):
            indices = by_section.get(s, [])
            if not indices:
                carried += section.comments  # an empty section draws nothing
                continue
            sec: dict[str, Any] = {}
            si = len(out)
            fitted = self.section_names[s]
            name = fitted if fitted is None else fitted.strip()
            if name:
                sec["name"] = name
            elif si > 0:
                sec["name"] = "(no name)"
                self.said.warn(
                    (section.line, section.col),
                    "I215",
                    "a section without a name after the first: the roadmap checks reject it; "
                    "imported as '(no name)'",
                    "give the section a name",
                )
            self.placed.append((("sections", si), None, (*carried, *section.comments)))
            carried = []
            items = []
            for ii, i in enumerate(indices):
                items.append(self._item(i, spans))
                self.placed.append((("sections", si, "items", ii), i, self.tasks[i].comments))
            sec["items"] = items
            out.append(sec)
        self.notes += carried
        return out

    def _item(self, i: int, spans: dict[JsonPath, rm.Span]) -> dict[str, Any]:
        task = self.tasks[i]
        kind = task.kind
        item: dict[str, Any] = {kind: task.name}
        if i in self.ids:
            item["id"] = self.ids[i]
        start_kind, start = task.start
        if kind == "marker":
            item["date"] = iso(spans[(i,)].start)
        elif start_kind == "date":
            item["start" if kind == "task" else "date"] = start
        elif start_kind == "after":
            item["after"] = rm.one_or_list([self.ids[j] for j in start])
        elif kind == "milestone":
            item["after"] = self.ids[i - 1]
        if kind == "task":
            end_kind, end = task.end
            if end_kind == "until":
                item["until"] = rm.one_or_list([self.ids[j] for j in end])
            else:
                item["end" if end_kind == "date" else "duration"] = end
        self._flags(i, task, item)
        return item

    def _flags(self, i: int, task: DatedTask, item: dict[str, Any]) -> None:
        status = [t for t in ("done", "active") if t in task.tags]
        if task.kind == "marker" and (status or "milestone" in task.tags):
            self.said.warn(
                (task.line, task.col),
                "I214",
                f"a vert marker tagged {', '.join(sorted(task.tags - {'vert', 'crit'}))}: a "
                "marker is a line with no status; the tags are not kept",
                "",
                task=i,
            )
        elif len(status) == 2:
            self.said.warn(
                (task.line, task.col),
                "I214",
                "tagged both done and active; imported as done",
                "keep one of the two",
                task=i,
            )
        if status and task.kind != "marker":
            item["status"] = status[0]
        if "crit" in task.tags:
            item["crit"] = True
        if task.link is not None:
            if task.kind == "marker":
                item["note"] = f"link: {task.link}"
            else:
                item["link"] = task.link
            self.said.warn(
                (task.line, task.col),
                "I209",
                "the click link is kept as the item's link, but pages-roadmap charts are not "
                "clickable: the chart no longer opens it",
                "",
                task=i,
            )


def _liquid_free(text: str) -> str:
    while rm.LIQUID.search(text):
        text = text.replace("{{", "{ {").replace("{%", "{ %")
    return text


def _one_line(text: str) -> str:
    return " ".join(text.splitlines()) if "\n" in text or "\r" in text else text


def _wrapped(notes: Iterable[str]) -> tuple[str, ...]:
    """Warnings as YAML comment lines of a readable width."""
    return tuple(line for note in notes for line in textwrap.wrap(note, 92) or [""])


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken or rm.AUTO_ID.match(candidate):
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def read_chart(lines: Sequence[Line], path: str, today: date) -> ChartImport:
    """One chart's lines -> roadmap data (None on error), YAML comments and located findings."""
    said = Notes()  # the warnings of the passes that have finished
    try:
        chart = read_chart_text(lines, path, today)
        said += chart.warnings
        dated = read_fields(chart)
        said += dated.warnings
        built = build(chart, dated)
    except ChartError as exc:
        findings = [*said.findings, *exc.before, exc.finding]
        return ChartImport(None, {}, sorted(findings, key=sort_key))
    said += built.warnings
    comments, header = built.comments(said)
    return ChartImport(built.data, comments, sorted(said.findings, key=sort_key), header)
