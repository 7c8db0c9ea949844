"""What Jekyll really reads: whether it sees a file's front matter, and how it reads a date.

Measured with Debian's Jekyll 4.3.1 (tests/test_jekyll_real.py pins it):

- Jekyll decides that a file has front matter with `\\A---\\s*\\r?\\n` on the file's raw bytes, so
  text (or a UTF-8 byte order mark) before the opening `---` hides every key. Plain Jekyll then
  copies the file as it is (a raw `.md`); GitHub Pages, whose default plugins include
  jekyll-optional-front-matter, renders it as a page with the keys shown as text.
- A date is read with Ruby's `Time.parse`: numeric dates with the year last are read day-first
  (`05-06-2025` is 5 June), a day past the month's end rolls over (`2025-02-30` is 2 March),
  and a month 13 cannot be read at all (a post then breaks the whole build).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from pages_roadmap.findings import Finding, error

# --- front matter ------------------------------------------------------------------------------

_OPENING = re.compile(r"---\s*?\r?\n")  # Jekyll 4.3: `\A---\s*\r?\n` on the raw bytes
_KEY_LINE = r"[A-Za-z_][\w-]*:(?:[ \t].*)?\r?\n"
_FENCED = re.compile(rf"---[ \t]*\r?\n(?:{_KEY_LINE})+(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_BARE_KEYS = re.compile(rf"\A(?:[ \t]*\r?\n)*((?:{_KEY_LINE}){{2,}})")
_SECOND = re.compile(
    rf"(?:[ \t]*\r?\n)*(---[ \t]*\r?\n(?:{_KEY_LINE})+(?:---|\.\.\.)[ \t]*$)", re.MULTILINE
)
# Keys that mark a block of `key: value` lines as meant for Jekyll or just-the-docs.
JEKYLL_KEYS = frozenset(
    {"layout", "title", "parent", "grand_parent", "nav_order", "has_children", "nav_exclude"}
    | {"permalink", "date", "description", "status", "author"}
)
WHAT_JEKYLL_DOES = (
    "plain Jekyll copies the file as it is (a raw .md); GitHub Pages "
    "(jekyll-optional-front-matter) renders it with the keys shown as text and no title, "
    "parent or layout from them"
)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def sees_front_matter(text: str) -> bool:
    """Does Jekyll read front matter in this file (given its decoded text, BOM included)?"""
    return _OPENING.match(text) is not None


def front_matter_findings(text: str, has_block: bool, body_start: int, path: str) -> list[Finding]:
    """Front matter Jekyll will not read, each located and saying what Jekyll does with the file.

    `has_block` and `body_start` are what the page splitter found (it accepts a BOM, as editors
    do; Jekyll does not).
    """
    if has_block:
        if text.startswith("\ufeff"):
            return [
                error(
                    path,
                    1,
                    1,
                    "P104",
                    f"a byte order mark (U+FEFF) before the opening '---': Jekyll does not read "
                    f"this front matter; {WHAT_JEKYLL_DOES}",
                    "save the file as UTF-8 without a byte order mark",
                )
            ]
        second = _SECOND.match(text, body_start)
        if second:
            line, _ = _line_col(text, second.start(1))
            return [
                error(
                    path,
                    line,
                    1,
                    "P106",
                    "a second front matter block: Jekyll reads only the first; the keys of "
                    "this one are shown as text on the page",
                    "move these keys into the first block and delete the extra '---' lines",
                )
            ]
        return []
    bare = text[1:] if text.startswith("\ufeff") else text
    shift = len(text) - len(bare)
    if _OPENING.match(bare):
        return [
            error(
                path,
                1,
                1,
                "P103",
                "front matter has no closing '---' line: Jekyll reads none of its keys and "
                "shows the '---' line and the keys as text",
                "add a line '---' after the last front matter key",
            )
        ]
    fenced = _FENCED.search(bare, 0, 2000)
    before = bare[: fenced.start()] if fenced else ""
    # Meant as front matter: it starts within the first lines, not inside a code example.
    if fenced and before.count("\n") < 3 and "```" not in before and "~~~" not in before:
        line, col = _line_col(text, fenced.start() + shift)
        return [
            error(
                path,
                line,
                col,
                "P102",
                f"text before the opening '---': Jekyll does not read this front matter; "
                f"{WHAT_JEKYLL_DOES}",
                "delete what comes before '---', so that the file starts with it",
            )
        ]
    bare_keys = _BARE_KEYS.match(bare)
    if bare_keys:
        keys = {ln.split(":", 1)[0] for ln in bare_keys[1].splitlines()}
        if keys & JEKYLL_KEYS:
            line, col = _line_col(text, bare_keys.start(1) + shift)
            return [
                error(
                    path,
                    line,
                    col,
                    "P105",
                    f"front matter keys without '---' lines: Jekyll reads them as text; "
                    f"{WHAT_JEKYLL_DOES}",
                    "put a line '---' before the first key and another after the last",
                )
            ]
    return []


# --- dates -------------------------------------------------------------------------------------

DATE_KEYS = ("date", "last_modified_date", "last_modified_at")
DATE_FORMAT = "jekyll-date"  # `"format": "jekyll-date"` in a site's page schema marks a date key
_NUMERIC = re.compile(
    r"(?P<a>\d{1,4})(?P<sep>[-./])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})"
    r"(?P<time>(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:[ ]?(?:Z|[+-]\d{2}:?\d{2}))?)"
)
_MONTH_WORD = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b", re.IGNORECASE
)
_MONTHS: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July")
_MONTHS += ("August", "September", "October", "November", "December")


def spoken(day: date) -> str:
    """A date as a reader says it: '19 August 2025'."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class DateReading:
    """How Jekyll reads one date text, and what pages-roadmap makes of it."""

    # "iso"; read as meant but fragile: "day-first", "ambiguous" (both readings valid), "loose"
    # (year first, not YYYY-MM-DD); "other-form" (month names); wrong: "rolls-over" (a day past
    # the month's end), "invalid" (month 13), "unreadable"
    kind: str
    read_as: date | None = None  # the day Jekyll uses (None: it cannot read the text)
    iso: str | None = None  # the ISO text `--fix` may write (the time part kept)
    other: date | None = None  # ambiguous: the month-first reading


def read_date(text: str) -> DateReading:
    """Read a front matter date the way Ruby's Time.parse does (for the forms people write)."""
    value = text.strip()
    m = _NUMERIC.fullmatch(value)
    if m is None:
        if _MONTH_WORD.search(value) and re.search(r"\d{4}", value):
            return DateReading("other-form")  # "19 August 2025": Ruby reads it; nothing to say
        return DateReading("unreadable")
    a, b, c, time = m["a"], m["b"], m["c"], m["time"]
    if len(a) == 4 and len(c) <= 2:
        year, month, day, first = int(a), int(b), int(c), "year"
    elif len(c) == 4 and len(a) <= 2:
        year, month, day, first = int(c), int(b), int(a), "day"
    else:
        return DateReading("unreadable")  # two-digit years: Ruby guesses a century
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return DateReading("invalid")
    last = calendar.monthrange(year, month)[1]
    if day > last:
        return DateReading("rolls-over", date(year, month, 1) + timedelta(days=day - 1))
    read_as = date(year, month, day)
    iso = read_as.isoformat() + time
    if first == "year":
        plain = m["sep"] == "-" and len(b) == 2 and len(c) == 2
        return DateReading("iso" if plain else "loose", read_as, iso)
    if day <= 12 and day != month:
        return DateReading("ambiguous", read_as, iso, date(year, day, month))
    return DateReading("day-first", read_as, iso)
