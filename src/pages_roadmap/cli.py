"""Command line: argument parsing, and the one place that maps failures to exit codes.

Exit codes: 0 success; 1 findings (errors, or warnings with --strict) or out-of-date pages;
2 usage or environment error (bad arguments, unreadable site, broken schema); 3 internal error
(a bug: please report it); 130 interrupted.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pages_roadmap import __version__
from pages_roadmap.errors import Error, UsageError

if TYPE_CHECKING:
    from pages_roadmap.build import BuildResult, Rebuild
    from pages_roadmap.buildcache import BuildCache
    from pages_roadmap.files import Change
    from pages_roadmap.findings import Finding
    from pages_roadmap.fix import Edit
    from pages_roadmap.importer.pages import ImportResult
    from pages_roadmap.site import Site
    from pages_roadmap.stamps.dating import HistoryReads, StampRun

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


ROOT_HELP = "the site's folder (default: the nearest folder with _config.yml, up to the git top)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pages-roadmap",
        description="Roadmaps as data for Jekyll sites: validate, regenerate Mermaid gantt blocks, "
        "stamp 'last updated' dates from git.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    output = argparse.ArgumentParser(add_help=False)
    talk = output.add_mutually_exclusive_group()
    talk.add_argument("-q", "--quiet", action="store_true", help="no closing summary line")
    talk.add_argument("-v", "--verbose", action="store_true", help="say what happened to each file")
    # The commands that report findings, in the format a reader (or the Action) takes.
    reported = argparse.ArgumentParser(add_help=False, parents=[output])
    reported.add_argument("--format", choices=("text", "json", "github"), default="text")
    common = argparse.ArgumentParser(add_help=False, parents=[reported])
    common.add_argument("--root", type=Path, help=ROOT_HELP)
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
    check.add_argument("--strict", action="store_true", help="warnings fail the run too")
    check.add_argument(
        "--fix",
        action="store_true",
        help="make the mechanical, unambiguous fixes (day-first dates, trailing spaces, the "
        "site's vocabulary, a parent's letter case), then check again",
    )
    check.add_argument(
        "--diff", action="store_true", help="with --fix: print the fixes as a diff; write nothing"
    )
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
        "import",
        parents=[reported],
        help="turn the hand-written gantt charts of a page into roadmap data",
    )
    imp.add_argument("--root", type=Path, help=ROOT_HELP)
    imp.add_argument(
        "pages", nargs="+", type=Path, metavar="PAGE", help="pages, or folders of pages"
    )
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

    adopt = sub.add_parser(
        "adopt",
        parents=[reported],
        help="adopt an existing site in one run: import every chart, stamps, automation",
    )
    adopt.add_argument(
        "--root", type=Path, help="the site's folder (default: as for check and build)"
    )
    adopt.add_argument(
        "--dry-run", action="store_true", help="print every file's diff; write nothing"
    )
    adopt.add_argument(
        "--no-commit", action="store_true", help="leave the changes uncommitted for review"
    )
    adopt.add_argument("--no-workflow", action="store_true", help="add no GitHub workflow")
    adopt.add_argument(
        "--no-hooks", action="store_true", help="leave .pre-commit-config.yaml alone"
    )
    adopt.add_argument("--today", type=_iso_day, metavar="YYYY-MM-DD")

    schema = sub.add_parser(
        "schema",
        parents=[reported],
        help="write the roadmap schema where editors find it (the roadmaps' modeline)",
    )
    schema.add_argument("--root", type=Path, help=ROOT_HELP)

    pre = sub.add_parser(
        "preview",
        parents=[output],
        help="draw a roadmap's chart: in the terminal, or to a file",
    )
    pre.add_argument("--root", type=Path, help=ROOT_HELP)
    pre.add_argument("page", type=Path, metavar="ROADMAP_OR_PAGE")
    pre.add_argument("--text", action="store_true", help="draw it in the terminal (the default)")
    pre.add_argument("-o", "--output", type=Path, metavar="FILE", help="write .png, .svg or .html")
    pre.add_argument("--width", type=int, help="terminal columns (default: the terminal's)")
    pre.add_argument("--today", type=_iso_day, metavar="YYYY-MM-DD")
    pre.add_argument("--mermaid", type=Path, metavar="FILE", help="Mermaid's mermaid.min.js")
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
        if args.command == "adopt":
            return _adopt(args, out)
        if args.command == "schema":
            return _schema(args, out)
        if args.command == "preview":
            return _preview(args, out)
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
    """The site, and `args.paths` made the files to process (None: the whole site)."""
    from pages_roadmap.site import find_root, load_site

    named = [*(getattr(args, "paths", None) or []), *(getattr(args, "pages", None) or [])]
    for path in named:
        if not path.exists():
            raise UsageError(f"{path}: no such file")
    if args.root:
        root = args.root
    else:
        starts = [p.resolve() if p.is_dir() else p.resolve().parent for p in named]
        root = find_root(Path(os.path.commonpath(starts)) if starts else Path.cwd())
    site = load_site(root)
    args.skipped = []  # (path, why): named files the run leaves alone, said with -v
    for path in named:  # the path rule: nothing outside the site is read or written
        site.inside_or_refuse(path, "PATH")
    if getattr(args, "paths", None):
        args.paths = _expand(site, args.paths, args.skipped)
    elif hasattr(args, "paths"):
        args.paths = None
    return site


def _expand(site: Site, paths: Sequence[Path], skipped: list[tuple[Path, str]]) -> list[Path]:
    """The files named that the site publishes, each folder standing for its pages and roadmaps.

    A Markdown file Jekyll leaves out (`exclude:`, `_folders`, dot files) is skipped, as ruff's
    --force-exclude does for pre-commit; any other file that is neither a page nor a roadmap is
    skipped with a note.
    """
    files: list[Path] = []
    everything: list[Path] | None = None
    for path in paths:
        if path.is_dir():
            if everything is None:
                everything = site.roadmap_files() + site.pages()
            folder = path.resolve()
            files += [f for f in everything if Path(site.resolved(f)).is_relative_to(folder)]
        elif site.is_roadmap_file(path) or site.is_page(path):
            files.append(path)
        elif path.name.endswith((".md", ".markdown")):
            skipped.append((path, "not published by Jekyll (exclude:, or Jekyll's own rules)"))
        else:
            skipped.append((path, "neither a page nor a roadmap file of this site"))
    return list(dict.fromkeys(files))


def _display(site: Site, findings: Sequence[Finding]) -> list[Finding]:
    """Findings with paths a user can open: relative to the working directory.

    When the site lies inside the working directory (a workflow at the repository top running
    `--root docs`), or the working directory inside the site, paths are relative to the
    working directory, so GitHub annotations land on the pull request's files; a site elsewhere
    keeps site-relative paths.
    """
    from dataclasses import replace

    prefix = _display_base(site)
    if prefix is None:
        return list(findings)
    return [replace(f, path=os.path.relpath(site.root / f.path, prefix)) for f in findings]


def _display_base(site: Site) -> Path | None:
    return _base(site.real_dir(os.getcwd()), str(site.real_root))  # noqa: PTH109 (a string)


@lru_cache(maxsize=8)
def _base(real_cwd: str, real_root: str) -> Path | None:
    cwd, root = Path(real_cwd), Path(real_root)
    if cwd == root or not (root.is_relative_to(cwd) or cwd.is_relative_to(root)):
        return None
    return cwd


def _shown(site: Site, path: Path) -> str:
    """A file's path as findings show it."""
    return _shown_from(_display_base(site), site, path)


