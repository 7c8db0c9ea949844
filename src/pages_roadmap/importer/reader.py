"""Reading a chart, first pass: one chart's lines -> its statements, as Mermaid 12.3 lexes them.

Holds what Mermaid's lexer (`gantt.jison`) and task compiler accept. `read_chart_text` reads
front matter, directives, settings, sections and task lines and returns them as a `ReadChart`
value (task fields stay text until fields.py), with a located warning (I2xx) where Mermaid
silently misreads the author; a chart Mermaid cannot read raises `ChartError` (I1xx). `is_gantt`
tells whether a mermaid block holds a gantt chart.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any, ClassVar

from pages_roadmap import roadmap as rm
from pages_roadmap.importer.notes import Collector, Notes
from pages_roadmap.mermaid.dates import DateFormat, js_date
from pages_roadmap.mermaid.grammar import (
    ACC_DESCR,
    ACC_DESCR_BLOCK,
    ACC_TITLE,
    DURATION,
    STATEMENTS,
    TAGS,
    TICK_INTERVAL,
    TICK_LOOSE,
    tick_in_months,
)
from pages_roadmap.yamlload import LoadError, load

# --- What Mermaid's lexer and task compiler accept (the shared facts: mermaid/grammar.py) ----

TAG_RE = {tag: re.compile(rf"^\s*{tag}\s*$") for tag in TAGS}  # case-sensitive, like Mermaid
# `[\d\w- ]+` in JavaScript: \w is ASCII only; ids are split on single spaces.
AFTER = re.compile(r"^after\s+([0-9A-Za-z_\- ]+)")
UNTIL = re.compile(r"^until\s+([0-9A-Za-z_\- ]+)")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ENTITY = re.compile(r"#([A-Za-z0-9_]+);")
# A bare '#' or ';' ends a value or task data; an entity such as #58; does not (Mermaid encodes
# entities before its lexer runs).
_STOP = re.compile(r"#[A-Za-z0-9_]+;|[#;]")
_COMMENT_LINE = re.compile(r"^\s*%%(?!\{)")
# A directive's name, after its '%%{' (the body up to '}%%' is found with str.find: a regex
# with `.*?` and `\s*` around it backtracks quadratically on an unclosed directive).
_DIRECTIVE_NAME = re.compile(r"\s*(\w+)\s*:?")
_GANTT = re.compile(r"gantt\b", re.IGNORECASE)
_CLICK = re.compile(r"click\s+(\S*)\s*(.*)$", re.IGNORECASE)
_HREF = re.compile(r'href\s+"([^"]*)"\s*', re.IGNORECASE)
_CALL = re.compile(r"call\s+([^(\s]*)\s*(\([^)]*\))?\s*", re.IGNORECASE)
_VALUE_RULES = {"dateFormat", "axisFormat", "tickInterval", "includes", "excludes", "todayMarker"}
_FLAG_RULES = {"inclusiveEndDates", "topAxis", "weekday", "weekend"}
_BROKEN_RULES = {"href", "call", "gantt", "date"}  # Mermaid's parser rejects these lines
_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})

ERRORS_HINT = "fix the chart in the page (Mermaid cannot draw it either), then import again"


def decode_entities(text: str) -> str:
    """Mermaid's entity escapes (`#58;`, `#amp;`) as the browser shows them."""

    def one(m: re.Match[str]) -> str:
        body = m[1]
        return html.unescape(f"&#{body};" if body.isdigit() else f"&{body};")

    return _ENTITY.sub(one, text)


def slug(text: str) -> str:
    """Lowercase ASCII words joined by '-' (æ -> ae, ø -> oe, å -> aa)."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _stop(text: str, start: int = 0) -> int:
    """Index of the first bare '#' or ';' from `start`, or len(text)."""
    for m in _STOP.finditer(text, start):
        if len(m[0]) == 1:
            return m.start()
    return len(text)


# --- The chart as read ---------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of chart text and where it sits in the page."""

    no: int  # 1-based line of the page
    col0: int  # columns of the page line before `text` (a fence's indentation)
    text: str


@dataclass(frozen=True)
class Field:
    text: str  # stripped
    col: int  # 1-based page column


