"""`pages-roadmap preview`: the terminal view (golden files) and PNG/SVG/HTML through Chromium.

Golden files: tests/preview/<roadmap>-<width>.txt from tests/preview/<roadmap>.yml. Set
UPDATE_GOLDEN=1 to write them after checking them. The SVG and PNG are checked against the
roadmap YAML read here, not against the tool's own model.
"""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, SCREENSHOTS, require, run_cli

FOLDER = Path(__file__).parent / "preview"
TODAY = "2026-12-01"
# (roadmap, terminal width, today): wide and narrow terminals, and a roadmap of 60 tasks.
GOLDEN = [
    ("plan", 120, TODAY),
    ("plan", 60, TODAY),
    ("os2borgerpc", 100, TODAY),
    ("os2borgerpc", 80, TODAY),
    ("sixty", 100, "2026-06-15"),
    ("sixty", 72, "2026-06-15"),
]


MERMAID = REPO / "tests/node/node_modules/mermaid/dist/mermaid.min.js"  # the pinned npm package


def site_with(tmp_path: Path, *names: str) -> Path:
    (tmp_path / "_roadmaps").mkdir()
    for name in names:
        shutil.copy(FOLDER / f"{name}.yml", tmp_path / "_roadmaps" / f"{name}.yml")
    return tmp_path


def data(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((FOLDER / f"{name}.yml").read_text(encoding="utf-8"))
    return loaded


def items(name: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (kind, item)
        for section in data(name)["sections"]
        for item in section["items"]
        for kind in ("task", "milestone", "marker")
        if kind in item
    ]


# --- the terminal view ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "width", "today"), GOLDEN, ids=[f"{n}-{w}" for n, w, _ in GOLDEN])
def test_text_view_golden(tmp_path: Path, name: str, width: int, today: str) -> None:
    root = site_with(tmp_path, name)
    args = ("preview", "--root", str(root), "--text", "--width", str(width), "--today", today)
    result = run_cli(*args, str(root / "_roadmaps" / f"{name}.yml"))
    assert (result.code, result.err) == (0, "")
    golden = FOLDER / f"{name}-{width}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(result.out, encoding="utf-8")
    assert result.out == golden.read_text(encoding="utf-8")
    assert max(len(line) for line in result.out.splitlines()) <= width


@pytest.mark.parametrize(("name", "width", "today"), GOLDEN, ids=[f"{n}-{w}" for n, w, _ in GOLDEN])
def test_text_view_shows_every_item_with_its_dates(
    tmp_path: Path, name: str, width: int, today: str
) -> None:
    """Each item once, in order, with the dates its YAML gives (an end date is exclusive)."""
    text = (FOLDER / f"{name}-{width}.txt").read_text(encoding="utf-8")
    item_lines = [line for line in text.splitlines() if re.match(r"  [│◆✓▶·][ !]", line)]
    assert len(item_lines) == len(items(name))
    for line, (kind, item) in zip(item_lines, items(name), strict=True):
        shown = re.split("…|  | [█▓░│┃◆]", line[4:])[0]
        assert item[kind].startswith(shown), (line, item[kind])
        assert (line[3] == "!") == bool(item.get("crit")), line
        if kind == "task" and "start" in item and "end" in item:
            last = date.fromisoformat(str(item["end"])) - timedelta(days=1)
            assert f"{item['start']} → {last}" in line
        if kind != "task" and "date" in item:
            assert str(item["date"]) in line
    for section in data(name)["sections"]:
        assert any(line.startswith(section["name"][:20]) for line in text.splitlines())
    assert f"┃ today {today}" in text


def test_text_view_of_a_page_shows_the_roadmaps_it_embeds(cli: Any) -> None:
    result = cli("preview", "--root", str(REPO), "--width", "100", "--today", TODAY,
                 str(REPO / "os2borgerpc" / "roadmap.md"))
    assert result.code == 0
    assert result.out.startswith("OS2display Roadmap")


# --- what preview refuses ------------------------------------------------------------------------


def test_a_page_without_charts_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "page.md").write_text("# Nothing here\n", encoding="utf-8")
    result = run_cli("preview", "--root", str(tmp_path), str(tmp_path / "page.md"))
    assert result.code == 2 and "no pages-roadmap chart" in result.err