def _shown_from(base: Path | None, site: Site, path: Path) -> str:
    return os.path.relpath(site.resolved(path), base) if base else site.rel(path)


def _skip_notes(args: argparse.Namespace, site: Site) -> list[Finding]:
    """A note for each named file that is not a page or roadmap (silence would hide a typo)."""
    from pages_roadmap.findings import note

    return [
        note(site.rel(path), 1, 1, "F104", f"not checked: {why}", "")
        for path, why in args.skipped
        if not path.name.endswith((".md", ".markdown"))
    ]


def _talk(
    args: argparse.Namespace,
    site: Site,
    out: TextIO,
    lines: Callable[[], Sequence[tuple[str, str]]],
) -> None:
    """With -v (text output): one line per file and what happened to it."""
    if args.verbose and args.format == "text":
        for path, what in [*((_shown(site, p), w) for p, w in args.skipped), *lines()]:
            out.write(f"{path}: {what}\n")


def _append(target: Path, text: str) -> None:
    """Append a report to a file such as $GITHUB_STEP_SUMMARY."""
    try:
        with target.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror}") from None


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from pages_roadmap import check
    from pages_roadmap.findings import (
        REPORTERS,
        Report,
        counts,
        has_errors,
        render_summary,
        sort_key,
    )

    if args.diff and not args.fix:
        raise UsageError("--diff goes with --fix (check never writes without --fix)")
    site = _site(args)
    today = today_in(site.timezone)
    report = check.inspect(site, args.paths, today=today)
    changed = _fix(args, site, report.edits, out) if args.fix else False
    if changed and not args.diff:
        report = check.inspect(site, args.paths, today=today)  # what is left for a human
    roadmaps, pages = report.roadmaps, report.pages
    findings = sorted(_display(site, report.findings + _skip_notes(args, site)), key=sort_key)
    _talk(args, site, out, lambda: [(_shown(site, f), "checked") for f in [*roadmaps, *pages]])
    line = (
        f"checked {_n(len(roadmaps), 'roadmap')} and {_n(len(pages), 'page')}: {counts(findings)}"
    )
    results = {"checked": {"roadmaps": len(roadmaps), "pages": len(pages)}}
    summary = Report("check", findings, "" if args.quiet else line, results)
    out.write(REPORTERS[args.format](summary))
    if args.summary:
        _append(args.summary, "## pages-roadmap check\n\n" + render_summary(findings))
    failed = has_errors(findings, strict=args.strict)
    return EXIT_FINDINGS if failed or (args.diff and changed) else EXIT_OK


