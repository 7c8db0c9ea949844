"""`roadmap.resolve` in dependency order gives exactly what Mermaid's repeated pass gives.

`resolve_by_passes` below is the resolver as it was before it worked in dependency order (a copy
of the code, kept here as the oracle): it repeats Mermaid's compile pass until nothing changes,
which is quadratic on a backward `after` chain (benchmarks/resolve_bench.py). Hypothesis builds
roadmaps with forward and backward references, unknown ids, duplicate ids, cycles, `until`,
excluded days and dates past the year 9999, through `from_data` like `check` does, and both
resolvers must agree span for span (or both raise ResolveError).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pages_roadmap import roadmap as rm
from pages_roadmap.roadmap import Chart, Item, ResolveError, Span, _resolve_item


def resolve_by_passes(roadmap: rm.Roadmap) -> dict[Any, Span]:
    """The resolver before it worked in dependency order (the oracle)."""
    items = [item for _, item in roadmap.items()]
    by_id = {item.id: item for item in items if item.id}
    spans: dict[Any, Span] = {}
    for _ in range(len(items) + 1):
        progressed = False
        prev_end: datetime | None = None
        for item in items:
            if item.path in spans:
                prev_end = spans[item.path].end
                continue
            try:
                span = _resolve_item(item, roadmap.chart, by_id, spans, prev_end)
            except (OverflowError, ValueError):
                span = None
            if span is None:
                prev_end = None
                continue
            spans[item.path] = span
            prev_end = span.end
            progressed = True
        if not progressed:
            break
    return spans


IDS = ["a", "b", "c", "d", "e", "f"]
ids = st.sampled_from([*IDS, "zz"])  # "zz" is never defined: an unknown id
refs = st.one_of(ids, st.lists(ids, min_size=1, max_size=3))
days = st.sampled_from(["2025-01-01", "2025-02-28", "2025-03-03", "2024-02-29", "9999-12-20"])


@st.composite
def raw_items(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["task", "task", "task", "milestone", "marker"]))
    item: dict[str, Any] = {kind: draw(st.sampled_from(["Plan", "Build", "Ship"]))}
    if draw(st.booleans()):
        item["id"] = draw(st.sampled_from(IDS))
    if kind == "marker":
        item["date"] = draw(days)
        return item
    how = draw(st.sampled_from(["start", "after", "previous"]))
    if how == "start":
        item["start" if kind == "task" else "date"] = draw(days)
    elif how == "after":
        item["after"] = draw(refs)
    if kind == "task":
        end = draw(st.sampled_from(["end", "duration", "until"]))
        if end == "end":
            item["end"] = draw(days)
        elif end == "duration":
            item["duration"] = draw(st.sampled_from(["1d", "3d", "2w", "1M", "36h", "1.5d"]))
        else:
            item["until"] = draw(refs)
    return item


@st.composite
def roadmaps(draw: st.DrawFn) -> rm.Roadmap:
    sections = [
        {"name": f"S{n}", "items": draw(st.lists(raw_items(), min_size=1, max_size=5))}
        for n in range(draw(st.integers(1, 3)))
    ]
    chart: dict[str, Any] = {}
    if draw(st.booleans()):
        chart["excludes"] = draw(
            st.lists(st.sampled_from(["weekends", "friday", "2025-01-02"]), max_size=2)
        )
    if draw(st.booleans()):
        chart["inclusive_end_dates"] = True
    return rm.from_data("r", {"sections": sections, "chart": chart})


def _outcome(resolver: Any, roadmap: rm.Roadmap) -> Any:
    try:
        return resolver(roadmap)
    except ResolveError as exc:
        return ("ResolveError", str(exc))


@settings(
    max_examples=600, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(roadmaps())
def test_dependency_order_equals_repeated_passes(roadmap: rm.Roadmap) -> None:
    assert _outcome(rm.resolve, roadmap) == _outcome(resolve_by_passes, roadmap)


def _chain(n: int) -> rm.Roadmap:
    items = (
        *(
            Item(
                "task",
                f"T{k}",
                id=f"t{k}",
                after=(f"t{k + 1}",),
                duration="1d",
                path=("sections", 0, "items", k),
            )
            for k in range(n - 1)
        ),
        Item(
            "task",
            "last",
            id=f"t{n - 1}",
            start="2025-01-01",
            duration="1d",
            path=("sections", 0, "items", n - 1),
        ),
    )
    return rm.Roadmap("chain", (rm.Section("C", items, ("sections", 0)),), chart=Chart())


@pytest.mark.parametrize("n", [1, 2, 50])
def test_backward_chain_matches_and_is_complete(n: int) -> None:
    """A backward chain (each item after the next one) resolves fully, as with the passes."""
    chain = _chain(n)
    spans = rm.resolve(chain)
    assert spans == resolve_by_passes(chain)
    assert len(spans) == n
    assert spans[("sections", 0, "items", 0)].end == datetime(2025, 1, 1) + timedelta(days=n)
