"""`check` end to end: the seed page, the schemas, the reporters and the exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO, SEED, run_cli, snapshot, write_tree

from pages_roadmap.findings import Finding, Severity, format_github, render_summary


def test_seed_page_day_first_date_is_a_warning_with_the_fix(tmp_path: Path) -> None:
    # Jekyll reads 19-08-2025 as meant (tests/test_jekyll_real.py): a warning, not red on day one.
    shutil.copy(SEED, tmp_path / "roadmap.md")
    result = run_cli("check", "--root", str(tmp_path))
    assert result.code == 0, result.out
    assert result.out.splitlines()[:2] == [
        "roadmap.md:5:7: D104 warning: date: '19-08-2025' is day-first: Jekyll reads it as "
        "19 August 2025",
        "    hint: 'pages-roadmap check --fix' rewrites it as ISO 2025-08-19",
    ]


def test_example_site_passes() -> None:
    result = run_cli("check", "--root", str(REPO))
    assert result.code == 0, result.out
    # No R118: the os2borgerpc chart's markers are events its bars cross, not bounds.
    assert result.out.endswith(": 0 errors, 0 warnings\n")
    assert result.out.splitlines()[-1].startswith("checked 2 roadmaps and ")


@pytest.mark.parametrize("name", ["roadmap", "page"])
def test_schemas_are_valid_2020_12(name: str) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads((REPO / "schemas" / f"{name}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _properties(node: object) -> list[tuple[str, dict[str, object]]]:
    found = []
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            found.append((key, value))
        for value in node.values():
            found += _properties(value)
    elif isinstance(node, list):
        for value in node:
            found += _properties(value)
    return found


@pytest.mark.parametrize("name", ["roadmap", "page"])
def test_every_property_has_a_description(name: str) -> None:
    schema = json.loads((REPO / "schemas" / f"{name}.schema.json").read_text())
    defs = schema.get("$defs", {})
    for key, prop in _properties(schema):
        target = prop
        if "$ref" in prop and "description" not in prop:
            target = defs[str(prop["$ref"]).rsplit("/", 1)[-1]]
        assert "description" in target, f"{name}: {key}"


def test_packaged_schemas_are_the_repository_schemas() -> None:
    """schemas/ (where editors and sites point) is the source; the package ships a copy.

    A symlink would not survive the sdist, and a build-time mapping would not reach an editable
    install, so the copy is committed and this test keeps the two byte-identical.
    """
    from pages_roadmap.schema import builtin_schema_text

    schema_files = ("page", "roadmap")
    packaged = REPO / "src" / "pages_roadmap" / "schemas"
    names = sorted(f"{name}.schema.json" for name in schema_files)
    # schemas/ also holds the example site's own page schema (_config.yml names it); the package
    # ships only the tool's.
    assert {p.name for p in (REPO / "schemas").iterdir()} >= set(names)
    assert sorted(p.name for p in packaged.iterdir()) == names, "cp schemas/*.json " + str(packaged)
    for name in schema_files:
        assert not (packaged / f"{name}.schema.json").is_symlink()
        source = (REPO / "schemas" / f"{name}.schema.json").read_bytes()
        copy = (packaged / f"{name}.schema.json").read_bytes()
        assert copy == source, f"cp schemas/{name}.schema.json {packaged}/"
        assert builtin_schema_text(name) == source.decode("utf-8")


def test_example_roadmaps_validate_against_schema() -> None:
    from jsonschema import Draft202012Validator

    from pages_roadmap.yamlload import load

    schema = json.loads((REPO / "schemas" / "roadmap.schema.json").read_text())
    files = sorted((REPO / "_roadmaps").glob("*.yml"))
    assert len(files) >= 2
    for file in files:
        errors = list(Draft202012Validator(schema).iter_errors(load(file.read_text(), "x").data))
        assert errors == [], file


def test_site_schema_override(tmp_path: Path) -> None:
    custom = {"type": "object", "required": ["owner"], "properties": {"owner": {"type": "string"}}}
    write_tree(
        tmp_path,
        {
            "_config.yml": "pages_roadmap:\n  schemas:\n    page: my-page.schema.json\n",
            "my-page.schema.json": json.dumps(custom),
            "p.md": "---\ntitle: T\n---\n",
        },
    )
    result = run_cli("check", "--root", str(tmp_path), "--format", "json")
    assert [(f["code"], f["line"]) for f in result.json()] == [("S101", 2)]


def test_broken_site_schema_is_an_environment_error(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "_config.yml": "pages_roadmap:\n  schemas:\n    page: bad.json\n",
            "bad.json": '{"type": 12}',
            "p.md": "---\ntitle: T\n---\n",
        },
    )
    result = run_cli("check", "--root", str(tmp_path))
    assert result.code == 2
    assert "bad.json is not a valid JSON Schema 2020-12" in result.err


def test_jekyll_exclude_and_include(tmp_path: Path) -> None:
    bad = "---\ndate: 1.1.2025\n---\n"
    write_tree(
        tmp_path,
        {
            "_config.yml": "exclude: [drafts/, '*.tmp.md']\ninclude: [_kept]\n",
            "drafts/a.md": bad,
            "b.tmp.md": bad,
            "_hidden/c.md": bad,
            "_kept/d.md": bad,
            "_site/e.md": bad,
            "node_modules/f.md": bad,
            ".git/g.md": bad,
            "docs/h.md": bad,
            "_posts/2025-01-01-i.md": bad,
        },
    )
    result = run_cli("check", "--root", str(tmp_path), "--format", "json")
    assert sorted(f["path"] for f in result.json()) == [
        "_kept/d.md",
        "_posts/2025-01-01-i.md",
        "docs/h.md",
    ]


def test_paths_limit_the_run(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.md": "---\ndate: x\n---\n", "b.md": "---\ndate: y\n---\n"})
    result = run_cli("check", "--root", str(tmp_path), "--format", "json", str(tmp_path / "b.md"))
    assert [f["path"] for f in result.json()] == ["b.md"]


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["docs"], ["docs/a.md", "docs/deep/c.md"]),
        (["docs/deep"], ["docs/deep/c.md"]),
        (["_roadmaps"], ["_roadmaps/r.yml"]),
        (["docs/deep", "docs/deep/c.md", "b.md"], ["b.md", "docs/deep/c.md"]),
        (["empty"], []),  # a folder without pages checks nothing, not the whole site
    ],
)
def test_a_folder_stands_for_the_pages_and_roadmaps_in_it(
    tmp_path: Path, paths: list[str], expected: list[str]
) -> None:
    bad = "---\ndate: x\n---\n"
    write_tree(
        tmp_path,
        {
            "docs/a.md": bad,
            "docs/deep/c.md": bad,
            "docs/_drafts_excluded/d.md": bad,
            "b.md": bad,
            "_roadmaps/r.yml": "title: [",
            "empty/notes.txt": "",
        },
    )
    (tmp_path / "_config.yml").write_text("exclude: [docs/_drafts_excluded]\n")
    args = [str(tmp_path / p) for p in paths]
    result = run_cli("check", "--root", str(tmp_path), "--format", "json", *args)
    assert sorted({str(f["path"]) for f in result.json()}) == expected
    assert result.code == (1 if expected else 0)


def test_an_unwritable_summary_is_a_usage_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"p.md": "Text\n"})
    for command in ("check", "build"):
        result = run_cli(command, "--root", str(tmp_path), "--summary", str(tmp_path / "no/x.md"))
        assert result.code == 2
        target = tmp_path / "no/x.md"
        assert (
            result.err
            == f"pages-roadmap: error: cannot write {target}: No such file or directory\n"
        )


def test_missing_path_is_usage_error(tmp_path: Path) -> None:
    result = run_cli("check", "--root", str(tmp_path), str(tmp_path / "nope.md"))
    assert (result.code, result.err) == (
        2,
        f"pages-roadmap: error: {tmp_path / 'nope.md'}: no such file\n",
    )


def test_unknown_option_is_usage_error() -> None:
    assert run_cli("check", "--bogus").code == 2


def test_root_that_is_not_a_folder(tmp_path: Path) -> None:
    result = run_cli("check", "--root", str(tmp_path / "missing"))
    assert result.code == 2
    assert "is not a directory" in result.err


def test_github_format_escapes_and_still_lists_everything(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a,b.md": "---\ndate: '1.13.2025'\n---\n"})
    result = run_cli("check", "--root", str(tmp_path), "--format", "github")
    lines = result.out.splitlines()
    assert lines[0] == (
        "::error file=a%2Cb.md,line=2,col=7,title=D102::date: '1.13.2025' has a month or day "
        "out of range: Liquid's date filter prints it as written, and a post with it breaks "
        "the build (hint: write the date as ISO YYYY-MM-DD, for example 2025-08-19)"
    )
    assert lines[1].startswith("::stop-commands::")
    token = lines[1].removeprefix("::stop-commands::")
    assert len(token) == 32
    assert lines[2].startswith("a,b.md:2:7: D102")
    assert lines[-1] == f"::{token}::"


@pytest.mark.parametrize(
    ("finding", "expected"),
    [
        (
            Finding("p.md", 3, 1, "X1", "50% done\nnext", "h"),
            "::error file=p.md,line=3,col=1,title=X1::50%25 done%0Anext (hint: h)",
        ),
        (
            Finding("d:/p.md", 1, 2, "X2", "m", "", Severity.WARNING),
            "::warning file=d%3A/p.md,line=1,col=2,title=X2::m",
        ),
    ],
)
def test_github_annotation(finding: Finding, expected: str) -> None:
    assert format_github(finding) == expected


def test_summary_table() -> None:
    text = render_summary([Finding("p.md", 3, 1, "X1", "a | b", "fix")])
    assert text.splitlines()[2] == "| `p.md:3:1` | X1 | error | a \\| b | fix |"


def test_summary_file_is_appended(tmp_path: Path) -> None:
    write_tree(tmp_path, {"p.md": "---\ndate: x\n---\n"})
    summary = tmp_path / "summary.md"
    run_cli("check", "--root", str(tmp_path), "--summary", str(summary))
    assert "| `p.md:2:7` | D103 | error |" in summary.read_text()


def test_check_never_writes(tmp_path: Path) -> None:
    shutil.copytree(REPO / "_roadmaps", tmp_path / "_roadmaps")
    shutil.copy(SEED, tmp_path / "seed.md")
    before = snapshot(tmp_path)
    run_cli("check", "--root", str(tmp_path))
    assert snapshot(tmp_path) == before


def test_parallel_run_equals_serial_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pages_roadmap import check
    from pages_roadmap.findings import sort_key
    from pages_roadmap.site import load_site

    files: dict[str, str | bytes] = {
        f"docs/p{n}.md": f"---\ndate: {'19-08-2025' if n % 50 == 0 else '2025-08-19'}\n---\n"
        for n in range(check.PARALLEL_FROM + 20)
    }
    files["_roadmaps/bad.yml"] = "sections:\n  - items:\n      - task: A\n        end: 2025-01-01\n"
    write_tree(tmp_path, files)
    site = load_site(tmp_path)
    parallel = sorted(check.run(site), key=sort_key)
    monkeypatch.setattr(check, "PARALLEL_FROM", 10**9)
    serial = sorted(check.run(site), key=sort_key)
    assert parallel == serial
    assert len([f for f in serial if f.code == "D104"]) == 9


@pytest.mark.parametrize(
    ("duration", "code"),
    [
        ("99999y", "R117"),  # past 9999-12-31, where Python's dates end
        ("99999999999999999999d", "R117"),
    ],
)
def test_dates_past_the_year_9999_are_a_finding(tmp_path: Path, duration: str, code: str) -> None:
    roadmap = (
        "sections:\n  - name: S\n    items:\n      - task: A\n"
        f"        start: 9999-12-01\n        duration: {duration}\n"
    )
    write_tree(tmp_path, {"_roadmaps/r.yml": roadmap})
    result = run_cli("check", "--root", str(tmp_path), "--format", "json")
    assert (result.code, [(f["line"], f["code"]) for f in result.json()]) == (1, [(4, code)])


def test_a_chain_of_thousands_of_afters_is_checked_without_recursion(tmp_path: Path) -> None:
    n = 3000  # deeper than Python's recursion limit
    items = ["      - task: T0\n        id: t0\n        start: 2025-01-01\n        duration: 1d\n"]
    items += [
        f"      - task: T{i}\n        id: t{i}\n        after: t{i - 1}\n        duration: 1d\n"
        for i in range(1, n)
    ]
    items.append(
        "      - task: Loop\n        id: loop\n        after: loop2\n        duration: 1d\n"
    )
    items.append(
        "      - task: Loop2\n        id: loop2\n        after: loop\n        duration: 1d\n"
    )
    write_tree(
        tmp_path, {"_roadmaps/r.yml": "sections:\n  - name: S\n    items:\n" + "".join(items)}
    )
    result = run_cli("check", "--root", str(tmp_path), "--format", "json")
    assert [f["code"] for f in result.json() if f["code"] != "R117"] == ["R105"]
    assert result.code == 1