def _fix(args: argparse.Namespace, site: Site, edits: Sequence[Edit], out: TextIO) -> bool:
    """`check --fix`: make (or with --diff, show) the mechanical fixes; True if any."""
    from pages_roadmap.files import write_atomic
    from pages_roadmap.fix import describe, plan

    changes = plan(site.root, edits)
    for change, done in changes:
        if args.format == "text":  # json and github output stay machine-readable
            out.writelines(describe(e) + "\n" for e in done)
            if args.diff:
                _print_diff(out, site.rel(change.path), change.old, change.new)
        if not args.diff:
            write_atomic(change.path, change.new, change.old.encode("utf-8"))
    return bool(changes)


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _preview(args: argparse.Namespace, out: TextIO) -> int:
    import shutil

    from pages_roadmap import preview
    from pages_roadmap.findings import Report, render_text
    from pages_roadmap.mermaid import render as gantt

    site = _site(args)
    today = args.today or today_in(site.timezone)
    try:  # PreviewError is an Error: cli.main reports it (exit 2)
        roadmaps, findings = preview.targets(site, args.page)
        if any(f.is_error for f in findings):
            out.write(render_text(Report("preview", findings)))
            return EXIT_FINDINGS
        if args.text or not args.output:
            width = args.width or shutil.get_terminal_size((100, 24)).columns
            out.write("\n".join(preview.text_view(r, today, width) for r in roadmaps))
        if args.output:
            charts = [gantt.render(r, today) for r in roadmaps]
            for path in preview.render(charts, args.output, site.root, args.mermaid, today=today):
                out.write(f"wrote {path}\n")
    except preview.DrawError as exc:
        out.write(f"{args.page}: {exc}\n")
        return EXIT_FINDINGS
    return EXIT_OK


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
    from pages_roadmap.findings import has_errors, sort_key

    site = _site(args)
    if args.commit or args.push:
        _preflight(args, site)
    if has_errors(site.findings):  # a broken _config.yml: its settings are unknown, write nothing
        found = sorted(_display(site, site.findings), key=sort_key)
        _report(args, out, found, "nothing built: _config.yml has errors", {"written": []})
        return EXIT_FINDINGS
    from pages_roadmap.stamps.dating import begin_history

    stamps = _stamp_run(args, site)
    # git starts on history now, on another core, while the build loads, lists and reads.
    history = begin_history(site, stamps) if _may_date(args, site) else None
    try:
        return _build_with(args, out, site, stamps, history)
    finally:
        if history is not None:
            history.close()


