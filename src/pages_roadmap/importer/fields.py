"""Reading a chart, second pass: a read chart's task fields -> each task's start and end.

`read_fields` reads every task's tags and fields with the chart's final settings (dateFormat,
excludes) as Mermaid's task compiler (`ganttDb.js`) does, and `_References` resolves after, until
and click ids the way Mermaid resolves them; it returns a `DatedChart` of new `DatedTask` values.
Where Mermaid misreads what the author evidently meant, the task gets the evident reading and the
pass a located warning (I2xx).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from pages_roadmap import roadmap as rm
from pages_roadmap.importer.notes import ChartError, Collector, Notes
from pages_roadmap.importer.reader import (
    AFTER,
    ISO,
    TAG_RE,
    UNTIL,
    Field,
    ReadChart,
    ReadTask,
    any_date,
    kind_of,
)
from pages_roadmap.mermaid.dates import DateFormat, iso, js_date
from pages_roadmap.mermaid.grammar import DURATION, TAGS, WEEKDAYS

_LOOSE_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([A-Za-z]+)$")
_UNIT_WORDS = {
    "d": "d",
    "day": "d",
    "days": "d",
    "w": "w",
    "week": "w",
    "weeks": "w",
    "month": "M",
    "months": "M",
    "mo": "M",
    "y": "y",
    "year": "y",
    "years": "y",
    "h": "h",
    "hour": "h",
    "hours": "h",
}


@dataclass(frozen=True)
class DatedTask:
    """A task with its tags, its fields after them, and its start and end."""

    name: str
    line: int
    col: int
    section: int
    tags: frozenset[str]
    fields: tuple[Field, ...]
    end_col: int
    comments: tuple[str, ...]
    in_mermaid: bool
    mermaid_fields: int  # how many fields Mermaid sees after the tags
    mermaid_id: str = ""
    id: str | None = None
    id_col: int = 0
    start: tuple[str, Any] = ("prev", None)  # ("date", iso) | ("after", [index]) | ("prev", None)
    end: tuple[str, Any] = ("duration", "0d")  # ("date", iso) | ("duration", s) | ("until", [i])
    stretched_end: bool = False  # an explicit end Mermaid stretches over excluded days
    link: str | None = None

    @property
    def kind(self) -> rm.Kind:
        return kind_of(self.tags)


@dataclass(frozen=True)
class DatedChart:
    """The field pass's result: the settings with excludes/includes read, and the dated tasks."""

    settings: Mapping[str, Any]
    tasks: tuple[DatedTask, ...]
    warnings: Notes


def read_fields(chart: ReadChart) -> DatedChart:
    """Second pass: every task's fields read with the chart's final settings."""
    return _Fields(chart).read_all()


@dataclass
class _Ref:
    ids: list[str]
    col: int
    key: str  # "after" or "until"
    partial: str = ""  # what follows the ids Mermaid reads (`.id` of `after my.id`)


