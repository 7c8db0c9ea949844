"""Import hand-written Mermaid gantt charts: chart text -> roadmap data, fences -> managed blocks.

Two halves:

- The pure core, `read_chart`: one chart's lines -> roadmap data, YAML comments and findings.
  It reads the chart the way Mermaid 12.3's lexer (`gantt.jison`), task compiler (`ganttDb.js`)
  and date parser (dayjs strict, then JavaScript's `new Date`) do; see
  shared/reference/mermaid-gantt.md. Where Mermaid silently misreads what the author wrote, it
  takes the evident meaning and says so in a located warning (I2xx) that names the reading it
  chose and how the chart changes. A chart it cannot read is a located error (I1xx).
- The page side, `run`: finds the ```mermaid fences of a page in markdown-it's token stream,
  imports each gantt chart and replaces its fence with a managed block; no other byte changes.
"""

from __future__ import annotations

import html
import re
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from . import gantt
from . import roadmap as rm
from .findings import Finding, error, sort_key, warning
from .page import end_marker, line_starts, split, with_newline
from .yamlload import JsonPath, LoadError, decode, load
from .yamlwrite import Comment, emit

if TYPE_CHECKING:
    from .build import Change
    from .site import Site

# --- What Mermaid's lexer and task compiler accept ------------------------------------------

TAGS = ("active", "done", "crit", "milestone", "vert")
_TAG_RE = {tag: re.compile(rf"^\s*{tag}\s*$") for tag in TAGS}  # case-sensitive, like Mermaid
# `[\d\w- ]+` in JavaScript: \w is ASCII only; ids are split on single spaces.
_AFTER = re.compile(r"^after\s+([0-9A-Za-z_\- ]+)")
_UNTIL = re.compile(r"^until\s+([0-9A-Za-z_\- ]+)")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|[smhdwMy])$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ENTITY = re.compile(r"#([A-Za-z0-9_]+);")
# A bare '#' or ';' ends a value or task data; an entity such as #58; does not (Mermaid encodes
# entities before its lexer runs).
_STOP = re.compile(r"#[A-Za-z0-9_]+;|[#;]")
_COMMENT_LINE = re.compile(r"^\s*%%(?!\{)")
_DIRECTIVE = re.compile(r"%%\{\s*(\w+)\s*:?\s*(.*?)\s*\}%%", re.DOTALL)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_GANTT = re.compile(r"gantt\b", re.IGNORECASE)
_ACC_TITLE = re.compile(r"accTitle\s*:\s*", re.IGNORECASE)
_ACC_DESCR = re.compile(r"accDescr\s*:\s*", re.IGNORECASE)
_ACC_BLOCK = re.compile(r"accDescr\s*\{\s*", re.IGNORECASE)
_CLICK = re.compile(r"click\s+(\S*)\s*(.*)$", re.IGNORECASE)
_HREF = re.compile(r'href\s+"([^"]*)"\s*', re.IGNORECASE)
_CALL = re.compile(r"call\s+([^(\s]*)\s*(\([^)]*\))?\s*", re.IGNORECASE)
# Statements in the order of Mermaid's lexer rules: the first that matches wins.
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("href", r'href\s+"'),
        ("call", r"call\s+"),
        ("click", r"click\s+"),
        ("gantt", r"gantt\b"),
        ("dateFormat", r"dateFormat\s"),
        ("inclusiveEndDates", r"inclusiveEndDates\b"),
        ("topAxis", r"topAxis\b"),
        ("axisFormat", r"axisFormat\s"),
        ("tickInterval", r"tickInterval\s"),
        ("includes", r"includes\s"),
        ("excludes", r"excludes\s"),
        ("todayMarker", r"todayMarker\s"),
        ("weekday", r"weekday\s+(" + "|".join(_WEEKDAYS) + r")\b"),
        ("weekend", r"weekend\s+(friday|saturday)\b"),
        ("date", r"\d\d\d\d-\d\d-\d\d\b"),
        ("title", r"title\s"),
        ("accDescription", r"accDescription\s"),
        ("section", r"section\s"),
    )
)
_VALUE_RULES = {"dateFormat", "axisFormat", "tickInterval", "includes", "excludes", "todayMarker"}
_FLAG_RULES = {"inclusiveEndDates", "topAxis", "weekday", "weekend"}
_BROKEN_RULES = {"href", "call", "gantt", "date"}  # Mermaid's parser rejects these lines
_TICK = re.compile(r"^([1-9]\d*)(millisecond|second|minute|hour|day|week|month)$")
_TICK_QUARTERS = re.compile(r"^(\d+)\s*quarters?$", re.IGNORECASE)
_TICK_YEARS = re.compile(r"^(\d+)\s*years?$", re.IGNORECASE)
_TICK_LOOSE = re.compile(
    r"^(\d+)\s*(millisecond|second|minute|hour|day|week|month)s?$", re.IGNORECASE
)
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


# --- Dates: dayjs strict parsing with the chart's dateFormat, and JavaScript's fallback --------

_FORMAT_TOKEN = re.compile(r"\[[^\]]*\]|Y+|M+|D+|H+|h+|m+|s+|S+|[A-Za-z]|[^A-Za-z\[]+")
_NUMBER_TOKENS = {
    "YYYY": r"(\d{4})",
    "YY": r"(\d{2})",
    "MM": r"(\d{2})",
    "M": r"(\d{1,2})",
    "DD": r"(\d{2})",
    "D": r"(\d{1,2})",
    "HH": r"(\d{2})",
    "H": r"(\d{1,2})",
    "mm": r"(\d{2})",
    "m": r"(\d{1,2})",
    "ss": r"(\d{2})",
    "s": r"(\d{1,2})",
}
_SEPARATORS = re.compile(r"^[-/.,_:\s]+$")
_MONTHS = {
    name: i + 1
    for i, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}