def _build_with(
    args: argparse.Namespace,
    out: TextIO,
    site: Site,
    stamps: StampRun | None,
    history: HistoryReads | None,
) -> int:
    from pages_roadmap import build
    from pages_roadmap.findings import has_errors, sort_key

    again = _rebuild_of(args, site, stamps)
    files = site.pages() if again.files is None else again.files
    cache = _build_cache(args, site, again)
    result = build.run(
        site,
        files,
        again.today,
        force=again.force,
        stamps=again.stamps,
        cache=cache,
        history=history,
    )
    written: list[Path] = []
    if not (args.check or args.diff):
        # A page changed since it was read is left alone, with a finding (F102).
        written = build.write(site, result)
    changes = result.changes if args.check else []
    stale = [_out_of_date(site.rel(c.path), c.old, c.new) for c in changes]
    found = site.findings + result.findings + stale
    findings = sorted(_display(site, found + _skip_notes(args, site)), key=sort_key)
    failed = has_errors(findings)
    if args.summary:
        _chart_summary(args.summary, site, result.changes)
    _talk(args, site, out, lambda: [(_shown(site, site.root / r), w) for r, w in result.notes])
    if args.diff or args.check:
        if args.diff:
            for change in result.changes:
                _print_diff(out, site.rel(change.path), change.old, change.new)
        line = f"{_n(len(result.changes), 'page')} out of date; {_up_to_date(result)}"
        _report(args, out, findings, line, {"out_of_date": _paths(site, result.changes)})
        stale_fails = args.diff and bool(result.changes)
        return EXIT_FINDINGS if failed or stale_fails else EXIT_OK
    if cache is not None:
        cache.save()  # after the pages: a killed run never remembers a page it lost
    written_paths = set(written)
    done = [c for c in result.changes if c.path in written_paths]
    shown = _paths(site, done)
    lines = [f"updated {path}" for path in shown]
    results: dict[str, object] = {"written": shown}
    if args.commit:
        results["commit"], committed = _commit(args, site, again, written)
        lines += committed
    _report(args, out, findings, _build_line(result, done), results, lines)
    return EXIT_FINDINGS if failed else EXIT_OK


def _report(
    args: argparse.Namespace,
    out: TextIO,
    findings: Sequence[Finding],
    line: str,
    results: Mapping[str, object],
    lines: Sequence[str] = (),
    *,
    shown: Sequence[Finding] | None = None,
) -> None:
    """Findings (`shown`: only those), what was done (text output) and the closing line counting
    all findings, or one json document."""
    from pages_roadmap.findings import REPORTERS, Report, counts

    summary = "" if args.quiet else f"{line}: {counts(findings)}" if findings else line
    listed = findings if shown is None else shown
    report = Report(args.command, listed, summary, results, lines)
    out.write(REPORTERS[args.format](report))


def _paths(site: Site, changes: Sequence[Change]) -> list[str]:
    base = _display_base(site)  # once: it asks for the working directory
    return [_shown_from(base, site, c.path) for c in changes]


def _up_to_date(result: BuildResult) -> str:
    text = f"{_n(result.pages - len(result.changes) - result.blocked, 'page')} up to date"
    return text + (f"; {_n(result.blocked, 'page')} left as it was" if result.blocked else "")