@dataclass(frozen=True)
class ReadTask:
    """A task line as read: its fields are still text (tags included)."""

    name: str
    line: int
    col: int
    section: int
    fields: tuple[Field, ...]
    end_col: int
    comments: tuple[str, ...] = ()
    in_mermaid: bool = True  # False for a task Mermaid never saw (a dropped or swallowed line)


def kind_of(tags: Collection[str]) -> rm.Kind:
    if "vert" in tags:
        return "marker"
    return "milestone" if "milestone" in tags else "task"


@dataclass(frozen=True)
class ReadSection:
    name: str | None
    line: int
    col: int
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Click:
    ids: tuple[str, ...]
    url: str
    line: int
    col: int


@dataclass(frozen=True)
class ReadChart:
    """One chart's statements as read, with the chart's final settings; later passes read it."""

    path: str
    today: date
    first_line: int  # the page line of the chart's first line
    settings: Mapping[str, Any]  # roadmap chart keys, title, description, acc_title, config:*
    title_from_front_matter: str | None
    date_format: DateFormat
    excludes: tuple[tuple[str, int, int], ...]  # token, line, col
    includes: tuple[tuple[str, int, int], ...]
    sections: tuple[ReadSection, ...]
    tasks: tuple[ReadTask, ...]
    clicks: tuple[Click, ...]
    notes: tuple[str, ...]  # the chart's comments that belong to no task or section
    warnings: Notes


def read_chart_text(lines: Sequence[Line], path: str, today: date) -> ReadChart:
    """First pass: one chart's lines -> its statements (raises `ChartError`)."""
    return _Reader(lines, path, today).read()


