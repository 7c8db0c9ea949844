"""The adopt command: an existing site, in one run, from hand-written charts to roadmaps as data.

In order: every hand-written gantt chart of every page is imported (importer/, with roadmap ids
unique across the site), the stamps are migrated and the front matter date key written
(build.run, dating each page by its history at HEAD: the adoption is no content change), then
the automation is added (a workflow, the pre-commit hooks, just-the-docs' footer keys), each
file edited as text so that every other byte stays. The caller commits it all as one tool
commit (git/commit.py), or leaves it uncommitted.

`adopt` works on the files of a site folder; the command line runs it in a scratch work tree
for `--dry-run`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from pages_roadmap import __version__
from pages_roadmap.files import Change, write_atomic
from pages_roadmap.findings import Finding, has_errors
from pages_roadmap.reading import read_bytes
from pages_roadmap.site import Site
from pages_roadmap.yamlload import LoadError

WORKFLOW = ".github/workflows/pages-roadmap.yml"
HOOKS = ".pre-commit-config.yaml"
HOOKS_REPO = "https://github.com/pages-roadmap/pages-roadmap"
ACTION = "pages-roadmap/pages-roadmap"
# The checkout action as this repository's own workflows pin it.
CHECKOUT = "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0"
JTD_KEYS = (
    ("last_edit_timestamp", "true"),
    ("last_edit_time_format", '"%b %e %Y"'),
)


@dataclass
class Adoption:
    """What an adoption did: every file's change (old text "" for a new file), and its report."""

    changes: dict[Path, Change] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    pages: int = 0  # pages whose charts were imported
    charts: int = 0
    stamped: int = 0  # pages whose stamps or date key were written
    did: list[str] = field(default_factory=list)  # one line per step, for the commit message
    left: list[str] = field(default_factory=list)  # pages left as they were (errors)

    def record(self, path: Path, old: str, new: str) -> None:
        first = self.changes.get(path)
        self.changes[path] = Change(path, first.old if first else old, new)

    @property
    def added(self) -> list[Path]:
        return [p for p, c in self.changes.items() if c.old == "" and c.new]


def adopt(
    site: Site,
    top: Path,
    today: date,
    now: datetime,
    *,
    workflow: bool = True,
    hooks: bool = True,
) -> Adoption:
    """Adopt the site in place (files are written); `top` is the repository's top folder."""
    done = Adoption()
    _import(site, today, done)
    _stamp(site, today, now, done)
    if workflow:
        _workflow(site, top, done)
    if hooks:
        _hooks(site, top, done)
    _theme(site, done)
    return done


