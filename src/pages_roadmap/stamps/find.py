"""Finding stamps in a page (markdown-it) and its front matter date key line (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import cache
from typing import TYPE_CHECKING, Any

from pages_roadmap.findings import Finding, error, warning
from pages_roadmap.page import PageText, blocks, line_starts
from pages_roadmap.yamlload import LoadError, load

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

# --- finding stamps ----------------------------------------------------------------------------

# Linear on hostile lines: the format is one greedy run that cannot contain '-->' or '<' (it is
# stripped afterwards), so a long run of spaces without '-->' is scanned once, not once per
# split between the spaces around it (that was cubic: 10,000 spaces took minutes).
_FMT = r"(?:(?!-->)[^\n<])*"
PAIR_RE = re.compile(
    rf"<!--[ \t]*pages-roadmap:stamp(?=[ \t]|-->)(?P<fmt>{_FMT})-->"
    r"(?P<text>[^<\n]*)"
    r"<!--[ \t]*/pages-roadmap:stamp[ \t]*-->"
)
# Liquid's build-time stamps: {{ site.time | date: FMT }} and {{ "now" | date: FMT }}, with
# either quotes, any spacing and optional whitespace control.
LIQUID_RE = re.compile(
    r"\{\{-?[ \t]*(?:site\.time|(?P<nq>[\"'])now(?P=nq))[ \t]*\|[ \t]*date[ \t]*:[ \t]*"
    r"(?P<q>[\"'])(?P<lfmt>(?:(?!(?P=q))[^\n{}])*)(?P=q)[ \t]*-?\}\}"
)
ORPHAN_RE = re.compile(r"<!--[ \t]*/?pages-roadmap:stamp(?![\w-])(?:(?!-->)[^\n<])*-->")
_ANY_RE = re.compile(f"{PAIR_RE.pattern}|{LIQUID_RE.pattern}|{ORPHAN_RE.pattern}")
_HTML_RE = re.compile(f"{PAIR_RE.pattern}|{ORPHAN_RE.pattern}")
_CANDIDATE = re.compile(r"pages-roadmap:stamp|\{\{-?[ \t]*(?:site\.time|[\"']now)")
_RAW_HTML = re.compile(r"\s*<(?:pre|script|style|textarea)(?:[\s>]|$)", re.IGNORECASE)
_STAMP_TOKEN = "pages_roadmap_stamp"


def _stamp_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule: a stamp (or Liquid stamp) here is one token, with its offset in the source.

    It runs where markdown-it would look for inline HTML, so text inside code spans, autolinks
    and HTML tags never reaches it.
    """
    if state.src[state.pos] not in "<{":
        return False
    m = _ANY_RE.match(state.src, state.pos, state.posMax)
    if m is None:
        return False
    if not silent:
        token = state.push(_STAMP_TOKEN, "", 0)
        token.content = m.group(0)
        token.meta = {"pos": state.pos}
    state.pos = m.end()
    return True


@cache
def _markdown() -> MarkdownIt:
    """The inline parser with the stamp rule; the blocks come from page.blocks."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    md.inline.ruler.before("html_inline", _STAMP_TOKEN, _stamp_rule)
    return md


def _inline(content: str, env: dict[str, Any]) -> list[Token]:
    """The inline tokens of one block, as markdown-it's own inline pass makes them."""
    md = _markdown()
    children: list[Token] = []
    md.inline.parse(content, md, env, children)
    return children


@dataclass(frozen=True)
class Stamp:
    """A stamp in the page text: a managed pair, or a Liquid stamp to migrate."""

    start: int  # offsets of the whole construct in the page text
    end: int
    text_start: int  # offsets of the date text (managed stamps only)
    text_end: int
    fmt: str | None
    liquid: bool
    line: int
    line_start: bool = False  # first thing in its line's inline content


def _line_text(text: str, starts: list[int], line0: int) -> tuple[int, str]:
    begin = starts[line0]
    end = starts[line0 + 1] if line0 + 1 < len(starts) else len(text)
    return begin, text[begin:end].rstrip("\r\n")