def test_a_roadmap_with_errors_prints_its_findings(tmp_path: Path) -> None:
    root = site_with(tmp_path)
    (root / "_roadmaps" / "bad.yml").write_text("sections: []\n", encoding="utf-8")
    result = run_cli("preview", "--root", str(root), str(root / "_roadmaps" / "bad.yml"))
    assert result.code == 1 and "_roadmaps/bad.yml:1:" in result.out


def test_an_unknown_output_kind_is_a_usage_error(tmp_path: Path) -> None:
    root = site_with(tmp_path, "plan")
    result = run_cli("preview", "--root", str(root), "-o", str(tmp_path / "chart.pdf"),
                     str(root / "_roadmaps" / "plan.yml"))
    assert result.code == 2 and "write .png, .svg or .html" in result.err


def test_without_mermaid_the_error_names_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_with(tmp_path, "plan")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PAGES_ROADMAP_MERMAID", raising=False)
    result = run_cli("preview", "--root", str(root), "-o", str(tmp_path / "c.svg"),
                     str(root / "_roadmaps" / "plan.yml"))
    assert result.code == 2
    assert "npm install mermaid" in result.err and "--mermaid FILE" in result.err


def test_without_chromium_the_error_names_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_with(tmp_path, "plan")
    monkeypatch.setenv("PAGES_ROADMAP_CHROMIUM", str(tmp_path / "no-such-browser"))
    mermaid = REPO / "tests/node/node_modules/mermaid/dist/mermaid.min.js"
    result = run_cli("preview", "--root", str(root), "--mermaid", str(mermaid),
                     "-o", str(tmp_path / "c.png"), str(root / "_roadmaps" / "plan.yml"))
    assert result.code == 2
    assert "apt-get install chromium" in result.err and "--text needs none" in result.err


# --- drawn by Chromium ---------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def browser_ready() -> None:
    import browser

    require(browser.chromium)
    require(browser.node)  # Mermaid's script comes from the tests' npm packages


# preview's own drawings of the example roadmaps go with the screenshots (the CI artifact).
PREVIEWS = SCREENSHOTS / "preview"


@pytest.mark.parametrize("name", ["plan", "os2borgerpc"])
def test_svg_is_the_roadmap_drawn(tmp_path: Path, name: str) -> None:
    browser_ready()
    root = site_with(tmp_path, name)
    PREVIEWS.mkdir(parents=True, exist_ok=True)
    out = PREVIEWS / f"{name}.svg"
    result = run_cli("preview", "--root", str(root), "--mermaid", str(MERMAID), "--today", TODAY,
                     "-o", str(out),
                     str(root / "_roadmaps" / f"{name}.yml"))
    assert (result.code, result.out) == (0, f"wrote {out}\n"), result.err
    svg = ET.fromstring(out.read_bytes())  # a standalone, well-formed SVG document
    assert svg.tag == f"{SVG}svg" and svg.get("aria-roledescription") == "gantt"
    rects = [r for r in svg.iter(f"{SVG}rect") if "task" in (r.get("class") or "").split()]
    kinds = Counter(
        "marker" if "vert" in classes else "milestone" if "milestone" in classes else "task"
        for classes in ((r.get("class") or "").split() for r in rects)
    )
    assert kinds == Counter(kind for kind, _ in items(name))
    titles = [t for t in svg.iter(f"{SVG}text") if t.get("class") == "titleText"]
    assert [t.text for t in titles] == [data(name)["title"]]