def _write(done: Adoption, path: Path, old: str, new: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # adopt starts from a clean work tree, so `old` is what the file held (nothing: a new file).
    write_atomic(path, new, old.encode("utf-8", "surrogateescape") if path.exists() else None)
    done.record(path, old, new)


def _import(site: Site, today: date, done: Adoption) -> None:
    from pages_roadmap.importer import pages as importer

    candidates = []
    for page in site.pages():
        try:
            raw = read_bytes(page, site.rel(page), site)
        except LoadError:
            continue
        if b"mermaid" in raw and b"gantt" in raw:
            candidates.append(page)
    ids = importer.SiteIds.of(site)
    bases = importer.base_ids(site, candidates)
    for page in candidates:
        result = importer.run(site, page, today=today, ids=ids, base=bases[page])
        found = [f for f in result.findings if f.code not in ("I100", "I101")]
        if result.page is None and not has_errors(found):
            # Already managed, or no gantt chart of its own (a flowchart, a mention in text).
            done.findings += found
            continue
        done.findings += found
        if has_errors(result.findings) or result.page is None:
            done.left.append(site.rel(page))
            continue
        for data in result.files:
            _write(done, data.path, "", data.text)
        _write(done, page, result.page.old, result.page.new)
        done.pages += 1
        done.charts += len(result.files)
    if done.charts:
        _editor_schema(site, done)
        done.did.append(
            f"imported {_n(done.charts, 'hand-written chart')} of {_n(done.pages, 'page')} "
            f"into {_n(done.charts, 'roadmap')} in {site.rel(site.roadmaps_path)}/"
        )


def _editor_schema(site: Site, done: Adoption) -> None:
    """The schema the imported data's first line names (as `import` and `schema` write it)."""
    from pages_roadmap.schema import EDITOR_SCHEMA, editor_schema_text

    path = site.roadmaps_path / EDITOR_SCHEMA
    text = editor_schema_text(site.schema_override("roadmap"))
    old = _read(path)
    if old != text:
        _write(done, path, old, text)


def _stamp(site: Site, today: date, now: datetime, done: Adoption) -> None:
    from pages_roadmap import build

    stamps = build.StampRun(now, adopting=True)
    result = build.run(site, site.pages(), today, stamps=stamps)
    done.findings += result.findings
    for change in result.changes:
        _write(done, change.path, change.old, change.new)
    done.stamped = result.stamped
    if result.stamped:
        done.did.append(
            f"migrated the stamps and wrote the date key of {_n(result.stamped, 'page')} "
            "(each dated by its last real change)"
        )


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        return ""


def _workflow(site: Site, top: Path, done: Adoption) -> None:
    folder = top / ".github" / "workflows"
    existing = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]) if folder.is_dir() else []
    if any("pages-roadmap" in _read(f) for f in existing):
        return
    path = top / WORKFLOW
    _write(done, path, "", workflow_text(_root_arg(site, top)))
    done.did.append(
        f"added the workflow {WORKFLOW} (check on pull requests; build, commit and push on "
        "push and nightly)"
    )


def _root_arg(site: Site, top: Path) -> str:
    rel = site.root.resolve().relative_to(top.resolve()).as_posix()
    return "" if rel == "." else rel


def workflow_text(root: str) -> str:
    """The site's workflow, modelled on this repository's .github/workflows/roadmap.yml."""
    args = f"\n          args: --root {root}" if root else ""
    return f"""# pages-roadmap (added by 'pages-roadmap adopt'): pull requests get annotations and a
# job summary; pushes to the default branch and a nightly run regenerate the charts and "last
# updated" stamps, then commit and push them. Pin {ACTION} to the full commit SHA
# of the release you use.
name: pages-roadmap

on:
  pull_request:
  push:
    branches: [main]
  schedule:
    - cron: "17 3 * * *" # nightly: automatic statuses follow the date
  workflow_dispatch:

permissions: {{}}

jobs:
  check:
    name: check
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    timeout-minutes: 10
    permissions:
      contents: read
    concurrency:
      group: pages-roadmap-check-${{{{ github.ref }}}}
      cancel-in-progress: true
    steps:
      - uses: {CHECKOUT}
        with:
          fetch-depth: 0
          persist-credentials: false
      - uses: {ACTION}@v{__version__}
        with:
          command: check{args}

  build:
    name: build, commit and push
    if: github.event_name != 'pull_request'
    runs-on: ubuntu-latest
    timeout-minutes: 10
    permissions:
      contents: write # the only job that pushes
    concurrency:
      # One run per branch at a time; a queued run waits instead of cancelling a push.
      group: pages-roadmap-build-${{{{ github.ref }}}}
      cancel-in-progress: false
    steps:
      - uses: {CHECKOUT}
        with:
          fetch-depth: 0 # stamps need the whole history
          persist-credentials: true # the push below uses the job's GITHUB_TOKEN
      - uses: {ACTION}@v{__version__}
        with:
          command: build
          push: true{args}
"""


def hooks_entry(indent: str, root: str) -> str:
    """The repo entry of the two hooks, as lines of a `repos:` list indented by `indent`."""
    args = f"\n{indent}      args: [--root, {root}]" if root else ""
    return (
        f"{indent}- repo: {HOOKS_REPO}\n"
        f"{indent}  rev: v{__version__}\n"
        f"{indent}  hooks:\n"
        f"{indent}    - id: pages-roadmap-check{args}\n"
        f"{indent}    - id: pages-roadmap-build{args}\n"
    )