def _build_line(result: BuildResult, written: Sequence[Change]) -> str:
    """`2 charts and 5 stamps updated in 6 pages; 35 pages up to date`."""
    if not written:
        return f"nothing to update; {_up_to_date(result)}"
    what = [_n(result.charts, "chart")] if result.charts else []
    what += [_n(result.stamped, "stamp")] if result.stamped or not what else []
    return f"{' and '.join(what)} updated in {_n(len(written), 'page')}; {_up_to_date(result)}"


def _stamp_run(args: argparse.Namespace, site: Site) -> StampRun | None:
    """Stamps: "last updated" dates from git history, or `now` for staged pages
    (stamps/dating.py); None with --no-stamps."""
    from pages_roadmap.stamps.dating import StampRun

    if args.no_stamps:
        return None
    now = now_in(site.timezone)
    return StampRun(now, staged=args.staged, allow_shallow=args.allow_shallow)


def _may_date(args: argparse.Namespace, site: Site) -> bool:
    """Whether the build is likely to date pages from history, so that git should start at
    once: a whole-site build without a build cache of an earlier run (a first build, a fresh
    clone). Otherwise git starts when the first page needs a date."""
    from pages_roadmap.buildcache import cache_file

    if args.paths is not None or args.check or args.diff:
        return False
    file = cache_file(site.root)
    return file is None or not file.exists()


def _rebuild_of(args: argparse.Namespace, site: Site, stamps: StampRun | None) -> Rebuild:
    """The build the command line asks for, as values the commit step can run again."""
    from pages_roadmap import build

    staged = _staged_files(site) if args.staged and args.paths is None else None
    files = staged if staged is not None else None if args.paths is None else list(args.paths)
    today = args.today or (stamps.now.date() if stamps else today_in(site.timezone))
    return build.Rebuild(site, files, today, args.force, stamps)


def _build_cache(args: argparse.Namespace, site: Site, again: Rebuild) -> BuildCache | None:
    """The build cache of a run that writes (see buildcache.py); None for --check and --diff."""
    from pages_roadmap.buildcache import BuildCache

    if args.check or args.diff:
        return None
    overrides = [site.schema_override("roadmap"), site.schema_override("page")]
    return BuildCache.for_site(site.root, overrides, stamps=again.stamps is not None)


def _staged_files(site: Site) -> list[Path] | None:
    """`build --staged`: the staged pages and roadmap files (build adds the pages embedding
    those roadmaps); None outside a git repository, where the whole site is built."""
    from pages_roadmap.git.history import HistoryError, repo_toplevel, staged_paths

    top = repo_toplevel(site.root)
    if top is None:
        return None
    try:
        staged = staged_paths(top)
    except HistoryError:
        return None
    files = [top / p for p in sorted(staged)]
    return [f for f in files if site.is_page(f) or site.is_roadmap_file(f)]


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
    args: argparse.Namespace, site: Site, again: Rebuild, written: list[Path]
) -> tuple[dict[str, object], list[str]]:
    """Commit (and push) exactly the files this run wrote: see git/commit.py."""
    from pages_roadmap.git import commit

    pages = {p.resolve() for p in (site.pages() if args.paths is None else args.paths)}
    # Pages regenerated by an earlier run but never committed (a plain `build`, or a
    # failed push) are picked up too, when they hold nothing but generated output.
    pending = [p for p in commit.modified_files(site.root) if p.resolve() in pages]
    result = commit.commit_and_push(
        site.root,
        written,
        push=args.push,
        build=again,
        also=pending,
        inputs=[site.roadmaps_path],
    )
    if result.sha is None:
        lines = ["changed files: none (nothing to commit)"]
    else:
        lines = ["changed files:", *(f"  {p}" for p in result.paths), f"commit-sha: {result.sha}"]
    if result.upstream and result.sha:
        tries = f" (after {result.attempts} attempts)" if result.attempts > 1 else ""
        lines.append(f"pushed to {result.upstream}{tries}")
    _github_output(result.paths, result.sha)
    pushed = result.upstream if result.sha else None
    document: dict[str, object] = {
        "sha": result.sha,
        "paths": list(result.paths),
        "pushed_to": pushed,
        "push_attempts": result.attempts,
    }
    return document, lines


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


