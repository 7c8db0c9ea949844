"""`import`: every warning and error at its exact place, and the page side end to end."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import CORPUS, REPO, SEED, chart_lines, run_cli, snapshot, write_tree

from pages_roadmap.importer import builder as chart_builder
from pages_roadmap.importer import pages as importer
from pages_roadmap.importer import reader as chart_reader
from pages_roadmap.page import find_regions, split

TODAY = date(2026, 1, 1)
H = "gantt\n    dateFormat YYYY-MM-DD\n    section S\n"
A = "    A :a1, 2025-01-01, 1d\n"

# name, chart, [(code, line, col)], a phrase of the first finding's message
CASES: list[tuple[str, str, list[tuple[str, int, int]], str]] = [
    ("no colon", H + "    foobar baz\n", [("I102", 4, 5)], "a task needs ':'"),
    ("'#' in data", H + "    A :a1, 2025-01-01, 10d # note\n", [("I102", 4, 28)], "'#'"),
    ("'#' after a value", "gantt\n    dateFormat YYYY-MM-DD # c\n", [("I102", 2, 27)], "'#'"),
    ("not gantt first", "section S\ngantt\n", [("I102", 1, 1)], "starts with the word"),
    ("weekend sunday", H + "    weekend sunday\n" + A, [("I102", 4, 5)], "weekend sunday"),
    ("front matter", "---\ntitle: [x\n---\ngantt\n" + A, [("I102", 3, 1)], "not valid YAML"),
    ("empty data", H + "    Task :\n", [("I102", 4, 10)], "without data"),
    ("accDescr {", H + "    accDescr {\n    text\n", [("I102", 4, 5)], "no closing"),
    ("bad start", H + "    A :a1, 2025-13-45, 10d\n", [("I103", 4, 12)], "'2025-13-45'"),
    ("MMM", "gantt\n    dateFormat DD MMM YYYY\n", [("I104", 2, 16)], "not 'MMM'"),
    (
        "time of day",
        "gantt\n    dateFormat YYYY-MM-DD HH:mm\n    A :a1, 2025-01-01 10:00, 1d\n",
        [("I104", 3, 12)],
        "time of day",
    ),
    ("4 fields", H + "    A :a1, b, 2025-01-01, 10d\n", [("I105", 4, 27)], "4 fields"),
    ("tags only", H + "    A :milestone\n", [("I105", 4, 5)], "tags only"),
    ("first without start", H + "    A :10d\n", [("I106", 4, 8)], "first task has no start"),
    (
        "cycle",
        H + "    A :a1, after b1, 1d\n    B :b1, after a1, 1d\n",
        [("I106", 4, 5)],
        "cannot be worked out",
    ),
    (
        "every day excluded",
        "gantt\n    excludes weekends, monday tuesday wednesday thursday friday\n" + A,
        [("I110", 2, 14)],
        "every day",
    ),
    ("no tasks", H, [("I111", 1, 1)], "no tasks"),
    (
        "1quarter",
        "gantt\n    tickInterval 1quarter\n" + A,
        [("I201", 2, 18)],
        "ignores 'tickInterval 1quarter' and draws its automatic ticks; imported as '3month'",
    ),
    (
        "2years",
        "gantt\n    tickInterval 2years\n" + A,
        [("I201", 2, 18)],
        "ignores 'tickInterval 2years' and draws its automatic ticks; imported as '24month'",
    ),
    (
        "two spaces",
        "gantt\n    tickInterval  1month\n" + A,
        [("I201", 2, 19)],
        "imported as '1month'",
    ),
    (
        "weekdays",
        "gantt\n    excludes weekends weekdays\n" + A,
        [("I201", 2, 23)],
        "'weekdays' in excludes; left out",
    ),
    (
        "vert, trailing comma",
        H + "    Start : vert, v1, 2025-03-01,\n",
        [("I202", 4, 33)],
        "empty end: it draws the marker with zero length",
    ),
    (
        "milestone, four fields",
        H + "    M :milestone, m1, 2026-02-01, 0d,\n",
        [("I202", 4, 37)],
        "four fields and it cannot draw the chart at all",
    ),
    (
        "vert without end",
        H + "    V :vert, v1, 2025-03-01\n",
        [("I202", 4, 14)],
        "imported as id 'v1' at 2025-03-01",
    ),
    (
        "'%' second",
        H + A + "    5% buffer :b1, after a1, 2d\n",
        [("I203", 5, 5)],
        "silently drops the task '5% buffer'",
    ),
    (
        "'%' first",
        H + A + "    %b :b1, after a1, 2d\n",
        [("I203", 5, 5)],
        "kept as a comment",
    ),
    (
        "Title page",
        H + A + "    Title page :b1, after a1, 2d\n",
        [("I204", 5, 5)],
        "makes 'page :b1, after a1, 2d' the chart's title and draws no task",
    ),
    (
        "Section review",
        H + A + "    Section review :b1, after a1, 2d\n",
        [("I204", 5, 5)],
        "starts a section 'review :b1, after a1, 2d'",
    ),
    ("Gantt update", H + "    Gantt update" + A[5:], [("I204", 4, 5)], "cannot draw the chart"),
    ("Click test", H + "    Click test" + A[5:], [("I204", 4, 5)], "cannot draw the chart"),
    (
        "Weekday monday standup",
        H + "    Weekday monday standup" + A[5:],
        [("I204", 4, 5)],
        "reads the start as the 'weekday' setting",
    ),
    ("leading date", H + "    2025-01-01 kickoff" + A[5:], [("I204", 4, 5)], "a date"),
    (
        "':' in a name",
        H + "    Phase 2: build :a1, 2025-01-01, 10d\n",
        [("I205", 4, 5)],
        "(it shows 'Phase 2', and its id becomes 'build :a1'",
    ),
    (
        "end before start",
        H + "    A :a1, 2025-03-01, 2025-01-01\n",
        [("I206", 4, 24)],
        "dates swapped (2025-01-01 to 2025-03-01)",
    ),
    (
        "unknown after",
        H + A + "    B :b1, after nosuch, 1d\n",
        [("I207", 5, 12)],
        "starts the task today, so it moves every day; imported with today's date (2026-01-01)",
    ),
    (
        "unknown until",
        H + "    A :a1, 2025-01-01, until nosuch\n",
        [("I207", 4, 24)],
        "ends the task today",
    ),
    ("after A1", H + A + "    B :b1, after A1, 1d\n", [("I207", 5, 12)], "read as 'a1' (ids"),
    (
        "one of two unknown",
        H + A + "    B :b1, after a1 qa, 1d\n",
        [("I207", 5, 12)],
        "skips it and uses 'a1'; left out",
    ),
    (
        "after my.id",
        H + "    A :my.id, 2025-01-01, 1d\n    B :b1, after my.id, 1d\n",
        [("I215", 4, 8), ("I207", 5, 12)],
        "reads only 'my' of it",
    ),
    ("click unknown", H + A + '    click zz href "https://x.org"\n', [("I207", 5, 5)], "'zz'"),
    (
        "duplicate id",
        H + A + "    B :a1, 2025-02-01, 1d\n    C :c1, after a1, 1d\n",
        [("I208", 5, 8)],
        "renamed to 'a1-2'",
    ),
    (
        "duplicate id before a task without start",
        H + "    A :a1, 2025-01-01, 5d\n    B :3d\n    C :a1, 2025-02-01, 5d\n",
        [("I208", 5, 5), ("I208", 6, 8)],
        "where the last task with that id ('C', line 6) ends",
    ),
    ("click call", H + A + "    click a1 call cb()\n", [("I209", 5, 5)], "callback"),
    (
        "config not kept",
        "---\nconfig:\n  theme: dark\n---\ngantt\n" + A,
        [("I209", 1, 1)],
        "front matter config: theme",
    ),
    (
        "directive",
        "%%{init: {'theme': 'forest', 'gantt': {'topAxis': true}}}%%\ngantt\n" + A,
        [("I209", 1, 1)],
        "init directive: theme",
    ),
    (
        "click href",
        H + A + '    click a1 href "https://x.org"\n',
        [("I209", 4, 5)],
        "kept as the item's link",
    ),
    (
        "month first",
        "gantt\n    A :a1, 01/02/2025, 1d\n",
        [("I210", 2, 12)],
        "reads it as 2025-01-02 (month first",
    ),
    (
        "dateFormat order",
        "gantt\n    dateFormat DD.MM.YYYY\n    A :a1, 05-01-2025, 1d\n",
        [("I210", 3, 12)],
        "reads as 2025-05-01; imported in the dateFormat's order as 2025-01-05",
    ),
    ("3D", H + "    A :a1, 2025-01-01, 3D\n", [("I211", 4, 24)], "the duration 3d"),
    ("2q", H + "    A :a1, 2025-01-01, 2q\n", [("I211", 4, 24)], "the duration 6M"),
    ("soon", H + "    A :a1, 2025-01-01, soon\n", [("I211", 4, 24)], "0d (zero length)"),
    (
        "%% after data",
        H + "    A :a1, 2025-01-01, 10d %% ten days\n",
        [("I211", 4, 28)],
        "does not end task data at '%%'",
    ),
    (
        "no dateFormat",
        "gantt\n    A :a1, 2025-01-01, 2025-01-04\n",
        [("I211", 2, 24)],
        "there is no dateFormat line",
    ),
    (
        "stretched end",
        "gantt\n    dateFormat DD.MM.YYYY\n    excludes weekends\n"
        "    A :a1, 01.01.2025, 10.01.2025\n",
        [("I212", 4, 24)],
        "stretches '10.01.2025' over the excluded days to 2025-01-14",
    ),
    (
        "milestone with a length",
        H + "    M :milestone, m1, 2025-03-01, 5d\n",
        [("I213", 4, 35)],
        "in the middle, at 2025-03-03 12:00",
    ),
    ("marker with a length", H + "    V :vert, v1, 2025-03-01, 5d\n", [("I213", 4, 30)], "line"),
    ("Done", H + "    A :Done, a1, 2025-01-01, 5d\n", [("I214", 4, 8)], "tag 'done'"),
    ("done marker", H + "    V :vert, done, v1, 2025-01-01, 0d\n", [("I214", 4, 5)], "marker"),
    ("done and active", H + "    A :done, active, " + A[7:], [("I214", 4, 5)], "as done"),
    ("id task1", H + "    A :task1, 2025-01-01, 1d\n", [("I215", 4, 8)], "as 'task-1'"),
    (
        "after task1",
        H + "    A :2025-01-01, 5d\n    B :b1, after task1, 1d\n",
        [("I215", 5, 12)],
        "automatic id of 'A'",
    ),
    ("Liquid", H + "    A {{ x }} :a1, 2025-01-01, 1d\n", [("I215", 4, 5)], "'A { { x }}'"),
    ("minutes", H + "    A :a1, 2025-01-01, 3m\n", [("I216", 4, 24)], "3 minutes"),
    ("topAxis", "gantt\n    topAxis\n" + A, [("I217", 2, 5)], "yy.TopAxis"),
    ("accDescription", "gantt\n    accDescription x\n" + A, [("I217", 2, 20)], "description"),
]


@pytest.mark.parametrize(
    ("chart", "expected", "phrase"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_findings_at_their_place(
    chart: str, expected: list[tuple[str, int, int]], phrase: str
) -> None:
    result = chart_builder.read_chart(chart_lines(chart), "c.mmd", TODAY)
    assert [(f.code, f.line, f.col) for f in result.findings] == expected
    assert any(phrase in f.message for f in result.findings), result.findings
    for f in result.findings:
        assert f.is_error == f.code.startswith("I1"), f
    assert (result.data is None) == any(f.is_error for f in result.findings)


def test_codes_are_documented_in_the_readme() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    codes = {code for _, _, found, _ in CASES for code, _, _ in found}
    codes |= {"I101", "I107", "I108", "I109", "I112", "I218"}
    assert sorted(c for c in codes if f"| {c} |" not in readme) == []


def imported(chart: str) -> str:
    result = chart_builder.read_chart(chart_lines(chart), "c.mmd", TODAY)
    return result.yaml()


def test_yaml_keeps_comments_ids_only_where_needed_and_statuses_by_hand() -> None:
    chart = (
        "gantt\n    %% Owner: the secretariat\n    dateFormat YYYY-MM-DD\n    section Work\n"
        "    %% agreed in May\n    Plan :done, p1, 2025-05-05, 2w\n    Build :3w\n"
        "    Test :active, 2025-06-16, 1w\n    Review :rev, after t9, 1w\n"
    )
    assert imported(chart).replace(TODAY.isoformat(), "TODAY") == (
        "# yaml-language-server: $schema=roadmap.schema.json\n"
        "chart:\n"
        "  auto_status: false\n"
        "notes:\n"
        "  - 'Owner: the secretariat'\n"
        "sections:\n"
        "  - name: Work\n"
        "    items:\n"
        "      # agreed in May\n"
        "      - task: Plan\n"
        "        id: p1\n"
        "        start: 2025-05-05\n"
        "        duration: 2w\n"
        "        status: done\n"
        "      - task: Build\n"
        "        duration: 3w\n"
        "      - task: Test\n"
        "        start: 2025-06-16\n"
        "        duration: 1w\n"
        "        status: active\n"
        "      # I207: 'after' names the unknown id 't9': Mermaid starts the task today, so it"
        " moves every\n"
        "      # day; imported with today's date (TODAY) fixed\n"
        "      - task: Review\n"
        "        id: rev\n"
        "        start: TODAY\n"
        "        duration: 1w\n"
    )


def test_dates_in_other_formats_become_iso() -> None:
    chart = (
        "gantt\n    dateFormat DD-MM-YYYY\n    excludes 24-12-2025\n    includes 27-12-2025\n"
        "    A :a1, 01-12-2025, 23-12-2025\n"
    )
    text = imported(chart)
    assert "excludes: [2025-12-24]\n" in text
    assert "includes: [2025-12-27]\n" in text
    assert "start: 2025-12-01\n        end: 2025-12-23\n" in text


def test_slug_folds_danish_letters() -> None:
    assert (
        chart_reader.slug("fagligenetværk__Produkt Åbning_ØST")
        == "fagligenetvaerk-produkt-aabning-oest"
    )


# --- The page side, end to end -------------------------------------------------------------

NO_STAMPS = ("--today", "2026-01-01")


def site_with(tmp_path: Path, name: str, text: str | bytes) -> Path:
    write_tree(tmp_path, {name: text})
    return tmp_path / name


def do_import(root: Path, page: str, *args: str):  # type: ignore[no-untyped-def]
    return run_cli("import", "--root", str(root), str(root / page), *NO_STAMPS, *args)


def outside_blocks(text: str) -> str:
    """The page with each managed block cut out (start marker to end marker, inclusive)."""
    page = split(text)
    regions, findings = find_regions(page, "p.md")
    assert findings == []
    out, pos = [], 0
    for region in regions:
        start = text.rfind("<!--", 0, region.content_start)
        out.append(text[pos:start])
        pos = region.end_marker_end
    return "".join(out) + text[pos:]


def without_fences(text: str) -> str:
    fences, _ = importer.find_charts(text, "p.md")
    out, pos = [], 0
    for fence in fences:
        out.append(text[pos : fence.start])
        pos = fence.end
    return "".join(out) + text[pos:]


def test_seed_page_import_then_build_check_then_check(tmp_path: Path) -> None:
    original = SEED.read_text(encoding="utf-8")
    site_with(tmp_path, "os2borgerpc/roadmap.md", original)
    result = do_import(tmp_path, "os2borgerpc/roadmap.md", "--id", "os2borgerpc")
    assert result.code == 0, result.out
    assert result.out.endswith(
        "wrote _roadmaps/os2borgerpc.yml\nupdated os2borgerpc/roadmap.md\n"
        "wrote _roadmaps/roadmap.schema.json\n"
        "1 chart imported from os2borgerpc/roadmap.md: 0 errors, 7 warnings\n"
    )
    assert [line.split(" warning:")[0] for line in result.out.splitlines() if ": I2" in line] == [
        "os2borgerpc/roadmap.md:20:18: I201",
        "os2borgerpc/roadmap.md:28:75: I202",
        "os2borgerpc/roadmap.md:29:75: I202",
        "os2borgerpc/roadmap.md:30:75: I202",
    ]
    new = (tmp_path / "os2borgerpc/roadmap.md").read_text(encoding="utf-8")
    assert outside_blocks(new) == without_fences(original)
    build = run_cli("build", "--root", str(tmp_path), "--check", "--no-stamps", *NO_STAMPS)
    assert build.code == 0, build.out
    check = run_cli("check", "--root", str(tmp_path), "--format", "json")
    errors = [f for f in check.json() if f["severity"] == "error"]
    # Nothing fails: the page's day-first date is a warning (Jekyll reads it as meant).
    assert errors == []
    assert ("os2borgerpc/roadmap.md", "D104") in [(f["path"], f["code"]) for f in check.json()]


def test_dry_run_writes_nothing_and_prints_yaml_and_diff(tmp_path: Path) -> None:
    site_with(tmp_path, "plan.md", SEED.read_text(encoding="utf-8"))
    before = snapshot(tmp_path)
    result = do_import(tmp_path, "plan.md", "--dry-run")
    assert result.code == 0
    assert snapshot(tmp_path) == before
    assert (
        "# --- _roadmaps/plan.yml (not written: --dry-run)\n# yaml-language-server:" in result.out
    )
    assert "--- a/plan.md\n+++ b/plan.md\n" in result.out
    assert "+<!-- pages-roadmap:gantt plan -->\n" in result.out


def test_existing_data_file_needs_force(tmp_path: Path) -> None:
    site_with(tmp_path, "plan.md", "# Plan\n\n```mermaid\n" + H + A + "```\n")
    write_tree(tmp_path, {"_roadmaps/plan.yml": "old\n"})
    before = snapshot(tmp_path)
    refused = do_import(tmp_path, "plan.md")
    assert refused.code == 1
    assert "plan.md:3:1: I108 _roadmaps/plan.yml exists already; not overwritten" in refused.out
    assert snapshot(tmp_path) == before
    forced = do_import(tmp_path, "plan.md", "--force")
    assert forced.code == 0
    assert (tmp_path / "_roadmaps/plan.yml").read_text().startswith("# yaml-language-server")


def test_crlf_and_bom_page_round_trip(tmp_path: Path) -> None:
    text = (
        "\ufeff---\r\ntitle: Plan\r\n---\r\n\r\nIntro line\r\n\r\n```mermaid\r\n"
        + (H + A).replace("\n", "\r\n")
        + "```\r\nAfter.\r\n"
    )
    page = site_with(tmp_path, "plan.md", text.encode("utf-8"))
    assert do_import(tmp_path, "plan.md").code == 0
    raw = page.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf---\r\ntitle: Plan\r\n---\r\n\r\nIntro line\r\n\r\n<!--")
    assert raw.endswith(b" -->\r\nAfter.\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    new = raw.decode("utf-8")
    assert outside_blocks(new) == without_fences(text)
    before = snapshot(tmp_path)
    assert run_cli("build", "--root", str(tmp_path), "--no-stamps", *NO_STAMPS).code == 0
    assert snapshot(tmp_path) == before  # import, then build: no change


def test_page_with_two_charts_and_other_diagrams(tmp_path: Path) -> None:
    flow = "```mermaid\nflowchart LR\n  A --> B\n```\n"
    second = '---\ntitle: Second\n---\n%%{init: {"gantt": {"topAxis": true}}}%%\n' + H
    text = f"# Two\n\n```mermaid\n{H}{A}```\n\n{flow}\n~~~mermaid\n{second}{A}~~~\n"
    page = site_with(tmp_path, "two.md", text)
    result = do_import(tmp_path, "two.md")
    assert result.code == 0, result.out
    data = sorted(p.name for p in (tmp_path / "_roadmaps").iterdir() if p.suffix == ".yml")
    assert data == ["two-2.yml", "two.yml"]
    new = page.read_text()
    assert [r.name for r in find_regions(split(new), "two.md")[0]] == ["two", "two-2"]
    assert flow in new
    assert outside_blocks(new) == without_fences(text)
    second_yaml = (tmp_path / "_roadmaps/two-2.yml").read_text()
    assert "title: Second\nchart:\n  top_axis: true\n" in second_yaml


def test_unparseable_chart_writes_nothing(tmp_path: Path) -> None:
    site_with(tmp_path, "bad.md", "```mermaid\n" + H + A + "    foobar baz\n```\n")
    before = snapshot(tmp_path)
    result = do_import(tmp_path, "bad.md")
    assert result.code == 1
    assert "bad.md:6:5: I102 Mermaid cannot parse 'foobar baz'" in result.out
    assert snapshot(tmp_path) == before


def test_idempotent_import_then_build_on_the_corpus(tmp_path: Path) -> None:
    for page in sorted(CORPUS.glob("*.md")):
        shutil.copy(page, tmp_path / page.name)
        result = do_import(tmp_path, page.name)
        assert result.code == 0, result.out
        text = (tmp_path / page.name).read_text(encoding="utf-8")
        assert outside_blocks(text) == without_fences(page.read_text(encoding="utf-8"))
    before = snapshot(tmp_path)
    build = run_cli("build", "--root", str(tmp_path), "--no-stamps", *NO_STAMPS)
    assert build.code == 0, build.out
    assert snapshot(tmp_path) == before
    names = sorted(p.name for p in (tmp_path / "_roadmaps").iterdir())
    assert "fagligenetvaerk-produktforvaltere-produktforvaltere-2.yml" in names


def test_indented_closing_fence_is_replaced_whole(tmp_path: Path) -> None:
    name = "fagligenetværk__produktforvaltere__produktforvaltere.md"
    shutil.copy(CORPUS / name, tmp_path / "net.md")
    assert do_import(tmp_path, "net.md").code == 0
    text = (tmp_path / "net.md").read_text(encoding="utf-8")
    assert "  ```" not in text
    assert "-->\n\n\n\n\n##  \n\n<!-- pages-roadmap:gantt net-2 -->\n" in text


def test_no_chart_is_an_error(tmp_path: Path) -> None:
    site_with(tmp_path, "p.md", "# Nothing\n\n> ```mermaid\n> " + H.replace("\n", "\n> ") + "\n")
    result = do_import(tmp_path, "p.md", "--format", "json")
    assert result.code == 1
    assert [(f["code"], f["line"]) for f in result.json()] == [("I101", 1), ("I218", 3)]


def test_unclosed_fence(tmp_path: Path) -> None:
    site_with(tmp_path, "p.md", "# Open\n\n```mermaid\n" + H + A)
    result = do_import(tmp_path, "p.md")
    assert (result.code, result.out.splitlines()[0]) == (
        1,
        "p.md:3:1: I107 the ```mermaid fence is never closed",
    )


def test_bad_ids(tmp_path: Path) -> None:
    site_with(tmp_path, "Æ.md", "```mermaid\n" + H + A + "```\n")
    assert do_import(tmp_path, "Æ.md", "--id", "Bad Id").code == 2
    assert "I112" not in do_import(tmp_path, "Æ.md").out  # 'ae' is a fine id
    site_with(tmp_path, "---.md", "```mermaid\n" + H + A + "```\n")
    assert "I112 the page's file name gives the roadmap id ''" in do_import(tmp_path, "---.md").out


def test_a_block_already_managed_is_not_imported_again(tmp_path: Path) -> None:
    site_with(tmp_path, "p.md", "```mermaid\n" + H + A + "```\n")
    assert do_import(tmp_path, "p.md").code == 0
    again = do_import(tmp_path, "p.md", "--force")
    assert (again.code, again.out.splitlines()[0][:30]) == (1, "p.md:1:1: I101 no hand-written")


def block_of(text: str) -> str:
    (region,), _ = find_regions(split(text), "p.md")
    return text[region.content_start : region.end_marker_end]


def test_example_site_roadmap_is_the_import_of_the_original_page(tmp_path: Path) -> None:
    original = SEED.read_text(encoding="utf-8").replace('"19-08-2025"', '"2025-08-19"')
    site_with(tmp_path, "os2borgerpc/roadmap.md", original)
    assert do_import(tmp_path, "os2borgerpc/roadmap.md", "--id", "os2borgerpc").code == 0
    data = "_roadmaps/os2borgerpc.yml"
    assert (tmp_path / data).read_bytes() == (REPO / data).read_bytes()
    page = "os2borgerpc/roadmap.md"
    ours, theirs = (tmp_path / page).read_text("utf-8"), (REPO / page).read_text("utf-8")
    assert block_of(ours) == block_of(theirs)