_REPO_ITEM = re.compile(r"^([ \t]*)-[ \t]+repo:", re.M)
_REPOS_KEY = re.compile(r"^repos:[ \t]*(#.*)?$", re.M)


def _hooks(site: Site, top: Path, done: Adoption) -> None:
    path = top / HOOKS
    old = _read(path)
    if "pages-roadmap-build" in old or "pages-roadmap-check" in old:
        return
    root = _root_arg(site, top)
    if not old:
        _write(done, path, "", "repos:\n" + hooks_entry("  ", root))
        done.did.append(f"added {HOOKS} with the two pages-roadmap hooks")
        return
    new = _with_hooks(old, root)
    if new is None:
        from pages_roadmap.findings import warning

        done.findings.append(
            warning(
                HOOKS,
                1,
                1,
                "A101",
                f"{HOOKS} has no block list under 'repos:' to add the hooks to; left as it is",
                "add the two hooks by hand (README: pre-commit)",
            )
        )
        return
    _write(done, path, old, new)
    done.did.append(f"added the two pages-roadmap hooks to {HOOKS}")


def _with_hooks(old: str, root: str) -> str | None:
    """The config with the hooks' repo entry inserted as text after the last entry of `repos:`
    (every other byte stays); None when the file has no block list there to extend."""
    import yaml

    lines = old.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if _REPOS_KEY.match(ln.rstrip("\r\n"))), None)
    if start is None:
        return None
    end = len(lines)
    for j in range(start + 1, len(lines)):
        text = lines[j]
        if text.strip() and not text[0].isspace() and text[0] not in "#-":
            end = j  # the next top-level key
            break
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1][0] == "#"):
        end -= 1  # blank lines and comments after the list stay after it
    items = _REPO_ITEM.findall("".join(lines[start + 1 : end]))
    if not items:
        return None
    newline = "\r\n" if "\r\n" in old else "\n"
    entry = hooks_entry(items[-1], root).replace("\n", newline)
    if end and not lines[end - 1].endswith(("\n", "\r")):
        lines[end - 1] += newline
    new = "".join([*lines[:end], entry, *lines[end:]])
    try:
        data = yaml.safe_load(new)
    except yaml.YAMLError:
        return None
    repos = data.get("repos") if isinstance(data, dict) else None
    ok = isinstance(repos, list) and any(
        isinstance(r, dict) and r.get("repo") == HOOKS_REPO for r in repos
    )
    return new if ok else None


_THEME = re.compile(r"^(remote_)?theme:[ \t]*[\"']?[^\n]*just-the-docs", re.M)


def _theme(site: Site, done: Adoption) -> None:
    """On a just-the-docs site, the footer keys that show `last_modified_date`."""
    path = site.root / "_config.yml"
    old = _read(path)
    from pages_roadmap.stamps.settings import StampSettings

    key = StampSettings.from_raw(site.settings.stamps).front_matter_key
    if not _THEME.search(old) or key != "last_modified_date":
        return
    missing = [(k, v) for k, v in JTD_KEYS if not re.search(rf"^{k}[ \t]*:", old, re.M)]
    if not missing:
        return
    newline = "\r\n" if "\r\n" in old else "\n"
    body = old if old.endswith(("\n", "\r")) or not old else old + newline
    lines = ["# just-the-docs shows each page's last_modified_date (pages-roadmap adopt)"]
    lines += [f"{k}: {v}" for k, v in missing]
    _write(done, path, old, body + newline.join(lines) + newline)
    done.did.append(
        "set " + " and ".join(k for k, _ in missing) + " in _config.yml (just-the-docs footer)"
    )


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def by_code(findings: Sequence[Finding]) -> list[str]:
    """`I202 warning x12: a trailing comma ...`: one line per code, with its first message."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.code, f.severity.value), []).append(f)
    out = []
    for (code, severity), group in sorted(groups.items()):
        first = group[0].message
        short = first if len(first) <= 70 else first[:67].rstrip() + "..."
        out.append(f"  {code} {severity} x{len(group)}: {short}")
    return out
