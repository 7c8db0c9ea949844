"""A small deterministic YAML writer for roadmap data: block style, stable keys, comments.

`yaml.dump` would do most of this, but it cannot write comments, sorts or keeps keys as it
finds them, and quotes ISO dates. Here every scalar is still quoted by PyYAML's own rules
(`yaml.safe_dump` of the single value), so what is written reads back as the same data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from pages_roadmap.schema import MODELINE
from pages_roadmap.yamlload import JsonPath

SCHEMA_LINE = MODELINE
INDENT = "  "
MAX_FLOW = 100  # a scalar list longer than this is written one item a line

# The README's order: what the chart is, how it is drawn, notes, then the sections; in an
# item the kind and name first, then when, then status and the free fields.
_ORDER = (
    "title",
    "description",
    "acc_title",
    "chart",
    "notes",
    "sections",
    "axis_format",
    "tick_interval",
    "excludes",
    "includes",
    "weekend",
    "weekday",
    "today_marker",
    "inclusive_end_dates",
    "display_mode",
    "top_axis",
    "auto_status",
    "name",
    "task",
    "milestone",
    "marker",
    "id",
    "start",
    "date",
    "after",
    "end",
    "duration",
    "until",
    "status",
    "crit",
    "owner",
    "link",
    "note",
    "items",
)
_RANK = {key: i for i, key in enumerate(_ORDER)}
# Values at these keys are ISO dates and are written unquoted (yamlload reads them as text);
# anywhere else a date-like string is quoted, so other YAML tools do not turn it into a date.
_DATE_KEYS = frozenset({"start", "end", "date", "excludes", "includes"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FLOW_ITEM = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
# Characters YAML also treats as line breaks; such strings are written with escapes.
_ODD_BREAKS = re.compile("[\r\x85\u2028\u2029]")
# What a literal block (`|`) may hold as it is; anything else needs a double-quoted string.
_TEXT = "\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
_PRINTABLE = re.compile(f"[{_TEXT}]")
_BLOCK_SAFE = re.compile(f"^[\t\n{_TEXT}]*$")


@dataclass(frozen=True)
class Comment:
    """`# ...` lines above a key or list item, and/or one comment at the end of its line."""

    before: tuple[str, ...] = ()
    after: str | None = None


Comments = Mapping[JsonPath, Comment]


def emit(
    data: Mapping[str, Any],
    comments: Comments | None = None,
    *,
    header: Sequence[str] = (),
    schema_line: bool = True,
) -> str:
    """The YAML text of `data` (a mapping), with `header` and `comments` as `#` lines."""
    lines: list[str] = []
    if schema_line:
        lines.append(f"# {SCHEMA_LINE}")
    lines += _comment_lines(header, "")
    _Writer(lines, comments or {}).mapping(data, (), 0)
    return "\n".join(lines) + "\n"


def _comment_lines(texts: Sequence[str], indent: str) -> list[str]:
    out = []
    for text in texts:
        for line in text.splitlines() or [""]:
            out.append(f"{indent}# {_comment_text(line)}".rstrip())
    return out


def _comment_text(text: str) -> str:
    # A comment is text too: YAML rejects control characters anywhere in the file.
    return "".join(c if _PRINTABLE.match(c) or c == "\t" else "?" for c in text)


def ordered(keys: Sequence[str]) -> list[str]:
    """Keys in the README's order; unknown keys after them, as given."""
    return sorted(keys, key=lambda k: (_RANK.get(k, len(_RANK)), keys.index(k)))


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.()/-]*[A-Za-z0-9)]|[A-Za-z]")
_RESOLVER = yaml.resolver.Resolver()


def _plain(value: str) -> bool:
    """A string PyYAML would write as it is: letters first, no indicator, read back as a str."""
    if not _PLAIN.fullmatch(value) or "  " in value:
        return False
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag == "tag:yaml.org,2002:str")


def scalar(value: Any, *, date_ok: bool = False) -> str:
    """One scalar as YAML text on one line (multi-line strings are handled by the caller)."""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        if date_ok and _ISO_DATE.match(value):
            return value
        if _plain(value):  # the common case, without a dump per scalar
            return value
        if _ODD_BREAKS.search(value) or "\n" in value:
            return double_quoted(value)
    text: str = yaml.safe_dump(value, allow_unicode=True, width=10**9, default_flow_style=True)
    if text.endswith("\n...\n"):
        text = text[: -len("\n...\n")]
    text = text.rstrip("\n")
    if "\n" in text:  # pragma: no cover - PyYAML folds only at line breaks, handled above
        return double_quoted(str(value))
    return text


