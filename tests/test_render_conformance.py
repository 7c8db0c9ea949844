"""Rendering is part of conformance: Mermaid's renderer (under jsdom, which measures text as
7 px per character) draws every chart the tool writes without an error box, every task as a
bar with its name, and a bounded number of ticks; charts beyond the render limits are refused
by `check` (R121 size, R112 ticks), because Mermaid would draw only an error or a huge axis."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from conftest import REPO
from mermaid import VERSIONS, compile_many

from pages_roadmap.load import MAX_TEXT_SIZE, MAX_TICKS, roadmap_from_text
from pages_roadmap.mermaid import render as gantt
from pages_roadmap.site import Settings, Site

TODAY = date(2026, 11, 28)
SITE = Site(REPO, {}, Settings())
FILES = sorted((REPO / "_roadmaps").glob("*.yml")) + sorted((REPO / "tests/roadmaps").glob("*.yml"))


def load(text: str, name: str = "r") -> Any:
    return roadmap_from_text(text, f"{name}.yml", name, SITE)


def many_tasks(n: int, name: str = "Task") -> dict[str, Any]:
    items = [{"task": f"{name} {i}", "start": "2025-01-01", "end": "2025-01-08"} for i in range(n)]
    return {"sections": [{"name": "S", "items": items}]}


@pytest.mark.parametrize("version", list(VERSIONS))
def test_every_chart_renders_every_task(version: str) -> None:
    roadmaps = []
    for file in FILES:
        loaded = load(file.read_text(encoding="utf-8"), file.stem)
        assert loaded.roadmap is not None, loaded.findings
        roadmaps.append(loaded.roadmap)
    # The biggest roadmap check accepts: just under Mermaid's text limit.
    big = load(json.dumps(many_tasks(590, "A long task name to fill the chart")))
    assert big.roadmap is not None, big.findings
    roadmaps.append(big.roadmap)
    texts = [gantt.render(r, TODAY) for r in roadmaps]
    for roadmap, text, result in zip(
        roadmaps, texts, compile_many(texts, version, render=True), strict=True
    ):
        drawn = result["render"]
        assert drawn["ok"] and not drawn["errorBox"], (drawn.get("error"), text[:300])
        items = [it for _, it in roadmap.items()]
        # A marker is drawn as a (thin) task rect too.
        assert drawn["taskRects"] == len(items), text[:300]
        assert sorted(t.strip() for t in drawn["taskTexts"]) == sorted(it.name for it in items)
        assert drawn["ticks"] <= MAX_TICKS + 1
        assert drawn["svgLength"] < 2_000_000


def test_what_check_refuses_is_what_mermaid_cannot_draw() -> None:
    too_big = many_tasks(1200, "A long task name to fill the chart")
    fine_ticks = many_tasks(2) | {"chart": {"tick_interval": "1hour"}}
    fine_ticks["sections"][0]["items"][1]["end"] = "2025-03-01"
    codes = {
        name: sorted(f.code for f in load(json.dumps(doc)).findings if f.is_error)
        for name, doc in [("size", too_big), ("ticks", fine_ticks)]
    }
    assert codes == {"size": ["R121"], "ticks": ["R112"]}
    # Mermaid's side: rendered anyway, the big chart is an error box, the ticks are thousands.
    from pages_roadmap import roadmap as rm

    texts = [gantt.render(rm.from_data("r", doc), TODAY) for doc in (too_big, fine_ticks)]
    assert len(texts[0]) > MAX_TEXT_SIZE
    big, ticks = compile_many(texts, "12.3.0", render=True)
    assert big["render"]["errorBox"] and big["render"]["taskRects"] == 0
    assert ticks["render"]["ticks"] > MAX_TICKS
