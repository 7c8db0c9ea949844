"""Command line: argument parsing, and the one place that maps failures to exit codes.

Exit codes: 0 success; 1 findings (errors, or warnings with --strict) or out-of-date pages;
2 usage or environment error (bad arguments, unreadable site, broken schema); 3 internal error
(a bug: please report it); 130 interrupted.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pages_roadmap import __version__
from pages_roadmap.errors import Error, UsageError

if TYPE_CHECKING:
    from pages_roadmap.build import BuildResult
    from pages_roadmap.files import Change
    from pages_roadmap.findings import Finding
    from pages_roadmap.site import Site

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


def _iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date (YYYY-MM-DD)") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pages-roadmap",
        description="Roadmaps as data for Jekyll sites: validate, regenerate Mermaid gantt blocks, "
        "stamp 'last updated' dates from git.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, help="the site's folder (default: the git top level)")
    common.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files to process (default: the whole site)",
    )

    check = sub.add_parser(
        "check", parents=[common], help="validate roadmaps and page front matter"
    )
    check.add_argument("--format", choices=("text", "json", "github"), default="text")
    check.add_argument("--strict", action="store_true", help="warnings fail the run too")
    check.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help="append a Markdown report to FILE (e.g. $GITHUB_STEP_SUMMARY)",
    )

    build = sub.add_parser("build", parents=[common], help="regenerate the gantt blocks in pages")
    mode = build.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a page is out of date"
    )
    mode.add_argument("--diff", action="store_true", help="write nothing; print a unified diff")
    build.add_argument(
        "--force", action="store_true", help="overwrite blocks that were edited by hand"
    )
    build.add_argument(
        "--today",
        type=_iso_day,
        metavar="YYYY-MM-DD",
        help="the date automatic statuses are computed for (default: today in the "
        "site's time zone)",
    )
    build.add_argument("--format", choices=("text", "json", "github"), default="text")
    build.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help="append each chart that changes, as Markdown, to FILE (e.g. $GITHUB_STEP_SUMMARY)",
    )
    # Stamps (see stamps/): "last updated" dates from git history.
    build.add_argument("--no-stamps", action="store_true", help="leave 'last updated' stamps alone")
    build.add_argument(
        "--allow-shallow",
        action="store_true",
        help="stamp even in a shallow clone (dates will be wrong)",
    )
    build.add_argument(
        "--staged",
        action="store_true",
        help="pre-commit mode: staged pages with real changes are dated today",
    )
    # Automation (see git/commit.py).
    build.add_argument(
        "--commit",
        action="store_true",
        help="commit exactly the files this run changed (with the tool's trailer)",
    )
    build.add_argument(
        "--push",
        action="store_true",
        help="with --commit: push to the upstream, rebasing and retrying on a race",
    )

    imp = sub.add_parser(
        "import", help="turn the hand-written gantt charts of a page into roadmap data"
    )
    imp.add_argument("--root", type=Path, help="the site's folder (default: the git top level)")
    imp.add_argument("page", type=Path, metavar="PAGE")
    imp.add_argument(
        "--id",
        dest="roadmap_id",
        metavar="ID",
        help="roadmap id (default: from the page's file name)",
    )
    imp.add_argument(
        "--dry-run", action="store_true", help="print the YAML and the page diff; write nothing"
    )
    imp.add_argument(
        "--force", action="store_true", help="overwrite an existing _roadmaps/<id>.yml"
    )
    imp.add_argument("--today", type=_iso_day, metavar="YYYY-MM-DD")
    imp.add_argument("--format", choices=("text", "json", "github"), default="text")
    return parser


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the command line; returns the exit code."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its message
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    try:
        if args.command == "check":
            return _check(args, out)
        if args.command == "import":
            return _import(args, out)
        return _build(args, out)
    except Error as exc:  # bad input or environment, from anywhere: the one place it is caught
        err.write(f"pages-roadmap: error: {exc.report()}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("pages-roadmap: interrupted\n")
        return EXIT_INTERRUPTED
    except Exception as exc:  # the last line of defence: a bug, not bad input
        import traceback

        err.write("".join(traceback.format_exception(exc)))
        err.write(
            "pages-roadmap: internal error (a bug in pages-roadmap; please report it with "
            "the lines above)\n"
        )
        return EXIT_INTERNAL


def _site(args: argparse.Namespace) -> Site:
    from pages_roadmap.site import find_root, load_site

    root = args.root if args.root else find_root(Path.cwd())
    site = load_site(root)
    for path in getattr(args, "paths", None) or [getattr(args, "page", None)]:
        if path is not None and not path.exists():
            raise UsageError(f"{path}: no such file")
        if path is not None:  # the path rule: nothing outside the site is read or written
            site.inside_or_refuse(path, "PATH")
    if getattr(args, "paths", None):
        args.paths = _expand(site, args.paths)
    elif hasattr(args, "paths"):
        args.paths = None  # the whole site
    return site


def _expand(site: Site, paths: Sequence[Path]) -> list[Path]:
    """The files named, with each folder standing for the site's pages and roadmaps in it."""
    files: list[Path] = []
    everything: list[Path] | None = None
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        if everything is None:
            everything = site.roadmap_files() + site.pages()
        folder = path.resolve()
        files += [f for f in everything if f.resolve().is_relative_to(folder)]
    return list(dict.fromkeys(files))