class _Reader:
    """Reads one chart's statements; its state lives only while `read()` runs."""

    def __init__(self, lines: Sequence[Line], path: str, today: date) -> None:
        self.lines = list(lines)
        self.path = path
        self.today = today
        self.said = Collector(path)
        self.settings: dict[str, Any] = {}
        self.date_format = DateFormat("")
        self.excludes: list[tuple[str, int, int]] = []  # token, line, col
        self.includes: list[tuple[str, int, int]] = []
        self.notes: list[str] = []
        self.pending: list[str] = []
        self.sections: list[ReadSection] = []
        self.tasks: list[ReadTask] = []
        self.clicks: list[Click] = []
        self.in_body = False
        self.title_from_front_matter: str | None = None

    def at(self, line: Line, index: int) -> tuple[int, int]:
        return line.no, line.col0 + index + 1

    def read(self) -> ReadChart:
        body = self._directives(self._front_matter())
        self._statements(body)
        if not self.tasks:
            where = (self.lines[0].no, 1) if self.lines else (1, 1)
            raise self.said.fail(
                where, "I111", "the chart has no tasks", "add a task, or leave it out"
            )
        return ReadChart(
            path=self.path,
            today=self.today,
            first_line=self.lines[0].no,
            settings=MappingProxyType(dict(self.settings)),
            title_from_front_matter=self.title_from_front_matter,
            date_format=self.date_format,
            excludes=tuple(self.excludes),
            includes=tuple(self.includes),
            sections=tuple(self.sections),
            tasks=tuple(self.tasks),
            clicks=tuple(self.clicks),
            notes=(*self.notes, *self.pending),
            warnings=self.said.notes(),
        )

    def _front_matter(self) -> list[Line]:
        lines = self.lines
        if not lines or lines[0].text.strip() != "---":
            return lines
        close = next((i for i in range(1, len(lines)) if lines[i].text.strip() == "---"), None)
        if close is None:
            return lines  # Mermaid reads no front matter; '---' is then a syntax error
        text = "\n".join(line.text for line in lines[1:close]) + "\n"
        try:
            doc = load(text, self.path, line_offset=lines[0].no)
        except LoadError as exc:
            f = exc.finding
            raise self.said.fail(
                (f.line, f.col + lines[0].col0),
                "I102",
                f"the chart's front matter is not valid YAML: {f.message}",
                ERRORS_HINT,
            ) from None
        if isinstance(doc.data, dict):
            _Config(self, (lines[0].no, lines[0].col0 + 1)).front_matter(doc.data)
        return lines[close + 1 :]

    def _directives(self, lines: list[Line]) -> list[Line]:
        """The lines without `%%{...}%%` directives (Mermaid removes them before parsing)."""
        out: list[Line] = []
        i = 0
        while i < len(lines):
            if lines[i].text.lstrip().startswith("%%{"):
                i = self._directive(lines, i)
            else:
                out.append(lines[i])
                i += 1
        return out

    def _directive(self, lines: list[Line], i: int) -> int:
        """Read a `%%{init: ...}%%` directive starting on line `i`; returns the next line."""
        first = lines[i]
        j = i
        text = first.text
        while "}%%" not in text and j + 1 < len(lines):
            j += 1
            text += "\n" + lines[j].text
        name, body = _directive_parts(text)
        where = self.at(first, first.text.index("%%{"))
        if name is None or name.lower() not in ("init", "initialize"):
            self.said.warn(
                where,
                "I209",
                f"directive {text.strip()[:40]!r} is not kept",
                "pages-roadmap writes its charts from the data; set what you need there",
            )
            return j + 1
        config = _parse_json_ish(body)
        if not isinstance(config, dict):
            self.said.warn(
                where,
                "I209",
                "the init directive could not be read; it is not kept",
                "set what you need in the roadmap's chart settings",
            )
        else:
            _Config(self, where).apply(config, "init directive")
        return j + 1

    def _statements(self, lines: list[Line]) -> None:
        seen_gantt = False
        i = 0
        while i < len(lines):
            line = lines[i]
            stripped = line.text.strip()
            if not stripped:
                i += 1
                continue
            if _COMMENT_LINE.match(line.text):
                self._comment(line.text.strip()[2:].strip())
                i += 1
                continue
            start = len(line.text) - len(line.text.lstrip())
            if not seen_gantt:
                m = _GANTT.match(line.text, start)
                if not m:
                    raise self.said.fail(
                        self.at(line, start),
                        "I102",
                        "a gantt chart starts with the word 'gantt'",
                        ERRORS_HINT,
                    )
                seen_gantt = True
                after = line.text[m.end() :]
                if after.strip():
                    i = self._statement(lines, i, m.end() + len(after) - len(after.lstrip()))
                else:
                    i += 1
                continue
            i = self._statement(lines, i, start)

    def _comment(self, text: str) -> None:
        if self.in_body:
            self.pending.append(text)
        else:
            self.notes.append(text)

    def _statement(self, lines: list[Line], i: int, pos: int) -> int:
        """Read the statement at `pos` of line `i`; returns the index of the next line."""
        line = lines[i]
        text = line.text
        for pattern, handler in (
            (ACC_TITLE, self._acc_title),
            (ACC_DESCR_BLOCK, None),
            (ACC_DESCR, self._acc_descr),
        ):
            m = pattern.match(text, pos)
            if m and handler is None:
                return self._acc_block(lines, i, m.end())
            if m and handler is not None:
                handler(decode_entities(text[m.end() :].strip()))
                return i + 1
        if text.startswith("%", pos) or (text[pos + 1 : pos + 2] == "%" and text[pos] != "}"):
            self._percent(line, pos)
            return i + 1
        for name, pattern in STATEMENTS:
            m = pattern.match(text, pos)
            if m:
                self._keyword(name, line, pos, m)
                return i + 1
        self._task(line, pos)
        return i + 1

    def _acc_title(self, value: str) -> None:
        self.settings["acc_title"] = value

    def _acc_descr(self, value: str) -> None:
        self.settings["description"] = value

    def _acc_block(self, lines: list[Line], i: int, pos: int) -> int:
        parts = []
        text = lines[i].text[pos:]
        j = i
        while "}" not in text:
            parts.append(text)
            j += 1
            if j >= len(lines):
                start = lines[i].text.lower().index("accdescr")
                raise self.said.fail(
                    self.at(lines[i], start),
                    "I102",
                    "'accDescr {' has no closing '}'",
                    ERRORS_HINT,
                )
            if _COMMENT_LINE.match(lines[j].text):
                text = ""
                continue
            text = lines[j].text
        close = text.index("}")
        parts.append(text[:close])
        value = re.sub(r"\n\s+", "\n", "\n".join(parts).strip())
        value = "\n".join(part.rstrip() for part in value.split("\n"))
        self.settings["description"] = decode_entities(value)
        rest = text[close + 1 :]
        if rest.strip():
            raise self.said.fail(
                self.at(lines[j], close + 1),
                "I102",
                "text after the '}' of 'accDescr {'",
                "put the next statement on its own line",
            )
        return j + 1

    def _percent(self, line: Line, pos: int) -> None:
        """A line Mermaid's lexer takes for a comment: '%' as its first or second character."""
        text = line.text[pos:]
        colon = text.find(":")
        looks_like_task = colon > 0 and _task_like(self.date_format, text[colon + 1 :], 1)
        if text.startswith("%") or not looks_like_task:
            # '%' first: most likely a line commented out; it stays a comment.
            self._comment(text.lstrip("%").strip())
            if looks_like_task:
                self.said.warn(
                    self.at(line, pos),
                    "I203",
                    f"Mermaid reads {text.strip()!r} as a comment (it starts with '%'); kept as "
                    "a comment, so the chart does not change",
                    "if it is a task, add it to the data",
                    same=True,
                )
            return
        name = text[:colon].strip()
        fixed = name[0] + " " + name[1:]
        task = self._task(line, pos, name=fixed, in_mermaid=False)
        self.said.warn(
            self.at(line, pos),
            "I203",
            f"Mermaid silently drops the task {name!r}: a '%' as the second character makes the "
            f"line a comment; imported as the task {fixed!r}: the chart gains the bar, and "
            "items that refer to it or follow it move",
            "keep the space before '%', or reword the name",
            task=task,
        )

    def _keyword(self, name: str, line: Line, pos: int, m: re.Match[str]) -> None:
        text = line.text
        if name in _VALUE_RULES or name in ("title", "section", "accDescription"):
            minimum = 3 if name in ("title", "section") else 2
            if self._keyword_name(name, line, pos, minimum):
                return
            self._value(name, line, pos, m.end())
            return
        if name in _FLAG_RULES:
            rest = text[m.end() :]
            if rest.strip() and self._keyword_name(name, line, pos, 1):
                return
            self._flag(name, line, pos, m)
            if rest.strip():
                self._statement([line], 0, m.end() + len(rest) - len(rest.lstrip()))
            return
        if name == "click" and not self._keyword_name(name, line, pos, 1):
            self._click(line, pos)
            return
        if name in _BROKEN_RULES and not self._keyword_name(name, line, pos, 1):
            raise self.said.fail(
                self.at(line, pos),
                "I102",
                f"Mermaid cannot parse this line (it starts with {m[0].strip()!r})",
                ERRORS_HINT,
            )

    def _keyword_name(self, keyword: str, line: Line, pos: int, minimum: int) -> bool:
        """A task whose name starts with a statement's keyword: import it as a task."""
        text = line.text[pos:]
        colon = text.find(":")
        if colon <= 0 or not _task_like(self.date_format, text[colon + 1 :], minimum):
            return False
        name = text[:colon].strip()
        fixed = f'"{name}"'
        task = self._task(
            line, pos, name=fixed, in_mermaid=keyword in ("weekday", "weekend", "inclusiveEndDates")
        )
        rest = decode_entities(text[len(keyword) :].strip())
        change = "the chart gains the bar, and items that refer to it or follow it move"
        if keyword in _BROKEN_RULES or keyword in ("click", "topAxis"):
            effect = "Mermaid cannot draw the chart at all"
            change = "the chart is drawn again"
        elif keyword in _FLAG_RULES:
            effect = (
                f"Mermaid silently reads the start as the '{keyword}' setting and the rest as "
                "the task"
            )
            change = "the bar shows the whole name, and the setting is not made"
        elif keyword == "title":
            effect = f"Mermaid silently makes {rest!r} the chart's title and draws no task"
        elif keyword == "section":
            effect = (
                f"Mermaid silently starts a section {rest!r} there (the tasks below it join it) "
                "and draws no task"
            )
        else:
            effect = f"Mermaid silently reads the line as a '{keyword}' statement and draws no task"
        self.said.warn(
            self.at(line, pos),
            "I204",
            f"the name {name!r} starts with {'a date' if keyword == 'date' else repr(keyword)}: "
            f"{effect}; imported as the task {fixed} (quoted, so Mermaid reads it as a name): "
            f"{change}",
            "reword the start of the name if you prefer it without quotes",
            task=task,
        )
        return True

    def _value(self, name: str, line: Line, pos: int, value_start: int) -> None:
        text = line.text
        if name in ("title", "section"):
            end = len(text)
        elif name == "todayMarker":
            end = text.find(";", value_start)
            end = len(text) if end < 0 else end
        else:
            end = _stop(text, value_start)
        if text[end:].strip():
            raise self.said.fail(
                self.at(line, end),
                "I102",
                f"Mermaid cannot parse {text[end]!r} after '{name}' (it ends the value and the "
                "rest of the line is a syntax error)",
                "remove it, or move a comment to its own '%%' line",
            )
        raw = text[value_start:end]
        where = self.at(line, value_start + len(raw) - len(raw.lstrip()))
        _Settings(self).value(name, raw, where, line, value_start)

    def _flag(self, name: str, line: Line, pos: int, m: re.Match[str]) -> None:
        if name == "inclusiveEndDates":
            self.settings["inclusive_end_dates"] = True
        elif name == "weekday":
            self.settings["weekday"] = m[1].lower()
        elif name == "weekend":
            self.settings["weekend"] = m[1].lower()
        else:
            self.settings["top_axis"] = True
            self.said.warn(
                self.at(line, pos),
                "I217",
                "Mermaid cannot draw a chart with the statement 'topAxis' (its parser fails with "
                "'yy.TopAxis is not a function'); imported as chart.top_axis, which the chart "
                "gets through its front matter: the chart is drawn again, with a top axis",
                "",
                setting="top_axis",
            )

    def _click(self, line: Line, pos: int) -> None:
        m = _CLICK.match(line.text, pos)
        assert m is not None
        ids, rest = m[1], m[2]
        url: str | None = None
        call = False
        while rest.strip():
            h = _HREF.match(rest)
            c = _CALL.match(rest)
            if h:
                url = h[1]
                rest = rest[h.end() :]
            elif c:
                call = True
                rest = rest[c.end() :]
            else:
                raise self.said.fail(
                    self.at(line, len(line.text) - len(rest)),
                    "I102",
                    "Mermaid cannot parse this click statement",
                    'write click ID href "URL"',
                )
        where = self.at(line, pos)
        if call:
            self.said.warn(
                where,
                "I209",
                "the click callback ('call ...') is not kept: pages-roadmap charts run no scripts",
                "",
            )
        if url is not None:
            self.clicks.append(Click(tuple(i for i in ids.split(",") if i), url, *where))

    def _task(
        self, line: Line, pos: int, *, name: str | None = None, in_mermaid: bool = True
    ) -> int:
        """Read a task line (`name :data`); returns the task's index."""
        text = line.text
        colon = text.find(":", pos)
        if colon < 0:
            raise self.said.fail(
                self.at(line, pos),
                "I102",
                f"Mermaid cannot parse {text[pos:].strip()!r}: a task needs ':' and its data",
                "write 'Name :start, end' or remove the line",
            )
        if colon == pos:
            raise self.said.fail(self.at(line, pos), "I102", "a task without a name", ERRORS_HINT)
        name_text = text[pos:colon]
        data_start = colon + 1
        data_end = _stop(text, data_start)
        # Mermaid does not end task data at '%%': the evident meaning is a comment.
        comment_at = text.find("%%", data_start, data_end)
        if comment_at >= 0:
            data_end = comment_at
        elif data_end < len(text):
            raise self.said.fail(
                self.at(line, data_end),
                "I102",
                f"Mermaid cannot parse {text[data_end]!r} in task data (it ends the data and "
                "the rest of the line is a syntax error)",
                "remove it; write '#' and ';' in names as #35; and #59;",
            )
        if not text[data_start:data_end].strip():
            raise self.said.fail(
                self.at(line, colon), "I102", "a task without data after ':'", ERRORS_HINT
            )
        short: str | None = None
        if name is None:
            name_text, name, short = self._colon_in_name(line, pos, data_end)
            data_start = pos + len(name_text) + 1
        fields = _split_fields(line, text, data_start, data_end)
        self.in_body = True
        if not self.sections:
            self.sections.append(ReadSection(None, line.no, 1))
        comments = self.pending
        if comment_at >= 0:
            comments = [*comments, text[comment_at:].strip().lstrip("%").strip()]
        task = ReadTask(
            name=name,
            line=line.no,
            col=self.at(line, pos)[1],
            section=len(self.sections) - 1,
            fields=tuple(fields),
            end_col=self.at(line, data_end)[1],
            comments=tuple(comments),
            in_mermaid=in_mermaid,
        )
        self.pending = []
        self.tasks.append(task)
        index = len(self.tasks) - 1
        if short is not None:
            seen = [f.strip() for f in text[text.index(":", pos) + 1 : data_end].split(",")]
            while seen and seen[0] in TAGS:
                seen.pop(0)
            id_note = (
                f", and its id becomes {seen[0]!r}, so 'after {fields[-3].text}' cannot find it"
                if len(seen) == 3 and len(fields) >= 3
                else ""
            )
            self.said.warn(
                self.at(line, pos),
                "I205",
                f"Mermaid cuts the name {name!r} at its first ':' and reads the rest as data "
                f"(it shows {short!r}{id_note}); imported with the whole name, so the chart "
                "shows it in full (written as #58;)",
                "nothing to do: pages-roadmap writes ':' in names as #58;",
                task=index,
            )
        if comment_at >= 0:
            self._trailing_comment(line, index)
        return index

    def _colon_in_name(self, line: Line, pos: int, data_end: int) -> tuple[str, str, str | None]:
        """Mermaid cuts a name at its first ':'. When the text after that ':' is no task data
        but the text after a later ':' is, the name evidently holds a ':'.

        Returns the name's text as written, the name, and what Mermaid shows (if different)."""
        text = line.text
        colons = [i for i in range(pos, data_end) if text[i] == ":"]
        fmt = self.date_format
        chosen = next((c for c in colons if _task_like(fmt, text[c + 1 : data_end], 1)), colons[0])
        full = text[pos:chosen]
        name = decode_entities(full.strip())
        short = decode_entities(text[pos : colons[0]].strip())
        return full, name, short if chosen != colons[0] else None

    def _trailing_comment(self, line: Line, index: int) -> None:
        """The comment itself is kept above the task (see `_task`)."""
        self.said.warn(
            self.at(line, line.text.find("%%", line.text.find(":"))),
            "I211",
            "Mermaid does not end task data at '%%': the comment becomes part of the last "
            "field, which is then no date or duration (the bar gets zero length); imported "
            "without the comment, so the bar gets its length back (the comment is kept above "
            "the item)",
            "put comments on their own '%%' line",
            task=index,
        )


