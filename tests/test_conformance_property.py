"""Property: every roadmap `check` accepts is built, and Mermaid draws exactly its dates.

Roadmaps are generated over the whole format (dates at month ends, leap days, days on which a
time zone skips midnight, years near the limits, every duration unit, `after` with forward and
several ids, `until`, excludes/includes/weekend, inclusive end dates, milestones, markers,
statuses, names with many kinds of characters) by a seeded generator, so CI sees the same
roadmaps every run. The expected dates are worked out HERE, from the README's rules ("The
roadmap format"), by code that does not call the project's resolver. Each accepted roadmap is
rendered by the project (gantt.render) and compiled by Mermaid 12.3.0 and 11.12.0 with the
reader in UTC and in America/Sao_Paulo (which skipped midnight on DST days until 2019): no parse
error, no warning, and every item's start and bar end on the expected local day.
"""

from __future__ import annotations

import calendar
import json
import random
import re
from collections.abc import Callable
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import pytest
from conftest import REPO
from mermaid import compile_matrix

from pages_roadmap.load import roadmap_from_text
from pages_roadmap.mermaid import render as gantt
from pages_roadmap.site import Settings, Site

SEED = 20261201
ROADMAPS = 300
TODAY = date(2026, 11, 28)
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Month ends, leap days, a non-leap century, DST changes (Sao Paulo at midnight, the US, the
# EU), and years near the limits.
BASES = [
    "2025-01-31", "2024-02-29", "2025-02-28", "2000-02-29", "2100-02-28", "2018-11-03",
    "2018-11-04", "2018-02-17", "2017-10-14", "2016-10-16", "2025-03-09", "2025-10-26",
    "1000-01-01", "1999-12-31", "9998-11-30", "0999-12-25", "2026-11-27", "2026-12-31",
]  # fmt: skip
DURATIONS = [
    "0d", "1d", "2d", "5d", "1.5d", "0.4d", "10d", "1w", "2w", "1.5w", "1M", "2M", "1y",
    "12h", "36h", "11h", "48h", "90m", "1440m", "86400s", "43200000ms", "3M",
]  # fmt: skip
NAMES = [
    "Plan", "Build", "Ship it", "Title: final report", "Section-2 review", "Call-center",
    "Click-through", "Gantt_chart", "Title#1", "Phase 2: build #1; x", "a<b and c>d",
    "R&D", "Fish & chips", "Reach 50%", "Entity #58; literal", "Æblegrød på Øen",
    "naïve café", "日本語のタスク", "Über-Größe ß", "“Quoted” — dash", "Launch 🚀",
    "x", "a, b, c", "Weekday planning", "Sections", "Titles", "Deliver title", "Milestone 1",
    "done", "crit path", "Hand-over", "(parens) [brackets] {braces}", "slash/back\\slash",
    "dollar $ caret ^ pipe |", "tab\tinside", "O'Brien", '<a href="x">link</a>', "100 %",
]  # fmt: skip


def iso(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def day(text: str) -> date:
    return date.fromisoformat(text)


# (key, how often, values): chart settings that change no date.
OPTIONAL_SETTINGS: list[tuple[str, float, list[Any]]] = [
    ("inclusive_end_dates", 0.3, [True]),
    ("auto_status", 0.2, [False]),
    ("display_mode", 0.2, ["compact"]),
    ("tick_interval", 0.2, ["1week", "1month", "3month", "2day"]),
    ("axis_format", 0.2, ["%Y-%m-%d", "%b %Y", "%d/%m"]),
    ("today_marker", 0.2, [False, "stroke-width:5px,stroke:red"]),
    ("weekday", 0.2, list(DAY_NAMES)),
]


def generate_chart(rng: random.Random, base: date) -> dict[str, Any]:
    """The `chart:` settings, over every key."""
    chart: dict[str, Any] = {}
    if rng.random() < 0.6:
        excludes = rng.choice(
            [["weekends"], ["weekends", "friday"], ["monday"], ["saturday", "sunday"], []]
        )
        excludes += [
            iso(base + timedelta(days=rng.randrange(0, 40))) for _ in range(rng.randrange(3))
        ]
        if excludes:
            chart["excludes"] = excludes
        if rng.random() < 0.4:
            chart["includes"] = [
                iso(base + timedelta(days=rng.randrange(0, 40))) for _ in range(rng.randrange(1, 3))
            ]
        if rng.random() < 0.3:
            chart["weekend"] = "friday"
    if rng.random() < 0.2:  # every weekday excluded, with working days listed as includes
        chart["excludes"] = list(DAY_NAMES)
        chart["includes"] = [iso(base + timedelta(days=i)) for i in range(0, 60)]
    for key, chance, values in OPTIONAL_SETTINGS:
        if rng.random() < chance:
            chart[key] = rng.choice(values)
    return chart


def task_end(
    rng: random.Random, i: int, ids: list[str | None], starts: dict[int, date]
) -> dict[str, Any]:
    """A task's `end`, `until` (items starting later) or `duration` (every unit)."""
    way = rng.random()
    until = [ids[j] for j in starts if ids[j] and j > i and i in starts and starts[j] >= starts[i]]
    if way < 0.25 and i in starts:
        return {"end": iso(starts[i] + timedelta(days=rng.randrange(0, 40)))}
    if way < 0.45 and until:
        picks = rng.sample(until, min(len(until), rng.randrange(1, 3)))
        return {"until": picks[0] if len(picks) == 1 else picks}
    return {"duration": rng.choice(DURATIONS)}


def generate_items(rng: random.Random, base: date) -> list[dict[str, Any]]:
    """Items of every kind, with literal, `after` (forward too) and implicit starts."""
    n_items = rng.randrange(1, 12)
    kinds = [rng.choices(["task", "milestone", "marker"], [7, 2, 1])[0] for _ in range(n_items)]
    ids = [f"t{i}" if rng.random() < 0.85 else None for i in range(n_items)]
    literal = [kind == "marker" or rng.random() < 0.5 for kind in kinds]
    literal[0] = True
    starts: dict[int, date] = {}
    for i in range(n_items):
        if literal[i]:
            start = base + timedelta(days=rng.randrange(0, 45))
            if rng.random() < 0.2:  # the last day of its month
                start = start.replace(day=calendar.monthrange(start.year, start.month)[1])
            starts[i] = start
    items: list[dict[str, Any]] = []
    for i, kind in enumerate(kinds):
        item: dict[str, Any] = {kind: rng.choice(NAMES) + ("" if rng.random() < 0.5 else f" {i}")}
        if ids[i]:
            item["id"] = ids[i]
        # `after` may point forward, but only at items with a literal start (no cycles).
        targets = [ids[j] for j in range(n_items) if ids[j] and j != i and (j < i or literal[j])]
        if i in starts:
            item["start" if kind == "task" else "date"] = iso(starts[i])
        elif targets and (kind == "milestone" or rng.random() < 0.8):
            picks = rng.sample(targets, min(len(targets), rng.randrange(1, 4)))
            item["after"] = picks[0] if len(picks) == 1 and rng.random() < 0.5 else picks
        elif kind == "milestone":
            item["date"] = iso(base)
        if kind == "task":
            item |= task_end(rng, i, ids, starts)
        if kind != "marker" and rng.random() < 0.5:
            item["status"] = rng.choice(["done", "active", "planned", "auto"])
        if rng.random() < 0.2:
            item["crit"] = True
        items.append(item)
    return items


def generate(rng: random.Random) -> dict[str, Any]:
    """One roadmap document (plain data) over the whole format."""
    base = day(rng.choice(BASES))
    chart = generate_chart(rng, base)
    items = generate_items(rng, base)
    n_items = len(items)
    sections: list[dict[str, Any]] = []
    cut = sorted(rng.sample(range(1, n_items), min(n_items - 1, rng.randrange(0, 3))))
    bounds = [0, *cut, n_items]
    for k in range(len(bounds) - 1):
        sec: dict[str, Any] = {"items": items[bounds[k] : bounds[k + 1]]}
        if k > 0 or rng.random() < 0.7:
            sec["name"] = rng.choice(NAMES)
        sections.append(sec)
    doc: dict[str, Any] = {"sections": sections}
    if rng.random() < 0.6:
        doc["title"] = rng.choice(NAMES)
    if rng.random() < 0.3:
        doc["description"] = rng.choice(NAMES)
    if chart:
        doc["chart"] = chart
    return doc


# --- the README's rules, worked out independently -------------------------------------------


def plus(start: date, text: str) -> date:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|[smhdwMy])", text)
    assert m, text
    value, unit = Fraction(m[1]), m[2]
    if unit in ("M", "y"):
        months = int(value) * (12 if unit == "y" else 1)
        y, mo = divmod(start.month - 1 + months, 12)
        year, month = start.year + y, mo + 1
        return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    per_day = {"w": Fraction(7), "d": Fraction(1), "h": Fraction(1, 24), "m": Fraction(1, 1440)}
    per_day |= {"s": Fraction(1, 86400), "ms": Fraction(1, 86_400_000)}
    days = value * per_day[unit]
    whole = int(days + Fraction(1, 2))  # rounded, half up
    return start + timedelta(days=whole)


def excluded_days(chart: dict[str, Any]) -> Callable[[date], bool]:
    """The README: `includes` wins, then `weekends` (from `weekend`), day names and dates."""
    excludes = {e.lower() for e in chart.get("excludes", [])}
    includes = set(chart.get("includes", []))
    weekend = (5, 6) if chart.get("weekend") == "friday" else (6, 7)  # ISO weekdays

    def off(d: date) -> bool:
        if iso(d) in includes:
            return False
        if "weekends" in excludes and d.isoweekday() in weekend:
            return True
        return DAY_NAMES[d.weekday()] in excludes or iso(d) in excludes

    return off


def stretched(start: date, end: date, off: Callable[[date], bool]) -> tuple[date, date]:
    """The README: from the day after the start up to and including the end, each excluded day
    moves the end one day later; the bar ends after the last day that is not excluded."""
    d = start + timedelta(days=1)
    while d <= end:
        if off(d):
            end += timedelta(days=1)
        d += timedelta(days=1)
    last = start
    d = start + timedelta(days=1)
    while d < end:
        if not off(d):
            last = d
        d += timedelta(days=1)
    return end, (last + timedelta(days=1) if end > start else end)


def status_of(item: dict[str, Any], kind: str, start: date, end: date, auto: bool) -> str:
    status: str = item.get("status", "auto")
    if status != "auto":
        return status
    if not auto:
        return "planned"
    if kind == "task":
        return "done" if end <= TODAY else "active" if start <= TODAY else "planned"
    return "done" if start < TODAY else "active" if start == TODAY else "planned"


def expected(doc: dict[str, Any]) -> list[dict[str, Any]]:
    chart = doc.get("chart", {})
    off = excluded_days(chart)

    items = [it for sec in doc["sections"] for it in sec["items"]]
    secs = [sec.get("name", "") for sec in doc["sections"] for _ in sec["items"]]
    by_id = {it["id"]: n for n, it in enumerate(items) if "id" in it}
    memo: dict[int, tuple[date, date, date]] = {}

    def span(n: int) -> tuple[date, date, date]:
        """(start, end, end of the bar) of item n."""
        if n in memo:
            return memo[n]
        it = items[n]
        kind = next(k for k in ("task", "milestone", "marker") if k in it)
        if "start" in it or "date" in it:
            start = day(it.get("start", it.get("date")))
        elif "after" in it:
            refs = [it["after"]] if isinstance(it["after"], str) else it["after"]
            start = max(span(by_id[r])[1] for r in refs)
        else:
            start = span(n - 1)[1]
        if kind != "task":
            memo[n] = (start, start, start)
            return memo[n]
        if "end" in it:
            end = day(it["end"]) + timedelta(days=1 if chart.get("inclusive_end_dates") else 0)
            memo[n] = (start, end, end)
            return memo[n]
        if "duration" in it:
            end = plus(start, it["duration"])
        else:
            refs = [it["until"]] if isinstance(it["until"], str) else it["until"]
            end = min(span(by_id[r])[0] for r in refs)
        end, bar = stretched(start, end, off) if chart.get("excludes") else (end, end)
        memo[n] = (start, end, bar)
        return memo[n]

    out = []
    for n, it in enumerate(items):
        kind = next(k for k in ("task", "milestone", "marker") if k in it)
        start, end, bar = span(n)
        status = status_of(it, kind, start, end, chart.get("auto_status", True))
        out.append(
            {
                "task": it[kind],
                "section": secs[n],
                "start": iso(start),
                "end": iso(bar if kind == "task" else start),
                "milestone": kind == "milestone",
                "vert": kind == "marker",
                "done": kind != "marker" and status == "done",
                "active": kind != "marker" and status == "active",
                "crit": bool(it.get("crit")),
            }
        )
    return out


def drawn(task: dict[str, Any]) -> dict[str, Any]:
    keys = ("task", "section", "milestone", "vert", "done", "active", "crit")
    out = {k: task[k] for k in keys}
    out["start"] = task["start"] and task["start"][:10]
    end = task["renderEnd"] or task["end"]
    out["end"] = end and end[:10]
    if task["milestone"] or task["vert"]:
        out["end"] = out["start"]
    return out


@pytest.fixture(scope="module")
def corpus() -> dict[str, Any]:
    rng = random.Random(SEED)
    site = Site(REPO, {}, Settings())
    accepted: list[tuple[dict[str, Any], str]] = []
    rejected: dict[str, int] = {}
    for n in range(ROADMAPS):
        doc = generate(rng)
        loaded = roadmap_from_text(json.dumps(doc, ensure_ascii=False), f"r{n}.yml", f"r{n}", site)
        errors = [f for f in loaded.findings if f.is_error]
        if errors or loaded.roadmap is None:
            for f in errors:
                rejected[f.code] = rejected.get(f.code, 0) + 1
            continue
        accepted.append((doc, gantt.render(loaded.roadmap, TODAY)))
    results = compile_matrix([text for _, text in accepted])
    return {"accepted": accepted, "rejected": rejected, "results": results}


def test_the_generator_covers_the_format(corpus: dict[str, Any]) -> None:
    accepted = corpus["accepted"]
    docs = [doc for doc, _ in accepted]
    items = [it for doc in docs for sec in doc["sections"] for it in sec["items"]]
    assert len(accepted) >= ROADMAPS * 0.7, corpus["rejected"]
    assert len(items) >= 1000
    units = {re.sub(r"[\d.]", "", it["duration"]) for it in items if "duration" in it}
    assert units == {"d", "w", "M", "y", "h", "m", "s", "ms"}
    assert sum(isinstance(it.get("after"), list) and len(it["after"]) > 1 for it in items) > 20
    assert sum("until" in it for it in items) > 20
    assert sum(it.get("milestone") is not None for it in items) > 50
    assert sum(it.get("marker") is not None for it in items) > 20
    assert sum(len(d.get("chart", {}).get("excludes", [])) == 7 for d in docs) > 10
    assert sum(bool(d.get("chart", {}).get("inclusive_end_dates")) for d in docs) > 30
    # Years before 1000 are refused (R119), and nothing else the generator makes is.
    assert set(corpus["rejected"]) <= {"R114", "R119", "R117", "R120"}, corpus["rejected"]


def test_mermaid_draws_exactly_the_expected_dates(corpus: dict[str, Any]) -> None:
    accepted = corpus["accepted"]
    compared = 0
    mismatches = []
    for (version, tz), results in corpus["results"].items():
        for (doc, text), result in zip(accepted, results, strict=True):
            assert result["ok"], (version, tz, result["error"], text)
            assert result["warnings"] == [], (version, tz, text)
            want = expected(doc)
            got = [drawn(t) for t in result["tasks"]]
            assert len(got) == len(want), (version, tz, text)
            for g, w in zip(got, want, strict=True):
                compared += 1
                if g != w:
                    mismatches.append((version, tz, w, g, text))
            if doc.get("title"):
                assert result["title"] == doc["title"], (version, tz, text)
            if doc.get("description"):
                assert result["accDescr"] == doc["description"], (version, tz, text)
    assert mismatches == []
    assert compared >= 4 * 1000
    print(
        f"\n{len(accepted)} roadmaps, {compared // 4} items x 4 runs = {compared} compared, "
        f"{len(corpus['results'])} version x time zone runs, {len(mismatches)} mismatches"
    )
