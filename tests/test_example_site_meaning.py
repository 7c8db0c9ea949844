"""The example site's two roadmaps draw the same bars as before the charts carried literal dates.

tests/example_site_tasks.json was written from the charts of the commit before that change
(Mermaid 12.3.0, TZ=UTC, today 2026-11-28): for every task its id, name, section, flags, start and
the end of its bar (Mermaid's renderEndTime when excluded days cut the bar short, else endTime).
Every Mermaid version and reader time zone under test must draw exactly those bars now.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from conftest import REPO
from mermaid import compile_matrix

from pages_roadmap.load import roadmap_from_text
from pages_roadmap.mermaid import render as gantt
from pages_roadmap.site import Settings, Site

TODAY = date(2026, 11, 28)
GOLDEN = Path(__file__).parent / "example_site_tasks.json"
FILES = sorted((REPO / "_roadmaps").glob("*.yml"))
KEYS = ("id", "task", "section", "milestone", "vert", "done", "active", "crit")


def drawn(task: dict[str, Any]) -> dict[str, Any]:
    out = {k: task[k] for k in KEYS}
    out["start"] = task["start"][:10]
    out["end"] = (task["renderEnd"] or task["end"])[:10]
    return out


def charts() -> dict[str, str]:
    site = Site(REPO, {}, Settings())
    out = {}
    for file in FILES:
        loaded = roadmap_from_text(file.read_text(encoding="utf-8"), file.name, file.stem, site)
        assert loaded.roadmap is not None
        out[file.stem] = gantt.render(loaded.roadmap, TODAY)
    return out


def test_example_site_draws_the_pinned_bars() -> None:
    texts = charts()
    results = compile_matrix(list(texts.values()))
    got = {
        key: {
            name: [drawn(t) for t in res["tasks"]] for name, res in zip(texts, results, strict=True)
        }
        for key, results in results.items()
    }
    for (version, tz), per_roadmap in got.items():
        for name, res in zip(texts, results[(version, tz)], strict=True):
            assert res["ok"] and res["warnings"] == [], (version, tz, name, res["error"])
        if os.environ.get("UPDATE_GOLDEN") and (version, tz) == ("12.3.0", "UTC"):
            GOLDEN.write_text(json.dumps(per_roadmap, indent=1, ensure_ascii=False) + "\n")
        assert per_roadmap == json.loads(GOLDEN.read_text(encoding="utf-8")), (version, tz)
