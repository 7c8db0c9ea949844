"""Dates as Mermaid 12.3 reads them in a gantt chart: chart text -> a datetime, or None.

`DateFormat` parses the way dayjs does in strict mode with the chart's dateFormat (and, for the
evident reading, loosely in the format's order); `js_date` is JavaScript's `new Date(text)`,
Mermaid's fallback when strict parsing fails. Pure: no clock, no findings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

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
    """A dayjs format string with the tokens YYYY YY MM M DD D HH H mm m ss s.

    A format without a year, month or day takes them as dayjs does from the day the chart is
    drawn (`today`): no year is the current year; no month is January when there is a year,
    else the current month; no day is the 1st when there is a year or month, else today.
    Without `today` such a format is unsupported.
    """

    def __init__(self, text: str, today: date | None = None) -> None:
        self.text = text.strip()
        self.today = today
        self.tokens: list[str] = _FORMAT_TOKEN.findall(self.text)
        self.unsupported = [
            t for t in self.tokens if t[0].isalpha() and t not in _NUMBER_TOKENS and t[0] != "["
        ]
        units = {t[0] for t in self.tokens if t in _NUMBER_TOKENS and t[0] in "YMD"}
        self.missing = {"Y", "M", "D"} - units
        if self.text and not self.unsupported and self.missing and today is None:
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

    def moves(self) -> str | None:
        """How often a chart in this format moves ('every January'), or None: it never does."""
        if "Y" not in self.missing:
            return None
        if "M" not in self.missing:
            return "every January"
        return "every month" if "D" not in self.missing else "every day"

    def _build(self, values: Sequence[str]) -> datetime | None:
        fields: dict[str, int] = {"Y": 0, "M": 1, "D": 1, "H": 0, "m": 0, "s": 0}
        if self.missing and self.today is not None:  # dayjs: the parts the format lacks
            t, has = self.today, {"Y", "M", "D"} - self.missing
            fields["Y"] = t.year
            fields["M"] = 1 if "Y" in has else t.month
            fields["D"] = 1 if has & {"Y", "M"} else t.day
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


def iso(moment: datetime) -> str:
    return moment.date().isoformat()