def _locate(
    text: str, starts: list[int], first_line0: int, content: str, pos: int
) -> tuple[int, int, bool] | None:
    """Offset in the page of `content[pos:]` (content = a block's inline text), its line, and
    whether it starts its line's content."""
    line_idx = content.count("\n", 0, pos)
    c_begin = content.rfind("\n", 0, pos) + 1
    c_end = content.find("\n", pos)
    c_line = content[c_begin : c_end if c_end >= 0 else len(content)]
    needle = c_line.strip(" \t")
    lead = len(c_line) - len(c_line.lstrip(" \t"))
    line0 = first_line0 + line_idx
    if line0 >= len(starts):
        return None
    begin, s_line = _line_text(text, starts, line0)
    # Container prefixes (indentation, '>', list markers, '#') come before the inline text and
    # an ATX heading's closing '#'s after it, so the last occurrence is the right one.
    k = s_line.rfind(needle)
    if k < 0:
        return None
    column = pos - c_begin - lead
    return begin + k + column, line0 + 1, column == 0


def _stamp_at(text: str, offset: int, line: int, first: bool) -> tuple[Stamp | None, bool]:
    """The stamp starting at `offset` (verified against the page text); True if it is an orphan."""
    m = _ANY_RE.match(text, offset)
    if m is None:
        return None, False
    if m.group("text") is not None:
        fmt = (m.group("fmt") or "").strip() or None
        return Stamp(m.start(), m.end(), m.start("text"), m.end("text"), fmt, False, line), False
    if m.group("lfmt") is not None:
        fmt = m.group("lfmt") or None
        return Stamp(m.start(), m.end(), m.start(), m.start(), fmt, True, line, first), False
    return None, True


def _orphan(path: str, line: int) -> Finding:
    return error(
        path,
        line,
        1,
        "T102",
        "stamp marker without its pair on the same line",
        "write '<!-- pages-roadmap:stamp FORMAT -->DATE<!-- /pages-roadmap:stamp -->' on one "
        "line (FORMAT is optional; DATE may be empty)",
    )


def _blocks_of(body: str) -> Iterator[tuple[int, str, bool, dict[str, Any]]]:
    """(first line, content, is raw HTML, env) of every block where a stamp can be."""
    tokens, env = blocks(body)  # one block parse per page (most of them without markdown-it)
    for token in tokens:
        if token.map is not None and token.type in ("inline", "html_block"):
            yield token.map[0], token.content, token.type == "html_block", env


# The characters where an inline rule other than ours can take text away from it (an escape, a
# code span, a link's destination, an autolink or inline HTML, an entity).
_INLINE_SPECIAL = re.compile(r"[\\`\[\]!<&]")


def _stamp_offsets(content: str, env: dict[str, Any]) -> Iterator[int]:
    """Where markdown-it's inline pass makes a stamp token in a block's content.

    Without any character that starts another rule, the pass reaches every '{' in turn and
    our rule takes a stamp there or lets the '{' be text: the same offsets, found without the
    pass (tests/test_page_blocks.py holds the two to each other).
    """
    if _INLINE_SPECIAL.search(content):
        for child in _inline(content, env):
            if child.type == _STAMP_TOKEN:
                yield child.meta["pos"]
        return
    pos = 0
    while (at := content.find("{", pos)) >= 0:
        m = _ANY_RE.match(content, at)
        if m is not None:
            yield at
            pos = m.end()
        else:
            pos = at + 1


def _candidates(body: str, offset_line0: int) -> Iterator[tuple[int, str, int]]:
    """(first line, block content, offset in it) of every stamp markdown-it sees as HTML.

    The inline pass runs only on blocks holding a candidate: a stamp token always contains one.
    """
    for line0, content, html, env in _blocks_of(body):
        first = line0 + offset_line0
        if not html:
            if _CANDIDATE.search(content):
                for pos in _stamp_offsets(content, env):
                    yield first, content, pos
        elif not _RAW_HTML.match(content):
            # Raw HTML is passed through as written: stamps in it are real, Liquid is left
            # alone (it may sit in an attribute, where a comment would break the tag).
            for m in _HTML_RE.finditer(content):
                yield first, content, m.start()