class DateFormat:
    """A dayjs format string with the tokens YYYY YY MM M DD D HH H mm m ss s."""

    def __init__(self, text: str) -> None:
        self.text = text.strip()
        self.tokens: list[str] = _FORMAT_TOKEN.findall(self.text)
        self.unsupported = [
            t for t in self.tokens if t[0].isalpha() and t not in _NUMBER_TOKENS and t[0] != "["
        ]
        units = {t[0].upper() for t in self.tokens if t in _NUMBER_TOKENS}
        if self.text and not self.unsupported and not {"Y", "M", "D"} <= units:
            self.unsupported = [self.text]
        self.has_time = any(t[0] in "Hms" for t in self.tokens if t in _NUMBER_TOKENS)
        self._strict = self._pattern(loose=False)
        self._loose = self._pattern(loose=True)

    def _pattern(self, *, loose: bool) -> re.Pattern[str] | None:
        if not self.text or self.unsupported:
            return None
        parts = []
        for token in self.tokens:
            if token in _NUMBER_TOKENS:
                number = _NUMBER_TOKENS[token]
                parts.append(number if not loose or token[0] == "Y" else r"(\d{1,2})")
            elif token.startswith("["):
                parts.append(re.escape(token[1:-1]))
            elif loose and _SEPARATORS.match(token):
                parts.append(r"[-/.,\s]+")
            else:
                parts.append(re.escape(token))
        return re.compile("".join(parts))

    def _build(self, values: Sequence[str]) -> datetime | None:
        fields: dict[str, int] = {"Y": 0, "M": 1, "D": 1, "H": 0, "m": 0, "s": 0}
        numbers = iter(values)
        for token in self.tokens:
            if token not in _NUMBER_TOKENS:
                continue
            value = int(next(numbers))
            if token == "YY":
                value += 1900 if value > 68 else 2000  # dayjs' two-digit years
            fields["H" if token[0] == "H" else token[0]] = value
        try:
            return datetime(
                fields["Y"], fields["M"], fields["D"], fields["H"], fields["m"], fields["s"]
            )
        except ValueError:
            return None

    def format(self, moment: datetime) -> str:
        values = {
            "YYYY": f"{moment.year:04d}",
            "YY": f"{moment.year % 100:02d}",
            "MM": f"{moment.month:02d}",
            "M": str(moment.month),
            "DD": f"{moment.day:02d}",
            "D": str(moment.day),
            "HH": f"{moment.hour:02d}",
            "H": str(moment.hour),
            "mm": f"{moment.minute:02d}",
            "m": str(moment.minute),
            "ss": f"{moment.second:02d}",
            "s": str(moment.second),
        }
        return "".join(values.get(t, t[1:-1] if t.startswith("[") else t) for t in self.tokens)

    def strict(self, text: str) -> datetime | None:
        """dayjs(text, format, true): the text must be exactly the format's output."""
        if self._strict is None:
            return None
        m = self._strict.fullmatch(text)
        moment = self._build(m.groups()) if m else None
        return moment if moment and self.format(moment) == text else None

    def loose(self, text: str) -> datetime | None:
        """The format's order of day, month and year, with any separators and no padding."""
        if self._loose is None:
            return None
        m = self._loose.fullmatch(text)
        return self._build(m.groups()) if m else None


def js_date(text: str) -> datetime | None:
    """What JavaScript's `new Date(text)` (V8) makes of the date forms people write, or None."""
    s = text.strip()
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ](\d{1,2}):(\d{2}))?", s)
    if m:
        return _rolled(int(m[1]), int(m[2]), int(m[3]), m[4], m[5])
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})", s)
    if m:  # V8 reads these month first, like the US
        year = int(m[3])
        if len(m[3]) == 2:
            year += 2000 if year < 50 else 1900
        return _rolled(year, int(m[1]), int(m[2]), None, None)
    m = re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})", s) or re.fullmatch(
        r"(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})", s
    )
    if m:
        name, day = (m[1], m[2]) if m[1].isalpha() else (m[2], m[1])
        month = _MONTHS.get(name[:3].lower())  # V8 knows a month by its first three letters
        if month:
            return _rolled(int(m[3]), month, int(day), None, None)
    return None


def _rolled(
    year: int, month: int, day: int, hour: str | None, minute: str | None
) -> datetime | None:
    # V8 accepts days up to 31 in any month and rolls over: 2025-02-30 is 2 March.
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    moment = datetime(year, month, 1) + timedelta(days=day - 1)
    if hour is not None and minute is not None:
        moment += timedelta(hours=int(hour), minutes=int(minute))
    return moment


def _iso(moment: datetime) -> str:
    return moment.date().isoformat()


# --- The chart as read ---------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of chart text and where it sits in the page."""

    no: int  # 1-based line of the page
    col0: int  # columns of the page line before `text` (a fence's indentation)
    text: str


def chart_lines(text: str, first_line: int = 1, indent: int = 0) -> list[Line]:
    """The lines of a chart whose first line is page line `first_line`."""
    return [Line(first_line + i, indent, t) for i, t in enumerate(text.splitlines())]


@dataclass
class _Field:
    text: str  # stripped
    col: int  # 1-based page column


@dataclass
class _Task:
    name: str
    line: int
    col: int
    section: int
    tags: set[str]
    fields: list[_Field]
    end_col: int
    comments: list[str] = field(default_factory=list)
    mermaid_fields: int = 0  # how many fields Mermaid sees after the tags
    in_mermaid: bool = True  # False for a task Mermaid never saw (a dropped or swallowed line)
    mermaid_id: str = ""
    link: str | None = None
    # Filled in when the fields are read:
    id: str | None = None
    id_col: int = 0
    start: tuple[str, Any] = ("prev", None)  # ("date", iso) | ("after", [index]) | ("prev", None)
    end: tuple[str, Any] = ("duration", "0d")  # ("date", iso) | ("duration", s) | ("until", [i])
    stretched_end: bool = False  # an explicit end Mermaid stretches over excluded days

    @property
    def kind(self) -> rm.Kind:
        if "vert" in self.tags:
            return "marker"
        return "milestone" if "milestone" in self.tags else "task"


@dataclass
class _Section:
    name: str | None
    line: int
    col: int
    comments: list[str] = field(default_factory=list)


@dataclass
class _Ref:
    ids: list[str]
    col: int
    key: str  # "after" or "until"
    partial: str = ""  # what follows the ids Mermaid reads (`.id` of `after my.id`)


class ChartError(Exception):
    """A chart the importer cannot read; carries the located error."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


@dataclass
class ChartImport:
    """One imported chart: roadmap data, the comments to write with it, and the findings."""

    data: dict[str, Any] | None
    comments: dict[JsonPath, Comment]
    findings: list[Finding]
    header: list[str] = field(default_factory=list)

    def yaml(self) -> str:
        """The roadmap file's text."""
        if self.data is None:
            raise ValueError("the chart has errors; there is no roadmap to write")
        return emit(self.data, self.comments, header=self.header)


