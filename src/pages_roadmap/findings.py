"""Findings: the one type every check reports, and the reporters that render it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import Enum

# The JSON document's layout; it only goes up, when a field changes meaning or goes away.
JSON_VERSION = 1


class Severity(str, Enum):
    ERROR = "error"  # the site breaks or silently shows something else: the run fails
    WARNING = "warning"  # read as meant, but fragile: fails only with --strict
    NOTE = "note"  # worth knowing, never a failure


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place: `path:line:col: CODE message`, plus a hint how to fix it."""

    path: str
    line: int
    col: int
    code: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def error(path: str, line: int, col: int, code: str, message: str, hint: str = "") -> Finding:
    return Finding(path, line, col, code, message, hint, Severity.ERROR)


def warning(path: str, line: int, col: int, code: str, message: str, hint: str = "") -> Finding:
    return Finding(path, line, col, code, message, hint, Severity.WARNING)


def note(path: str, line: int, col: int, code: str, message: str, hint: str = "") -> Finding:
    return Finding(path, line, col, code, message, hint, Severity.NOTE)


def sort_key(f: Finding) -> tuple[str, int, int, str]:
    return (f.path, f.line, f.col, f.code)


def has_errors(findings: Iterable[Finding], *, strict: bool = False) -> bool:
    """True when the findings should fail a run (warnings too, with `strict`)."""
    return any(f.is_error or (strict and f.severity is Severity.WARNING) for f in findings)


def format_text(f: Finding) -> str:
    """`path:line:col: CODE message` and, indented below it, the hint."""
    label = "" if f.is_error else f"{f.severity.value}: "
    head = f"{f.path}:{f.line}:{f.col}: {f.code} {label}{f.message}"
    return f"{head}\n    hint: {f.hint}" if f.hint else head


def counts(findings: Iterable[Finding]) -> str:
    """`0 errors, 3 warnings` (and notes, when there are any)."""
    found = list(findings)
    n = {s: sum(1 for f in found if f.severity is s) for s in Severity}

    def plural(k: int, word: str) -> str:
        return f"{k} {word}" if k == 1 else f"{k} {word}s"

    parts = [plural(n[Severity.ERROR], "error"), plural(n[Severity.WARNING], "warning")]
    if n[Severity.NOTE]:
        parts.append(plural(n[Severity.NOTE], "note"))
    return ", ".join(parts)


@dataclass(frozen=True)
class Report:
    """What a command tells at the end: its findings, its closing line, and (json) its results."""

    command: str
    findings: Sequence[Finding]
    summary: str = ""  # the closing line, e.g. "checked 2 roadmaps and 41 pages: 0 errors, ..."
    results: Mapping[str, object] = field(default_factory=dict)  # extra fields of the json
    lines: Sequence[str] = ()  # what was done ("updated p.md"), text only: after the findings


def render_text(report: Report) -> str:
    lines = [format_text(f) for f in report.findings]
    lines += report.lines
    if report.summary:
        lines.append(report.summary)
    return "\n".join(lines) + ("\n" if lines else "")


def render_json(report: Report) -> str:
    """One JSON document: version, command, findings, the closing line and the results."""
    rows = []
    for f in report.findings:
        row = asdict(f)
        row["severity"] = f.severity.value
        rows.append(row)
    doc = {
        "version": JSON_VERSION,
        "command": report.command,
        "findings": rows,
        "summary": report.summary,
        **report.results,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _escape_data(text: str) -> str:
    # GitHub workflow commands: the message part needs %, CR and LF escaped.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # Property values additionally end at ',' and '::'.
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(f: Finding) -> str:
    """A `::error file=...,line=...,col=...,title=CODE::message` workflow command."""
    kind = {"error": "error", "warning": "warning", "note": "notice"}[f.severity.value]
    props = ",".join(
        [
            f"file={_escape_property(f.path)}",
            f"line={f.line}",
            f"col={f.col}",
            f"title={_escape_property(f.code)}",
        ]
    )
    message = f"{f.message} (hint: {f.hint})" if f.hint else f.message
    return f"::{kind} {props}::{_escape_data(message)}"


def render_github(report: Report, token: str | None = None) -> str:
    """Annotations, then the full text list: GitHub shows only 10 annotations per step.

    The text list holds file names and values from the repository, which a pull request
    controls: a line of it starting with '::' would be a workflow command. It is printed
    between `::stop-commands::TOKEN` and `::TOKEN::`, with a token no pull request can guess.
    """
    import secrets

    out = [format_github(f) for f in report.findings]
    text = render_text(report)
    if not text:
        return "\n".join(out) + ("\n" if out else "")
    token = token or secrets.token_hex(16)
    head = "\n".join([*out, f"::stop-commands::{token}"]) + "\n"
    return f"{head}{text}::{token}::\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_summary(findings: Sequence[Finding]) -> str:
    """A Markdown table for `$GITHUB_STEP_SUMMARY`."""
    if not findings:
        return "No findings.\n"
    rows = ["| where | code | severity | message | how to fix |", "|---|---|---|---|---|"]
    for f in findings:
        where = f"`{_md_cell(f.path)}:{f.line}:{f.col}`"
        rows.append(
            f"| {where} | {f.code} | {f.severity.value} | {_md_cell(f.message)} | "
            f"{_md_cell(f.hint)} |"
        )
    return "\n".join(rows) + "\n"


REPORTERS = {"text": render_text, "json": render_json, "github": render_github}
