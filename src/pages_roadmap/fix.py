"""`check --fix`: mechanical, unambiguous edits to front matter values, applied surgically.

A check that knows the one right value proposes an `Edit`: the value's exact source text at
its line and column, and the text to write instead in the same quoting style. `apply` replaces
exactly those characters and refuses an edit whose source text is no longer there; every
other byte of the file (comments, quoting, order, newlines, BOM) stays.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pages_roadmap.reading import read_bytes
from pages_roadmap.yamlload import LoadError, load

if TYPE_CHECKING:
    from pages_roadmap.files import Change


@dataclass(frozen=True, order=True)
class Edit:
    """Replace `old` (the value's source text at line:col of the file) with `new`."""

    path: str
    line: int
    col: int
    old: str
    new: str
    why: str  # the codes it answers, e.g. "D104" or "V101+V102"


_PLAIN_END = re.compile(r"[ \t]+#|[ \t]*$")


def source_of(text: str, line: int, col: int) -> str | None:
    """The source text of the one-line scalar starting at line:col (quotes included), or None."""
    starts = [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]
    if not 1 <= line <= len(starts):
        return None
    begin = starts[line - 1]
    end = starts[line] if line < len(starts) else len(text)
    row = text[begin:end].rstrip("\r\n")[col - 1 :]
    if not row:
        return None
    quote = row[0]
    if quote == "'":
        m = re.match(r"'(?:[^']|'')*'", row)
        return m[0] if m else None
    if quote == '"':
        m = re.match(r'"(?:[^"\\]|\\.)*"', row)
        return m[0] if m else None
    if quote in "|>[{&*!":
        return None  # block scalars, collections, anchors and tags are never edited
    end_match = _PLAIN_END.search(row)
    return row[: end_match.start()] if end_match else row


def _reads_as(source: str) -> object:
    try:
        doc = load(f"k: {source}\n", "<fix>")
    except LoadError:
        return None
    return doc.data.get("k") if isinstance(doc.data, dict) else None


def written_as(source: str, value: str) -> str | None:
    """`value` written in the quoting style of `source`; None when that cannot be done safely."""
    if source.startswith("'"):
        new = "'" + value.replace("'", "''") + "'"
    elif source.startswith('"'):
        new = json.dumps(value, ensure_ascii=False)
    else:
        new = value
        if _reads_as(new) != value or new != new.strip() or "#" in new:
            new = json.dumps(value, ensure_ascii=False)
    return new if _reads_as(new) == value else None


def value_edit(
    text: str, path: str, line: int, col: int, current: str, wanted: str, why: str
) -> Edit | None:
    """The edit that turns the value at line:col from `current` into `wanted`, if it is safe."""
    source = source_of(text, line, col)
    # The source must read back as exactly the value the checks saw: a value over several
    # lines, or anything the line scan misreads, is left for a human.
    if source is None or _reads_as(source) != current:
        return None
    new = written_as(source, wanted)
    return Edit(path, line, col, source, new, why) if new is not None else None


def merge(edits: Iterable[Edit]) -> list[Edit]:
    """One edit per place; two different proposals for one value cancel out (ambiguous)."""
    by_place: dict[tuple[str, int, int], list[Edit]] = {}
    for edit in edits:
        by_place.setdefault((edit.path, edit.line, edit.col), []).append(edit)
    out = []
    for group in by_place.values():
        if len({(e.old, e.new) for e in group}) == 1:
            out.append(group[0])
    return sorted(out)


def apply(text: str, edits: Iterable[Edit]) -> tuple[str, list[Edit]]:
    """The text with the edits made, and the edits that were made (others no longer fit)."""
    starts = [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]
    done: list[Edit] = []
    out: list[str] = []
    pos = 0
    for edit in sorted(edits, key=lambda e: (e.line, e.col)):
        if edit.line > len(starts):
            continue
        at = starts[edit.line - 1] + edit.col - 1
        if at < pos or text[at : at + len(edit.old)] != edit.old:
            continue
        out += [text[pos:at], edit.new]
        pos = at + len(edit.old)
        done.append(edit)
    out.append(text[pos:])
    return "".join(out), done


def describe(edit: Edit) -> str:
    """`path:line:col: fixed CODE: old -> new`, as `check --fix` prints it."""
    return f"{edit.path}:{edit.line}:{edit.col}: fixed {edit.why}: {edit.old} -> {edit.new}"


def plan(root: Path, edits: Iterable[Edit]) -> list[tuple[Change, list[Edit]]]:
    """Each file's change (text before and after) and the edits made in it; nothing is written."""
    from pages_roadmap.files import Change

    by_path: dict[str, list[Edit]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    out = []
    for rel, group in sorted(by_path.items()):
        file = root / rel
        try:
            text = read_bytes(file, rel, root).decode("utf-8")
        except (LoadError, UnicodeDecodeError):
            continue
        new, done = apply(text, group)
        if done and new != text:
            out.append((Change(file, text, new), done))
    return out
