"""The example site (the repository root) built by Debian's Jekyll and drawn by headless Chromium.

Jekyll runs once per test run (conftest.example_site), through tests/site/_config.overlay.yml,
and Chromium opens every page once (conftest.example_drawn). The expected values come from the
site's own files read here (the roadmap YAML, the pages' front matter and Markdown), not from
pages-roadmap's code.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from conftest import REPO, SCREENSHOTS, BuiltSite

CONFIG = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
OVERLAY = yaml.safe_load((REPO / "tests/site/_config.overlay.yml").read_text(encoding="utf-8"))
PAGES = ["index.md", "plan.md", "os2borgerpc/index.md", "os2borgerpc/roadmap.md"]

MANAGED = re.compile(
    r"<!-- pages-roadmap:gantt (\S+) -->\n```mermaid\n(.*?)```\n"
    r"<!-- /pages-roadmap:gantt \1 sum:[0-9a-f]+ -->",
    re.S,
)
CODE_BLOCK = re.compile(r'<pre><code class="language-mermaid">(.*?)</code></pre>', re.S)
STAMP = re.compile(r"<!-- pages-roadmap:stamp ?(.*?) -->(.*?)<!-- /pages-roadmap:stamp -->")
FOOTER_DATE = re.compile(r'<span class="d-inline-block" id="last-modified">(.*?)</span>')


def front_matter(page: str) -> dict[str, Any]:
    text = (REPO / page).read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text.split("---\n")[1])
    return data


def html_of(site: BuiltSite, page: str) -> str:
    return (site.dest / page.replace(".md", ".html")).read_text(encoding="utf-8")


def managed_charts(page: str) -> list[tuple[str, str]]:
    return MANAGED.findall((REPO / page).read_text(encoding="utf-8"))


ROADMAP_PAGES = [page for page in PAGES if managed_charts(page)]


def roadmap(roadmap_id: str) -> dict[str, Any]:
    folder = CONFIG["pages_roadmap"]["roadmaps_dir"]
    path = REPO / folder / f"{roadmap_id}.yml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


# --- the oracle for dates: Jekyll's Liquid (English) and the stamps' languages -------------------

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "da": "januar februar marts april maj juni juli august september oktober november december",
}
# Each language's long date (CLDR's "long" pattern), for a stamp without a format.
LONG_DATE = {"en": "%B %-d, %Y", "da": "%-d. %B %Y"}


def strftime(when: datetime, fmt: str, lang: str) -> str:
    """The few strftime fields the example site uses, with month names in LANG; others raise."""
    months = MONTHS[lang].split()
    fields = {
        "%B": months[when.month - 1],
        "%b": months[when.month - 1][:3],
        "%d": f"{when.day:02d}",
        "%-d": str(when.day),
        "%Y": str(when.year),
        "%m": f"{when.month:02d}",
    }

    def one(match: re.Match[str]) -> str:
        if match[0] not in fields:
            raise AssertionError(f"the test's date oracle does not know {match[0]} yet")
        return fields[match[0]]

    return re.sub(r"%-?[A-Za-z]", one, fmt)


def page_date(page: str) -> datetime:
    value = front_matter(page)["last_modified_date"]
    if isinstance(value, datetime):
        return value
    return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S %z")


# --- the site as configured ----------------------------------------------------------------------


def test_the_site_is_configured_as_github_pages_builds_just_the_docs() -> None:
    assert "theme" not in CONFIG  # GitHub Pages cannot load just-the-docs as a gem theme
    assert re.fullmatch(r"just-the-docs/just-the-docs@v\d+\.\d+\.\d+", CONFIG["remote_theme"])
    assert "jekyll-remote-theme" in CONFIG["plugins"]


def test_the_overlay_swaps_only_the_remote_theme() -> None:
    assert OVERLAY["remote_theme"] is None
    assert OVERLAY["plugins"] == [p for p in CONFIG["plugins"] if p != "jekyll-remote-theme"]
    assert set(OVERLAY) == {"remote_theme", "plugins", "layouts_dir", "includes_dir", "mermaid"}


def test_the_site_names_the_mermaid_the_tests_draw_with() -> None:
    package = json.loads((REPO / "tests/node/package.json").read_text(encoding="utf-8"))
    assert CONFIG["mermaid"]["version"] == package["dependencies"]["mermaid"]


def test_jekyll_builds_the_site_and_nothing_of_the_tool(example_site: BuiltSite) -> None:
    built = sorted(p.relative_to(example_site.dest).as_posix() for p in example_site.dest.rglob("*")
                   if p.is_file())
    assert built == sorted(
        ["assets/js/mermaid.min.js", *(page.replace(".md", ".html") for page in PAGES)]
    )
    assert "warn" not in example_site.log.lower(), example_site.log
    assert "error" not in example_site.log.lower(), example_site.log


# --- the HTML is what the pages hold -------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_every_managed_chart_reaches_the_html_as_written(
    example_site: BuiltSite, page: str
) -> None:
    blocks = CODE_BLOCK.findall(html_of(example_site, page))
    assert [html.unescape(b) for b in blocks] == [chart for _, chart in managed_charts(page)]


@pytest.mark.parametrize("page", PAGES)
def test_stamps_show_the_localized_date_and_no_liquid_is_left(
    example_site: BuiltSite, page: str
) -> None:
    source = (REPO / page).read_text(encoding="utf-8")
    out = html_of(example_site, page)
    lang = front_matter(page).get("lang") or CONFIG.get("lang") or "en"
    day = page_date(page).astimezone(ZoneInfo(CONFIG.get("timezone", "UTC")))
    stamps = STAMP.findall(out)
    assert len(stamps) == len(STAMP.findall(source))
    for fmt, text in stamps:
        assert text == strftime(day, fmt or LONG_DATE[lang], lang)
    assert "{{" not in out and "{%" not in out


def test_the_migrated_stamp_is_on_the_page(example_site: BuiltSite) -> None:
    """The OS2borgerpc page's stamp was `{{ site.time | date: '%B %d, %Y' }}` before build."""
    (stamp,) = STAMP.findall(html_of(example_site, "os2borgerpc/roadmap.md"))
    assert stamp == ("%B %d, %Y", "november 28, 2026")