def _directive_parts(text: str) -> tuple[str | None, str]:
    """The name and body of the first `%%{name: body}%%` in `text`, or (None, "")."""
    opening = text.find("%%{")
    if opening < 0:
        return None, ""
    closing = text.find("}%%", opening + 3)
    if closing < 0:
        return None, ""
    m = _DIRECTIVE_NAME.match(text, opening + 3, closing)
    if m is None:
        return None, ""
    return m[1], text[m.end() : closing].strip()


def _parse_json_ish(text: str) -> Any:
    """A directive's JSON (or JSON with single quotes, or YAML without aliases), or None."""
    import json

    for attempt in (text, text.replace("'", '"')):
        try:
            return json.loads(attempt)
        except (ValueError, RecursionError):  # also a number of over 4,300 digits, deep nesting
            pass
    try:
        return load(text, "directive").data  # the safe loader: no aliases, bounded depth
    except LoadError:
        return None


def short(value: Any) -> str:
    """A value's repr cut short before it is built: an alias bomb or a huge list stays small."""
    import reprlib

    limits = reprlib.Repr()
    limits.maxlevel, limits.maxstring, limits.maxother = 2, 60, 60
    limits.maxlist = limits.maxdict = limits.maxtuple = limits.maxset = 4
    return limits.repr(value)