def find_stamps(page: PageText, path: str) -> tuple[list[Stamp], list[Finding]]:
    """Stamps of a page; in code spans, code blocks and raw <pre>/<script> HTML they are text."""
    if not _CANDIDATE.search(page.body):
        return [], []
    text = page.text
    starts = line_starts(text)
    stamps: list[Stamp] = []
    findings: list[Finding] = []
    raw = _raw_spans(text, page.body_start)
    for first, content, pos in _candidates(page.body, page.body_line - 1):
        where = _locate(text, starts, first, content, pos)
        if where is None:  # pragma: no cover - the inline text is always in its lines
            continue
        stamp, orphan = _stamp_at(text, *where)
        if stamp is not None and stamp.liquid and _inside(raw, stamp.start):
            continue  # Liquid inside {% raw %} is shown as written, never run: not a stamp
        if stamp is not None:
            stamps.append(stamp)
        elif orphan:
            findings.append(_orphan(path, where[1]))
    return stamps, findings


_RAW_OPEN = re.compile(r"\{%-?[ \t\r\n]*raw[ \t\r\n]*-?%\}")
_RAW_CLOSE = re.compile(r"\{%-?[ \t\r\n]*endraw[ \t\r\n]*-?%\}")


def _raw_spans(text: str, start: int) -> list[tuple[int, int]]:
    """Offsets of Liquid's `{% raw %}...{% endraw %}` blocks (an unclosed one runs to the end)."""
    spans: list[tuple[int, int]] = []
    pos = start
    while (opening := _RAW_OPEN.search(text, pos)) is not None:
        closing = _RAW_CLOSE.search(text, opening.end())
        end = closing.start() if closing else len(text)
        spans.append((opening.end(), end))
        if closing is None:
            break
        pos = closing.end()
    return spans


def _inside(spans: list[tuple[int, int]], offset: int) -> bool:
    return any(lo <= offset < hi for lo, hi in spans)


# --- the front matter key ----------------------------------------------------------------------

_VALUE = (
    r"(?P<value>\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\n]|'')*'"
    r"|[^ \t#'\"|>\[\]{}&!*,\n](?:[^\n#]|(?<![ \t])#)*?)"
)
_KEY_LINE = re.compile(
    # The unquoted key ends in a non-blank, so it never trades blanks with the `[ \t]*` after it.
    r"(?P<prefix>(?:\"[^\"\n]*\"|'[^'\n]*'|[^ \t#'\"\n](?:[ \t]*[^ \t:#\n])*)"
    r"[ \t]*:(?:[ \t]+|(?=\r?\n|\r|$)))"
    + _VALUE
    + r"?(?P<rest>[ \t]*(?:#[^\n\r]*)?)(?P<nl>\r\n|\r|\n|$)"
)
_SUM_COMMENT = re.compile(r"#[ \t]*pages-roadmap[ \t]+sum:(?P<sum>[0-9a-f]{10})[ \t]*$")


@dataclass(frozen=True)
class KeyLine:
    """The configured front matter key's line, when it can be edited in place."""

    start: int  # offset of the line
    end: int  # offset after its newline
    prefix: str  # "last_modified_date: " exactly as written
    quote: str  # the value's quote character, or ""
    newline: str
    when: datetime | None  # the recorded date, when it parses
    sum: str | None  # the recorded checksum


