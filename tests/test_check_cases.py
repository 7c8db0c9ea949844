"""Table of bad roadmaps and pages: each row is the exact finding `check` must report."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli, snapshot, write_tree

HEAD = "sections:\n  - name: S\n    items:\n"
A = "      - task: A\n        id: a\n        start: 2025-01-01\n        end: 2025-01-10\n"


def rm(body: str) -> dict[str, str | bytes]:
    return {"_roadmaps/r.yml": body}


def page(front: str, body: str = "Text.\n") -> dict[str, str | bytes]:
    return {"p.md": f"---\n{front}---\n{body}"}


# (id, files, expected (path, line, col, code), exit code, extra args)
CASES: list[tuple[str, dict[str, str | bytes], tuple[str, int, int, str], int, tuple[str, ...]]] = [
    (
        "date-does-not-exist",
        rm(HEAD + A.replace("2025-01-01", "2025-02-30")),
        ("_roadmaps/r.yml", 6, 16, "R101"),
        1,
        (),
    ),
    (
        "end-before-start",
        rm(HEAD + A.replace("2025-01-10", "2024-12-01")),
        ("_roadmaps/r.yml", 7, 14, "R102"),
        1,
        (),
    ),
    (
        "after-unknown-id",
        rm(HEAD + A + "      - task: B\n        after: zz\n        duration: 3d\n"),
        ("_roadmaps/r.yml", 9, 16, "R103"),
        1,
        (),
    ),
    (
        "after-duplicate-id",
        rm(HEAD + A + "      - task: B\n        after: [a, a]\n        duration: 3d\n"),
        ("_roadmaps/r.yml", 9, 20, "R104"),
        1,
        (),
    ),
    (
        "after-cycle",
        rm(
            HEAD + A + "      - task: B\n        id: b\n        after: c\n        duration: 1d\n"
            "      - task: C\n        id: c\n        after: b\n        duration: 1d\n"
        ),
        ("_roadmaps/r.yml", 8, 9, "R105"),
        1,
        (),
    ),
    (
        "until-self",
        rm(HEAD + "      - task: A\n        id: a\n        start: 2025-01-01\n        until: a\n"),
        ("_roadmaps/r.yml", 7, 16, "R105"),
        1,
        (),
    ),
    (
        "duplicate-item-id",
        rm(HEAD + A + A.replace("task: A", "task: B")),
        ("_roadmaps/r.yml", 9, 13, "R106"),
        1,
        (),
    ),
    (
        "id-not-referencable",
        rm(HEAD + A.replace("id: a", "id: my.id")),
        ("_roadmaps/r.yml", 5, 13, "R107"),
        1,
        (),
    ),
    (
        "id-collides-with-auto-id",
        rm(HEAD + A.replace("id: a", "id: task1")),
        ("_roadmaps/r.yml", 5, 13, "R108"),
        1,
        (),
    ),
    (
        "name-percent-second",
        rm(HEAD + A.replace("task: A", "task: 5% buffer")),
        ("_roadmaps/r.yml", 4, 15, "R109"),
        1,
        (),
    ),
    (
        "name-percent-first",
        rm(HEAD + A.replace("task: A", 'task: "%done"')),
        ("_roadmaps/r.yml", 4, 15, "R109"),
        1,
        (),
    ),
    (
        "name-keyword",
        rm(HEAD + A.replace("task: A", "task: Title page")),
        ("_roadmaps/r.yml", 4, 15, "R109"),
        1,
        (),
    ),
    (
        "name-section-keyword",
        rm(HEAD + A.replace("task: A", "task: section review")),
        ("_roadmaps/r.yml", 4, 15, "R109"),
        1,
        (),
    ),
    (
        "name-starts-with-date",
        rm(HEAD + A.replace("task: A", "task: 2025-01-01 kickoff")),
        ("_roadmaps/r.yml", 4, 15, "R109"),
        1,
        (),
    ),
    (
        "liquid-in-name",
        rm(HEAD + A.replace("task: A", 'task: "{{ site.title }}"')),
        ("_roadmaps/r.yml", 4, 15, "R110"),
        1,
        (),
    ),
    (
        "liquid-tag-in-title",
        rm('title: "Plan {% raw %}"\n' + HEAD + A),
        ("_roadmaps/r.yml", 1, 8, "R110"),
        1,
        (),
    ),
    (
        "tick-interval-quarter",
        rm("chart:\n  tick_interval: 1quarter\n" + HEAD + A),
        ("_roadmaps/r.yml", 2, 18, "R112"),
        1,
        (),
    ),
    (
        "excludes-weekdays-word",
        rm("chart:\n  excludes: [weekdays]\n" + HEAD + A),
        ("_roadmaps/r.yml", 2, 14, "R113"),
        1,
        (),
    ),
    (
        "excludes-every-day",
        rm(
            "chart:\n  excludes: [weekends, monday, tuesday, wednesday, thursday, friday]\n"
            + HEAD
            + A
        ),
        ("_roadmaps/r.yml", 2, 13, "R114"),
        1,
        (),
    ),
    (
        "unnamed-later-section",
        rm(HEAD + A + "  - items:\n" + A.replace("id: a", "id: b")),
        ("_roadmaps/r.yml", 8, 5, "R115"),
        1,
        (),
    ),
    (
        "first-item-without-start",
        rm(HEAD + "      - task: A\n        duration: 3d\n"),
        ("_roadmaps/r.yml", 4, 9, "R116"),
        1,
        (),
    ),
    (
        "outside-markers-is-warning",
        rm(
            HEAD + A + "      - marker: M1\n        date: 2025-01-02\n"
            "      - marker: M2\n        date: 2025-01-05\n"
        ),
        ("_roadmaps/r.yml", 4, 9, "R118"),
        0,
        (),
    ),
    (
        "outside-markers-strict",
        rm(
            HEAD + A + "      - marker: M1\n        date: 2025-01-02\n"
            "      - marker: M2\n        date: 2025-01-05\n"
        ),
        ("_roadmaps/r.yml", 4, 9, "R118"),
        1,
        ("--strict",),
    ),
    (
        "file-name-not-an-id",
        {"_roadmaps/My Plan.yml": HEAD + A},
        ("_roadmaps/My Plan.yml", 1, 1, "R100"),
        1,
        (),
    ),
    (
        "schema-day-first-date",
        rm(HEAD + A.replace("2025-01-01", "19-08-2025")),
        ("_roadmaps/r.yml", 6, 16, "S105"),
        1,
        (),
    ),
    (
        "schema-unknown-key",
        rm(HEAD + A.replace("start:", "strat:")),
        ("_roadmaps/r.yml", 6, 9, "S102"),
        1,
        (),
    ),
    ("schema-missing-sections", rm("title: T\n"), ("_roadmaps/r.yml", 1, 1, "S101"), 1, ()),
    (
        "schema-item-without-kind",
        rm(HEAD + "      - name: A\n        start: 2025-01-01\n        end: 2025-01-02\n"),
        ("_roadmaps/r.yml", 4, 9, "S106"),
        1,
        (),
    ),
    (
        "schema-end-and-duration",
        rm(HEAD + A + "        duration: 3d\n"),
        ("_roadmaps/r.yml", 4, 9, "S106"),
        1,
        (),
    ),
    (
        "schema-bad-status",
        rm(HEAD + A + "        status: finished\n"),
        ("_roadmaps/r.yml", 8, 17, "S104"),
        1,
        (),
    ),
    (
        "schema-wrong-type",
        rm(HEAD + A + '        crit: "yes"\n'),
        ("_roadmaps/r.yml", 8, 15, "S103"),
        1,
        (),
    ),
    ("yaml-syntax", rm(HEAD + "      - task: A: B\n"), ("_roadmaps/r.yml", 4, 16, "Y101"), 1, ()),
    (
        "yaml-duplicate-key",
        rm(HEAD + A + "        start: 2025-01-02\n"),
        ("_roadmaps/r.yml", 8, 9, "Y102"),
        1,
        (),
    ),
    (
        "yaml-billion-laughs",
        rm(
            'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
            + "".join(
                f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            )
        ),
        ("_roadmaps/r.yml", 2, 8, "Y103"),
        1,
        (),
    ),
    (
        "yaml-too-large",
        rm("title: " + "x" * 1_100_000 + "\n"),
        ("_roadmaps/r.yml", 1, 1, "Y104"),
        1,
        (),
    ),
    (
        "yaml-invalid-utf8",
        {"_roadmaps/r.yml": b"title: ok\nsections: caf\xe9\n"},
        ("_roadmaps/r.yml", 2, 14, "Y105"),
        1,
        (),
    ),
    (
        "yaml-unsupported-tag",
        rm("title: !!binary aGVsbG8=\n" + HEAD + A),
        ("_roadmaps/r.yml", 1, 8, "Y107"),
        1,
        (),
    ),
    (
        "yaml-too-deep",
        rm("x: " + "[" * 70 + "]" * 70 + "\n"),
        ("_roadmaps/r.yml", 1, 68, "Y106"),
        1,
        (),
    ),
    ("page-day-first-date", page('title: T\ndate: "19-08-2025"\n'), ("p.md", 3, 7, "D104"), 0, ()),
    ("page-front-matter-not-mapping", page("- a\n- b\n"), ("p.md", 2, 1, "P101"), 1, ()),
    (
        "page-front-matter-unclosed",
        {"p.md": "---\ntitle: T\n\nText\n"},
        ("p.md", 1, 1, "P103"),
        1,
        (),
    ),
    (
        "page-junk-before-front-matter",
        {"p.md": "oops\n---\ntitle: T\n---\nText\n"},
        ("p.md", 2, 1, "P102"),
        1,
        (),
    ),
    ("page-duplicate-key", page("title: T\ntitle: U\n"), ("p.md", 3, 1, "Y102"), 1, ()),
    ("page-yaml-syntax", page('title: "T\n'), ("p.md", 3, 1, "Y101"), 1, ()),
    (
        "page-wrong-type",
        page("title: T\nhas_children: yes please\n"),
        ("p.md", 3, 15, "S103"),
        1,
        (),
    ),
    (
        "page-bad-last-modified",
        page("last_modified_date: last week\n"),
        ("p.md", 2, 21, "D103"),
        1,
        (),
    ),
    (
        "page-crlf-bom",
        {"p.md": '\ufeff---\r\ntitle: T\r\ndate: "1.13.2025"\r\n---\r\nText\r\n'},
        ("p.md", 3, 7, "D102"),
        1,
        (),
    ),
    # Managed blocks `build` would refuse: reported by `check` too, so a pull request shows them.
    (
        "block-unknown-roadmap",
        {"p.md": "Text\n\n<!-- pages-roadmap:gantt nope -->\n<!-- /pages-roadmap:gantt -->\n"},
        ("p.md", 3, 1, "B101"),
        1,
        (),
    ),
    (
        "block-end-without-start",
        {"p.md": "Text\n\n<!-- /pages-roadmap:gantt -->\n"},
        ("p.md", 3, 1, "B102"),
        1,
        (),
    ),
    (
        "block-nested",
        {
            **rm(HEAD + A),
            "p.md": "<!-- pages-roadmap:gantt r -->\n\n<!-- pages-roadmap:gantt r -->\n",
        },
        ("p.md", 3, 1, "B103"),
        1,
        (),
    ),
    (
        "block-unknown-marker",
        {"p.md": "<!-- pages-roadmap:chart r -->\n"},
        ("p.md", 1, 1, "B104"),
        1,
        (),
    ),
    (
        "block-edited-by-hand",
        {
            **rm(HEAD + A),
            "p.md": "---\ntitle: T\n---\n<!-- pages-roadmap:gantt r -->\n```mermaid\ngantt\n"
            "    A :a, 2025-01-01, 2025-01-11\n```\n"
            "<!-- /pages-roadmap:gantt r sum:0000000000 -->\n",
        },
        ("p.md", 5, 1, "B105"),
        1,
        (),
    ),
    (
        "block-not-a-plain-id",
        {"p.md": "<!-- pages-roadmap:gantt ../r -->\n<!-- /pages-roadmap:gantt -->\n"},
        ("p.md", 1, 1, "B108"),
        1,
        (),
    ),
    (
        "config-unknown-setting",
        {"_config.yml": "pages_roadmap:\n  roadmap_dir: x\n"},
        ("_config.yml", 2, 3, "C101"),
        1,
        (),
    ),
]


@pytest.mark.parametrize(
    ("files", "expected", "exit_code", "extra"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_case(
    tmp_path: Path,
    files: dict[str, str | bytes],
    expected: tuple[str, int, int, str],
    exit_code: int,
    extra: tuple[str, ...],
) -> None:
    write_tree(tmp_path, files)
    before = snapshot(tmp_path)
    result = run_cli("check", "--root", str(tmp_path), "--format", "json", *extra)
    found = [(f["path"], f["line"], f["col"], f["code"]) for f in result.json()]
    assert expected in found, result.out
    assert result.code == exit_code
    assert snapshot(tmp_path) == before
    assert result.err == ""


def test_every_code_has_a_row() -> None:
    codes = {c[2][3] for c in CASES}
    wanted = {f"R1{n:02d}" for n in range(0, 19) if n not in (11, 17)} | {
        "Y101",
        "Y102",
        "Y103",
        "Y104",
        "Y105",
        "Y106",
        "Y107",
        "S101",
        "S102",
        "S103",
        "S104",
        "S105",
        "S106",
        "P101",
        "P102",
        "P103",
        "C101",
        "B101",
        "B102",
        "B103",
        "B104",
        "B105",
        "B108",
    }
    assert wanted <= codes, sorted(wanted - codes)