@pytest.mark.parametrize("page", PAGES)
def test_the_front_matter_date_reaches_the_footer(example_site: BuiltSite, page: str) -> None:
    """just-the-docs' footer: `page.last_modified_date | date: site.last_edit_time_format`
    (Liquid's date filter is English and keeps the date's own offset)."""
    (shown,) = FOOTER_DATE.findall(html_of(example_site, page))
    assert shown == strftime(page_date(page), CONFIG["last_edit_time_format"], "en")


# --- drawn by Chromium ---------------------------------------------------------------------------


def kinds(data: dict[str, Any]) -> Counter[tuple[str, str]]:
    return Counter(
        (kind, item[kind])
        for section in data["sections"]
        for item in section["items"]
        for kind in ("task", "milestone", "marker")
        if kind in item
    )


@pytest.mark.parametrize("page", ROADMAP_PAGES)
def test_each_chart_is_drawn_from_its_roadmap(
    example_drawn: dict[str, dict[str, Any]], page: str
) -> None:
    result = example_drawn[page.replace(".md", ".html")]
    assert result["errors"] == [] and result["dialogs"] == []
    charts = result["charts"]
    assert len(charts) == len(managed_charts(page))
    for (roadmap_id, _), chart in zip(managed_charts(page), charts, strict=True):
        data = roadmap(roadmap_id)
        assert chart["error"] is None and chart["role"] == "gantt"
        # One bar per task, one diamond per milestone, one line per marker, each with its name
        # as the data has it (':' and '#' as characters, not '#58;').
        drawn = Counter((t["kind"], (t["text"] or "").strip()) for t in chart["tasks"])
        assert drawn == kinds(data)
        assert chart["title"] == data["title"]
        assert chart["sections"] == [section["name"] for section in data["sections"]]
        if "description" in data:
            assert chart["description"] == data["description"]


def test_the_example_titles_show_colons(example_drawn: dict[str, dict[str, Any]]) -> None:
    """The plan's title and a milestone have ':' (the chart writes '#58;')."""
    (chart,) = example_drawn["plan.html"]["charts"]
    assert ":" in chart["title"] and "#58;" not in json.dumps(chart)
    assert any(":" in (t["text"] or "") for t in chart["tasks"])


def test_pages_without_charts_draw_nothing(example_drawn: dict[str, dict[str, Any]]) -> None:
    for page in set(PAGES) - set(ROADMAP_PAGES):
        result = example_drawn[page.replace(".md", ".html")]
        assert (result["errors"], result["charts"]) == ([], [])


@pytest.mark.parametrize("page", ROADMAP_PAGES)
def test_a_screenshot_of_each_chart(example_drawn: dict[str, dict[str, Any]], page: str) -> None:
    for chart in example_drawn[page.replace(".md", ".html")]["charts"]:
        shot = Path(chart["screenshot"])
        assert shot.parent == SCREENSHOTS
        png = shot.read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert width >= 600 and height >= 150, (width, height)
