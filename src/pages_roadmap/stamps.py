"""'Last updated' stamps in a page: found, migrated from Liquid, formatted with Babel (pure).

A managed stamp is an HTML comment pair around the date text, all on one line:

    <!-- pages-roadmap:stamp %d. %B %Y -->28. november 2026<!-- /pages-roadmap:stamp -->

The format (strftime, as Liquid's `date` filter takes it) is optional; without it the page's
default applies. The front matter key (default `last_modified_date`) holds the page's record:
the exact date-time and, in a YAML comment, a checksum of what that date belongs to (the page
without its stamps and generated charts, plus the data of the roadmaps it embeds):

    last_modified_date: 2026-11-28 14:03:00 +0100 # pages-roadmap sum:3f9a1c0b2e

While the checksum matches, the page has not really changed since it was dated, so the date
is kept whatever history says (a human commit of the tool's own output, a pre-commit run dated
'now', a shallow clone). This module reads no clock, runs no git and prints nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import cache
from typing import TYPE_CHECKING, Any

from .findings import Finding, error, warning
from .page import BOM, PageText, find_regions, line_starts, split
from .yamlload import LoadError, load

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline

__all__ = [
    "STAMP_SETTINGS_KEYS",
    "FormatError",
    "PageStamps",
    "StampSettings",
    "analyze",
    "content_sum",
    "data_digest",
    "format_date",
    "render",
    "stamp_page",
    "validate_settings",
]

# --- settings ----------------------------------------------------------------------------------

DEFAULT_KEY = "last_modified_date"
# Jekyll's own date form ("2026-11-28 14:03:00 +0100"): Psych reads it as a Time, so Liquid's
# `date` filter, just-the-docs' footer and jekyll-sitemap's <lastmod> all understand it.
DEFAULT_KEY_FORMAT = "%Y-%m-%d %H:%M:%S %z"
STAMP_SETTINGS_KEYS = (
    "enabled",
    "format",
    "front_matter_key",
    "front_matter_format",
    "migrate_liquid",
    "date",
    "ignore_revs",
)
_KEY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# What page.schema.json accepts for last_modified_date / last_modified_at.
_ISO_LIKE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?( ?(Z|[+-][0-9]{2}:?[0-9]{2}))?"
)


@dataclass(frozen=True)
class StampSettings:
    """The `pages_roadmap: stamps:` settings of a site (validated by validate_settings)."""

    enabled: bool = True
    format: str | None = None  # None: the language's long date ("28. november 2026")
    front_matter_key: str | None = DEFAULT_KEY  # None: no front matter key
    front_matter_format: str = DEFAULT_KEY_FORMAT
    migrate_liquid: bool = True
    use_author_date: bool = False
    # None: `.git-blame-ignore-revs` if it exists; "": none; else a path in the site.
    ignore_revs: str | None = None

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> StampSettings:
        """Settings from the raw mapping; values validate_settings rejects fall back to defaults."""
        bad = {path[0] for path, _msg, _hint in validate_settings(raw)}
        ok = {k: v for k, v in raw.items() if k not in bad}
        key = ok.get("front_matter_key", DEFAULT_KEY)
        revs = ok.get("ignore_revs")
        return cls(
            enabled=ok.get("enabled", True),
            format=ok.get("format"),
            front_matter_key=key or None,
            front_matter_format=ok.get("front_matter_format", DEFAULT_KEY_FORMAT),
            migrate_liquid=ok.get("migrate_liquid", True),
            use_author_date=ok.get("date", "committer") == "author",
            ignore_revs="" if revs is False else revs,
        )


def validate_settings(raw: Any) -> list[tuple[tuple[str, ...], str, str]]:
    """Problems of a `stamps:` mapping as (key path, message, hint); empty when all is well."""
    if not isinstance(raw, Mapping):
        return [((), "'stamps' must be a mapping of settings (or false)", "")]
    problems: list[tuple[tuple[str, ...], str, str]] = []
    known = ", ".join(STAMP_SETTINGS_KEYS)
    for key, value in raw.items():
        where = (str(key),)
        if key not in STAMP_SETTINGS_KEYS:
            problems.append((where, f"unknown setting stamps.{key}", f"known: {known}"))
        elif key in ("enabled", "migrate_liquid") and not isinstance(value, bool):
            problems.append((where, f"stamps.{key} must be true or false", ""))
        elif key == "date" and value not in ("committer", "author"):
            problems.append((where, "stamps.date must be 'committer' or 'author'", ""))
        elif key == "format" and (message := _format_problem(value)):
            problems.append((where, f"stamps.format: {message}", 'e.g. "%d. %B %Y"'))
        elif key == "front_matter_key" and not (
            value is False or (isinstance(value, str) and _KEY_NAME.fullmatch(value))
        ):
            problems.append(
                (where, "stamps.front_matter_key must be a key name or false", DEFAULT_KEY)
            )
        elif key == "front_matter_format" and (message := _key_format_problem(value)):
            problems.append((where, f"stamps.front_matter_format: {message}", DEFAULT_KEY_FORMAT))
        elif key == "ignore_revs" and not (value is False or (isinstance(value, str) and value)):
            problems.append((where, "stamps.ignore_revs must be a file path or false", ""))
    return problems


def _format_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return "must be a non-empty strftime format"
    try:
        check_format(value)
    except FormatError as exc:
        return str(exc)
    return None


def _key_format_problem(value: Any) -> str | None:
    problem = _format_problem(value)
    if problem:
        return problem
    sample = format_date(value, datetime.fromisoformat("2026-11-28T14:03:09+01:00"), "en")
    if not _ISO_LIKE.fullmatch(sample):
        return f"gives {sample!r}, which Jekyll does not read as a date (use %Y-%m-%d ...)"
    return None


# --- formatting --------------------------------------------------------------------------------


class FormatError(ValueError):
    """A strftime format pages-roadmap cannot render."""


# strftime directive -> (width, default padding) for numbers.
_NUMERIC: dict[str, tuple[int, str]] = {
    "d": (2, "0"),
    "e": (2, " "),
    "j": (3, "0"),
    "m": (2, "0"),
    "y": (2, "0"),
    "Y": (1, "0"),
    "C": (2, "0"),
    "H": (2, "0"),
    "I": (2, "0"),
    "k": (2, " "),
    "l": (2, " "),
    "M": (2, "0"),
    "S": (2, "0"),
    "u": (1, "0"),
    "w": (1, "0"),
    "U": (2, "0"),
    "W": (2, "0"),
    "V": (2, "0"),
    "G": (1, "0"),
    "g": (2, "0"),
    "s": (1, "0"),
}
_NAMES = set("aAbhBpPZ")
_LOCALE_FORMATS = set("cxX")
_ALIASES = {"F": "%Y-%m-%d", "T": "%H:%M:%S", "D": "%m/%d/%y", "R": "%H:%M"}
_DAY_DIRECTIVE = re.compile(r"%[-_0^]?[dej]")
# Characters that would end the marker comment or the date text early.
_FORBIDDEN = re.compile(r"[<>\n\r]|--")
_DIRECTIVE = re.compile(r"%([-_0^]?)(:?)(.?)", re.DOTALL)

Piece = tuple[str, str, str]  # ("lit", text, "") or (directive, flag, "")


@cache
def check_format(fmt: str) -> tuple[Piece, ...]:
    """Parse a strftime format into pieces; FormatError names the first thing we cannot do."""
    if _FORBIDDEN.search(fmt):
        raise FormatError(f"{fmt!r} may not contain '<', '>', '--' or a line break")
    for alias, expansion in _ALIASES.items():
        fmt = fmt.replace(f"%{alias}", expansion)
    pieces: list[Piece] = []
    pos = 0
    for m in _DIRECTIVE.finditer(fmt):
        if m.start() > pos:
            pieces.append(("lit", fmt[pos : m.start()], ""))
        pos = m.end()
        flag, colon, d = m.groups()
        if d == "%" and not flag and not colon:
            pieces.append(("lit", "%", ""))
        elif colon and d == "z":
            pieces.append((":z", flag, ""))
        elif not colon and (d in _NUMERIC or d in _NAMES or d in _LOCALE_FORMATS or d == "z"):
            pieces.append((d, flag, ""))
        else:
            shown = f"%{flag}{colon}{d}" if d else "a lone '%' at the end"
            raise FormatError(f"{shown} is not a strftime directive pages-roadmap knows")
    if pos < len(fmt):
        pieces.append(("lit", fmt[pos:], ""))
    return tuple(pieces)


def _number(d: str, when: datetime) -> int:
    iso = when.isocalendar()
    values: dict[str, Callable[[], int]] = {
        "d": lambda: when.day,
        "e": lambda: when.day,
        "j": lambda: when.timetuple().tm_yday,
        "m": lambda: when.month,
        "y": lambda: when.year % 100,
        "Y": lambda: when.year,
        "C": lambda: when.year // 100,
        "H": lambda: when.hour,
        "k": lambda: when.hour,
        "I": lambda: (when.hour % 12) or 12,
        "l": lambda: (when.hour % 12) or 12,
        "M": lambda: when.minute,
        "S": lambda: when.second,
        "u": lambda: iso[2],
        "w": lambda: iso[2] % 7,
        "U": lambda: int(when.strftime("%U")),
        "W": lambda: int(when.strftime("%W")),
        "V": lambda: iso[1],
        "G": lambda: iso[0],
        "g": lambda: iso[0] % 100,
        "s": lambda: int(when.timestamp()),
    }
    return values[d]()


def _offset(when: datetime, colon: bool) -> str:
    delta = when.utcoffset()
    minutes = int(delta.total_seconds()) // 60 if delta is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{mins:02d}"


def _name(d: str, when: datetime, locale: str, standalone: bool) -> str:
    from babel import dates

    if d in "aA":
        days = dates.get_day_names("abbreviated" if d == "a" else "wide", "format", locale)
        return str(days[when.weekday()])
    if d in "bhB":
        # "28. november" needs the format form, "November 2026" the stand-alone one (the two
        # differ in e.g. Russian and Polish: "ноября" / "ноябрь").
        width: Any = "wide" if d == "B" else "abbreviated"
        context: Any = "stand-alone" if standalone else "format"
        return str(dates.get_month_names(width, context, locale)[when.month])
    if d in "pP":
        period = "am" if when.hour < 12 else "pm"
        text = str(dates.get_period_names("abbreviated", "format", locale)[period])
        return text.lower() if d == "P" else text
    return when.tzname() or ""  # %Z


def _locale_format(d: str, when: datetime, locale: str) -> str:
    from babel import dates

    if d == "x":
        return str(dates.format_date(when.date(), "short", locale=locale))
    if d == "X":
        return str(dates.format_time(when.timetz(), "medium", locale=locale))
    return str(dates.format_datetime(when, "medium", locale=locale))


def format_date(fmt: str | None, when: datetime, locale: str) -> str:
    """`when` formatted by a strftime format, month and day names in `locale` (Babel).

    None means the language's long date: "28. november 2026" (da), "November 28, 2026" (en).
    """
    if fmt is None:
        from babel import dates

        return str(dates.format_date(when.date(), "long", locale=locale))
    pieces = check_format(fmt)
    standalone = not _DAY_DIRECTIVE.search(fmt)
    out: list[str] = []
    for d, flag, _ in pieces:
        if d == "lit":
            out.append(flag)
            continue
        if d == ":z":
            text = _offset(when, colon=True)
        elif d == "z":
            text = _offset(when, colon=False)
        elif d in _NUMERIC:
            width, pad = _NUMERIC[d]
            number = str(_number(d, when))
            pad = {"-": "", "_": " ", "0": "0"}.get(flag, pad)
            text = number.rjust(width, pad) if pad else number
        elif d in _NAMES:
            text = _name(d, when, locale, standalone)
        else:
            text = _locale_format(d, when, locale)
        out.append(text.upper() if flag == "^" else text)
    return "".join(out)


def unknown_language(path: str, line: int, lang: str) -> Finding:
    return warning(
        path,
        line,
        1,
        "T104",
        f"unknown language {lang!r}: dates are written in English",
        "use a language code such as da, en or de-AT (Jekyll's 'lang', of the page or the site)",
    )


@cache
def resolve_locale(lang: str) -> str | None:
    """The Babel locale for a Jekyll `lang` ("da", "da-DK", "en_US"), or None if unknown."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(lang.strip().replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