def _split_fields(line: Line, text: str, start: int, end: int) -> list[Field]:
    fields = []
    pos = start
    for raw in text[start:end].split(","):
        lead = len(raw) - len(raw.lstrip())
        fields.append(Field(raw.strip(), line.col0 + pos + lead + 1))
        pos += len(raw) + 1
    return fields


def any_date(fmt: DateFormat, text: str) -> bool:
    return bool(fmt.strict(text) or fmt.loose(text) or js_date(text))


def _task_like(fmt: DateFormat, data: str, minimum: int) -> bool:
    """Does `data` (after a ':') read as task data with at least `minimum` fields or a tag?"""
    cut = data.find("%%")
    data = data[:cut] if cut >= 0 else data
    if _stop(data) < len(data):
        return False
    fields = [f.strip() for f in data.split(",")]
    tagged = False
    while fields and fields[0] in TAGS:
        tagged = True
        fields.pop(0)
    while len(fields) > 1 and not fields[-1]:
        fields.pop()
    if not fields or not fields[-1]:
        return tagged and not fields
    if len(fields) > 3 or (len(fields) == 3 and ":" in fields[0]):
        return False
    end = fields[-1]
    start = fields[-2] if len(fields) >= 2 else None
    ok_end = bool(DURATION.match(end) or UNTIL.match(end) or any_date(fmt, end))
    ok_start = start is None or bool(AFTER.match(start) or any_date(fmt, start))
    return ok_end and ok_start and (tagged or len(fields) >= minimum)


