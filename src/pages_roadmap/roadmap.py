"""The roadmap model, how Mermaid resolves its dates, and the checks a schema cannot express."""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pages_roadmap.findings import Finding, error, warning
from pages_roadmap.mermaid.grammar import (
    DURATION,
    JS_KEYS,
    LEXER_RULES,
    TAG_WORDS,
    TICK_INTERVAL,
    WEEKDAYS,
    tick_in_months,
)
from pages_roadmap.text import as_mermaid_lexes, inert_text_problems
from pages_roadmap.yamlload import Document, JsonPath, describe_path

Kind = Literal["task", "milestone", "marker"]
KINDS: tuple[Kind, ...] = ("task", "milestone", "marker")
ROADMAP_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # \Z: "$" would allow a final "\n"


@dataclass(frozen=True)
class Item:
    kind: Kind
    name: str
    id: str | None = None
    start: str | None = None  # ISO date; a milestone's or marker's `date`
    after: tuple[str, ...] = ()
    end: str | None = None
    duration: str | None = None
    until: tuple[str, ...] = ()
    status: str = "auto"
    crit: bool = False
    owner: str | None = None
    link: str | None = None
    note: str | None = None
    path: JsonPath = ()


@dataclass(frozen=True)
class Section:
    name: str | None
    items: tuple[Item, ...]
    path: JsonPath = ()


@dataclass(frozen=True)
class Chart:
    axis_format: str | None = None
    tick_interval: str | None = None
    excludes: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    weekend: str | None = None
    weekday: str | None = None
    today_marker: bool | str = True
    inclusive_end_dates: bool = False
    display_mode: str | None = None
    top_axis: bool = False
    auto_status: bool = True


@dataclass(frozen=True)
class Roadmap:
    id: str
    sections: tuple[Section, ...]
    title: str | None = None
    description: str | None = None
    acc_title: str | None = None
    chart: Chart = field(default_factory=Chart)
    notes: tuple[str, ...] = ()

    def items(self) -> Iterator[tuple[Section, Item]]:
        for section in self.sections:
            for item in section.items:
                yield section, item


