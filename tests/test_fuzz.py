"""Fuzzing (issue 11): hostile text through every parser and writer the tool has.

For any input, each function below returns a result or raises a located finding
(`FindingError`), never another exception; the page splicer changes no byte outside the managed
regions and building twice equals building once; the front matter editor changes only its key
line. The inputs are drawn from alphabets of the characters and fragments that matter (markers,
fences, comment ends, CR, U+2028, NUL, BOM, Liquid, YAML indicators), so a bounded number of
examples reaches the interesting corners. `derandomize=True` makes CI runs repeat exactly.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

from conftest import chart_lines
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_build_properties import outside_and_problems
from test_resolve_order import roadmaps as roadmap_models

from pages_roadmap import roadmap as rm
from pages_roadmap.build import build_page
from pages_roadmap.errors import FindingError
from pages_roadmap.importer.builder import read_chart
from pages_roadmap.load import Roadmaps
from pages_roadmap.mermaid import render as gantt
from pages_roadmap.site import Settings, Site
from pages_roadmap.stamps.render import analyze, render
from pages_roadmap.stamps.settings import StampSettings
from pages_roadmap.yamlload import LoadError, decode, load

FUZZ = settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TODAY = date(2026, 11, 28)
ROADMAP = (
    "sections:\n  - name: S\n    items:\n      - task: A\n        id: a\n"
    "        start: 2025-01-01\n        duration: 3d\n"
)

PAGE_PIECES = [
    "<!-- pages-roadmap:gantt plan -->",
    "<!-- /pages-roadmap:gantt -->",
    "<!-- /pages-roadmap:gantt plan sum:0123456789 -->",
    "<!-- pages-roadmap:gantt ../x -->",
    "<!-- pages-roadmap:gantt plan",
    "-->",
    "<!--",
    "```",
    "```mermaid",
    "~~~",
    "    ",
    "- ",
    "> ",
    "---",
    "...",
    "\n",
    "\r\n",
    "\r",
    "\u2028",
    "\x00",
    "\ufeff",
    "\t",
    "{{ site.time | date: '%Y' }}",
    "{% raw %}",
    "{% endraw %}",
    "<pre>",
    "</pre>",
    "<!-- pages-roadmap:stamp -->x<!-- /pages-roadmap:stamp -->",
    "title: x",
    "# h",
    "text",
    "gantt",
    "é",
    "😀",
    ":",
    "#",
    "'",
    '"',
]
# A page is lines: mostly whole marker, fence and text lines, some of them cut or glued together.
MARKERS = ["<!-- pages-roadmap:gantt plan -->", "<!-- /pages-roadmap:gantt -->"]
page_lines = st.one_of(
    st.sampled_from(
        [
            "<!-- pages-roadmap:gantt plan -->",
            "<!-- /pages-roadmap:gantt -->",
            "<!-- /pages-roadmap:gantt plan sum:0123456789 -->",
            "```mermaid",
            "gantt",
            "```",
            "",
            "text",
        ]
    ),
    st.lists(st.sampled_from(PAGE_PIECES), max_size=4).map("".join),
)


@st.composite
def _pages(draw: st.DrawFn) -> str:
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = draw(st.lists(page_lines, max_size=12))
    for _ in range(draw(st.integers(0, 3))):  # well-formed blocks, so that many pages build
        at = draw(st.integers(0, len(lines)))
        lines[at:at] = ["", MARKERS[0], *draw(st.lists(st.sampled_from(["", "x"]), max_size=2))]
        lines.insert(at + 3, MARKERS[1])
    body = newline.join(lines)
    return ("\ufeff" if draw(st.booleans()) else "") + body + draw(st.sampled_from(["", newline]))


page_texts = _pages()

YAML_PIECES = [
    "a",
    "b: ",
    "- ",
    "  ",
    "\n",
    "\r\n",
    "\t",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "? ",
    "&x ",
    "*x",
    "<<: ",
    "!!set ",
    "!!python/object ",
    "!!binary ",
    "!!int ",
    "!!str ",
    "'",
    '"',
    "#",
    "|",
    ">",
    "---",
    "...",
    "%YAML 1.1\n",
    "1" * 5000,
    "0x" + "f" * 4000,
    "1e999",
    ".nan",
    "~",
    "2025-02-30",
    "\ufeff",
    "\x00",
    "\u2028",
    "é",
]
yaml_texts = st.one_of(
    st.text(max_size=60), st.lists(st.sampled_from(YAML_PIECES), max_size=25).map("".join)
)

CHART_PIECES = [
    "gantt",
    "\n",
    "    ",
    "dateFormat YYYY-MM-DD",
    "dateFormat DD.MM.YYYY",
    "axisFormat %b",
    "tickInterval 1week",
    "excludes weekends",
    "section S",
    "title T",
    "A :a1, 2025-01-01, 3d",
    "B :after a1, 2d",
    "C :b1, until a1",
    "crit, done, ",
    "milestone, ",
    "vert, ",
    ":",
    ",",
    "%%",
    '%%{init: {"gantt": {"topAxis": true}}}%%',
    "%%{",
    "}%%",
    "#58;",
    ";",
    "#",
    'click a1 href "https://x"',
    "accTitle: x",
    "accDescr { y }",
    "todayMarker off",
    "2025-13-45",
    "9999-12-31",
    "1" * 400,
    "{{",
    "{%",
    "\r",
    "\u2028",
    "---",
    "displayMode: compact",
]
VALID_CHART = [
    "dateFormat YYYY-MM-DD",
    "section S",
    "A :a1, 2025-01-01, 3d",
    "B :after a1, 2d",
    "C :c1, 2025-02-01, 2025-02-10",
    "D :active, d1, after c1, 1w",
    "excludes weekends",
]
chart_lines_ = st.one_of(
    st.sampled_from(VALID_CHART),
    st.sampled_from(VALID_CHART),
    st.sampled_from(CHART_PIECES),
    st.lists(st.sampled_from(CHART_PIECES), max_size=4).map("".join),
)
chart_texts = st.lists(chart_lines_, max_size=12).map(lambda ls: "\n".join(["gantt", *ls]))


def _roadmaps(tmp: Path) -> Roadmaps:
    (tmp / "_roadmaps").mkdir(exist_ok=True)
    (tmp / "_roadmaps" / "plan.yml").write_text(ROADMAP, encoding="utf-8")
    return Roadmaps(Site(tmp, {}, Settings()))


def _outside(text: str) -> list[str] | None:
    """The text outside the managed regions, or None when the page has marker problems."""
    pieces, problems = outside_and_problems(text)
    return None if problems else pieces


@FUZZ
@given(page=page_texts)
def test_splicer_keeps_other_bytes_and_is_idempotent(page: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        roadmaps = _roadmaps(Path(tmp))
        once, findings = build_page(page, "p.md", roadmaps, TODAY, force=True)
        if any(f.is_error for f in findings):
            event("refused")
            assert once == page  # a page with an error is left exactly as it was
            return
        event("built" if once != page else "unchanged")
        before = _outside(page)
        assert before is not None
        assert _outside(once) == before
        twice, again = build_page(once, "p.md", roadmaps, TODAY)
        assert twice == once
        assert not any(f.is_error for f in again)


fm_lines = st.one_of(
    st.sampled_from(
        [
            "title: x",
            "last_modified_date: 2025-01-02 03:04:05 +0000",
            "last_modified_date: '2025-01-02 03:04:05 +0000' # pages-roadmap sum:0123456789",
            'last_modified_at: "2025-01-02"',
            "last_modified_date:",
            "last_modified_date: |",
            "  more",
            "# comment",
            "lang: da",
            "nav_order: 3",
        ]
    ),
    st.lists(st.sampled_from(YAML_PIECES), max_size=3).map("".join),
)


@st.composite
def _fm_pages(draw: st.DrawFn) -> str:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    fm = newline.join(draw(st.lists(fm_lines, max_size=6)))
    body = newline.join(draw(st.lists(page_lines, max_size=4)))
    bom = "\ufeff" if draw(st.booleans()) else ""
    return f"{bom}---{newline}{fm}{newline if fm else ''}---{newline}{body}"


@FUZZ
@given(page=_fm_pages(), key=st.sampled_from(["last_modified_date", "last_modified_at"]))
def test_front_matter_editor_changes_only_its_key_line(page: str, key: str) -> None:
    tz = timezone.utc
    stamp_settings = StampSettings.from_raw({"front_matter_key": key, "migrate_liquid": False})
    ps = analyze(page, "p.md", stamp_settings, None, tz)
    when = datetime(2026, 11, 28, 14, 3, tzinfo=tz)
    out = render(ps, when, "0123456789", tz)
    if ps.stamps:
        return  # stamps in the text change too; the key line is what this test is about
    if ps.key is None and not ps.add_key:
        event("no key")
        assert out == page
        return
    event("key edited" if ps.key is not None else "key added")
    # Only the key's line changes (or one line is added): the rest is byte for byte the same.
    fm = ps.page.front_matter
    assert fm is not None
    start, end = (ps.key.start, ps.key.end) if ps.key is not None else (fm.end, fm.end)
    assert out.startswith(page[:start]) and out.endswith(page[end:])
    middle = out[start : len(out) - (len(page) - end)]
    assert middle.lstrip("\r\n").startswith(f"{key}: ")
    assert len(middle.strip("\r\n").splitlines()) == 1
    again = analyze(out, "p.md", stamp_settings, None, tz)
    assert render(again, when, "0123456789", tz) == out


@FUZZ
@given(text=yaml_texts)
def test_yaml_loader_gives_data_or_a_finding(text: str) -> None:
    try:
        doc = load(text, "x.yml")
    except LoadError as exc:
        event(exc.finding.code)
        assert exc.finding.line >= 1 and exc.finding.col >= 1
        assert exc.finding.code.startswith("Y")
        return
    assert doc.pos(()).line >= 1


@FUZZ
@given(raw=st.binary(max_size=200))
def test_decode_gives_text_or_a_located_finding(raw: bytes) -> None:
    try:
        expected = raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        try:
            decode(raw, "x.md")
        except LoadError as exc:
            assert exc.finding.code == "Y105"
            assert exc.finding.line == raw.count(b"\n", 0, bad.start) + 1
        else:
            raise AssertionError("invalid UTF-8 was decoded") from None
        return
    assert decode(raw, "x.md") == expected


@FUZZ
@given(chart=chart_texts)
def test_chart_reader_gives_data_or_findings(chart: str) -> None:
    try:
        imported = read_chart(chart_lines(chart), "c.md", TODAY)
    except FindingError:  # pragma: no cover - read_chart turns these into findings itself
        raise AssertionError("read_chart let a FindingError out") from None
    event("imported" if imported.data is not None else "refused")
    if imported.data is None:
        assert any(f.is_error for f in imported.findings)
    for f in imported.findings:
        assert f.line >= 1 and f.col >= 1 and f.hint, f


@FUZZ
@given(model=roadmap_models(), today=st.dates(date(2024, 1, 1), date(2027, 1, 1)))
def test_renderer_gives_a_chart_for_any_roadmap(model: rm.Roadmap, today: date) -> None:
    try:
        chart = gantt.render(model, today)
    except rm.ResolveError:
        return
    fenced = gantt.fenced(chart)
    assert fenced.startswith("```mermaid\n") and fenced.endswith("```\n")
    assert chart.startswith("gantt") or chart.startswith("---")