def double_quoted(text: str) -> str:
    """A YAML double-quoted scalar; every character outside printable one-line text escaped."""
    out = []
    for char in text:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char != "\t" and _PRINTABLE.match(char):
            out.append(char)
        else:
            code = ord(char)
            out.append(
                f"\\x{code:02X}"
                if code < 0x100
                else f"\\u{code:04X}"
                if code < 0x10000
                else f"\\U{code:08X}"
            )
    return '"' + "".join(out) + '"'


class _Writer:
    def __init__(self, lines: list[str], comments: Comments) -> None:
        self.lines = lines
        self.comments = comments

    def _before(self, path: JsonPath, indent: int) -> None:
        comment = self.comments.get(path)
        if comment:
            self.lines += _comment_lines(comment.before, INDENT * indent)

    def _after(self, path: JsonPath) -> str:
        comment = self.comments.get(path)
        if not comment or not comment.after:
            return ""
        return "  # " + _comment_text(" ".join(comment.after.splitlines()))

    def mapping(self, data: Mapping[str, Any], path: JsonPath, indent: int, lead: str = "") -> None:
        """Write a mapping; `lead` is the `- ` prefix its first key shares with a list dash."""
        pad = INDENT * indent
        for n, key in enumerate(ordered(list(data))):
            child = (*path, key)
            prefix = lead if n == 0 and lead else pad
            if not (n == 0 and lead):
                self._before(child, indent)
            self.value(data[key], child, indent, f"{prefix}{scalar(key)}:", key)

    def value(self, value: Any, path: JsonPath, indent: int, head: str, key: Any) -> None:
        """Write `head` (`key:` or `-`) followed by `value`, inline or as a nested block."""
        date_ok = key in _DATE_KEYS
        if isinstance(value, Mapping) and value:
            self.lines.append(head + self._after(path))
            self.mapping(value, path, indent + 1)
        elif isinstance(value, (list, tuple)) and value:
            flow = self._flow(value, date_ok)
            if flow is not None and len(head) + len(flow) < MAX_FLOW:
                self.lines.append(f"{head} {flow}{self._after(path)}")
            else:
                self.lines.append(head + self._after(path))
                self.sequence(value, path, indent + 1, key)
        elif isinstance(value, str) and _literal_ok(value):
            self.lines.append(f"{head} {_block_header(value)}{self._after(path)}")
            pad = INDENT * (indent + 1)
            self.lines += [f"{pad}{line}" if line else "" for line in value.split("\n")[:-1]]
            last = value.split("\n")[-1]
            if last:
                self.lines.append(f"{pad}{last}")
        else:
            empty = "{}" if isinstance(value, Mapping) else "[]" if isinstance(value, list) else ""
            text = empty or scalar(value, date_ok=date_ok)
            self.lines.append(f"{head} {text}{self._after(path)}")

    def sequence(self, items: Sequence[Any], path: JsonPath, indent: int, key: Any) -> None:
        pad = INDENT * indent
        for i, item in enumerate(items):
            child = (*path, i)
            self._before(child, indent)
            if isinstance(item, Mapping) and item:
                first = ordered(list(item))[0]
                self._before((*child, first), indent)
                self.mapping(item, child, indent + 1, lead=f"{pad}- ")
            else:
                self.value(item, child, indent, f"{pad}-", key)

    @staticmethod
    def _flow(items: Sequence[Any], date_ok: bool) -> str | None:
        """`[a, b]` when every item is a short plain word, else None."""
        words = []
        for item in items:
            if not isinstance(item, str) or not _FLOW_ITEM.match(item):
                return None
            text = scalar(item, date_ok=date_ok)
            if text != item:
                return None
            words.append(text)
        return "[" + ", ".join(words) + "]"


def _literal_ok(text: str) -> bool:
    return "\n" in text and text.strip() != "" and bool(_BLOCK_SAFE.match(text))


def _block_header(text: str) -> str:
    """`|`, `|-` or `|+`, with an indentation indicator when the text starts with a space."""
    indicator = "2" if text[:1] in (" ", "\t") or text.startswith("\n") else ""
    if text.endswith("\n\n"):
        chomp = "+"
    elif text.endswith("\n"):
        chomp = ""
    else:
        chomp = "-"
    return f"|{indicator}{chomp}"