@pytest.mark.parametrize("name", ["plan", "os2borgerpc"])
def test_png_has_the_svgs_size(tmp_path: Path, name: str) -> None:
    browser_ready()
    root = site_with(tmp_path, name)
    PREVIEWS.mkdir(parents=True, exist_ok=True)
    out = PREVIEWS / f"{name}.png"
    args = ("preview", "--root", str(root), "--mermaid", str(MERMAID), "--today", TODAY,
            str(root / f"_roadmaps/{name}.yml"))
    assert run_cli(*args, "-o", str(out)).code == 0
    assert run_cli(*args, "-o", str(tmp_path / "chart.svg")).code == 0
    png = out.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    size = (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big"))
    view_box = ET.fromstring((tmp_path / "chart.svg").read_bytes()).get("viewBox", "").split()
    assert size == (round(float(view_box[2])), round(float(view_box[3])))


def test_a_page_with_several_charts_writes_one_file_each(tmp_path: Path) -> None:
    browser_ready()
    root = site_with(tmp_path, "plan", "os2borgerpc")
    page = root / "both.md"
    page.write_text(
        "# Both\n\n<!-- pages-roadmap:gantt plan -->\n<!-- /pages-roadmap:gantt -->\n\n"
        "<!-- pages-roadmap:gantt os2borgerpc -->\n<!-- /pages-roadmap:gantt -->\n",
        encoding="utf-8",
    )
    mermaid = REPO / "tests/node/node_modules/mermaid/dist/mermaid.min.js"
    result = run_cli("preview", "--root", str(root), "--mermaid", str(mermaid), "--today", TODAY,
                     "-o", str(tmp_path / "chart.svg"), str(page))
    assert result.out == f"wrote {tmp_path / 'chart-1.svg'}\nwrote {tmp_path / 'chart-2.svg'}\n"
    titles = [
        next(t.text for t in ET.parse(tmp_path / f"chart-{n}.svg").iter(f"{SVG}text")
             if t.get("class") == "titleText")
        for n in (1, 2)
    ]
    assert titles == [data("plan")["title"], data("os2borgerpc")["title"]]


def test_html_is_self_contained(tmp_path: Path) -> None:
    import browser

    require(browser.node)  # Mermaid's script comes from the tests' npm packages
    root = site_with(tmp_path, "plan")
    out = tmp_path / "plan.html"
    result = run_cli("preview", "--root", str(root), "--mermaid", str(MERMAID), "--today", TODAY,
                     "-o", str(out),
                     str(root / "_roadmaps" / "plan.yml"))
    assert result.code == 0, result.err
    page = out.read_text(encoding="utf-8")
    assert "<script src=" not in page and "http" not in page.split("<script>")[0]
    assert "pages-roadmap#58; from hand-written charts" in page  # the chart text, escaped
    assert page.count('<code class="language-mermaid">') == 1


def test_the_today_line_is_drawn_at_today(tmp_path: Path) -> None:
    """Mermaid draws today at the browser's clock, which preview starts at --today: between two
    Sundays the line moves as far as the axis ticks of those days lie apart (the plan's weekly
    ticks fall on Sundays)."""
    browser_ready()
    root = site_with(tmp_path, "plan")
    lines, ticks = [], {}
    for today, label in (("2026-11-15", "15 Nov"), ("2026-11-29", "29 Nov")):
        out = tmp_path / f"{today}.svg"
        args = ("preview", "--root", str(root), "--mermaid", str(MERMAID), "--today", today,
                "-o", str(out))
        assert run_cli(*args, str(root / "_roadmaps" / "plan.yml")).code == 0
        svg = ET.parse(out)
        (line,) = [x for x in svg.iter(f"{SVG}line") if x.get("class") == "today"]
        lines.append(float(line.get("x1", "nan")))
        for tick in (g for g in svg.iter(f"{SVG}g") if g.get("class") == "tick"):
            found = re.match(r"translate\(([-\d.]+),", tick.get("transform", ""))
            text = tick.find(f"{SVG}text")
            if found and text is not None:
                ticks[text.text] = float(found.group(1))
        assert label in ticks
    assert abs((lines[1] - lines[0]) - (ticks["29 Nov"] - ticks["15 Nov"])) < 0.01