class _Config:
    """Chart settings from Mermaid front matter or an init directive."""

    GANTT_KEYS: ClassVar[dict[str, str]] = {
        "topAxis": "top_axis",
        "displayMode": "display_mode",
        "axisFormat": "axis_format",
        "tickInterval": "tick_interval",
        "weekday": "weekday",
    }

    def __init__(self, reader: _Reader, where: tuple[int, int]) -> None:
        self.reader = reader
        self.where = where

    def front_matter(self, data: dict[str, Any]) -> None:
        if "title" in data and data["title"] is not None:
            # Front matter is cut off before Mermaid decodes entities: the text stays literal.
            self.reader.title_from_front_matter = str(data["title"]).strip()
        if "displayMode" in data:
            self.display_mode(data["displayMode"])
        if isinstance(data.get("config"), dict):
            self.apply(data["config"], "front matter config")

    def display_mode(self, value: Any) -> None:
        if value == "compact":
            self.reader.settings["display_mode"] = "compact"
        elif value not in (None, "default", ""):
            self.not_kept(f"displayMode {short(value)} (Mermaid knows only compact)")

    def apply(self, config: dict[str, Any], source: str) -> None:
        for key, value in config.items():
            key = short(key) if not isinstance(key, str) else key[:60]
            if key == "gantt" and isinstance(value, dict):
                self.gantt(value, source)
            elif key == "displayMode":
                self.display_mode(value)
            else:
                self.not_kept(f"{source}: {key}")

    def gantt(self, config: dict[str, Any], source: str) -> None:
        for key, value in config.items():
            key = short(key) if not isinstance(key, str) else key[:60]
            target = self.GANTT_KEYS.get(key)
            if target == "display_mode":
                self.display_mode(value)
            elif target == "top_axis" and isinstance(value, bool):
                self.reader.settings["top_axis"] = value
            elif target is not None and isinstance(value, str) and value.strip():
                self.reader.settings.setdefault(f"config:{target}", value.strip())
            else:
                self.not_kept(f"{source}: gantt.{key}")

    def not_kept(self, what: str) -> None:
        self.reader.said.warn(
            self.where,
            "I209",
            f"{what} is not kept: the roadmap format has no such setting, so the chart may "
            "look different",
            "set what you need in the roadmap's chart settings",
        )