# --- finding stamps ----------------------------------------------------------------------------

_FMT = r"(?:(?!-->)[^\n<])*?"
PAIR_RE = re.compile(
    rf"<!--[ \t]*pages-roadmap:stamp(?:[ \t]+(?P<fmt>{_FMT}))?[ \t]*-->"
    r"(?P<text>[^<\n]*)"
    r"<!--[ \t]*/pages-roadmap:stamp[ \t]*-->"
)
# Liquid's build-time stamps: {{ site.time | date: FMT }} and {{ "now" | date: FMT }}, with
# either quotes, any spacing and optional whitespace control.
LIQUID_RE = re.compile(
    r"\{\{-?[ \t]*(?:site\.time|(?P<nq>[\"'])now(?P=nq))[ \t]*\|[ \t]*date[ \t]*:[ \t]*"
    r"(?P<q>[\"'])(?P<lfmt>(?:(?!(?P=q))[^\n])*)(?P=q)[ \t]*-?\}\}"
)
ORPHAN_RE = re.compile(r"<!--[ \t]*/?pages-roadmap:stamp(?![\w-])(?:(?!-->)[^\n])*-->")
_ANY_RE = re.compile(f"{PAIR_RE.pattern}|{LIQUID_RE.pattern}|{ORPHAN_RE.pattern}")
_HTML_RE = re.compile(f"{PAIR_RE.pattern}|{ORPHAN_RE.pattern}")
_CANDIDATE = re.compile(r"pages-roadmap:stamp|\{\{-?[ \t]*(?:site\.time|[\"']now)")
_RAW_HTML = re.compile(r"\s*<(?:pre|script|style|textarea)(?:[\s>]|$)", re.IGNORECASE)
_STAMP_TOKEN = "pages_roadmap_stamp"


