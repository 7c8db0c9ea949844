"""Front matter values as Jekyll reads them: dates, trailing spaces, the site's vocabulary.

Each check returns located findings and, where the one right value is known, an `Edit` that
`check --fix` may make (fix.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pages_roadmap.findings import Finding, error, warning
from pages_roadmap.fix import Edit, value_edit
from pages_roadmap.jekyll import DATE_KEYS, read_date, spoken
from pages_roadmap.yamlload import Document


@dataclass(frozen=True)
class ValueRules:
    """What a site says about its values (from `_config.yml` and its page schema)."""

    date_keys: frozenset[str] = frozenset(DATE_KEYS)
    day_first: bool = False  # `pages_roadmap: date_order: day-first`
    vocabulary: dict[str, dict[str, str]] = field(default_factory=dict)


def rules_of(
    date_order: str | None, vocabulary: dict[str, dict[str, str]], page_schema: object
) -> ValueRules:
    """The rules of a site: its settings, and the keys its page schema marks as Jekyll dates."""
    from pages_roadmap.jekyll import DATE_FORMAT

    keys = set(DATE_KEYS)
    props = page_schema.get("properties", {}) if isinstance(page_schema, dict) else {}
    if isinstance(props, dict):
        keys |= {
            k for k, v in props.items() if isinstance(v, dict) and v.get("format") == DATE_FORMAT
        }
    return ValueRules(frozenset(keys), date_order == "day-first", vocabulary)


def check_values(
    doc: Document, text: str, path: str, rules: ValueRules
) -> tuple[list[Finding], list[Edit]]:
    """Findings and edits for the top-level string values of one page's front matter."""
    data: Any = doc.data
    findings: list[Finding] = []
    edits: list[Edit] = []
    if not isinstance(data, dict):
        return findings, edits
    for key, value in data.items():
        if not isinstance(value, str):
            continue
        pos = doc.pos((key,))
        where = (path, pos.line, pos.col)
        wanted, codes = value, []
        stripped = value.rstrip()
        if stripped != value and stripped:
            findings.append(
                warning(
                    *where,
                    "V101",
                    f"{key}: {value!r} ends in spaces (Liquid and just-the-docs compare them too)",
                    "'pages-roadmap check --fix' removes them",
                )
            )
            wanted, codes = stripped, ["V101"]
        canonical = rules.vocabulary.get(key, {}).get(wanted)
        if canonical is not None and canonical != wanted:
            findings.append(
                warning(
                    *where,
                    "V102",
                    f"{key}: {wanted!r} is written {canonical!r} on this site",
                    "'pages-roadmap check --fix' rewrites it (pages_roadmap.vocabulary "
                    "in _config.yml)",
                )
            )
            wanted, codes = canonical, [*codes, "V102"]
        if key in rules.date_keys:
            found, iso = _date(key, wanted, where, rules)
            findings += found
            if iso is not None:
                wanted, codes = iso, [*codes, found[0].code]
        if codes:
            edit = value_edit(text, path, pos.line, pos.col, value, wanted, "+".join(codes))
            if edit is not None:
                edits.append(edit)
    return findings, edits


def _date(
    key: str, value: str, where: tuple[str, int, int], rules: ValueRules
) -> tuple[list[Finding], str | None]:
    """Findings for one date value, and the ISO text `--fix` may write."""
    reading = read_date(value)
    post = "_posts/" in f"/{where[0]}"
    shown = f"{key}: {value!r}"
    if reading.kind in ("iso", "other-form"):
        return [], None
    if reading.kind == "rolls-over" and reading.read_as is not None:
        day = reading.read_as
        what = f"the post is published under /{day:%Y/%m/%d}/" if post else "the page shows it"
        return [
            error(
                *where,
                "D101",
                f"{shown} is a day that does not exist: Jekyll silently reads it as "
                f"{spoken(day)} ({what})",
                "write the date you mean, as ISO YYYY-MM-DD",
            )
        ], None
    if reading.kind in ("invalid", "unreadable"):
        what = (
            "in _posts/ the whole site fails to build ('Invalid date')"
            if post
            else "Liquid's date filter prints it as written, and a post with it breaks the build"
        )
        code, problem = (
            ("D102", "has a month or day out of range")
            if reading.kind == "invalid"
            else ("D103", "is not a date Jekyll can read")
        )
        return [
            error(
                *where,
                code,
                f"{shown} {problem}: {what}",
                "write the date as ISO YYYY-MM-DD, for example 2025-08-19",
            )
        ], None
    assert reading.read_as is not None and reading.iso is not None
    read = spoken(reading.read_as)
    if reading.kind == "ambiguous" and reading.other is not None:
        fixable = rules.day_first
        how = (
            "'pages-roadmap check --fix' rewrites it (the site declares date_order: day-first)"
            if fixable
            else "'pages-roadmap check --fix' rewrites day-first dates once _config.yml declares "
            "'pages_roadmap: date_order: day-first'"
        )
        return [
            warning(
                *where,
                "D105",
                f"{shown} is ambiguous: Jekyll reads it day-first as {read}; a month-first "
                f"reader means {spoken(reading.other)}",
                f"write {reading.iso} for {read}, or "
                f"{reading.other.isoformat()} for {spoken(reading.other)}; {how}",
            )
        ], reading.iso if fixable else None
    form = "day-first" if reading.kind == "day-first" else "not in ISO form"
    return [
        warning(
            *where,
            "D104",
            f"{shown} is {form}: Jekyll reads it as {read}",
            f"'pages-roadmap check --fix' rewrites it as ISO {reading.iso}",
        )
    ], reading.iso