def _ids(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def chart_from_data(data: Mapping[str, Any]) -> Chart:
    """The chart settings among `data`'s keys (Chart's fields); the others take their defaults."""
    defaults = Chart()
    values: dict[str, Any] = {}
    for f in dataclass_fields(Chart):
        if f.name not in data:
            continue
        value = data[f.name]
        if isinstance(getattr(defaults, f.name), tuple):
            value = tuple(value)
        elif f.type == "bool":
            value = bool(value)
        values[f.name] = value
    return Chart(**values)


def from_data(roadmap_id: str, data: dict[str, Any]) -> Roadmap:
    """The model of a schema-valid roadmap document."""
    sections = []
    for si, sec in enumerate(data["sections"]):
        items = []
        for ii, raw in enumerate(sec["items"]):
            kind = next(k for k in KINDS if k in raw)
            items.append(
                Item(
                    kind=kind,
                    name=raw[kind],
                    id=raw.get("id"),
                    start=raw.get("start", raw.get("date")),
                    after=_ids(raw.get("after")),
                    end=raw.get("end"),
                    duration=raw.get("duration"),
                    until=_ids(raw.get("until")),
                    status=raw.get("status", "auto"),
                    crit=bool(raw.get("crit", False)),
                    owner=raw.get("owner"),
                    link=raw.get("link"),
                    note=raw.get("note"),
                    path=("sections", si, "items", ii),
                )
            )
        sections.append(Section(sec.get("name"), tuple(items), ("sections", si)))
    return Roadmap(
        id=roadmap_id,
        sections=tuple(sections),
        title=data.get("title"),
        description=data.get("description"),
        acc_title=data.get("acc_title"),
        chart=chart_from_data(data.get("chart", {})),
        notes=tuple(data.get("notes", ())),
    )


def to_data(roadmap: Roadmap) -> dict[str, Any]:
    """The YAML-ready form of a roadmap (inverse of `from_data`), with defaults left out."""
    out: dict[str, Any] = {}
    for key in ("title", "description", "acc_title"):
        if getattr(roadmap, key):
            out[key] = getattr(roadmap, key)
    chart = _chart_data(roadmap.chart)
    if chart:
        out["chart"] = chart
    sections = []
    for section in roadmap.sections:
        sec: dict[str, Any] = {}
        if section.name is not None:
            sec["name"] = section.name
        sec["items"] = [_item_data(item) for item in section.items]
        sections.append(sec)
    out["sections"] = sections
    if roadmap.notes:
        out["notes"] = list(roadmap.notes)
    return out


def _chart_data(chart: Chart) -> dict[str, Any]:
    defaults = Chart()
    out: dict[str, Any] = {}
    for key in Chart.__dataclass_fields__:
        value = getattr(chart, key)
        if value != getattr(defaults, key):
            out[key] = list(value) if isinstance(value, tuple) else value
    return out


def _item_data(item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {item.kind: item.name}
    date_key = "start" if item.kind == "task" else "date"
    fields: list[tuple[str, Any]] = [
        ("id", item.id),
        (date_key, item.start),
        ("after", one_or_list(item.after)),
        ("end", item.end),
        ("duration", item.duration),
        ("until", one_or_list(item.until)),
        ("status", None if item.status == "auto" else item.status),
        ("crit", True if item.crit else None),
        ("owner", item.owner),
        ("link", item.link),
        ("note", item.note),
    ]
    out.update((key, value) for key, value in fields if value)
    return out


def one_or_list(ids: Sequence[str]) -> str | list[str] | None:
    """One id as itself, more as a list, none as None: how a roadmap file writes after/until."""
    if not ids:
        return None
    return ids[0] if len(ids) == 1 else list(ids)


# --- Dates as Mermaid resolves them ------------------------------------------------------------

_EXACT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
MAX_EXCLUDE_DAYS = 10_000  # Mermaid gives up after this many excluded days


class ResolveError(Exception):
    """A roadmap whose dates cannot be resolved (the checks report why)."""


def parse_date(text: str) -> datetime | None:
    """Midnight of an ISO date, or None when the date does not exist."""
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time())
    except ValueError:
        return None


def add_duration(start: datetime, text: str) -> datetime | None:
    """`start` plus a Mermaid duration, with dayjs' `add` arithmetic, or None if not a duration."""
    m = DURATION.match(text)
    if not m:
        return None
    value, unit = float(m[1]), m[2]
    if unit in ("d", "w"):
        # dayjs rounds day counts half up and moves the calendar day (1.5d is 2 days).
        days = math.floor(value * (7 if unit == "w" else 1) + 0.5)
        return start + timedelta(days=days)
    if unit in ("M", "y"):
        # Calendar months and years; JS setMonth/setFullYear drop the fraction; the day is
        # clamped to the month's length (Jan 31 + 1M = Feb 28).
        months = int(value) * (12 if unit == "y" else 1)
        index = start.month - 1 + months
        year, month = start.year + index // 12, index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return start.replace(year=year, month=month, day=day)
    # A roadmap is made of days: a finer duration counts in days, rounded like a day count
    # (36h is 1.5 days, so 2; 11h is 0), so every date stays a midnight in every time zone.
    days = math.floor(value * _EXACT_SECONDS[unit] / 86_400 + 0.5)
    return start + timedelta(days=days)


@dataclass(frozen=True)
class Calendar:
    """A chart's excluded days, prepared once: weekday numbers and ISO dates."""

    weekdays: frozenset[int]
    dates: frozenset[str]
    includes: frozenset[str]

    @classmethod
    def of(cls, chart: Chart) -> Calendar:
        excludes = {e.lower() for e in chart.excludes}
        weekdays = {i for i, name in enumerate(WEEKDAYS) if name in excludes}
        if "weekends" in excludes:
            first = 4 if chart.weekend == "friday" else 5  # monday = 0
            weekdays |= {first, first + 1}
        return cls(frozenset(weekdays), frozenset(excludes), frozenset(chart.includes))

    def excluded(self, day: datetime) -> bool:
        """Mermaid's isInvalidDate: `includes` wins, then weekends, day names and dates."""
        if self.dates or self.includes:
            iso = day.date().isoformat()
            if iso in self.includes:
                return False
            if iso in self.dates:
                return True
        return day.weekday() in self.weekdays


def stretch(start: datetime, end: datetime, calendar: Calendar) -> tuple[datetime, datetime, bool]:
    """Mermaid's fixTaskDates: each excluded day after the start pushes the end one day on.

    Returns the end; the end of the bar, the day after the last day that is not excluded (the
    start counts as such), since excluded days at the end are not drawn; and whether it gave up
    (after MAX_EXCLUDE_DAYS days, as Mermaid does).
    """
    day = start + timedelta(days=1)
    one = timedelta(days=1)
    steps = 0
    bar_end = end
    excluded = False
    while day <= end:
        if not excluded:
            bar_end = end
        excluded = calendar.excluded(day)
        if excluded:
            end += one
        day += one
        steps += 1
        if steps > MAX_EXCLUDE_DAYS:
            return end, bar_end, True
    return end, bar_end, False


def _stretched(start: datetime, end: datetime, chart: Chart) -> Span:
    end, bar_end, gave_up = stretch(start, end, Calendar.of(chart))
    if gave_up:
        raise ResolveError("excluded days leave no day to work on")
    return Span(start, end, bar_end)


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime  # where the item ends: `after` and the next item without a start begin here
    bar_end: datetime | None = None  # where its bar ends, when excluded days at the end are cut

    @property
    def drawn_end(self) -> datetime:
        return self.end if self.bar_end is None else self.bar_end


_RESOLVED: dict[int, tuple[Roadmap, dict[JsonPath, Span]]] = {}  # the last few, by identity


def resolve(roadmap: Roadmap) -> dict[JsonPath, Span]:
    """Start and end of every item, computed the way Mermaid's task compiler does (the result
    is shared: read it, never change it).

    A roadmap is immutable and checking, drawing and the statuses all ask for its dates: the
    last few results are kept, by identity (the entry holds the roadmap, so its id stays its).
    """
    hit = _RESOLVED.get(id(roadmap))
    if hit is not None and hit[0] is roadmap:
        return hit[1]
    spans = _resolve(roadmap)
    if len(_RESOLVED) >= 8:
        del _RESOLVED[next(iter(_RESOLVED))]
    _RESOLVED[id(roadmap)] = (roadmap, spans)
    return spans


def _resolve(roadmap: Roadmap) -> dict[JsonPath, Span]:
    """Start and end of every item, computed the way Mermaid's task compiler does.

    Mermaid repeats its compile pass until nothing changes, so `after` may point forward. The
    same fixed point is reached here in one pass in dependency order (Kahn's algorithm): an item
    is worked out once everything it depends on is (the items named by `after` and `until`, or
    the previous item when it has no start of its own), so the cost is linear in items and
    references. Items in a cycle, or depending on an item that cannot be worked out, get no span.
    """
    items = [item for _, item in roadmap.items()]
    index = {item.id: n for n, item in enumerate(items) if item.id}  # the last item with an id
    deps = [_dependencies(n, item, index) for n, item in enumerate(items)]
    waiting = [len(d) if d is not None else -1 for d in deps]
    dependents: list[list[int]] = [[] for _ in items]
    for n, d in enumerate(deps):
        for m in d or ():
            dependents[m].append(n)
    by_id = {item.id: item for item in items if item.id}
    spans: dict[JsonPath, Span] = {}
    ready = [n for n, count in enumerate(waiting) if count == 0]
    while ready:
        n = ready.pop()
        item = items[n]
        prev = spans.get(items[n - 1].path) if n > 0 else None
        try:
            span = _resolve_item(item, roadmap.chart, by_id, spans, prev.end if prev else None)
        except (OverflowError, ValueError):  # past 9999-12-31: Python's dates end there
            span = None
        if span is None:
            continue
        spans[item.path] = span
        for m in dependents[n]:
            waiting[m] -= 1
            if waiting[m] == 0:
                ready.append(m)
    return spans


def _dependencies(n: int, item: Item, index: dict[str, int]) -> set[int] | None:
    """The items `item` needs worked out first; None when it can never be worked out."""
    needs: set[int] = set()
    if item.start:
        pass
    elif item.after:
        known = {index[i] for i in item.after if i in index}
        if not known:
            return None
        needs |= known
    elif n == 0:
        return None
    else:
        needs.add(n - 1)
    if item.kind == "task" and not item.end and not item.duration:
        known = {index[i] for i in item.until if i in index}
        if not known:
            return None
        needs |= known
    return needs


def _resolve_item(
    item: Item,
    chart: Chart,
    by_id: dict[str, Item],
    spans: dict[JsonPath, Span],
    prev_end: datetime | None,
) -> Span | None:
    if item.start:
        start = parse_date(item.start)
    elif item.after:
        ends = [
            spans[by_id[i].path].end for i in item.after if i in by_id and by_id[i].path in spans
        ]
        if len(ends) != len([i for i in item.after if i in by_id]) or not ends:
            return None
        start = max(ends)
    else:
        start = prev_end
    if start is None:
        return None
    manual_end = False
    if item.kind != "task":
        end = start
    elif item.end:
        end_day = parse_date(item.end)
        if end_day is None:
            return None
        end = end_day + timedelta(days=1) if chart.inclusive_end_dates else end_day
        manual_end = True
    elif item.duration:
        moved = add_duration(start, item.duration)
        if moved is None:
            return None
        end = moved
    else:
        starts = [
            spans[by_id[i].path].start for i in item.until if i in by_id and by_id[i].path in spans
        ]
        if len(starts) != len([i for i in item.until if i in by_id]) or not starts:
            return None
        end = min(starts)
    if chart.excludes and not manual_end:
        return _stretched(start, end, chart)
    return Span(start, end)


def status_on(item: Item, span: Span | None, today: date) -> str:
    """The item's status: its own, or derived from `today` when it is `auto`."""
    if item.status != "auto":
        return item.status
    if span is None:
        return "planned"
    midnight = datetime.combine(today, datetime.min.time())
    if item.kind != "task":
        day = span.start.date()
        return "done" if day < today else "active" if day == today else "planned"
    if span.end <= midnight:
        return "done"
    return "active" if span.start <= midnight else "planned"


def with_status(roadmap: Roadmap, today: date) -> Roadmap:
    """The roadmap with every `auto` status replaced by today's."""
    if not roadmap.chart.auto_status:
        return _planned(roadmap)
    spans = resolve(roadmap)

    def dated(it: Item) -> Item:  # an item with a status of its own stays as it is
        return (
            it
            if it.status != "auto"
            else replace(it, status=status_on(it, spans.get(it.path), today))
        )

    sections = tuple(
        replace(sec, items=tuple(dated(it) for it in sec.items)) for sec in roadmap.sections
    )
    return replace(roadmap, sections=sections)


def _planned(roadmap: Roadmap) -> Roadmap:
    sections = tuple(
        replace(
            sec,
            items=tuple(
                replace(it, status="planned") if it.status == "auto" else it for it in sec.items
            ),
        )
        for sec in roadmap.sections
    )
    return replace(roadmap, sections=sections)


# --- Semantic checks ------------------------------------------------------------------------------

ID_CHARS = re.compile(r"^[A-Za-z0-9_-]+\Z")
AUTO_ID = re.compile(r"^task\d+\Z", re.IGNORECASE)
LIQUID = re.compile(r"\{\{|\{%")


def _any_rule(rules: tuple[tuple[re.Pattern[str], str], ...]) -> re.Pattern[str] | None:
    """All the lexer rules in one expression, to tell at once that none matches (None when
    they cannot be joined: different flags, or a back-reference that joining would renumber)."""
    flags = {rule.flags for rule, _ in rules}
    if len(flags) != 1 or any(re.search(r"\\[1-9]|\(\?P=", r.pattern) for r, _ in rules):
        return None
    return re.compile("|".join(f"(?:{rule.pattern})" for rule, _ in rules), flags.pop())


_ANY_LEXER_RULE = _any_rule(LEXER_RULES)


def name_problem(text: str) -> str | None:
    """Why Mermaid would misread this as a task name, or None when it reads it as written."""
    if not text.strip():
        return "a blank name draws nothing"
    if text != text.strip(" \t"):
        return "Mermaid drops spaces at the start and end of a name"
    # The line as the generator writes it: the name, then ` :` and the task's data.
    lexed = as_mermaid_lexes(text) + " :"
    if _ANY_LEXER_RULE is not None and not _ANY_LEXER_RULE.match(lexed):
        return None
    for rule, what in LEXER_RULES:
        if rule.match(lexed):
            return f"Mermaid's lexer reads a line starting like this as {what}, not as a name"
    return None


@dataclass
class _Checker:
    roadmap: Roadmap
    doc: Document
    path: str
    findings: list[Finding] = field(default_factory=list)

    def at(
        self, jpath: JsonPath, code: str, message: str, hint: str, *, warn: bool = False
    ) -> None:
        pos = self.doc.pos(jpath)
        make = warning if warn else error
        self.findings.append(
            make(self.path, pos.line, pos.col, code, f"{describe_path(jpath)}: {message}", hint)
        )


def check(roadmap: Roadmap, doc: Document, path: str) -> list[Finding]:
    """Findings JSON Schema cannot express, for a schema-valid roadmap."""
    c = _Checker(roadmap, doc, path)
    _check_chart(c)
    _check_sections(c)
    ids = _check_ids(c)
    _check_dates(c)
    _check_refs(c, ids)
    if not any(f.is_error for f in c.findings):
        _check_spans(c)
    _check_text(c)
    return sorted(c.findings, key=lambda f: (f.line, f.col, f.code))


def _check_chart(c: _Checker) -> None:
    chart = c.roadmap.chart
    if chart.tick_interval is not None and not TICK_INTERVAL.match(chart.tick_interval):
        months = tick_in_months(chart.tick_interval)
        if months:
            hint = f"use '{months[0]}' for {months[1]}"
        else:
            hint = (
                "write a number and one of millisecond, second, minute, hour, day, week, "
                "month (e.g. 1week)"
            )
        c.at(
            ("chart", "tick_interval"),
            "R112",
            f"Mermaid silently ignores the tick interval {chart.tick_interval!r}",
            hint,
        )
    excludes = {e.lower() for e in chart.excludes}
    for i, token in enumerate(chart.excludes):
        t = token.lower()
        if t == "weekends" or t in WEEKDAYS:
            continue
        if parse_date(t) is None:
            hint = (
                "list the days one by one: monday, tuesday, ..."
                if t == "weekdays"
                else "use weekends, a day name (monday ... sunday) or an ISO date"
            )
            c.at(("chart", "excludes", i), "R113", f"Mermaid ignores the exclude {token!r}", hint)
    weekend = {"saturday", "sunday"} if chart.weekend != "friday" else {"friday", "saturday"}
    days = set(WEEKDAYS) - excludes - (weekend if "weekends" in excludes else set())
    if not days and not chart.includes:
        c.at(
            ("chart", "excludes"),
            "R114",
            "excludes every day of the week",
            "Mermaid cannot place a task when every day is excluded; remove a day",
        )


def _check_sections(c: _Checker) -> None:
    for si, section in enumerate(c.roadmap.sections):
        if section.name is None and si > 0:
            c.at(
                ("sections", si),
                "R115",
                "only the first section may have no name",
                "add 'name: <section heading>'",
            )


def _check_ids(c: _Checker) -> dict[str, Item]:
    seen: dict[str, Item] = {}
    for _, item in c.roadmap.items():
        if item.id is None:
            continue
        where = (*item.path, "id")
        if not ID_CHARS.match(item.id):
            c.at(
                where,
                "R107",
                f"id {item.id!r} cannot be referenced in Mermaid",
                "use only letters, digits, '_' and '-'",
            )
        elif item.id in TAG_WORDS or item.id in JS_KEYS:
            kind = "a Mermaid tag" if item.id in TAG_WORDS else "a JavaScript object key"
            c.at(
                where,
                "R108",
                f"id {item.id!r} is {kind}: Mermaid would misread the item",
                "choose another id (e.g. add a prefix)",
            )
        elif AUTO_ID.match(item.id):
            c.at(
                where,
                "R108",
                f"id {item.id!r} collides with Mermaid's automatic ids",
                "choose an id that is not 'task' followed by a number",
            )
        if item.id in seen:
            first = c.doc.pos((*seen[item.id].path, "id"))
            c.at(
                where,
                "R106",
                f"duplicate id {item.id!r} (first at line {first.line})",
                "give every item its own id; Mermaid would silently use the last one",
            )
        else:
            seen[item.id] = item
    return seen


def _check_dates(c: _Checker) -> None:
    first = True
    for _, item in c.roadmap.items():
        for key in ("start", "end"):
            value = getattr(item, key)
            if value is not None and parse_date(value) is not None and value[:4] < "1000":
                c.at(
                    (*item.path, "date" if key == "start" and item.kind != "task" else key),
                    "R119",
                    f"{value!r} is before the year 1000",
                    "JavaScript reads years 0-99 as 1900-1999; use a year from 1000 on",
                )
            if value is not None and parse_date(value) is None:
                field_name = "date" if key == "start" and item.kind != "task" else key
                c.at(
                    (*item.path, field_name),
                    "R101",
                    f"{value!r} is not a real date",
                    "check the day and month",
                )
        if first and not item.start and not item.after:
            c.at(
                item.path,
                "R116",
                f"the first item {item.name!r} has no start",
                "give it 'start:' (later items without one start where the previous item ends)",
            )
        first = False
        if item.start and item.end:
            s, e = parse_date(item.start), parse_date(item.end)
            if s and e and e < s:
                c.at(
                    (*item.path, "end"),
                    "R102",
                    f"ends ({item.end}) before it starts ({item.start})",
                    "swap the dates, or fix the one that is wrong",
                )


def _check_refs(c: _Checker, ids: dict[str, Item]) -> None:
    for _, item in c.roadmap.items():
        for key in ("after", "until"):
            refs: tuple[str, ...] = getattr(item, key)
            seen: set[str] = set()
            for i, ref in enumerate(refs):
                where = (
                    (*item.path, key)
                    if len(refs) == 1 and _is_scalar(c, item, key)
                    else (*item.path, key, i)
                )
                if ref in seen:
                    c.at(where, "R104", f"{ref!r} is listed twice in '{key}'", "remove the repeat")
                seen.add(ref)
                if ref not in ids:
                    close = [k for k in ids if k.lower() == ref.lower()]
                    hint = (
                        f"did you mean {close[0]!r}?"
                        if close
                        else "use the id of an item in this roadmap"
                    )
                    c.at(where, "R103", f"unknown id {ref!r} in '{key}'", hint)
                elif ref == item.id:
                    c.at(
                        where, "R105", f"item refers to itself in '{key}'", "refer to another item"
                    )
    _check_cycles(c, ids)


def _is_scalar(c: _Checker, item: Item, key: str) -> bool:
    sec, idx = item.path[1], item.path[3]
    raw = c.doc.data["sections"][sec]["items"][idx].get(key)
    return isinstance(raw, str)


def _check_cycles(c: _Checker, ids: dict[str, Item]) -> None:
    deps = {i: [r for r in (*it.after, *it.until) if r in ids and r != i] for i, it in ids.items()}
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    reported: set[frozenset[str]] = set()

    def report(cycle: list[str]) -> None:
        key = frozenset(cycle)
        if key not in reported:
            reported.add(key)
            loop = " -> ".join([*cycle, cycle[0]])
            c.at(
                ids[cycle[0]].path,
                "R105",
                f"dependency cycle: {loop}",
                "break the cycle: one of these items needs a fixed date",
            )

    # Depth-first, with an explicit stack: a chain of thousands of `after`s must not hit
    # Python's recursion limit.
    for root in deps:
        if root in state:
            continue
        state[root] = 1
        path = [root]
        todo = [iter(deps[root])]
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                todo.pop()
                state[path.pop()] = 2
            elif state.get(nxt) == 1:
                report(path[path.index(nxt) :])
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                todo.append(iter(deps[nxt]))


def _check_spans(c: _Checker) -> None:
    try:
        spans = resolve(c.roadmap)
    except ResolveError:
        c.at(
            ("chart", "excludes"),
            "R114",
            "excluded days leave no day to work on within 10,000 days",
            "exclude fewer days, or list working days in 'includes'",
        )
        return
    for _, item in c.roadmap.items():
        if item.path not in spans and item.path:
            c.at(
                item.path,
                "R117",
                f"the dates of {item.name!r} cannot be worked out",
                "give it a start and an end, or check its 'after' / 'until' ids "
                "(and that its dates end before the year 10000)",
            )
    for _, item in c.roadmap.items():
        span = spans.get(item.path)
        if span is None or item.kind != "task" or (item.start and item.end):
            continue  # literal pairs are R102
        if span.drawn_end < span.start:
            c.at(
                item.path,
                "R120",
                f"{item.name!r} ends ({span.drawn_end.date()}) before it starts "
                f"({span.start.date()}) once its 'after'/'until' are worked out",
                "check the ids in 'after' and 'until' (Mermaid draws no bar)",
            )
    markers = [
        spans[it.path].start
        for _, it in c.roadmap.items()
        if it.kind == "marker" and it.path in spans
    ]
    if len(markers) >= 2:
        _check_marker_bounds(c, spans, min(markers), max(markers))


def _check_marker_bounds(
    c: _Checker, spans: dict[JsonPath, Span], lo: datetime, hi: datetime
) -> None:
    """R118: an item wholly outside markers that bound every other item."""
    # Markers often are events or year changes, not bounds: R118 speaks only when they evidently
    # bound the chart, i.e. every item but a few lies within them and those few lie wholly
    # outside (an item that overlaps a marker says nothing about bounds).
    before, after, inside = [], [], 0
    for _, item in c.roadmap.items():
        span = spans.get(item.path)
        if item.kind == "marker" or span is None:
            continue
        if lo <= span.start and span.end <= hi:
            inside += 1
        elif span.start < lo and span.end <= lo:
            before.append((item, span))
        elif span.start >= hi and span.end > hi:
            after.append((item, span))
        else:
            return  # it crosses a marker: the markers are not the chart's bounds
    if (not before and not after) or len(before) + len(after) >= inside:
        return
    for group, what in (
        (before, f"starts before the first marker ({lo.date()})"),
        (after, f"ends after the last marker ({hi.date()})"),
    ):
        for item, span in group:
            c.at(
                item.path,
                "R118",
                f"{item.name!r} ({span.start.date()} to {span.end.date()}) {what}, outside the "
                f"span the markers bound ({lo.date()} to {hi.date()}) with every other item",
                "check the dates, or move a marker",
                warn=True,
            )


def _check_text(c: _Checker) -> None:
    rm = c.roadmap
    chart = rm.chart
    texts: list[tuple[JsonPath, str]] = [
        (("title",), rm.title or ""),
        (("description",), rm.description or ""),
        (("acc_title",), rm.acc_title or ""),
        (("chart", "axis_format"), chart.axis_format or ""),
    ]
    for si, section in enumerate(rm.sections):
        texts.append((("sections", si, "name"), section.name or ""))
        if section.name is not None and not section.name.strip():
            c.at(("sections", si, "name"), "R109", "a blank section name", "name the section")
        for item in section.items:
            texts.append(((*item.path, item.kind), item.name))
            problem = name_problem(item.name)
            if problem:
                c.at(
                    (*item.path, item.kind),
                    "R109",
                    f"{item.name!r}: {problem}",
                    "reword the start of the name, or put it in quotes",
                )
    if isinstance(chart.today_marker, str):
        texts.append((("chart", "today_marker"), chart.today_marker))
        if re.search("[;#]", chart.today_marker):
            c.at(
                ("chart", "today_marker"),
                "R111",
                "Mermaid cuts the today marker's style at ';' and loses colours written with '#'",
                "separate properties with ',' and write colours as rgb(...) or by name",
            )
    if chart.axis_format and re.search("[;#]", chart.axis_format):
        c.at(
            ("chart", "axis_format"),
            "R111",
            "Mermaid cuts the axis format at '#' or ';'",
            "leave out '#' and ';'",
        )
    for jpath, text in texts:
        for code, message, hint in inert_text_problems(text, multiline=jpath[-1] == "description"):
            c.at(jpath, code, message, hint)
