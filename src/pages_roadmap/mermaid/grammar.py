"""What Mermaid 12.3's gantt grammar accepts, kept once for both directions.

The importer reads charts with these facts (importer/reader.py, fields.py) and the roadmap checks
use them to say what Mermaid would misread (roadmap.py). From `gantt.jison` (the lexer's
statements, in the order its rules are tried) and `ganttDb.js` (durations, tick intervals, tags).
Pure: patterns and words, nothing else.
"""

from __future__ import annotations

import re

# Tags that may open a task's data, case-sensitive, before its id, start and end.
TAGS = ("active", "done", "crit", "milestone", "vert")

# `<number><unit>`: ms, s, m (minutes), h, d, w, M (months), y; a fraction is allowed.
DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|[smhdwMy])\Z")  # \Z: no trailing newline

# `tickInterval`: a whole number over 0 and one of these units, nothing else (no plural).
TICK_UNITS = ("millisecond", "second", "minute", "hour", "day", "week", "month")
TICK_INTERVAL = re.compile(rf"^([1-9]\d*)({'|'.join(TICK_UNITS)})\Z")
# What authors write that Mermaid ignores, and the interval they evidently meant.
TICK_QUARTERS = re.compile(r"^\s*(\d+)\s*quarters?\s*$", re.IGNORECASE)
TICK_YEARS = re.compile(r"^\s*(\d+)\s*years?\s*$", re.IGNORECASE)
TICK_LOOSE = re.compile(rf"^(\d+)\s*({'|'.join(TICK_UNITS)})s?$", re.IGNORECASE)


def tick_in_months(text: str) -> tuple[str, str] | None:
    """'1quarter' -> ('3month', 'quarters'), '2 years' -> ('24month', 'years'), else None."""
    quarters, years = TICK_QUARTERS.match(text), TICK_YEARS.match(text)
    if quarters:
        return f"{int(quarters[1]) * 3}month", "quarters"
    if years:
        return f"{int(years[1]) * 12}month", "years"
    return None


# Day names as `excludes`, `weekday` and the calendar take them; monday is day 0.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKEND_STARTS = ("friday", "saturday")  # `weekend friday`: Friday and Saturday are the weekend
WEEKDAY_STATEMENT = rf"weekday\s+({'|'.join(WEEKDAYS)})\b"
WEEKEND_STATEMENT = rf"weekend\s+({'|'.join(WEEKEND_STARTS)})\b"
# `weekday`/`weekend` are statements only when a day name follows.
DAY_STATEMENT = re.compile(f"{WEEKDAY_STATEMENT}|{WEEKEND_STATEMENT}", re.IGNORECASE)

# The accessibility statements, which the lexer tries before all others.
ACC_TITLE = re.compile(r"accTitle\s*:\s*", re.IGNORECASE)
ACC_DESCR = re.compile(r"accDescr\s*:\s*", re.IGNORECASE)
ACC_DESCR_BLOCK = re.compile(r"accDescr\s*\{\s*", re.IGNORECASE)

# Then the statements in the order of the lexer's rules: the first that matches wins, and a line
# that none matches is a task. Case-insensitive, like the lexer.
STATEMENTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
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
        ("weekday", WEEKDAY_STATEMENT),
        ("weekend", WEEKEND_STATEMENT),
        ("date", r"\d\d\d\d-\d\d-\d\d\b"),
        ("title", r"title\s"),
        ("accDescription", r"accDescription\s"),
        ("section", r"section\s"),
    )
)
# Mermaid's tag words: a first field equal to one of them is taken as a tag (case-sensitive).
TAG_WORDS = frozenset(TAGS)
# Keys every JavaScript object has: Mermaid keeps ids in a plain object (taskDb).
JS_KEYS = frozenset(
    {
        "__proto__",
        "constructor",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "toString",
        "valueOf",
        "__defineGetter__",
        "__defineSetter__",
        "__lookupGetter__",
        "__lookupSetter__",
    }
)
# The rules of Mermaid 12.3's gantt lexer (gantt.jison, INITIAL state) that are tried before a
# task name (`[^:\n]+`), in order; the first that matches wins, case-insensitively. A name that
# one of them matches (after the leading whitespace the lexer skips) is not read as a name.
LEXER_RULES = tuple(
    (re.compile(rule, re.IGNORECASE), what)
    for rule, what in (
        (r"%%\{", "a directive"),
        (r"accTitle\s*:\s*", "the statement 'accTitle:'"),
        (r"accDescr\s*:\s*", "the statement 'accDescr:'"),
        (r"accDescr\s*\{\s*", "the statement 'accDescr {'"),
        (r"%%(?!\{)", "a comment"),
        (r"[^}]%", "a comment ('%' as second character)"),
        (r"%", "a comment"),
        (r"href\s+\"", "the keyword 'href'"),
        (r"call\s+", "the keyword 'call'"),
        (r"click\s+", "the keyword 'click'"),
        (r"gantt\b", "the keyword 'gantt'"),
        (r"dateFormat\s[^#\n;]", "the statement 'dateFormat'"),
        (r"inclusiveEndDates\b", "the statement 'inclusiveEndDates'"),
        (r"topAxis\b", "the statement 'topAxis'"),
        (r"axisFormat\s[^#\n;]", "the statement 'axisFormat'"),
        (r"tickInterval\s[^#\n;]", "the statement 'tickInterval'"),
        (r"includes\s[^#\n;]", "the statement 'includes'"),
        (r"excludes\s[^#\n;]", "the statement 'excludes'"),
        (r"todayMarker\s[^\n;]", "the statement 'todayMarker'"),
        (
            r"weekday\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
            "a weekday setting",
        ),
        (r"weekend\s+(?:friday|saturday)\b", "a weekend setting"),
        (r"\d\d\d\d-\d\d-\d\d\b", "a date"),
        (r"title\s[^\n]", "the chart title"),
        (r"accDescription\s[^#\n;]", "the statement 'accDescription'"),
        (r"section\s[^\n]", "a section"),
    )
)