class _Settings:
    """The value statements: dateFormat, axisFormat, tickInterval, excludes, ..."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader

    def value(
        self, name: str, raw: str, where: tuple[int, int], line: Line, value_start: int
    ) -> None:
        r = self.reader
        value = raw.strip()
        if name == "dateFormat":
            fmt = DateFormat(value, r.today)
            moves = fmt.moves()
            if moves and not fmt.unsupported:
                parts = (("Y", "year"), ("M", "month"), ("D", "day"))
                lacks = " or ".join(word for key, word in parts if key in fmt.missing)
                r.said.warn(
                    where,
                    "I219",
                    f"dateFormat {value!r} has no {lacks}: Mermaid takes it from the day the "
                    f"chart is viewed, so the chart moved {moves}; imported with the dates "
                    f"Mermaid drew on {r.today.isoformat()}",
                    "check the dates in the roadmap data",
                )
            if fmt.unsupported:
                raise r.said.fail(
                    where,
                    "I104",
                    f"dateFormat {value!r}: the importer reads the tokens YYYY YY MM M DD D HH "
                    f"mm ss, not {', '.join(repr(t) for t in fmt.unsupported)}",
                    "convert the dates to YYYY-MM-DD by hand, then import",
                )
            r.date_format = fmt
        elif name == "axisFormat":
            if value:
                r.settings["axis_format"] = value
        elif name == "tickInterval":
            self.tick_interval(raw, where)
        elif name in ("excludes", "includes"):
            target = r.excludes if name == "excludes" else r.includes
            self.tokens(target, raw, line, value_start)
        elif name == "todayMarker":
            if value:
                r.settings["today_marker"] = False if value == "off" else value
        elif name == "title":
            r.settings["title"] = decode_entities(value)
        elif name == "accDescription":
            r.settings["description"] = decode_entities(value)
            r.said.warn(
                where,
                "I217",
                "Mermaid cannot draw a chart with 'accDescription' (a parse error); imported as "
                "the description, written as accDescr: the chart is drawn again",
                "",
                setting="description",
            )
        else:
            r.in_body = True
            r.sections.append(ReadSection(decode_entities(value), *where, tuple(r.pending)))
            r.pending = []

    def tick_interval(self, raw: str, where: tuple[int, int]) -> None:
        r = self.reader
        value = raw.strip()
        if TICK_INTERVAL.match(raw):
            r.settings["tick_interval"] = value
            return
        months = tick_in_months(value)
        fixed: str | None = months[0] if months else None
        if months is None:
            loose = TICK_LOOSE.match(value)
            fixed = f"{int(loose[1])}{loose[2].lower()}" if loose and int(loose[1]) else None
        if fixed is not None:
            r.settings["tick_interval"] = fixed
            r.said.warn(
                where,
                "I201",
                f"Mermaid silently ignores 'tickInterval {raw}' and draws its automatic ticks; "
                f"imported as {fixed!r}, so the axis gets the ticks the author asked for",
                "Mermaid reads only a number and millisecond, second, minute, hour, day, week "
                "or month, after exactly one space",
                setting="tick_interval",
            )
        else:
            r.said.warn(
                where,
                "I201",
                f"Mermaid silently ignores 'tickInterval {raw}'; left out, so the chart keeps "
                "its automatic ticks",
                "write e.g. 1week or 3month",
                setting="tick_interval",
            )

    @staticmethod
    def tokens(target: list[tuple[str, int, int]], raw: str, line: Line, value_start: int) -> None:
        # Mermaid splits on spaces and commas and lower-cases every token.
        for m in re.finditer(r"[^\s,]+", raw):
            target.append((m[0].lower(), line.no, line.col0 + value_start + m.start() + 1))


def is_gantt(text: str) -> bool:
    """Does a mermaid block hold a gantt chart (after front matter, directives, comments)?"""
    lines = text.splitlines()
    i = 0
    if lines and lines[0].strip() == "---":
        close = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), None)
        i = close + 1 if close is not None else 0
    in_directive = False
    for line in lines[i:]:
        stripped = line.strip()
        if in_directive or stripped.startswith("%%{"):
            in_directive = "}%%" not in stripped
            continue
        if not stripped or _COMMENT_LINE.match(line):
            continue
        return bool(_GANTT.match(stripped))
    return False
