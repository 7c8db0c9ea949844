"""Findings: the one type every check reports, and the reporters that render it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


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


def sort_key(f: Finding) -> tuple[str, int, int, str]:
    return (f.path, f.line, f.col, f.code)


def has_errors(findings: Iterable[Finding], *, strict: bool = False) -> bool:
    """True when the findings should fail a run (warnings too, with `strict`)."""
    return any(f.is_error or strict for f in findings)


def format_text(f: Finding) -> str:
    """`path:line:col: CODE message` and, indented below it, the hint."""
    label = "" if f.is_error else "warning: "
    head = f"{f.path}:{f.line}:{f.col}: {f.code} {label}{f.message}"
    return f"{head}\n    hint: {f.hint}" if f.hint else head


def render_text(findings: Sequence[Finding]) -> str:
    lines = [format_text(f) for f in findings]
    errors = sum(1 for f in findings if f.is_error)
    warnings = len(findings) - errors
    if findings:
        lines.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(lines) + ("\n" if lines else "")


def render_json(findings: Sequence[Finding]) -> str:
    rows = []
    for f in findings:
        row = asdict(f)
        row["severity"] = f.severity.value
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def _escape_data(text: str) -> str:
    # GitHub workflow commands: the message part needs %, CR and LF escaped.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # Property values additionally end at ',' and '::'.
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(f: Finding) -> str:
    """A `::error file=...,line=...,col=...,title=CODE::message` workflow command."""
    kind = "error" if f.is_error else "warning"
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


def render_github(findings: Sequence[Finding], token: str | None = None) -> str:
    """Annotations, then the full text list: GitHub shows only 10 annotations per step.

    The text list holds file names and values from the repository, which a pull request
    controls: a line of it starting with '::' would be a workflow command. It is printed
    between `::stop-commands::TOKEN` and `::TOKEN::`, with a token no pull request can guess.
    """
    import secrets

    out = [format_github(f) for f in findings]
    text = render_text(findings)
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
