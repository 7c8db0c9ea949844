"""strftime as Liquid's `date` filter takes it, with month and day names from Babel (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from pages_roadmap.findings import Finding, warning

if TYPE_CHECKING:
    pass

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


_NUMBERS: dict[str, Callable[[datetime], int]] = {
    "d": lambda when: when.day,
    "e": lambda when: when.day,
    "j": lambda when: when.timetuple().tm_yday,
    "m": lambda when: when.month,
    "y": lambda when: when.year % 100,
    "Y": lambda when: when.year,
    "C": lambda when: when.year // 100,
    "H": lambda when: when.hour,
    "k": lambda when: when.hour,
    "I": lambda when: (when.hour % 12) or 12,
    "l": lambda when: (when.hour % 12) or 12,
    "M": lambda when: when.minute,
    "S": lambda when: when.second,
    "u": lambda when: when.isocalendar()[2],
    "w": lambda when: when.isocalendar()[2] % 7,
    "U": lambda when: int(when.strftime("%U")),
    "W": lambda when: int(when.strftime("%W")),
    "V": lambda when: when.isocalendar()[1],
    "G": lambda when: when.isocalendar()[0],
    "g": lambda when: when.isocalendar()[0] % 100,
    "s": lambda when: int(when.timestamp()),
}


def _number(d: str, when: datetime) -> int:
    return _NUMBERS[d](when)


def _offset(when: datetime, colon: bool) -> str:
    delta = when.utcoffset()
    minutes = int(delta.total_seconds()) // 60 if delta is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{mins:02d}"


def load_names(locale: str) -> None:
    """Load the locale's data now (Babel reads it from disk on first use): the month names."""
    _names("month", "wide", "format", locale)


@cache
def _names(kind: str, width: Any, context: Any, locale: str) -> dict[Any, str]:
    """Babel's day, month or period names of a locale (looked up once per run)."""
    from babel import dates

    get = {"day": dates.get_day_names, "month": dates.get_month_names}.get(
        kind, dates.get_period_names
    )
    return {k: str(v) for k, v in get(width, context, locale).items()}


def _name(d: str, when: datetime, locale: str, standalone: bool) -> str:
    if d in "aA":
        return _names("day", "abbreviated" if d == "a" else "wide", "format", locale)[
            when.weekday()
        ]
    if d in "bhB":
        # "28. november" needs the format form, "November 2026" the stand-alone one (the two
        # differ in e.g. Russian and Polish: "ноября" / "ноябрь").
        width = "wide" if d == "B" else "abbreviated"
        context = "stand-alone" if standalone else "format"
        return _names("month", width, context, locale)[when.month]
    if d in "pP":
        text = _names("period", "abbreviated", "format", locale)["am" if when.hour < 12 else "pm"]
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