class _Reader:
    """Reads one chart; `read()` returns the roadmap data."""

    def __init__(self, lines: Sequence[Line], path: str, today: date) -> None:
        self.lines = list(lines)
        self.path = path
        self.today = today
        self.findings: list[Finding] = []
        self.settings: dict[str, Any] = {}
        self.date_format = DateFormat("")
        self.excludes: list[tuple[str, int, int]] = []  # token, line, col
        self.includes: list[tuple[str, int, int]] = []
        self.notes: list[str] = []
        self.pending: list[str] = []
        self.header_notes: list[str] = []
        self.sections: list[_Section] = []
        self.tasks: list[_Task] = []
        self.clicks: list[tuple[list[str], str | None, int, int]] = []
        self.chart_comments: dict[str, list[str]] = {}
        self.task_warnings: dict[int, list[str]] = {}
        self.in_body = False
        self.title_from_front_matter: str | None = None

    # -- findings --

    def at(self, line: Line, index: int) -> tuple[int, int]:
        return line.no, line.col0 + index + 1

    def fail(self, where: tuple[int, int], code: str, message: str, hint: str) -> ChartError:
        return ChartError(error(self.path, *where, code, message, hint))

    def warn(
        self,
        where: tuple[int, int],
        code: str,
        message: str,
        hint: str,
        *,
        task: int | None = None,
        setting: str | None = None,
        short: str | None = None,
    ) -> None:
        """A warning; its text (or `short`) also goes into the YAML above what it is about."""
        self.findings.append(warning(self.path, *where, code, message, hint))
        note = f"{code}: {short or message}"
        if task is not None:
            self.task_warnings.setdefault(task, []).append(note)
        elif setting is not None:
            self.chart_comments.setdefault(setting, []).append(note)
        else:
            self.header_notes.append(note)

    # -- reading --

    def read(self) -> tuple[dict[str, Any], dict[JsonPath, Comment]]:
        body = self._directives(self._front_matter())
        self._statements(body)
        if not self.tasks:
            where = (self.lines[0].no, 1) if self.lines else (1, 1)
            raise self.fail(where, "I111", "the chart has no tasks", "add a task, or leave it out")
        self.notes += self.pending
        self.pending = []
        _Fields(self).read_all()
        builder = _Builder(self)
        return builder.data(), builder.comments

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
            raise self.fail(
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
        m = _DIRECTIVE.search(text)
        where = self.at(first, first.text.index("%%{"))
        if not m or m[1].lower() not in ("init", "initialize"):
            self.warn(
                where,
                "I209",
                f"directive {text.strip()[:40]!r} is not kept",
                "pages-roadmap writes its charts from the data; set what you need there",
            )
            return j + 1
        config = _parse_json_ish(m[2])
        if not isinstance(config, dict):
            self.warn(where, "I209", "the init directive could not be read; it is not kept", "")
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
                    raise self.fail(
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
            (_ACC_TITLE, self._acc_title),
            (_ACC_BLOCK, None),
            (_ACC_DESCR, self._acc_descr),
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
        for name, pattern in _RULES:
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
                raise self.fail(
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
            raise self.fail(
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
        looks_like_task = colon > 0 and _task_like(self, text[colon + 1 :], 1)
        if text.startswith("%") or not looks_like_task:
            # '%' first: most likely a line commented out; it stays a comment.
            self._comment(text.lstrip("%").strip())
            if looks_like_task:
                self.warn(
                    self.at(line, pos),
                    "I203",
                    f"Mermaid reads {text.strip()!r} as a comment (it starts with '%'); kept as "
                    "a comment, so the chart does not change",
                    "if it is a task, add it to the data",
                )
            return
        name = text[:colon].strip()
        fixed = name[0] + " " + name[1:]
        task = self._task(line, pos, name=fixed, in_mermaid=False)
        self.warn(
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
            raise self.fail(
                self.at(line, pos),
                "I102",
                f"Mermaid cannot parse this line (it starts with {m[0].strip()!r})",
                ERRORS_HINT,
            )

    def _keyword_name(self, keyword: str, line: Line, pos: int, minimum: int) -> bool:
        """A task whose name starts with a statement's keyword: import it as a task."""
        text = line.text[pos:]
        colon = text.find(":")
        if colon <= 0 or not _task_like(self, text[colon + 1 :], minimum):
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
        self.warn(
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
            raise self.fail(
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
            self.warn(
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
                raise self.fail(
                    self.at(line, len(line.text) - len(rest)),
                    "I102",
                    "Mermaid cannot parse this click statement",
                    'write click ID href "URL"',
                )
        where = self.at(line, pos)
        if call:
            self.warn(
                where,
                "I209",
                "the click callback ('call ...') is not kept: pages-roadmap charts run no scripts",
                "",
            )
        if url is not None:
            self.clicks.append(([i for i in ids.split(",") if i], url, *where))

    def _task(
        self, line: Line, pos: int, *, name: str | None = None, in_mermaid: bool = True
    ) -> int:
        """Read a task line (`name :data`); returns the task's index."""
        text = line.text
        colon = text.find(":", pos)
        if colon < 0:
            raise self.fail(
                self.at(line, pos),
                "I102",
                f"Mermaid cannot parse {text[pos:].strip()!r}: a task needs ':' and its data",
                "write 'Name :start, end' or remove the line",
            )
        if colon == pos:
            raise self.fail(self.at(line, pos), "I102", "a task without a name", ERRORS_HINT)
        name_text = text[pos:colon]
        data_start = colon + 1
        data_end = _stop(text, data_start)
        # Mermaid does not end task data at '%%': the evident meaning is a comment.
        comment_at = text.find("%%", data_start, data_end)
        if comment_at >= 0:
            data_end = comment_at
        elif data_end < len(text):
            raise self.fail(
                self.at(line, data_end),
                "I102",
                f"Mermaid cannot parse {text[data_end]!r} in task data (it ends the data and "
                "the rest of the line is a syntax error)",
                "remove it; write '#' and ';' in names as #35; and #59;",
            )
        if not text[data_start:data_end].strip():
            raise self.fail(
                self.at(line, colon), "I102", "a task without data after ':'", ERRORS_HINT
            )
        short: str | None = None
        if name is None:
            name_text, name, short = self._colon_in_name(line, pos, data_end)
            data_start = pos + len(name_text) + 1
        fields = _split_fields(line, text, data_start, data_end)
        self.in_body = True
        if not self.sections:
            self.sections.append(_Section(None, line.no, 1))
        task = _Task(
            name=name,
            line=line.no,
            col=self.at(line, pos)[1],
            section=len(self.sections) - 1,
            tags=set(),
            fields=fields,
            end_col=self.at(line, data_end)[1],
            comments=self.pending,
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
            self.warn(
                self.at(line, pos),
                "I205",
                f"Mermaid cuts the name {name!r} at its first ':' and reads the rest as data "
                f"(it shows {short!r}{id_note}); imported with the whole name, so the chart "
                "shows it in full (written as #58;)",
                "nothing to do: pages-roadmap writes ':' in names as #58;",
                task=index,
            )
        if comment_at >= 0:
            self._trailing_comment(line, index, text[comment_at:].strip())
        return index

    def _colon_in_name(self, line: Line, pos: int, data_end: int) -> tuple[str, str, str | None]:
        """Mermaid cuts a name at its first ':'. When the text after that ':' is no task data
        but the text after a later ':' is, the name evidently holds a ':'.

        Returns the name's text as written, the name, and what Mermaid shows (if different)."""
        text = line.text
        colons = [i for i in range(pos, data_end) if text[i] == ":"]
        chosen = next((c for c in colons if _task_like(self, text[c + 1 : data_end], 1)), colons[0])
        full = text[pos:chosen]
        name = decode_entities(full.strip())
        short = decode_entities(text[pos : colons[0]].strip())
        return full, name, short if chosen != colons[0] else None

    def _trailing_comment(self, line: Line, index: int, comment: str) -> None:
        self.tasks[index].comments.append(comment.lstrip("%").strip())
        self.warn(
            self.at(line, line.text.find("%%", line.text.find(":"))),
            "I211",
            "Mermaid does not end task data at '%%': the comment becomes part of the last "
            "field, which is then no date or duration (the bar gets zero length); imported "
            "without the comment, so the bar gets its length back (the comment is kept above "
            "the item)",
            "put comments on their own '%%' line",
            task=index,
        )


def _parse_json_ish(text: str) -> Any:
    import json

    import yaml

    for attempt in (text, text.replace("'", '"')):
        try:
            return json.loads(attempt)
        except ValueError:
            pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _split_fields(line: Line, text: str, start: int, end: int) -> list[_Field]:
    fields = []
    pos = start
    for raw in text[start:end].split(","):
        lead = len(raw) - len(raw.lstrip())
        fields.append(_Field(raw.strip(), line.col0 + pos + lead + 1))
        pos += len(raw) + 1
    return fields


def _any_date(reader: _Reader, text: str) -> bool:
    fmt = reader.date_format
    return bool(fmt.strict(text) or fmt.loose(text) or js_date(text))


def _task_like(reader: _Reader, data: str, minimum: int) -> bool:
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
    ok_end = bool(_DURATION.match(end) or _UNTIL.match(end) or _any_date(reader, end))
    ok_start = start is None or bool(_AFTER.match(start) or _any_date(reader, start))
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
            self.not_kept(f"displayMode {value!r} (Mermaid knows only compact)")

    def apply(self, config: dict[str, Any], source: str) -> None:
        for key, value in config.items():
            if key == "gantt" and isinstance(value, dict):
                self.gantt(value, source)
            elif key == "displayMode":
                self.display_mode(value)
            else:
                self.not_kept(f"{source}: {key}")

    def gantt(self, config: dict[str, Any], source: str) -> None:
        for key, value in config.items():
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
        self.reader.warn(
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
            fmt = DateFormat(value)
            if fmt.unsupported:
                raise r.fail(
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
            r.warn(
                where,
                "I217",
                "Mermaid cannot draw a chart with 'accDescription' (a parse error); imported as "
                "the description, written as accDescr: the chart is drawn again",
                "",
                setting="description",
            )
        else:
            r.in_body = True
            r.sections.append(_Section(decode_entities(value), *where, r.pending))
            r.pending = []

    def tick_interval(self, raw: str, where: tuple[int, int]) -> None:
        r = self.reader
        value = raw.strip()
        if _TICK.match(raw):
            r.settings["tick_interval"] = value
            return
        fixed: str | None = None
        q, y, loose = _TICK_QUARTERS.match(value), _TICK_YEARS.match(value), None
        if q:
            fixed = f"{int(q[1]) * 3}month"
        elif y:
            fixed = f"{int(y[1]) * 12}month"
        else:
            loose = _TICK_LOOSE.match(value)
            fixed = f"{int(loose[1])}{loose[2].lower()}" if loose and int(loose[1]) else None
        if fixed is not None:
            r.settings["tick_interval"] = fixed
            r.warn(
                where,
                "I201",
                f"Mermaid silently ignores 'tickInterval {raw}' and draws its automatic ticks; "
                f"imported as {fixed!r}, so the axis gets the ticks the author asked for",
                "Mermaid reads only a number and millisecond, second, minute, hour, day, week "
                "or month, after exactly one space",
                setting="tick_interval",
            )
        else:
            r.warn(
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


class _Fields:
    """Second pass: every task's fields read with the chart's final settings."""

    def __init__(self, reader: _Reader) -> None:
        self.r = reader

    def read_all(self) -> None:
        r = self.r
        self._calendar()
        counter = 0
        for index, task in enumerate(r.tasks):
            self._tags(index, task)
            task.mermaid_fields = len(task.fields)
            self._count(index, task)
            # Mermaid numbers the tasks without an id: task1, task2, ...
            if task.in_mermaid and task.mermaid_fields < 3:
                counter += 1
                task.mermaid_id = f"task{counter}"
            elif task.mermaid_fields == 3:
                task.mermaid_id = task.fields[0].text
        refs = [self._read(index, task) for index, task in enumerate(r.tasks)]
        _References(r).link(refs)

    def _calendar(self) -> None:
        r = self.r
        fmt = r.date_format
        for name, tokens in (("excludes", r.excludes), ("includes", r.includes)):
            kept: list[str] = []
            for token, line, col in tokens:
                value = self._day_token(name, token, fmt)
                if value is None:
                    r.warn(
                        (line, col),
                        "I201",
                        f"Mermaid silently ignores {token!r} in {name}; left out (the chart "
                        "does not change)",
                        "use weekends, a day name (monday ... sunday) or a date"
                        if name == "excludes"
                        else "includes takes dates",
                        setting=name,
                    )
                elif value not in kept:
                    kept.append(value)
            if kept:
                r.settings[name] = kept
        chart = rm.Chart(
            excludes=tuple(r.settings.get("excludes", ())), weekend=r.settings.get("weekend")
        )
        if len(rm.Calendar.of(chart).weekdays) == 7:
            raise r.fail(
                (r.excludes[0][1], r.excludes[0][2]),
                "I110",
                "excludes every day of the week: Mermaid cannot place a task",
                "remove a day from excludes",
            )

    @staticmethod
    def _day_token(name: str, token: str, fmt: DateFormat) -> str | None:
        if name == "excludes" and (token == "weekends" or token in _WEEKDAYS):
            return token
        moment = fmt.strict(token)
        if moment is not None:
            return _iso(moment)
        return token if _ISO.match(token) and rm.parse_date(token) else None

    def _tags(self, index: int, task: _Task) -> None:
        fields = task.fields
        while fields and any(_TAG_RE[t].match(fields[0].text) for t in TAGS):
            task.tags.add(fields.pop(0).text)
        if not fields:
            raise self.r.fail(
                (task.line, task.col),
                "I105",
                "task data with tags only: Mermaid cannot draw the chart",
                "add a start and an end after the tags",
            )
        misplaced = [f for f in fields if f.text.lower() in TAGS]
        for f in misplaced:
            fields.remove(f)
            task.tags.add(f.text.lower())
            self.r.warn(
                (task.line, f.col),
                "I214",
                f"{f.text!r} is not a tag where it stands (tags are lower case and come first); "
                f"Mermaid reads it as an id or date, so the line is misdrawn or the chart fails; "
                f"imported as the tag {f.text.lower()!r}",
                "write tags first, in lower case",
                task=index,
            )

    def _count(self, index: int, task: _Task) -> None:
        fields = task.fields
        while len(fields) > 3 and not fields[-1].text:
            dropped = fields.pop()
            self.r.warn(
                (task.line, dropped.col - 1),
                "I202",
                "a trailing comma gives Mermaid four fields and it cannot draw the chart "
                "at all; imported without it, so the chart is drawn again",
                "remove the trailing comma",
                task=index,
            )
        if len(fields) > 3:
            raise self.r.fail(
                (task.line, fields[3].col),
                "I105",
                f"{len(fields)} fields after the tags: Mermaid takes an id, a start and an end "
                "and cannot draw the chart",
                "write 'Name :tags, id, start, end'",
            )
        if len(fields) >= 2 and not fields[-1].text:
            kind = task.kind
            self.r.warn(
                (task.line, fields[-1].col - 1),
                "I202",
                "a trailing comma gives Mermaid an empty end: it draws the "
                f"{'marker' if kind == 'marker' else kind} with zero length (and warns); "
                "imported as 0d, so the chart does not change"
                + ("; give the task an end" if kind == "task" else ""),
                "remove the trailing comma",
                task=index,
                short="a trailing comma in the chart (an empty end, zero length) is 0d here",
            )
            fields[-1] = _Field("0d", fields[-1].col)
        elif len(fields) == 2 and task.kind != "task" and self._id_then_date(fields):
            self.r.warn(
                (task.line, fields[0].col),
                "I202",
                f"{task.kind} without a duration: Mermaid reads {fields[0].text!r} as the start "
                f"and cannot draw the chart ('Invalid date'); imported as id "
                f"{fields[0].text!r} at {fields[1].text}",
                "write ', 0d' after the date",
                task=index,
            )
            fields.append(_Field("0d", task.end_col))

    def _id_then_date(self, fields: list[_Field]) -> bool:
        first, second = fields[0].text, fields[1].text
        if _AFTER.match(first) or _any_date(self.r, first) or not rm.ID_CHARS.match(first):
            return False
        return _any_date(self.r, second) or bool(_AFTER.match(second))

    def _read(self, index: int, task: _Task) -> list[_Ref]:
        fields = task.fields
        refs: list[_Ref] = []
        if len(fields) == 3:
            task.id, task.id_col = fields[0].text, fields[0].col
        if len(fields) >= 2:
            start = fields[-2]
            after = _AFTER.match(start.text)
            if after:
                refs.append(_ref("after", after, start))
            else:
                task.start = ("date", self._start_date(index, task, start))
        elif index == 0:
            raise self.r.fail(
                (task.line, fields[0].col),
                "I106",
                "the first task has no start: Mermaid cannot draw the chart",
                "give it a start date: 'Name :2025-01-01, 10d'",
            )
        end = fields[-1]
        until = _UNTIL.match(end.text)
        if until:
            refs.append(_ref("until", until, end))
        else:
            task.end = self._end(index, task, end)
        return refs

    def _start_date(self, index: int, task: _Task, f: _Field) -> str:
        r = self.r
        where = (task.line, f.col)
        moment = r.date_format.strict(f.text)
        if moment is None:
            moment = self._fallback_start(index, task, f)
        if moment.hour or moment.minute or moment.second:
            raise self._time_of_day(where, f.text)
        return _iso(moment)

    def _fallback_start(self, index: int, task: _Task, f: _Field) -> datetime:
        """Mermaid's `new Date()` fallback, or the dateFormat's order when that is evident."""
        r = self.r
        where = (task.line, f.col)
        js = js_date(f.text)
        loose = r.date_format.loose(f.text)
        if loose is not None and loose != js:
            mermaid = f"as {_iso(js)}" if js else "it not at all ('Invalid date')"
            r.warn(
                where,
                "I210",
                f"the start {f.text!r} does not match dateFormat {r.date_format.text!r}: Mermaid "
                f"falls back to JavaScript's date parser and reads {mermaid}; imported in "
                f"the dateFormat's order as {_iso(loose)}, so the bar moves there",
                "write dates exactly in the chart's dateFormat",
                task=index,
            )
            return loose
        if js is None:
            raise r.fail(
                where,
                "I103",
                f"Mermaid cannot read the start date {f.text!r} ('Invalid date') and cannot "
                "draw the chart",
                f"write it as {r.date_format.text or 'YYYY-MM-DD'}",
            )
        if not (_ISO.match(f.text) and rm.parse_date(f.text)):
            r.warn(
                where,
                "I210",
                f"the start {f.text!r} does not match dateFormat "
                f"{r.date_format.text or '(none)'!r}: Mermaid silently falls back to "
                f"JavaScript's date parser, which reads it as {_iso(js)} (month first when "
                "ambiguous); imported as that date, so the chart does not change",
                "check the date; write it as YYYY-MM-DD",
                task=index,
            )
        return js

    def _time_of_day(self, where: tuple[int, int], text: str) -> ChartError:
        return self.r.fail(
            where,
            "I104",
            f"{text!r} has a time of day; roadmap dates are whole days",
            "use midnight (00:00), or keep this chart by hand",
        )

    def _end(self, index: int, task: _Task, f: _Field) -> tuple[str, Any]:
        r = self.r
        moment = r.date_format.strict(f.text)
        if moment is not None:
            if moment.hour or moment.minute or moment.second:
                raise self._time_of_day((task.line, f.col), f.text)
            # Mermaid keeps an end date as written only when it is YYYY-MM-DD, whatever the
            # dateFormat; other explicit ends are stretched over excluded days.
            task.stretched_end = not (_ISO.match(f.text) and rm.parse_date(f.text))
            return ("date", _iso(moment))
        if _DURATION.match(f.text):
            self._minutes(index, task, f)
            return ("duration", f.text)
        return self._evident_end(index, task, f)

    def _minutes(self, index: int, task: _Task, f: _Field) -> None:
        if f.text.endswith("m") and not f.text.endswith("ms") and not self.r.date_format.has_time:
            self.r.warn(
                (task.line, f.col),
                "I216",
                f"{f.text!r} is {f.text[:-1]} minutes in Mermaid (months are 'M'); kept as "
                "minutes, as Mermaid draws it",
                f"if months are meant, write {f.text[:-1]}M",
                task=index,
            )

    def _evident_end(self, index: int, task: _Task, f: _Field) -> tuple[str, Any]:
        """An end Mermaid cannot read (it draws zero length): what the author evidently meant."""
        r = self.r
        moment = r.date_format.loose(f.text) or js_date(f.text)
        reading: tuple[str, Any]
        if moment is not None and not (moment.hour or moment.minute):
            reading, shown = ("date", _iso(moment)), f"the end date {_iso(moment)}"
        else:
            duration = _loose_duration(f.text)
            reading = ("duration", duration or "0d")
            shown = f"the duration {duration}" if duration else "0d (zero length)"
        why = (
            "there is no dateFormat line"
            if not r.date_format.text
            else f"it is neither a date in dateFormat {r.date_format.text!r} nor a duration"
        )
        change = "the chart does not change" if reading[1] == "0d" else "the bar gets its length"
        r.warn(
            (task.line, f.col),
            "I211",
            f"Mermaid cannot read the end {f.text!r} ({why}) and draws the bar with zero "
            f"length; imported as {shown}, so {change}",
            "durations are a number and one of ms s m h d w M y (case matters)",
            task=index,
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


def _ref(key: str, m: re.Match[str], f: _Field) -> _Ref:
    ids = [i for i in m[1].split(" ") if i]
    return _Ref(ids, f.col, key, partial=f.text[m.end() :])


class _References:
    """after/until/click ids and the previous task, resolved as Mermaid resolves them."""

    def __init__(self, reader: _Reader) -> None:
        self.r = reader
        tasks = reader.tasks
        # Mermaid's id table: each id points at the LAST task declared with it.
        self.last: dict[str, int] = {}
        self.first: dict[str, int] = {}
        for i, task in enumerate(tasks):
            if task.in_mermaid or task.mermaid_id:
                self.last[task.mermaid_id] = i
                self.first.setdefault(task.mermaid_id, i)
        self.explicit = {t.id: i for i, t in enumerate(tasks) if t.id}

    def link(self, refs: list[list[_Ref]]) -> None:
        for index, task_refs in enumerate(refs):
            task = self.r.tasks[index]
            for ref in task_refs:
                targets = self._targets(index, ref)
                if ref.key == "after":
                    task.start = ("after", targets) if targets else ("date", self._today())
                else:
                    task.end = ("until", targets) if targets else ("date", self._today())
            self._previous(index, task)
        for ids, url, line, col in self.r.clicks:
            for i in ids:
                target = self.first.get(i)
                if target is None:
                    self.r.warn(
                        (line, col),
                        "I207",
                        f"click names the unknown id {i!r}: Mermaid ignores it; its link is "
                        "not kept",
                        "give the task that id",
                    )
                elif url is not None:
                    self.r.tasks[target].link = url

    def _today(self) -> str:
        return self.r.today.isoformat()

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
        task = self.r.tasks[target]
        if task.id is None:
            self.r.warn(
                (self.r.tasks[index].line, ref.col),
                "I215",
                f"'{ref.key} {ref_id}' names Mermaid's automatic id of {task.name!r}; a roadmap "
                "cannot use taskN ids, so that task gets an id of its own (the chart does not "
                "change)",
                "give the task an id in the chart",
                task=index,
            )

    def _unknown(self, index: int, ref: _Ref, wanted: str, target: int | None) -> int | None:
        """An id Mermaid does not find (or reads only in part): say how, and pick a reading."""
        ref_id = _AFTER.match(f"after {wanted}")
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
            chosen = self.r.tasks[guess].id
            case = " (ids are case-sensitive)" if chosen != wanted else ""
            reading = f"read as {chosen!r}{case}, so the bar moves"
        elif target is not None:
            guess, reading = target, f"read as {seen!r}, as Mermaid does"
        elif known:
            reading = "left out, as Mermaid does: the chart does not change"
        else:
            reading = f"imported with today's date ({self._today()}) fixed"
        self.r.warn(
            (self.r.tasks[index].line, ref.col),
            "I207",
            f"'{ref.key}' names the unknown id {wanted!r}: {mermaid}; {reading}",
            "use the id of a task in this chart",
            task=index,
        )
        return guess

    def _guess(self, wanted: str) -> int | None:
        exact = self.explicit.get(wanted)
        if exact is not None:
            return self.last.get(wanted, exact)
        close = [i for name, i in self.explicit.items() if name.lower() == wanted.lower()]
        return close[0] if len(close) == 1 else None

    def _previous(self, index: int, task: _Task) -> None:
        """Mermaid starts a task without a start at the end of the task the PREVIOUS line's id
        names; with a duplicate id that is the last task with that id, not the line before."""
        before = self.r.tasks[index - 1] if index else None
        if task.start[0] != "prev" or before is None or not before.in_mermaid:
            return
        mermaid_prev = self.last.get(before.mermaid_id, index - 1)
        if mermaid_prev != index - 1 and task.in_mermaid:
            other = self.r.tasks[mermaid_prev]
            self.r.warn(
                (task.line, task.col),
                "I208",
                f"the line before has the duplicate id {before.mermaid_id!r}: Mermaid starts "
                f"this task where the last task with that id ({other.name!r}, line "
                f"{other.line}) ends; imported as starting where the line before ends, so "
                "the bar moves",
                "give every task its own id",
                task=index,
            )


class _Builder:
    """The intended reading -> checked dates -> ids -> roadmap data and YAML comments."""

    def __init__(self, reader: _Reader) -> None:
        self.r = reader
        self.ids: dict[int, str] = {}
        self.comments: dict[JsonPath, Comment] = {}

    def data(self) -> dict[str, Any]:
        self._texts()
        chart = self._chart()
        self._swap_reversed()
        spans = self._spans(chart)
        self._lengths(spans)
        self._stretched(chart, spans)
        self._assign_ids()
        out: dict[str, Any] = {}
        r = self.r
        title = r.settings.get("title") or r.title_from_front_matter
        for key, value in (
            ("title", title),
            ("description", r.settings.get("description")),
            ("acc_title", r.settings.get("acc_title")),
        ):
            if value:
                out[key] = value
        out["chart"] = self._chart_data(chart)
        out["sections"] = self._sections(spans)
        if r.notes:
            out["notes"] = list(r.notes)
        self._setting_comments(out)
        return out

    def _setting_comments(self, out: dict[str, Any]) -> None:
        """Warnings about settings go above the setting; about a dropped one, into the header."""
        for key, notes in self.r.chart_comments.items():
            if key in out:
                self.comments[(key,)] = Comment(_wrapped(notes))
            elif key in out["chart"]:
                self.comments[("chart", key)] = Comment(_wrapped(notes))
            else:
                self.r.header_notes += notes

    def _texts(self) -> None:
        """Text the roadmap checks would reject (R109-R111), changed so that it passes."""
        r = self.r
        for i, task in enumerate(r.tasks):
            name = _one_line(_liquid_free(task.name))
            problem = rm.name_problem(name)
            if problem:
                name = f'"{name}"'
            if name != task.name:
                why = problem or "it holds Liquid syntax or a line break"
                r.warn(
                    (task.line, task.col),
                    "I215",
                    f"the roadmap checks reject the name {task.name!r} ({why}); imported as "
                    f"{name!r}",
                    "reword the name if you like",
                    task=i,
                )
                task.name = name
        for section in r.sections:
            if section.name is not None:
                section.name = self._fit(section.name, (section.line, section.col), "section")
        for key in ("title", "acc_title", "description", "today_marker"):
            value = r.settings.get(key)
            if isinstance(value, str):
                r.settings[key] = self._fit(value, (r.lines[0].no, 1), key)
        if r.title_from_front_matter:
            r.title_from_front_matter = self._fit(r.title_from_front_matter, (1, 1), "title")

    def _fit(self, text: str, where: tuple[int, int], what: str) -> str:
        fixed = _liquid_free(text)
        if what != "description":
            fixed = _one_line(fixed)
        if fixed != text:
            self.r.warn(
                where,
                "I215",
                f"the roadmap checks reject the {what} {text!r} (Liquid syntax, which Jekyll "
                f"would run, or a line break); imported as {fixed!r}",
                "",
            )
        return fixed

    def _chart(self) -> rm.Chart:
        s = self.r.settings
        # A statement in the chart wins over the same setting in its config (Mermaid's order).
        for key in ("axis_format", "tick_interval", "weekday"):
            if f"config:{key}" in s and key not in s:
                s[key] = s[f"config:{key}"]
        if s.get("weekday") not in (None, *_WEEKDAYS):
            self.r.warn(
                (self.r.lines[0].no, 1),
                "I209",
                f"the config's weekday {s.pop('weekday')!r} is not a day name; it is not kept",
                "",
            )
        if s.get("tick_interval") and not _TICK.match(s["tick_interval"]):
            self.r.warn(
                (self.r.lines[0].no, 1),
                "I201",
                f"Mermaid silently ignores the tick interval {s.pop('tick_interval')!r} of the "
                "chart's config; left out (the chart does not change)",
                "write e.g. 1week or 3month",
            )
        return rm.Chart(
            axis_format=s.get("axis_format"),
            tick_interval=s.get("tick_interval"),
            excludes=tuple(s.get("excludes", ())),
            includes=tuple(s.get("includes", ())),
            weekend=s.get("weekend"),
            weekday=s.get("weekday"),
            today_marker=s.get("today_marker", True),
            inclusive_end_dates=bool(s.get("inclusive_end_dates")),
            display_mode=s.get("display_mode"),
            top_axis=bool(s.get("top_axis")),
            # A hand-written chart's statuses were set by hand: untagged items stay planned.
            auto_status=False,
        )

    @staticmethod
    def _chart_data(chart: rm.Chart) -> dict[str, Any]:
        data = rm.to_data(rm.Roadmap("x", (), chart=chart)).get("chart", {})
        data["auto_status"] = False
        return dict(data)

    def _swap_reversed(self) -> None:
        for index, task in enumerate(self.r.tasks):
            if task.start[0] != "date" or task.end[0] != "date" or task.kind != "task":
                continue
            start, end = task.start[1], task.end[1]
            if end < start:
                task.start, task.end = ("date", end), ("date", start)
                self.r.warn(
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
        for i, task in enumerate(self.r.tasks):
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
        for i, task in enumerate(self.r.tasks):
            if (i,) not in spans:
                raise self.r.fail(
                    (task.line, task.col),
                    "I106",
                    f"the dates of {task.name!r} cannot be worked out (a cycle of after/until, "
                    "or a chain Mermaid gives up on)",
                    "give it a start date",
                )
        return spans

    def _lengths(self, spans: dict[JsonPath, rm.Span]) -> None:
        for i, task in enumerate(self.r.tasks):
            span = spans[(i,)]
            if task.kind == "marker" and span.start.time() != datetime.min.time():
                raise self.r.fail(
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
            self.r.warn(
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
        for i, task in enumerate(self.r.tasks):
            if not task.stretched_end:
                continue
            span = spans[(i,)]
            moved = _stretch(span.start, span.end, calendar)
            if moved != span.end:
                self.r.warn(
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
        for i, task in enumerate(self.r.tasks):
            for kind, value in (task.start, task.end):
                if kind in ("after", "until"):
                    needed.update(value)
            if task.start[0] == "prev" and task.kind == "milestone":
                needed.add(i - 1)
        return needed

    def _assign_ids(self) -> None:
        tasks = self.r.tasks
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

    def _clean_id(self, i: int, task: _Task) -> str:
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
        self.r.warn(
            (task.line, task.id_col),
            "I215",
            f"the id {task.id!r} {why}; imported as {clean!r}",
            "use letters, digits, '_' and '-' in ids",
            task=i,
        )
        return clean

    def _duplicate(
        self, i: int, task: _Task, first: int, clean: str, needed: set[int], taken: set[str]
    ) -> None:
        first_line = self.r.tasks[first].line
        if i in needed:
            n = sum(1 for t in self.r.tasks[: i + 1] if t.id == task.id)
            new = _unique(f"{clean}-{n}", taken)
            self.ids[i] = new
            reading = (
                f"renamed to {new!r}: the after/until references to {task.id!r} point here, "
                "as Mermaid resolves them to the last task with the id"
            )
            short = f"the chart's duplicate id {task.id!r} is {new!r} here; after/until meant it"
        else:
            reading = "left out here (nothing refers to this task), so the chart does not change"
            short = f"the chart gave this task the duplicate id {task.id!r} too; left out"
        self.r.warn(
            (task.line, task.id_col),
            "I208",
            f"duplicate id {task.id!r} (first at line {first_line}): Mermaid silently resolves "
            f"after/until/click to the last task with it; the first keeps the id, and it is "
            f"{reading}",
            "give every task its own id",
            task=i,
            short=short,
        )

    def _sections(self, spans: dict[JsonPath, rm.Span]) -> list[dict[str, Any]]:
        r = self.r
        out: list[dict[str, Any]] = []
        by_section: dict[int, list[int]] = {}
        for i, task in enumerate(r.tasks):
            by_section.setdefault(task.section, []).append(i)
        carried: list[str] = []
        for s, section in enumerate(r.sections):
            indices = by_section.get(s, [])
            if not indices:
                carried += section.comments  # an empty section draws nothing
                continue
            sec: dict[str, Any] = {}
            si = len(out)
            name = section.name if section.name is None else section.name.strip()
            if name:
                sec["name"] = name
            elif si > 0:
                sec["name"] = "(no name)"
                r.warn(
                    (section.line, section.col),
                    "I215",
                    "a section without a name after the first: the roadmap checks reject it; "
                    "imported as '(no name)'",
                    "give the section a name",
                )
            before = carried + section.comments
            carried = []
            if before:
                self.comments[("sections", si)] = Comment(tuple(before))
            items = []
            for ii, i in enumerate(indices):
                items.append(self._item(i, spans))
                notes = (*r.tasks[i].comments, *_wrapped(r.task_warnings.get(i, [])))
                if notes:
                    self.comments[("sections", si, "items", ii)] = Comment(notes)
            sec["items"] = items
            out.append(sec)
        r.notes += carried
        return out

    def _item(self, i: int, spans: dict[JsonPath, rm.Span]) -> dict[str, Any]:
        task = self.r.tasks[i]
        kind = task.kind
        item: dict[str, Any] = {kind: task.name}
        if i in self.ids:
            item["id"] = self.ids[i]
        start_kind, start = task.start
        if kind == "marker":
            item["date"] = _iso(spans[(i,)].start)
        elif start_kind == "date":
            item["start" if kind == "task" else "date"] = start
        elif start_kind == "after":
            item["after"] = _one_or_list([self.ids[j] for j in start])
        elif kind == "milestone":
            item["after"] = self.ids[i - 1]
        if kind == "task":
            end_kind, end = task.end
            if end_kind == "until":
                item["until"] = _one_or_list([self.ids[j] for j in end])
            else:
                item["end" if end_kind == "date" else "duration"] = end
        self._flags(i, task, item)
        return item

    def _flags(self, i: int, task: _Task, item: dict[str, Any]) -> None:
        status = [t for t in ("done", "active") if t in task.tags]
        if task.kind == "marker" and (status or "milestone" in task.tags):
            self.r.warn(
                (task.line, task.col),
                "I214",
                f"a vert marker tagged {', '.join(sorted(task.tags - {'vert', 'crit'}))}: a "
                "marker is a line with no status; the tags are not kept",
                "",
                task=i,
            )
        elif len(status) == 2:
            self.r.warn(
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
            self.r.warn(
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


def _one_or_list(ids: list[str]) -> str | list[str]:
    return ids[0] if len(ids) == 1 else ids


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken or rm.AUTO_ID.match(candidate):
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def _stretch(start: datetime, end: datetime, calendar: rm.Calendar) -> datetime:
    """Mermaid's fixTaskDates: each excluded day after the start pushes the end one day on."""
    day = start + timedelta(days=1)
    steps = 0
    while day <= end and steps <= rm.MAX_EXCLUDE_DAYS:
        if calendar.excluded(day):
            end += timedelta(days=1)
        day += timedelta(days=1)
        steps += 1
    return end


def read_chart(lines: Sequence[Line], path: str, today: date) -> ChartImport:
    """One chart's lines -> roadmap data (None on error), YAML comments and located findings."""
    reader = _Reader(lines, path, today)
    try:
        data, comments = reader.read()
    except ChartError as exc:
        return ChartImport(None, {}, sorted([*reader.findings, exc.finding], key=sort_key))
    findings = sorted(reader.findings, key=sort_key)
    return ChartImport(data, comments, findings, list(_wrapped(reader.header_notes)))


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


# --- The page side -------------------------------------------------------------------------

_CLOSING_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")


@dataclass(frozen=True)
class Fence:
    """A ```mermaid fence holding a gantt chart, and the page text it spans."""

    line: int  # 1-based page line of the opening fence
    start: int  # offsets of the text the managed block replaces (the closing fence's newline
    end: int  # stays after it)
    lines: tuple[Line, ...]  # the chart, as Mermaid receives it, with page positions
    newline: str


@dataclass(frozen=True)
class DataFile:
    path: Path
    roadmap_id: str
    text: str


@dataclass
class ImportResult:
    """What `run` would write: the page change and data files; nothing when there are errors."""

    page: Change | None
    files: list[DataFile]
    findings: list[Finding]

    @property
    def data_file(self) -> Path | None:
        return self.files[0].path if self.files else None

    @property
    def yaml(self) -> str:
        return self.files[0].text if self.files else ""


def _tokens(text: str) -> list[Any]:
    from markdown_it import MarkdownIt  # lazily, as page.py does

    return list(MarkdownIt("commonmark").parse(text))


def find_charts(text: str, path: str) -> tuple[list[Fence], list[Finding]]:
    """The page's hand-written gantt fences, found in markdown-it's token stream."""
    from .page import find_regions

    page = split(text)
    regions, findings = find_regions(page, path)
    if any(f.is_error for f in findings):
        return [], findings
    managed = {n for r in regions for n in range(r.start_line, r.end_line + 1)}
    starts = line_starts(text)
    offset = page.body_line - 1
    fences: list[Fence] = []
    for token in _tokens(page.body):
        info = token.info.strip().split()[0] if token.type == "fence" and token.info else ""
        if info != "mermaid" or token.map is None or not is_gantt(token.content):
            continue
        first, after = token.map[0] + offset, token.map[1] + offset  # 0-based page lines
        if first + 1 in managed:
            continue
        if token.level != 0:
            findings.append(
                warning(
                    path,
                    first + 1,
                    1,
                    "I218",
                    "a gantt chart inside a list or quote is not imported (a managed block must "
                    "stand on its own); it is left as it is",
                    "move the chart out of the list or quote, then import again",
                )
            )
            continue
        fence = _fence(text, starts, page.body_start, first, after, token.markup)
        if fence is None:
            findings.append(
                error(
                    path,
                    first + 1,
                    1,
                    "I107",
                    "the ```mermaid fence is never closed",
                    "add the closing ``` after the chart",
                )
            )
            continue
        fences.append(fence)
    return fences, findings


def _raw_line(text: str, starts: list[int], index: int) -> tuple[str, str]:
    """Line `index` (0-based) without its newline, and the newline."""
    end = starts[index + 1] if index + 1 < len(starts) else len(text)
    raw = text[starts[index] : end]
    body = raw.rstrip("\r\n")
    return body, raw[len(body) :]


def _fence(
    text: str, starts: list[int], body_start: int, first: int, after: int, markup: str
) -> Fence | None:
    last = after - 1
    closing, _ = _raw_line(text, starts, last) if last > first else ("", "")
    m = _CLOSING_FENCE.match(closing)
    if not m or m[1][0] != markup[0] or len(m[1]) < len(markup):
        return None
    opening, newline = _raw_line(text, starts, first)
    opening = opening.lstrip("\ufeff")
    indent = len(opening) - len(opening.lstrip(" "))
    lines = []
    for index in range(first + 1, last):
        raw, _ = _raw_line(text, starts, index)
        # markdown-it removes up to the opening fence's indentation from each line.
        strip = min(indent, len(raw) - len(raw.lstrip(" ")))
        lines.append(Line(index + 1, strip, raw[strip:]))
    end = starts[last] + len(closing)
    start = max(starts[first], body_start)
    return Fence(first + 1, start, end, tuple(lines), newline or "\n")


def managed_block(roadmap_id: str, roadmap: rm.Roadmap, today: date, newline: str) -> str:
    """Start marker, the regenerated chart and the checksummed end marker (no final newline)."""
    content = gantt.fenced(gantt.render(roadmap, today))
    block = f"<!-- pages-roadmap:gantt {roadmap_id} -->\n{content}"
    return with_newline(block, newline) + end_marker(roadmap_id, content)


def run(
    site: Site,
    page_path: Path,
    roadmap_id: str | None = None,
    *,
    force: bool = False,
    today: date,
) -> ImportResult:
    """Import every gantt chart of one page; writes nothing (the caller writes the result)."""
    rel = site.rel(page_path)
    try:
        text = decode(page_path.read_bytes(), rel)
    except LoadError as exc:
        return ImportResult(None, [], [exc.finding])
    except OSError as exc:
        return ImportResult(None, [], [error(rel, 1, 1, "F101", f"cannot read: {exc.strerror}")])
    base = roadmap_id or slug(page_path.stem)
    if not rm.ROADMAP_ID.match(base):
        return ImportResult(None, [], [_bad_id(rel, base, roadmap_id is None)])
    fences, findings = find_charts(text, rel)
    if not fences and not any(f.is_error for f in findings):
        findings.append(
            error(
                rel,
                1,
                1,
                "I101",
                "no hand-written ```mermaid gantt chart in this page",
                "import pages whose charts are still fenced ```mermaid blocks",
            )
        )
    files: list[DataFile] = []
    edits: list[tuple[Fence, str]] = []
    for n, fence in enumerate(fences, 1):
        chart_id = base if n == 1 else f"{base}-{n}"
        done = _import_fence(site, rel, fence, chart_id, force=force, today=today)
        findings += done[2]
        if done[0] is not None and done[1] is not None:
            files.append(done[0])
            edits.append((fence, done[1]))
    findings = sorted(findings, key=sort_key)
    if any(f.is_error for f in findings):
        return ImportResult(None, [], findings)
    return ImportResult(_spliced(page_path, text, edits), files, findings)


def _bad_id(rel: str, value: str, from_name: bool) -> Finding:
    source = "the page's file name gives" if from_name else "--id gives"
    return error(
        rel,
        1,
        1,
        "I112",
        f"{source} the roadmap id {value!r}, which is not a plain id",
        "give --id with lowercase letters, digits and hyphens",
    )


def _import_fence(
    site: Site, rel: str, fence: Fence, chart_id: str, *, force: bool, today: date
) -> tuple[DataFile | None, str | None, list[Finding]]:
    from .check import roadmap_from_text

    imported = read_chart(fence.lines, rel, today)
    findings = list(imported.findings)
    if imported.data is None:
        return None, None, findings
    folder = site.roadmaps_path
    existing = [p for p in (folder / f"{chart_id}.yml", folder / f"{chart_id}.yaml") if p.exists()]
    target = existing[0] if existing else folder / f"{chart_id}.yml"
    if existing and not force:
        findings.append(
            error(
                rel,
                fence.line,
                1,
                "I108",
                f"{site.rel(target)} exists already; not overwritten",
                "import with --force to replace it, or choose another id with --id",
            )
        )
        return None, None, findings
    imported.header.insert(0, f"Imported from {rel} by 'pages-roadmap import'.")
    text = imported.yaml()
    loaded = roadmap_from_text(text, site.rel(target), chart_id, site)
    findings += loaded.findings
    if loaded.roadmap is None:
        findings.append(
            error(
                rel,
                fence.line,
                1,
                "I109",
                f"the imported roadmap does not pass the checks (see {site.rel(target)} above); "
                "nothing is written",
                "please report this chart: the importer should have written valid data",
            )
        )
        return None, None, findings
    block = managed_block(chart_id, loaded.roadmap, today, fence.newline)
    return DataFile(target, chart_id, text), block, findings


def _spliced(page_path: Path, text: str, edits: Iterable[tuple[Fence, str]]) -> Change:
    from .build import Change

    out: list[str] = []
    pos = 0
    for fence, block in sorted(edits, key=lambda e: e[0].start):
        out += [text[pos : fence.start], block]
        pos = fence.end
    out.append(text[pos:])
    return Change(page_path, text, "".join(out))
