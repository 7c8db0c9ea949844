"""Rules a site can tune: every finding code with its default severity, and the site's settings
`pages_roadmap: severity:`, `date_order:` and `vocabulary:` in `_config.yml`, validated (pure).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from pages_roadmap.findings import Finding, Severity

E, W, N, EW = "error", "warning", "note", "error or warning"
# Every code pages-roadmap reports, and its severity before a site tunes it (README's table).
CODES: dict[str, str] = {
    **{f"Y10{n}": E for n in range(1, 10)},
    **{f"S10{n}": E for n in range(1, 8)},
    "S108": W,
    "S199": E,
    **{f"R1{n:02d}": E for n in range(0, 18)},
    "R118": W,
    **{f"R1{n:02d}": E for n in range(19, 22)},
    "P101": E,
    "P102": E,
    "P103": E,
    "P104": E,
    "P105": E,
    "P106": E,
    "D101": E,
    "D102": E,
    "D103": E,
    "D104": W,
    "D105": W,
    "V101": W,
    "V102": W,
    "N101": E,
    "N102": E,
    "N103": W,
    "N104": W,
    "N105": W,
    "M101": W,
    "M102": E,
    "M103": N,
    "C101": E,
    "F101": E,
    "F102": E,
    "F103": E,
    "F104": N,
    **{f"B10{n}": E for n in range(1, 9)},
    "G101": E,
    "G102": W,
    "G103": W,
    "G104": E,
    "G105": E,
    "G106": W,
    "T101": EW,
    "T102": E,
    "T103": W,
    "T104": W,
    "T105": W,
    **{f"I1{n:02d}": E for n in range(1, 14)},
    "I100": N,
    **{f"I2{n:02d}": W for n in range(1, 20)},
}
LEVELS = ("error", "warning", "off")
DATE_ORDERS = ("day-first",)

Problem = tuple[tuple[str | int, ...], str, str]  # (path under pages_roadmap, message, hint)


def validate_rules(
    raw: dict[str, Any],
) -> tuple[dict[str, str], str | None, dict[str, dict[str, str]], list[Problem]]:
    """`severity`, `date_order` and `vocabulary` from the settings, and what is wrong with them."""
    problems: list[Problem] = []
    severity: dict[str, str] = {}
    levels = raw.get("severity")
    if levels is not None and not isinstance(levels, dict):
        problems.append((("severity",), "severity must map codes to error, warning or off", ""))
    for code, level in (levels or {}).items() if isinstance(levels, dict) else ():
        level = "off" if level is False else level  # YAML 1.1 reads a bare `off` as false
        if str(code) not in CODES:
            close = difflib.get_close_matches(str(code), list(CODES), n=1)
            hint = f"did you mean {close[0]}?" if close else "see 'What check reports' in README"
            problems.append((("severity", code), f"severity: unknown code {code!r}", hint))
        elif level not in LEVELS:
            problems.append(
                (
                    ("severity", code),
                    f"severity of {code}: {level!r} is not error, warning or off",
                    "write error, warning or off",
                )
            )
        else:
            severity[str(code)] = level
    order = raw.get("date_order")
    if order is not None and order not in DATE_ORDERS:
        problems.append(
            (
                ("date_order",),
                f"date_order: {order!r} is not one of {', '.join(DATE_ORDERS)}",
                "day-first: dates such as 05-06-2025 mean 5 June (as Jekyll reads them)",
            )
        )
        order = None
    vocabulary: dict[str, dict[str, str]] = {}
    table = raw.get("vocabulary")
    if table is not None and not isinstance(table, dict):
        problems.append((("vocabulary",), "vocabulary must map front matter keys to tables", ""))
    for key, spellings in (table or {}).items() if isinstance(table, dict) else ():
        if not isinstance(spellings, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in spellings.items()
        ):
            problems.append(
                (
                    ("vocabulary", key),
                    f"vocabulary.{key} must map spellings to the value to write",
                    "for example  status: {final: Final, færdigt: Final}",
                )
            )
            continue
        vocabulary[str(key)] = dict(spellings)
    return severity, order if isinstance(order, str) else None, vocabulary, problems


def tune(findings: Iterable[Finding], severity: dict[str, str]) -> list[Finding]:
    """The findings with the site's severities: `off` drops a code, the others set it."""
    if not severity:
        return list(findings)
    out = []
    for f in findings:
        level = severity.get(f.code)
        if level == "off":
            continue
        if level is not None and level != f.severity.value:
            f = replace(f, severity=Severity(level))
        out.append(f)
    return out