class _Fields:
    def __init__(self, chart: ReadChart) -> None:
        self.chart = chart
        self.fmt = chart.date_format
        self.said = Collector(chart.path)

    def read_all(self) -> DatedChart:
        settings = self._calendar()
        tasks: list[DatedTask] = []
        counter = 0
        for index, read in enumerate(self.chart.tasks):
            tags, fields = self._tags(index, read)
            mermaid_fields = len(fields)
            self._count(index, read, kind_of(tags), fields)
            task = DatedTask(
                name=read.name,
                line=read.line,
                col=read.col,
                section=read.section,
                tags=frozenset(tags),
                fields=tuple(fields),
                end_col=read.end_col,
                comments=read.comments,
                in_mermaid=read.in_mermaid,
                mermaid_fields=mermaid_fields,
            )
            # Mermaid numbers the tasks without an id: task1, task2, ...
            if task.in_mermaid and task.mermaid_fields < 3:
                counter += 1
                task = replace(task, mermaid_id=f"task{counter}")
            elif task.mermaid_fields == 3:
                task = replace(task, mermaid_id=task.fields[0].text)
            tasks.append(task)
        read_tasks = [self._read(index, task) for index, task in enumerate(tasks)]
        dated = [task for task, _ in read_tasks]
        refs = [task_refs for _, task_refs in read_tasks]
        linked = _References(self.chart, dated, self.said).link(refs)
        return DatedChart(MappingProxyType(settings), tuple(linked), self.said.notes())

    def _calendar(self) -> dict[str, Any]:
        chart = self.chart
        settings = dict(chart.settings)
        fmt = self.fmt
        for name, tokens in (("excludes", chart.excludes), ("includes", chart.includes)):
            kept: list[str] = []
            for token, line, col in tokens:
                value = self._day_token(name, token, fmt)
                if value is None:
                    self.said.warn(
                        (line, col),
                        "I201",
                        f"Mermaid silently ignores {token!r} in {name}; left out (the chart "
                        "does not change)",
                        "use weekends, a day name (monday ... sunday) or a date"
                        if name == "excludes"
                        else "includes takes dates",
                        setting=name,
                        same=True,
                    )
                elif value not in kept:
                    kept.append(value)
            if kept:
                settings[name] = kept
        days = rm.Chart(
            excludes=tuple(settings.get("excludes", ())), weekend=settings.get("weekend")
        )
        if len(rm.Calendar.of(days).weekdays) == 7:
            raise self.said.fail(
                (chart.excludes[0][1], chart.excludes[0][2]),
                "I110",
                "excludes every day of the week: Mermaid cannot place a task",
                "remove a day from excludes",
            )
        return settings

    @staticmethod
    def _day_token(name: str, token: str, fmt: DateFormat) -> str | None:
        if name == "excludes" and (token == "weekends" or token in WEEKDAYS):
            return token
        moment = fmt.strict(token)
        if moment is not None:
            return iso(moment)
        return token if ISO.match(token) and rm.parse_date(token) else None

    def _tags(self, index: int, task: ReadTask) -> tuple[set[str], list[Field]]:
        """The task's tags, and its fields after them."""
        fields = list(task.fields)
        tags: set[str] = set()
        while fields and any(TAG_RE[t].match(fields[0].text) for t in TAGS):
            tags.add(fields.pop(0).text)
        if not fields:
            raise self.said.fail(
                (task.line, task.col),
                "I105",
                "task data with tags only: Mermaid cannot draw the chart",
                "add a start and an end after the tags",
            )
        misplaced = [f for f in fields if f.text.lower() in TAGS]
        for f in misplaced:
            fields.remove(f)
            tags.add(f.text.lower())
            self.said.warn(
                (task.line, f.col),
                "I214",
                f"{f.text!r} is not a tag where it stands (tags are lower case and come first); "
                f"Mermaid reads it as an id or date, so the line is misdrawn or the chart fails; "
                f"imported as the tag {f.text.lower()!r}",
                "write tags first, in lower case",
                task=index,
            )
        return tags, fields

    def _count(self, index: int, task: ReadTask, kind: rm.Kind, fields: list[Field]) -> None:
        """Mend the field count Mermaid misreads (`fields` is the pass's own list)."""
        while len(fields) > 3 and not fields[-1].text:
            dropped = fields.pop()
            self.said.warn(
                (task.line, dropped.col - 1),
                "I202",
                "a trailing comma gives Mermaid four fields and it cannot draw the chart "
                "at all; imported without it, so the chart is drawn again",
                "remove the trailing comma",
                task=index,
            )
        if len(fields) > 3:
            raise self.said.fail(
                (task.line, fields[3].col),
                "I105",
                f"{len(fields)} fields after the tags: Mermaid takes an id, a start and an end "
                "and cannot draw the chart",
                "write 'Name :tags, id, start, end'",
            )
        if len(fields) >= 2 and not fields[-1].text:
            self.said.warn(
                (task.line, fields[-1].col - 1),
                "I202",
                "a trailing comma gives Mermaid an empty end: it draws the "
                f"{'marker' if kind == 'marker' else kind} with zero length (and warns); "
                "imported as 0d, so the chart does not change"
                + ("; give the task an end" if kind == "task" else ""),
                "remove the trailing comma",
                task=index,
                same=True,
            )
            fields[-1] = Field("0d", fields[-1].col)
        elif len(fields) == 2 and kind != "task" and self._id_then_date(fields):
            self.said.warn(
                (task.line, fields[0].col),
                "I202",
                f"{kind} without a duration: Mermaid reads {fields[0].text!r} as the start "
                f"and cannot draw the chart ('Invalid date'); imported as id "
                f"{fields[0].text!r} at {fields[1].text}",
                "write ', 0d' after the date",
                task=index,
            )
            fields.append(Field("0d", task.end_col))

    def _id_then_date(self, fields: list[Field]) -> bool:
        first, second = fields[0].text, fields[1].text
        if AFTER.match(first) or any_date(self.fmt, first) or not rm.ID_CHARS.match(first):
            return False
        return any_date(self.fmt, second) or bool(AFTER.match(second))

    def _read(self, index: int, task: DatedTask) -> tuple[DatedTask, list[_Ref]]:
        """The task with its id and the dates its own fields give, and its after/until ids."""
        fields = task.fields
        refs: list[_Ref] = []
        if len(fields) == 3:
            task = replace(task, id=fields[0].text, id_col=fields[0].col)
        if len(fields) >= 2:
            start = fields[-2]
            after = AFTER.match(start.text)
            if after:
                refs.append(_ref("after", after, start))
            else:
                task = replace(task, start=("date", self._start_date(index, task, start)))
        elif index == 0:
            raise self.said.fail(
                (task.line, fields[0].col),
                "I106",
                "the first task has no start: Mermaid cannot draw the chart",
                "give it a start date: 'Name :2025-01-01, 10d'",
            )
        end = fields[-1]
        until = UNTIL.match(end.text)
        if until:
            refs.append(_ref("until", until, end))
        else:
            reading, stretched = self._end(index, task, end)
            task = replace(task, end=reading, stretched_end=stretched)
        return task, refs

    def _start_date(self, index: int, task: DatedTask, f: Field) -> str:
        where = (task.line, f.col)
        moment = self.fmt.strict(f.text)
        if moment is None:
            moment = self._fallback_start(index, task, f)
        if moment.hour or moment.minute or moment.second:
            raise self._time_of_day(where, f.text)
        return iso(moment)

    def _fallback_start(self, index: int, task: DatedTask, f: Field) -> datetime:
        """Mermaid's `new Date()` fallback, or the dateFormat's order when that is evident."""
        where = (task.line, f.col)
        js = js_date(f.text)
        loose = self.fmt.loose(f.text)
        if loose is not None and loose != js:
            mermaid = f"as {iso(js)}" if js else "it not at all ('Invalid date')"
            self.said.warn(
                where,
                "I210",
                f"the start {f.text!r} does not match dateFormat {self.fmt.text!r}: Mermaid "
                f"falls back to JavaScript's date parser and reads {mermaid}; imported in "
                f"the dateFormat's order as {iso(loose)}, so the bar moves there",
                "write dates exactly in the chart's dateFormat",
                task=index,
            )
            return loose
        if js is None:
            raise self.said.fail(
                where,
                "I103",
                f"Mermaid cannot read the start date {f.text!r} ('Invalid date') and cannot "
                "draw the chart",
                f"write it as {self.fmt.text or 'YYYY-MM-DD'}",
            )
        if not (ISO.match(f.text) and rm.parse_date(f.text)):
            self.said.warn(
                where,
                "I210",
                f"the start {f.text!r} does not match dateFormat "
                f"{self.fmt.text or '(none)'!r}: Mermaid silently falls back to "
                f"JavaScript's date parser, which reads it as {iso(js)} (month first when "
                "ambiguous); imported as that date, so the chart does not change",
                "check the date; write it as YYYY-MM-DD",
                task=index,
                same=True,
            )
        return js

    def _time_of_day(self, where: tuple[int, int], text: str) -> ChartError:
        return self.said.fail(
            where,
            "I104",
            f"{text!r} has a time of day; roadmap dates are whole days",
            "use midnight (00:00), or keep this chart by hand",
        )

    def _end(self, index: int, task: DatedTask, f: Field) -> tuple[tuple[str, Any], bool]:
        """The end the field gives, and whether Mermaid stretches it over excluded days."""
        moment = self.fmt.strict(f.text)
        if moment is not None:
            if moment.hour or moment.minute or moment.second:
                raise self._time_of_day((task.line, f.col), f.text)
            # Mermaid keeps an end date as written only when it is YYYY-MM-DD, whatever the
            # dateFormat; other explicit ends are stretched over excluded days.
            stretched = not (ISO.match(f.text) and rm.parse_date(f.text))
            return ("date", iso(moment)), stretched
        if DURATION.match(f.text):
            self._minutes(index, task, f)
            return ("duration", f.text), False
        return self._evident_end(index, task, f), False

    def _minutes(self, index: int, task: DatedTask, f: Field) -> None:
        if f.text.endswith("m") and not f.text.endswith("ms") and not self.fmt.has_time:
            self.said.warn(
                (task.line, f.col),
                "I216",
                f"{f.text!r} is {f.text[:-1]} minutes in Mermaid (months are 'M'); kept as "
                "minutes, as Mermaid draws it",
                f"if months are meant, write {f.text[:-1]}M",
                task=index,
            )

    def _evident_end(self, index: int, task: DatedTask, f: Field) -> tuple[str, Any]:
        """An end Mermaid cannot read (it draws zero length): what the author evidently meant."""
        moment = self.fmt.loose(f.text) or js_date(f.text)
        reading: tuple[str, Any]
        if moment is not None and not (moment.hour or moment.minute):
            reading, shown = ("date", iso(moment)), f"the end date {iso(moment)}"
        else:
            duration = _loose_duration(f.text)
            reading = ("duration", duration or "0d")
            shown = f"the duration {duration}" if duration else "0d (zero length)"
        why = (
            "there is no dateFormat line"
            if not self.fmt.text
            else f"it is neither a date in dateFormat {self.fmt.text!r} nor a duration"
        )
        change = "the chart does not change" if reading[1] == "0d" else "the bar gets its length"
        self.said.warn(
            (task.line, f.col),
            "I211",
            f"Mermaid cannot read the end {f.text!r} ({why}) and draws the bar with zero "
            f"length; imported as {shown}, so {change}",
            "durations are a number and one of ms s m h d w M y (case matters)",
            task=index,
            same=reading[1] == "0d",
        )
        return reading