@dataclass
class PageStamps:
    """What stamping needs to know about one page (the result of `analyze`)."""

    text: str
    path: str
    page: PageText
    stamps: list[Stamp]
    key: KeyLine | None  # the key's line, when present and editable
    add_key: bool  # the key is absent and will be appended to the front matter
    key_name: str | None
    key_format: str
    locale: str
    default_format: str | None
    skip: bool
    roadmap_ids: list[str]
    digest: str  # checksum of the page without its stamps, key line and generated charts
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_work(self) -> bool:
        """True when the page has anything to stamp."""
        return bool(self.stamps or self.key or self.add_key)

    def record(self, sum_: str) -> datetime | None:
        """The recorded date, if the record's checksum is `sum_` (nothing changed since)."""
        if self.key is not None and self.key.sum == sum_ and self.key.when is not None:
            return self.key.when
        return None

    @property
    def first_line(self) -> int:
        """Where findings about the page's date point: its first stamp, else the key's line."""
        if self.stamps:
            return min(s.line for s in self.stamps)
        if self.key is not None:
            return self.page.text.count("\n", 0, self.key.start) + 1
        if self.add_key and self.page.front_matter is not None:
            return self.page.text.count("\n", 0, self.page.front_matter.end) + 1
        return 1


def _front_matter(page: PageText, path: str) -> tuple[Any, Finding | None]:
    fm = page.front_matter
    if fm is None:
        return None, None
    try:
        doc = load(fm.text, path, line_offset=fm.line - 1)
    except LoadError as exc:
        f = exc.finding
        return None, warning(
            path,
            f.line,
            f.col,
            "T103",
            f"front matter cannot be read ({f.code} {f.message}); no date written into it",
            "fix the front matter ('pages-roadmap check' says how)",
        )
    return doc, None


def _parse_when(value: str, key_format: str, tz: tzinfo) -> datetime | None:
    try:
        when = datetime.strptime(value, key_format.replace("%:z", "%z"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=tz)


def _unquote(raw: str) -> tuple[str, str]:
    if raw[:1] == '"':
        return raw[1:-1], '"'  # a date has no escapes; one that does simply does not parse
    if raw[:1] == "'":
        return raw[1:-1].replace("''", "'"), "'"
    return raw.rstrip(), ""


def _key_line(
    page: PageText, doc: Any, key: str, key_format: str, tz: tzinfo, path: str
) -> tuple[KeyLine | None, bool, Finding | None]:
    """The key's line (or that it is absent and can be appended); a finding when neither."""
    fm = page.front_matter
    assert fm is not None
    data = doc.data if doc is not None else None
    if data is None:
        return None, True, None
    if not isinstance(data, dict):
        return None, False, _cannot(path, fm.line, key, "the front matter is not a mapping")
    if key not in data:
        return None, True, None
    pos = doc.keys[(key,)]
    starts = line_starts(page.text)
    line0 = pos.line - 1
    begin = starts[line0]
    nxt = starts[line0 + 1] if line0 + 1 < len(starts) else len(page.text)
    m = _KEY_LINE.fullmatch(page.text, begin, nxt)
    following = page.text[nxt : page.text.find("\n", nxt) + 1 or len(page.text)]
    continued = nxt < fm.end and following[:1] in (" ", "\t") and following.strip() != ""
    if pos.col != 1 or m is None or continued or isinstance(data[key], (dict, list)):
        return None, False, _cannot(path, pos.line, key, "its value is not a one-line text")
    raw = m.group("value") or ""
    value, quote = _unquote(raw) if raw else ("", "")
    comment = _SUM_COMMENT.search(m.group("rest"))
    return (
        KeyLine(
            begin,
            nxt,
            m.group("prefix"),
            quote,
            m.group("nl"),
            _parse_when(value, key_format, tz) if value else None,
            comment.group("sum") if comment else None,
        ),
        False,
        None,
    )


def _cannot(path: str, line: int, key: str, why: str) -> Finding:
    return warning(
        path,
        line,
        1,
        "T103",
        f"cannot write {key}: {why}",
        f"write '{key}: 2026-01-01' on one line, or turn the key off (stamps: "
        "front_matter_key: false)",
    )