def _schema(args: argparse.Namespace, out: TextIO) -> int:
    """Write the editor schema into the roadmaps folder (see schema.EDITOR_SCHEMA)."""
    site = _site(args)
    written = _write_editor_schema(site)
    line = f"wrote {written}" if written else "the editor schema is up to date"
    _report(args, out, [], line, {"written": [written] if written else []})
    return EXIT_OK


def _write_editor_schema(site: Site) -> str | None:
    """The editor schema's path when this wrote it; None when it was already current."""
    from pages_roadmap.files import write_atomic
    from pages_roadmap.schema import EDITOR_SCHEMA, editor_schema_text

    target = site.roadmaps_path / EDITOR_SCHEMA
    target.parent.mkdir(parents=True, exist_ok=True)
    text = editor_schema_text(site.schema_override("roadmap"))
    try:
        old: bytes | None = target.read_bytes()
    except FileNotFoundError:
        old = None
    except OSError as exc:
        raise UsageError(f"cannot read {_shown(site, target)}: {exc.strerror}") from None
    return _shown(site, target) if write_atomic(target, text, old) else None


def _import(args: argparse.Namespace, out: TextIO) -> int:
    """Import the gantt charts of pages: see importer/"""
    from pages_roadmap.findings import has_errors, sort_key
    from pages_roadmap.importer import pages as importer
    from pages_roadmap.roadmap import ROADMAP_ID

    if args.roadmap_id is not None and not ROADMAP_ID.match(args.roadmap_id):
        raise UsageError(
            f"--id {args.roadmap_id!r} is not a plain roadmap id "
            "(lowercase letters, digits and hyphens)"
        )
    site = _site(args)
    pages, named = _import_pages(site, args.pages)
    if args.roadmap_id is not None and len(pages) != 1:
        raise UsageError("--id names the roadmap of one page; give exactly one PAGE with it")
    today = args.today or today_in(site.timezone)
    ids = importer.SiteIds.of(site)
    bases = importer.base_ids(site, pages)
    found: list[Finding] = list(site.findings)
    written: list[str] = []
    lines: list[str] = []
    imported = charts = managed = 0
    for page in pages:
        result = importer.run(
            site, page, args.roadmap_id, force=args.force, today=today, ids=ids, base=bases[page]
        )
        # A page of a folder with no chart at all is simply not one to import.
        quiet = page not in named and all(f.code == "I101" for f in result.findings)
        if quiet and not result.files and not result.managed:
            continue
        found += result.findings
        managed += result.managed
        if has_errors(result.findings) or result.page is None:
            continue
        imported += 1
        charts += len(result.files)
        if args.dry_run:
            for data in result.files:
                out.write(f"# --- {site.rel(data.path)} (not written: --dry-run)\n{data.text}")
            _print_diff(out, site.rel(result.page.path), result.page.old, result.page.new)
        else:
            done, refused = _write_import(site, result, written)
            lines += done
            found += refused
    if imported and not args.dry_run:
        schema = _write_editor_schema(site)  # the modeline of the new data must resolve
        if schema:
            written.append(schema)
            lines.append(f"wrote {schema}")
    findings = sorted(_display(site, found), key=sort_key)
    one = _shown(site, pages[0]) if len(pages) == 1 else None
    if not imported:
        line = f"nothing imported from {one or _n(len(pages), 'page')}"
    else:
        what = one or _n(imported, "page")
        dry = " would be" if args.dry_run else ""
        line = f"{_n(charts, 'chart')}{dry} imported from {what}" + (
            " (--dry-run)" if args.dry_run else ""
        )
    if managed:
        line += f"; {_n(managed, 'page')} already managed"
    _report(args, out, findings, line, {"written": written}, lines)
    return EXIT_FINDINGS if has_errors(found) else EXIT_OK