def _loose_duration(text: str) -> str | None:
    m = _LOOSE_DURATION.match(text)
    if not m:
        return None
    number, unit = m[1], m[2]
    if unit.lower() in ("q", "quarter", "quarters") and number.isdigit():
        return f"{int(number) * 3}M"
    mapped = _UNIT_WORDS.get(unit) or _UNIT_WORDS.get(unit.lower())
    if unit in ("M", "m"):
        return None  # valid units already; anything else here is not a typo of them
    return f"{number}{mapped}" if mapped else None


def _ref(key: str, m: re.Match[str], f: Field) -> _Ref:
    ids = [i for i in m[1].split(" ") if i]
    return _Ref(ids, f.col, key, partial=f.text[m.end() :])


class _References:
    """after/until/click ids and the previous task, resolved as Mermaid resolves them."""

    def __init__(self, chart: ReadChart, tasks: list[DatedTask], said: Collector) -> None:
        self.chart = chart
        self.tasks = tasks
        self.said = said
        # Mermaid's id table: each id points at the LAST task declared with it.
        self.last: dict[str, int] = {}
        self.first: dict[str, int] = {}
        for i, task in enumerate(tasks):
            if task.in_mermaid or task.mermaid_id:
                self.last[task.mermaid_id] = i
                self.first.setdefault(task.mermaid_id, i)
        self.explicit = {t.id: i for i, t in enumerate(tasks) if t.id}

    def link(self, refs: list[list[_Ref]]) -> list[DatedTask]:
        """The tasks with their after/until targets and click links (new values)."""
        linked: list[DatedTask] = []
        for index, task_refs in enumerate(refs):
            task = self.tasks[index]
            for ref in task_refs:
                targets = self._targets(index, ref)
                reading = (ref.key, targets) if targets else ("date", self._today())
                if ref.key == "after":
                    task = replace(task, start=reading)
                else:
                    task = replace(task, end=reading)
            self._previous(index, task)
            linked.append(task)
        for click in self.chart.clicks:
            for i in click.ids:
                target = self.first.get(i)
                if target is None:
                    self.said.warn(
                        (click.line, click.col),
                        "I207",
                        f"click names the unknown id {i!r}: Mermaid ignores it; its link is "
                        "not kept",
                        "give the task that id",
                    )
                else:
                    linked[target] = replace(linked[target], link=click.url)
        return linked

    def _today(self) -> str:
        return self.chart.today.isoformat()

    def _targets(self, index: int, ref: _Ref) -> list[int]:
        found: list[int] = []
        for n, ref_id in enumerate(ref.ids):
            partial = ref.partial if n == len(ref.ids) - 1 else ""
            target = self.last.get(ref_id)
            if target is not None and not partial:
                found.append(target)
                self._automatic(index, ref, ref_id, target)
                continue
            choice = self._unknown(index, ref, ref_id + partial, target)
            if choice is not None:
                found.append(choice)
        return sorted(set(found), key=found.index)

    def _automatic(self, index: int, ref: _Ref, ref_id: str, target: int) -> None:
        task = self.tasks[target]
        if task.id is None:
            self.said.warn(
                (self.tasks[index].line, ref.col),
                "I215",
                f"'{ref.key} {ref_id}' names Mermaid's automatic id of {task.name!r}; a roadmap "
                "cannot use taskN ids, so that task gets an id of its own (the chart does not "
                "change)",
                "give the task an id in the chart",
                task=index,
                same=True,
            )

    def _unknown(self, index: int, ref: _Ref, wanted: str, target: int | None) -> int | None:
        """An id Mermaid does not find (or reads only in part): say how, and pick a reading."""
        ref_id = AFTER.match(f"after {wanted}")
        seen = ref_id[1].split(" ")[0] if ref_id else wanted
        verb = "starts" if ref.key == "after" else "ends"
        known = [i for i in ref.ids if i in self.last and i != seen]
        if seen != wanted:
            mermaid = f"Mermaid reads only {seen!r} of it" + (
                ", another task"
                if target is not None
                else f", which it does not know, so it {verb} the task today"
            )
        elif known:
            mermaid = f"Mermaid skips it and uses {', '.join(map(repr, known))}"
        else:
            mermaid = f"Mermaid {verb} the task today, so it moves every day"
        guess = self._guess(wanted)
        if guess is not None:
            chosen = self.tasks[guess].id
            case = " (ids are case-sensitive)" if chosen != wanted else ""
            reading = f"read as {chosen!r}{case}, so the bar moves"
        elif target is not None:
            guess, reading = target, f"read as {seen!r}, as Mermaid does"
        elif known:
            reading = "left out, as Mermaid does: the chart does not change"
        else:
            reading = f"imported with today's date ({self._today()}) fixed"
        self.said.warn(
            (self.tasks[index].line, ref.col),
            "I207",
            f"'{ref.key}' names the unknown id {wanted!r}: {mermaid}; {reading}",
            "use the id of a task in this chart",
            task=index,
            same=guess is None and bool(known),
        )
        return guess

    def _guess(self, wanted: str) -> int | None:
        exact = self.explicit.get(wanted)
        if exact is not None:
            return self.last.get(wanted, exact)
        close = [i for name, i in self.explicit.items() if name.lower() == wanted.lower()]
        return close[0] if len(close) == 1 else None

    def _previous(self, index: int, task: DatedTask) -> None:
        """Mermaid starts a task without a start at the end of the task the PREVIOUS line's id
        names; with a duplicate id that is the last task with that id, not the line before."""
        before = self.tasks[index - 1] if index else None
        if task.start[0] != "prev" or before is None or not before.in_mermaid:
            return
        mermaid_prev = self.last.get(before.mermaid_id, index - 1)
        if mermaid_prev != index - 1 and task.in_mermaid:
            other = self.tasks[mermaid_prev]
            self.said.warn(
                (task.line, task.col),
                "I208",
                f"the line before has the duplicate id {before.mermaid_id!r}: Mermaid starts "
                f"this task where the last task with that id ({other.name!r}, line "
                f"{other.line}) ends; imported as starting where the line before ends, so "
                "the bar moves",
                "give every task its own id",
                task=index,
            )