def _stamp_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule: a stamp (or Liquid stamp) here is one token, with its offset in the source.

    It runs where markdown-it would look for inline HTML, so text inside code spans, autolinks
    and HTML tags never reaches it.
    """
    if state.src[state.pos] not in "<{":
        return False
    m = _ANY_RE.match(state.src, state.pos, state.posMax)
    if m is None:
        return False
    if not silent:
        token = state.push(_STAMP_TOKEN, "", 0)
        token.content = m.group(0)
        token.meta = {"pos": state.pos}
    state.pos = m.end()
    return True


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    md.inline.ruler.before("html_inline", _STAMP_TOKEN, _stamp_rule)
    return md


@dataclass(frozen=True)
class Stamp:
    """A stamp in the page text: a managed pair, or a Liquid stamp to migrate."""

    start: int  # offsets of the whole construct in the page text
    end: int
    text_start: int  # offsets of the date text (managed stamps only)
    text_end: int
    fmt: str | None
    liquid: bool
    line: int
    line_start: bool = False  # first thing in its line's inline content


def _line_text(text: str, starts: list[int], line0: int) -> tuple[int, str]:
    begin = starts[line0]
    end = starts[line0 + 1] if line0 + 1 < len(starts) else len(text)
    return begin, text[begin:end].rstrip("\r\n")


def _locate(
    text: str, starts: list[int], first_line0: int, content: str, pos: int
) -> tuple[int, int, bool] | None:
    """Offset in the page of `content[pos:]` (content = a block's inline text), its line, and
    whether it starts its line's content."""
    line_idx = content.count("\n", 0, pos)
    c_begin = content.rfind("\n", 0, pos) + 1
    c_end = content.find("\n", pos)
    c_line = content[c_begin : c_end if c_end >= 0 else len(content)]
    needle = c_line.strip(" \t")
    lead = len(c_line) - len(c_line.lstrip(" \t"))
    line0 = first_line0 + line_idx
    if line0 >= len(starts):
        return None
    begin, s_line = _line_text(text, starts, line0)
    # Container prefixes (indentation, '>', list markers, '#') come before the inline text and
    # an ATX heading's closing '#'s after it, so the last occurrence is the right one.
    k = s_line.rfind(needle)
    if k < 0:
        return None
    column = pos - c_begin - lead
    return begin + k + column, line0 + 1, column == 0


def _stamp_at(text: str, offset: int, line: int, first: bool) -> tuple[Stamp | None, bool]:
    """The stamp starting at `offset` (verified against the page text); True if it is an orphan."""
    m = _ANY_RE.match(text, offset)
    if m is None:
        return None, False
    if m.group("text") is not None:
        fmt = (m.group("fmt") or "").strip() or None
        return Stamp(m.start(), m.end(), m.start("text"), m.end("text"), fmt, False, line), False
    if m.group("lfmt") is not None:
        fmt = m.group("lfmt") or None
        return Stamp(m.start(), m.end(), m.start(), m.start(), fmt, True, line, first), False
    return None, True


def _orphan(path: str, line: int) -> Finding:
    return error(
        path,
        line,
        1,
        "T102",
        "stamp marker without its pair on the same line",
        "write '<!-- pages-roadmap:stamp FORMAT -->DATE<!-- /pages-roadmap:stamp -->' on one "
        "line (FORMAT is optional; DATE may be empty)",
    )


def _candidates(body: str, offset_line0: int) -> Iterator[tuple[int, str, int]]:
    """(first line, block content, offset in it) of every stamp markdown-it sees as HTML."""
    for token in _markdown().parse(body):
        if token.map is None:
            continue
        first = token.map[0] + offset_line0
        if token.type == "inline":
            for child in token.children or []:
                if child.type == _STAMP_TOKEN:
                    yield first, token.content, child.meta["pos"]
        elif token.type == "html_block" and not _RAW_HTML.match(token.content):
            # Raw HTML is passed through as written: stamps in it are real, Liquid is left
            # alone (it may sit in an attribute, where a comment would break the tag).
            for m in _HTML_RE.finditer(token.content):
                yield first, token.content, m.start()


def find_stamps(page: PageText, path: str) -> tuple[list[Stamp], list[Finding]]:
    """Stamps of a page; in code spans, code blocks and raw <pre>/<script> HTML they are text."""
    if not _CANDIDATE.search(page.body):
        return [], []
    text = page.text
    starts = line_starts(text)
    stamps: list[Stamp] = []
    findings: list[Finding] = []
    for first, content, pos in _candidates(page.body, page.body_line - 1):
        where = _locate(text, starts, first, content, pos)
        if where is None:  # pragma: no cover - the inline text is always in its lines
            continue
        stamp, orphan = _stamp_at(text, *where)
        if stamp is not None:
            stamps.append(stamp)
        elif orphan:
            findings.append(_orphan(path, where[1]))
    return stamps, findings


# --- the front matter key ----------------------------------------------------------------------

_VALUE = (
    r"(?P<value>\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\n]|'')*'"
    r"|[^ \t#'\"|>\[\]{}&!*,\n](?:[^\n#]|(?<![ \t])#)*?)"
)
_KEY_LINE = re.compile(
    r"(?P<prefix>(?:\"[^\"\n]*\"|'[^'\n]*'|[^ \t#'\"\n][^:#\n]*?)[ \t]*:(?:[ \t]+|(?=\r?\n|\r|$)))"
    + _VALUE
    + r"?(?P<rest>[ \t]*(?:#[^\n\r]*)?)(?P<nl>\r\n|\r|\n|$)"
)
_SUM_COMMENT = re.compile(r"#[ \t]*pages-roadmap[ \t]+sum:(?P<sum>[0-9a-f]{10})[ \t]*$")


@dataclass(frozen=True)
class KeyLine:
    """The configured front matter key's line, when it can be edited in place."""

    start: int  # offset of the line
    end: int  # offset after its newline
    prefix: str  # "last_modified_date: " exactly as written
    quote: str  # the value's quote character, or ""
    newline: str
    when: datetime | None  # the recorded date, when it parses
    sum: str | None  # the recorded checksum


@dataclass
class PageStamps:
    """What stamping needs to know about one page (the result of `analyze`)."""

    text: str
    path: str
    page: PageText
    stamps: list[Stamp]
    key: KeyLine | None  # the key's line, when present and editable
    add_key: bool  # the key is absent and will be appended to the front matter
    key_name: str | None
    key_format: str
    locale: str
    default_format: str | None
    skip: bool
    roadmap_ids: list[str]
    digest: str  # checksum of the page without its stamps, key line and generated charts
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_work(self) -> bool:
        """True when the page has anything to stamp."""
        return bool(self.stamps or self.key or self.add_key)

    def record(self, sum_: str) -> datetime | None:
        """The recorded date, if the record's checksum is `sum_` (nothing changed since)."""
        if self.key is not None and self.key.sum == sum_ and self.key.when is not None:
            return self.key.when
        return None

    @property
    def first_line(self) -> int:
        """Where findings about the page's date point: its first stamp, else the key's line."""
        if self.stamps:
            return min(s.line for s in self.stamps)
        if self.key is not None:
            return self.page.text.count("\n", 0, self.key.start) + 1
        if self.add_key and self.page.front_matter is not None:
            return self.page.text.count("\n", 0, self.page.front_matter.end) + 1
        return 1


def _front_matter(page: PageText, path: str) -> tuple[Any, Finding | None]:
    fm = page.front_matter
    if fm is None:
        return None, None
    try:
        doc = load(fm.text, path, line_offset=fm.line - 1)
    except LoadError as exc:
        f = exc.finding
        return None, warning(
            path,
            f.line,
            f.col,
            "T103",
            f"front matter cannot be read ({f.code} {f.message}); no date written into it",
            "fix the front matter ('pages-roadmap check' says how)",
        )
    return doc, None


def _parse_when(value: str, key_format: str, tz: tzinfo) -> datetime | None:
    try:
        when = datetime.strptime(value, key_format.replace("%:z", "%z"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=tz)


def _unquote(raw: str) -> tuple[str, str]:
    if raw[:1] == '"':
        return raw[1:-1], '"'  # a date has no escapes; one that does simply does not parse
    if raw[:1] == "'":
        return raw[1:-1].replace("''", "'"), "'"
    return raw.rstrip(), ""


def _key_line(
    page: PageText, doc: Any, key: str, key_format: str, tz: tzinfo, path: str
) -> tuple[KeyLine | None, bool, Finding | None]:
    """The key's line (or that it is absent and can be appended); a finding when neither."""
    fm = page.front_matter
    assert fm is not None
    data = doc.data if doc is not None else None
    if data is None:
        return None, True, None
    if not isinstance(data, dict):
        return None, False, _cannot(path, fm.line, key, "the front matter is not a mapping")
    if key not in data:
        return None, True, None
    pos = doc.keys[(key,)]
    starts = line_starts(page.text)
    line0 = pos.line - 1
    begin = starts[line0]
    nxt = starts[line0 + 1] if line0 + 1 < len(starts) else len(page.text)
    m = _KEY_LINE.fullmatch(page.text, begin, nxt)
    following = page.text[nxt : page.text.find("\n", nxt) + 1 or len(page.text)]
    continued = nxt < fm.end and following[:1] in (" ", "\t") and following.strip() != ""
    if pos.col != 1 or m is None or continued or isinstance(data[key], (dict, list)):
        return None, False, _cannot(path, pos.line, key, "its value is not a one-line text")
    raw = m.group("value") or ""
    value, quote = _unquote(raw) if raw else ("", "")
    comment = _SUM_COMMENT.search(m.group("rest"))
    return (
        KeyLine(
            begin,
            nxt,
            m.group("prefix"),
            quote,
            m.group("nl"),
            _parse_when(value, key_format, tz) if value else None,
            comment.group("sum") if comment else None,
        ),
        False,
        None,
    )


def _cannot(path: str, line: int, key: str, why: str) -> Finding:
    return warning(
        path,
        line,
        1,
        "T103",
        f"cannot write {key}: {why}",
        f"write '{key}: 2026-01-01' on one line, or turn the key off (stamps: "
        "front_matter_key: false)",
    )


# --- analysis and rendering --------------------------------------------------------------------


def _page_setting(data: Any, name: str) -> Any:
    own = data.get("pages_roadmap") if isinstance(data, dict) else None
    return own.get(name) if isinstance(own, dict) else None


def analyze(
    text: str, path: str, settings: StampSettings, site_lang: str | None, tz: tzinfo
) -> PageStamps:
    """Find everything stamping touches in a page, and its checksum; reads nothing else."""
    page = split(text)
    findings: list[Finding] = []
    doc, problem = _front_matter(page, path)
    findings += [problem] if problem else []
    data = doc.data if doc is not None else None
    own = data.get("lang") if isinstance(data, dict) else None
    # An unknown site language is reported once by the caller, not on every page.
    locale = (resolve_locale(site_lang) if site_lang else None) or "en"
    if isinstance(own, str) and own.strip():
        page_locale = resolve_locale(own)
        if page_locale is None:
            line = doc.pos(("lang",)).line if doc is not None else 1
            findings.append(unknown_language(path, line, own))
        locale = page_locale or "en"
    page_format = _page_setting(data, "stamp_format")
    default_format = page_format if isinstance(page_format, str) else settings.format
    stamps, problems = find_stamps(page, path)
    findings += problems
    kept: list[Stamp] = []
    for stamp in stamps:
        fmt = stamp.fmt or default_format
        if stamp.liquid and not _migrating(stamp, settings, path, findings):
            continue
        if fmt is not None and (message := _format_problem(fmt)):
            # A Liquid stamp we cannot take over still works as before: only a warning.
            report = warning if stamp.liquid else error
            verb = "Liquid stamp not migrated: " if stamp.liquid else ""
            findings.append(
                report(
                    path,
                    stamp.line,
                    1,
                    "T101",
                    f"{verb}stamp format: {message}",
                    "use strftime directives such as %d %e %B %b %A %a %m %Y %H %M",
                )
            )
            continue
        kept.append(stamp)
    key: KeyLine | None = None
    add_key = False
    if settings.front_matter_key and page.front_matter is not None and problem is None:
        key, add_key, trouble = _key_line(
            page, doc, settings.front_matter_key, settings.front_matter_format, tz, path
        )
        findings += [trouble] if trouble else []
    regions = find_regions(page, path)[0] if "pages-roadmap:" in page.body else []
    result = PageStamps(
        text,
        path,
        page,
        kept,
        key,
        add_key,
        settings.front_matter_key,
        settings.front_matter_format,
        locale,
        default_format,
        _page_setting(data, "skip") is True,
        sorted({r.name for r in regions}),
        "",
        findings,
    )
    cuts = [(s.start, s.end, "\0stamp\0") for s in kept]
    cuts += [(r.content_start, r.end_marker_end, "") for r in regions]
    if key is not None:
        cuts.append((key.start, key.end, ""))
    result.digest = _digest(text, cuts)
    return result


def _migrating(stamp: Stamp, settings: StampSettings, path: str, findings: list[Finding]) -> bool:
    if not settings.migrate_liquid:
        return False
    if stamp.line_start:
        # A line starting with '<!--' is a raw HTML block in CommonMark: the rest of the line
        # would lose its Markdown (and the block could cut a paragraph in two).
        findings.append(
            warning(
                path,
                stamp.line,
                1,
                "T105",
                "Liquid stamp at the start of a line is not migrated",
                "put some text before it (e.g. 'Updated: '), or write a managed stamp yourself",
            )
        )
        return False
    return True


def _digest(text: str, cuts: list[tuple[int, int, str]]) -> str:
    parts: list[str] = []
    pos = 0
    for start, end, replacement in sorted(cuts):
        parts.append(text[pos:start])
        parts.append(replacement)
        pos = max(pos, end)
    parts.append(text[pos:])
    return data_digest("".join(parts).removeprefix(BOM))


def data_digest(text: str) -> str:
    """Checksum of a text whatever its newline style (for pages and roadmap files)."""
    normal = text.replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(normal.encode("utf-8", "surrogateescape")).hexdigest()


def content_sum(page_digest: str, roadmaps: Mapping[str, str | None]) -> str:
    """The record checksum: the page's digest and the digests of the roadmaps it embeds."""
    h = hashlib.sha256(page_digest.encode("ascii"))
    for name in sorted(roadmaps):
        h.update(f"\n{name}:{roadmaps[name] or '-'}".encode())
    return h.hexdigest()[:10]


def render(ps: PageStamps, when: datetime, sum_: str | None, tz: tzinfo) -> str:
    """The page with every stamp and the key written for `when` (in `tz`); nothing else changes.

    `sum_` is written into the key's line: None writes the date without a record checksum (a
    provisional date that the next run computes again).
    """
    when = when.astimezone(tz).replace(microsecond=0)
    edits: list[tuple[int, int, str]] = []
    for stamp in ps.stamps:
        date_text = format_date(stamp.fmt or ps.default_format, when, ps.locale)
        if stamp.liquid:
            marker = f" {stamp.fmt}" if stamp.fmt else ""
            edits.append(
                (
                    stamp.start,
                    stamp.end,
                    f"<!-- pages-roadmap:stamp{marker} -->{date_text}<!-- /pages-roadmap:stamp -->",
                )
            )
        else:
            edits.append((stamp.text_start, stamp.text_end, date_text))
    if ps.key is not None or ps.add_key:
        value = format_date(ps.key_format, when, "en")
        comment = f" # pages-roadmap sum:{sum_}" if sum_ else ""
        if ps.key is not None:
            q = ps.key.quote
            prefix = ps.key.prefix if ps.key.prefix[-1:] in (" ", "\t") else ps.key.prefix + " "
            line = f"{prefix}{q}{value}{q}{comment}{ps.key.newline}"
            edits.append((ps.key.start, ps.key.end, line))
        else:
            fm = ps.page.front_matter
            assert fm is not None
            nl = _newline_before(ps.text, fm.end) or ps.page.newline
            edits.append((fm.end, fm.end, f"{ps.key_name}: {value}{comment}{nl}"))
    out: list[str] = []
    pos = 0
    for start, end, replacement in sorted(edits):
        out.append(ps.text[pos:start])
        out.append(replacement)
        pos = end
    out.append(ps.text[pos:])
    return "".join(out)


def _newline_before(text: str, offset: int) -> str:
    if text.endswith("\r\n", 0, offset):
        return "\r\n"
    if text.endswith("\n", 0, offset):
        return "\n"
    return "\r" if text.endswith("\r", 0, offset) else ""


def stamp_page(
    text: str,
    path: str,
    when: datetime | None,
    settings: StampSettings,
    site_lang: str | None,
    tz: tzinfo,
    *,
    roadmaps: Mapping[str, str | None] | None = None,
) -> tuple[str, list[Finding]]:
    """The page stamped for `when`; a page whose record is still valid keeps its date.

    `roadmaps` maps each embedded roadmap id to the digest of its data (see data_digest; ids
    left out count as missing). `when=None` (no date known) only re-renders a valid record,
    and otherwise leaves the page as it is.
    """
    ps = analyze(text, path, settings, site_lang, tz)
    if ps.skip or not ps.has_work or any(f.is_error for f in ps.findings):
        return text, ps.findings
    known = roadmaps or {}
    sum_ = content_sum(ps.digest, {name: known.get(name) for name in ps.roadmap_ids})
    date = ps.record(sum_) or when
    if date is None:
        return text, ps.findings
    return render(ps, date, sum_, tz), ps.findings