def _write_import(
    site: Site, result: ImportResult, written: list[str]
) -> tuple[list[str], list[Finding]]:
    """Write one page's import: the data first (a block naming a missing roadmap would fail),
    each file only if unchanged since the import read it (importer.write)."""
    from pages_roadmap.importer import pages as importer

    data_written, page_written, refused = importer.write(site, result)
    lines = []
    for path in data_written:
        written.append(_shown(site, path))
        lines.append(f"wrote {written[-1]}")
    if page_written and result.page is not None:
        written.append(_shown(site, result.page.path))
        lines.append(f"updated {written[-1]}")
    return lines, refused


def _import_pages(site: Site, given: Sequence[Path]) -> tuple[list[Path], set[Path]]:
    """The pages to import, folders standing for their pages; and the pages named themselves."""
    pages: list[Path] = []
    named: set[Path] = set()
    everything: list[Path] | None = None
    for path in given:
        if path.is_dir():
            if everything is None:
                everything = site.pages()
            folder = path.resolve()
            pages += [f for f in everything if f.resolve().is_relative_to(folder)]
        else:
            pages.append(path)
            named.add(path)
    unique = list(dict.fromkeys(pages))
    if not unique:
        raise UsageError(f"{given[0]}: no pages in this folder")
    return unique, named


def _adopt(args: argparse.Namespace, out: TextIO) -> int:
    """Adopt an existing site in one run: see adopt.py."""
    import io

    from pages_roadmap import adopt
    from pages_roadmap.findings import has_errors, sort_key
    from pages_roadmap.git import commit
    from pages_roadmap.site import load_site

    site = _site(args)
    top = commit.adoption_preflight(site.root)
    now = now_in(site.timezone)
    today = args.today or now.date()
    options = {"workflow": not args.no_workflow, "hooks": not args.no_hooks}
    diffs = None
    if args.dry_run:
        with commit.scratch_worktree(top) as tree:
            inner = tree / site.root.resolve().relative_to(top.resolve())
            scratch = load_site(inner)
            done = adopt.adopt(scratch, tree, today, now, **options)
            diffs = io.StringIO()
            for path, change in sorted(done.changes.items()):
                rel = path.relative_to(tree).as_posix()
                _print_diff(diffs, rel, change.old, change.new)
            files = [p.relative_to(tree) for p in done.changes]
    else:
        done = adopt.adopt(site, top, today, now, **options)
        files = [p.resolve().relative_to(top.resolve()) for p in done.changes]
    findings = sorted(_display(site, site.findings + done.findings), key=sort_key)
    results: dict[str, object] = {
        "pages": done.pages,
        "charts": done.charts,
        "stamped": done.stamped,
        "files": [f.as_posix() for f in sorted(files)],
        "left_as_they_were": done.left,
        "commit": None,
    }
    if diffs is not None:
        if args.format == "text":
            out.write(diffs.getvalue())
        else:  # one JSON document: the diffs are one of its fields
            results["diff"] = diffs.getvalue()
    lines = [f"- {step}" for step in done.did]
    if done.left:
        lines.append(f"left as they were (errors): {', '.join(done.left)}")
    if not done.changes:
        line = "the site is adopted: nothing to change"
    elif args.dry_run:
        line = f"adopt would change {_n(len(files), 'file')} (--dry-run: nothing written)"
    elif args.no_commit:
        line = f"adopted: {_n(len(files), 'file')} changed, not committed (--no-commit)"
    else:
        sha = commit.commit_adoption(
            top, list(done.changes), "pages-roadmap: adopt the site", "\n".join(lines)
        )
        results["commit"] = sha
        line = f"adopted in one commit {sha[:12]}: {_n(len(files), 'file')}"
    added = [p for p in done.changes if done.changes[p].old == ""]
    line += (
        f"; {_n(done.charts, 'chart')} from {_n(done.pages, 'page')}, "
        f"{_n(done.stamped, 'page')} stamped, {_n(len(added), 'file')} added"
        if done.changes
        else ""
    )
    shown = findings if (args.verbose or args.format != "text") else []
    if findings and not shown:
        lines += ["findings (all of them with -v or --format json):", *adopt.by_code(findings)]
    _report(args, out, findings, line, results, lines, shown=shown)
    return EXIT_FINDINGS if has_errors(findings) else EXIT_OK