def _append(target: Path, text: str) -> None:
    """Append a report to a file such as $GITHUB_STEP_SUMMARY."""
    try:
        with target.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror}") from None


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from pages_roadmap import check
    from pages_roadmap.findings import REPORTERS, has_errors, render_summary, sort_key

    site = _site(args)
    findings = sorted(check.run(site, args.paths), key=sort_key)
    out.write(REPORTERS[args.format](findings))
    if args.summary:
        _append(args.summary, "## pages-roadmap check\n\n" + render_summary(findings))
    return EXIT_FINDINGS if has_errors(findings, strict=args.strict) else EXIT_OK


def today_in(timezone: str) -> date:
    """Today's date in a time zone."""
    return now_in(timezone).date()


def now_in(timezone: str) -> datetime:
    """The current time in a time zone (the only place the clock is read)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return datetime.now(ZoneInfo(timezone)).replace(microsecond=0)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"_config.yml: unknown time zone {timezone!r}") from None


def _build(args: argparse.Namespace, out: TextIO) -> int:
    from pages_roadmap.files import write_atomic
    from pages_roadmap.findings import REPORTERS, has_errors, sort_key

    site = _site(args)
    if args.commit or args.push:
        _preflight(args, site)
    if has_errors(site.findings):  # a broken _config.yml: its settings are unknown, write nothing
        out.write(REPORTERS[args.format](sorted(site.findings, key=sort_key)))
        return EXIT_FINDINGS
    result = _run_build(args, site)
    stale = [_out_of_date(site.rel(c.path), c.old, c.new) for c in result.changes]
    findings = sorted(site.findings + result.findings + (stale if args.check else []), key=sort_key)
    if findings or args.format == "json":  # json output is always a document
        out.write(REPORTERS[args.format](findings))
    failed = has_errors(findings)
    if args.summary:
        _chart_summary(args.summary, site, result.changes)
    if args.diff:
        for change in result.changes:
            _print_diff(out, site.rel(change.path), change.old, change.new)
        return EXIT_FINDINGS if failed or result.changes else EXIT_OK
    if args.check:
        return EXIT_FINDINGS if failed else EXIT_OK
    written = []
    for change in result.changes:
        if write_atomic(change.path, change.new):
            written.append(change.path)
            if args.format == "text":  # json and github output stay machine-readable
                out.write(f"updated {site.rel(change.path)}\n")
    if args.commit:
        return _commit(args, site, written, out, failed=failed)
    return EXIT_FINDINGS if failed else EXIT_OK


def _run_build(args: argparse.Namespace, site: Site) -> BuildResult:
    from pages_roadmap import build

    now = now_in(site.timezone)
    today = args.today or now.date()
    files = site.pages() if args.paths is None else list(args.paths)
    # Stamps: "last updated" dates from git history, or `now` for staged pages (stamps/dating.py).
    stamps = None
    if not args.no_stamps:
        stamps = build.StampRun(now, staged=args.staged, allow_shallow=args.allow_shallow)
    return build.run(site, files, today, force=args.force, stamps=stamps)


def _print_diff(out: TextIO, rel: str, old: str, new: str) -> None:
    out.writelines(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"
        )
    )


def _chart_summary(target: Path, site: Site, changes: Sequence[Change]) -> None:
    from pages_roadmap.summary import changed_charts, render_charts

    charts = [c for ch in changes for c in changed_charts(site.rel(ch.path), ch.old, ch.new)]
    _append(target, render_charts(charts))


def _out_of_date(rel: str, old: str, new: str) -> Finding:
    """B106 at the first line `build` would change."""
    from pages_roadmap.findings import error

    before, after = old.splitlines(keepends=True), new.splitlines(keepends=True)
    pairs = enumerate(zip(before, after, strict=False), 1)
    line = next((n for n, (a, b) in pairs if a != b), min(len(before), len(after)) + 1)
    return error(
        rel, line, 1, "B106", "page is out of date", "run 'pages-roadmap build' to update it"
    )


def _preflight(args: argparse.Namespace, site: Site) -> None:
    """Refuse --commit before any page is written when it cannot work."""
    from pages_roadmap.git import commit

    if not args.commit:
        raise UsageError("--push needs --commit")
    if args.check or args.diff:
        raise UsageError("--commit cannot be combined with --check or --diff (they write nothing)")
    commit.preflight(site.root, push=args.push, inputs=[site.roadmaps_path])


def _commit(
    args: argparse.Namespace, site: Site, written: list[Path], out: TextIO, *, failed: bool
) -> int:
    """Commit (and push) exactly the files this run wrote: see git/commit.py."""
    import io

    from pages_roadmap.git import commit

    def rebuild() -> list[Path]:
        # The same build again (stamps included), its report discarded: git/commit.py calls it to
        # prove the pages hold nothing but generated output, and after pulling new data.
        again = argparse.Namespace(**{**vars(args), "commit": False, "push": False})
        return commit.files_written_by(site.root, lambda: _build(again, io.StringIO()))

    pages = {p.resolve() for p in (site.pages() if args.paths is None else args.paths)}
    # Pages regenerated by an earlier run but never committed (a plain `build`, or a
    # failed push) are picked up too, when they hold nothing but generated output.
    pending = [p for p in commit.modified_files(site.root) if p.resolve() in pages]
    result = commit.commit_and_push(
        site.root,
        written,
        push=args.push,
        rebuild=rebuild,
        also=pending,
        inputs=[site.roadmaps_path],
    )
    if result.sha is None:
        out.write("changed files: none (nothing to commit)\n")
    else:
        out.write("changed files:\n" + "".join(f"  {p}\n" for p in result.paths))
        out.write(f"commit-sha: {result.sha}\n")
    if result.upstream and result.sha:
        tries = f" (after {result.attempts} attempts)" if result.attempts > 1 else ""
        out.write(f"pushed to {result.upstream}{tries}\n")
    _github_output(result.paths, result.sha)
    return EXIT_FINDINGS if failed else EXIT_OK


def _github_output(paths: Sequence[str], sha: str | None) -> None:
    """Append the Action's outputs to $GITHUB_OUTPUT when it is set."""
    import os
    import uuid

    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        return
    # The multi-line form, with a delimiter no file name can contain by chance.
    end = f"EOF_{uuid.uuid4().hex}"
    listing = "".join(f"{p}\n" for p in paths)
    _append(Path(target), f"changed-files<<{end}\n{listing}{end}\ncommit-sha={sha or ''}\n")


def _import(args: argparse.Namespace, out: TextIO) -> int:
    """Import the gantt charts of one page: see importer/"""
    from pages_roadmap.files import write_atomic
    from pages_roadmap.findings import REPORTERS, has_errors, sort_key
    from pages_roadmap.importer import pages as importer
    from pages_roadmap.roadmap import ROADMAP_ID

    if args.roadmap_id is not None and not ROADMAP_ID.match(args.roadmap_id):
        raise UsageError(
            f"--id {args.roadmap_id!r} is not a plain roadmap id "
            "(lowercase letters, digits and hyphens)"
        )
    site = _site(args)
    today = args.today or today_in(site.timezone)
    result = importer.run(site, args.page, args.roadmap_id, force=args.force, today=today)
    findings = sorted(site.findings + result.findings, key=sort_key)
    failed = has_errors(findings)
    if args.dry_run:
        for data in result.files:
            out.write(f"# --- {site.rel(data.path)} (not written: --dry-run)\n{data.text}")
        if result.page is not None:
            _print_diff(out, site.rel(result.page.path), result.page.old, result.page.new)
    elif not failed and result.page is not None:
        # The data first: a page whose block names a missing roadmap would fail to build.
        for data in result.files:
            data.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(data.path, data.text)
            if args.format == "text":
                out.write(f"wrote {site.rel(data.path)}\n")
        if write_atomic(result.page.path, result.page.new) and args.format == "text":
            out.write(f"updated {site.rel(result.page.path)}\n")
    if findings or args.format == "json":
        out.write(REPORTERS[args.format](findings))
    return EXIT_FINDINGS if failed else EXIT_OK
