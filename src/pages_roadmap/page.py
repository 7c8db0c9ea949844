"""A page's parts: front matter span, block tokens, managed regions, checksum, splice.

The block tokens come from markdown-it, or, for a plain page (paragraphs, headings, one-line
HTML comments, closed fences), from a line scan that makes the very same tokens.

Everything here works on the page's exact text (BOM, CRLF and all) and returns exact text:
the bytes outside the regions we own are never re-serialised.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from pages_roadmap.findings import Finding, error

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it import MarkdownIt

BOM = "\ufeff"
# markdown-it (like CommonMark) ends a line at \r\n, \r or \n; line numbers must agree with it.
_NEWLINE = re.compile(r"\r\n|\r|\n")
# Jekyll: the file starts with '---' and the block ends at a line '---' or '...'.
_FM_OPEN = re.compile(r"---[ \t]*(\r\n|\r|\n)")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r\n|\r|\n|\Z)", re.MULTILINE)

# The name stops at whitespace or '-->', and the rest starts with whitespace, so the two never
# trade characters: linear on a long unclosed marker (`\S+` then `.*?` was quadratic).
START_RE = re.compile(
    r"^<!--\s*pages-roadmap:gantt\s+(?P<name>(?:(?!-->)\S)+)(?P<rest>(?:\s(?:(?!-->).)*)?)"
    r"-->\s*$",
    re.DOTALL,
)
END_RE = re.compile(
    r"^<!--\s*/pages-roadmap:gantt(?:\s+(?P<name>[^\s:]+(?=\s|-->)))?"
    r"(?:\s+sum:(?P<sum>[0-9a-f]+))?\s*-->\s*$",
    re.DOTALL,
)
# Every pages-roadmap marker but the stamps' (stamps/find.py finds those anywhere in a line).
ANY_MARKER_RE = re.compile(r"^<!--\s*/?pages-roadmap:(?!stamp(?![\w-]))")
# Found in every text that holds a marker ANY_MARKER_RE accepts (container prefixes such as '> '
# only come at line starts, so they cannot split it): a page without it is not parsed.
MARKER_SEARCH = re.compile(r"pages-roadmap:(?!stamp(?![\w-]))")
# The same test on a file's bytes, before it is decoded: any non-ASCII byte may be part of a
# word character, so it never says no where MARKER_SEARCH would say yes.
MARKER_BYTES = re.compile(rb"pages-roadmap:(?!stamp(?![\w\x80-\xff-]))")


@dataclass(frozen=True)
class FrontMatter:
    text: str  # the YAML between the fences, exact
    start: int  # offset of the YAML text in the page
    end: int  # offset just after the YAML text (start of the closing fence)
    line: int  # 1-based line of the first YAML line


@dataclass(frozen=True)
class PageText:
    text: str
    bom: bool
    front_matter: FrontMatter | None
    body_start: int
    body_line: int  # 1-based line number of the body's first line
    newline: str  # the page's predominant newline

    @property
    def body(self) -> str:
        return self.text[self.body_start :]


def newline_of(text: str) -> str:
    """The predominant newline of a text ('\\n' when it has none)."""
    counts = {"\r\n": text.count("\r\n")}
    counts["\r"] = text.count("\r") - counts["\r\n"]
    counts["\n"] = text.count("\n") - counts["\r\n"]
    best = max(counts, key=lambda k: (counts[k], k == "\n"))
    return best if counts[best] else "\n"


def split(text: str) -> PageText:
    """Find the front matter block exactly as Jekyll does; never reformat it."""
    bom = text.startswith(BOM)
    start = 1 if bom else 0
    nl = newline_of(text)
    opening = _FM_OPEN.match(text, start)
    if opening:
        close = _FM_CLOSE.search(text, opening.end())
        if close:
            yaml_text = text[opening.end() : close.start()]
            fm = FrontMatter(yaml_text, opening.end(), close.start(), 2)
            body_line = 1 + len(_NEWLINE.findall(text, 0, close.end()))
            return PageText(text, bom, fm, close.end(), body_line, nl)
    return PageText(text, bom, None, start, 1, nl)


def line_starts(text: str) -> list[int]:
    """Offsets where each line starts (index 0 = line 1), with markdown-it's newline rules."""
    return [0, *(m.end() for m in _NEWLINE.finditer(text))]


def checksum(content: str) -> str:
    """Short checksum of a generated region; newline style does not change it."""
    normal = _NEWLINE.sub("\n", content)
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:10]


@cache
def _markdown() -> MarkdownIt:
    # Imported lazily: pages without a marker never pay for markdown-it.
    from markdown_it import MarkdownIt

    # The block structure only: stamps/find.py runs the inline pass on the few blocks that
    # may hold a stamp, and the chart markers are blocks.
    return MarkdownIt("commonmark").disable("inline")


class Block(Protocol):
    """What the tool reads of a block token: markdown-it's Token, or a `PlainBlock`."""

    @property
    def type(self) -> str: ...
    @property
    def map(self) -> list[int] | None: ...
    @property
    def level(self) -> int: ...
    @property
    def content(self) -> str: ...
    @property
    def info(self) -> str: ...
    @property
    def markup(self) -> str: ...


@dataclass(slots=True)
class PlainBlock:
    """A block token made without markdown-it (the attributes of its Token that are read)."""

    type: str
    map: list[int]
    content: str
    level: int = 0
    info: str = ""
    markup: str = ""


# markdown-it's mdTrim set (markdown_it.common.utils.MD_TRIM_CHARS; a test keeps them equal):
# here so that a plain page needs no markdown-it at all.
_TRIM = "".join(
    chr(code)
    for code in sorted(
        {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x202F, 0x205F, 0x3000}
        | set(range(0x2000, 0x200B))
        | {0x2028, 0x2029}
    )
)


@lru_cache(maxsize=4)
def blocks(body: str) -> tuple[Sequence[Block], dict[str, Any]]:
    """markdown-it's block tokens of a page body and its env (link references), parsed once.

    The chart regions, the stamps and the build's count of changed charts all look at the same
    text, so a page is parsed once per run; the tokens are shared: read them, never change them.
    Most pages are prose, headings, chart markers and fences: `_plain_blocks` reads those in a
    fraction of markdown-it's time and gives the same tokens (the ones with content: inline,
    html_block, fence); any other body goes to markdown-it.
    """
    plain = _plain_blocks(body)
    if plain is not None:
        return plain, {}
    env: dict[str, Any] = {}
    return _markdown().parse(body, env), env


# A line (not an HTML comment nor a fence: those are read before) that may start a block the
# scan does not read (indented code, a quote, a list, a thematic break, a setext underline, a
# link reference), or that starts with blanks: a body with one is parsed by markdown-it.
_NOT_SIMPLE = re.compile(
    r"[ \t>\[]|[-+*](?:[ \t]|$)|([-*_])(?:[ \t]*\1){2,}[ \t]*$|[=-]+[ \t]*$|\d+[.)]"
)


def _plain_blocks(body: str) -> list[PlainBlock] | None:
    """markdown-it's content tokens (inline, html_block, fence) of a body made of paragraphs,
    ATX headings, one-line HTML comments and closed fences only, exactly as its block parse
    makes them; None as soon as a line could be anything else (the caller asks markdown-it).

    tests/test_page_blocks.py holds it to markdown-it's own tokens on generated bodies.
    """
    if "\r" in body or "\0" in body:  # markdown-it normalises these first
        return None
    return _PlainScan(body.split("\n")).run()


class _PlainScan:
    """One pass over a body's lines; each block rule below is markdown-it's, for lines that
    start in column one."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.found: list[PlainBlock] = []
        self.para: list[str] = []
        self.first = 0

    def run(self) -> list[PlainBlock] | None:
        i = 0
        while i < len(self.lines):
            after = self.block(i)
            if after is None:
                return None
            i = after
        self.end_paragraph(len(self.lines))
        return self.found

    def end_paragraph(self, at: int) -> None:
        """A blank line, a heading, an HTML comment or a fence ends the paragraph before it."""
        if self.para:
            self.inline(self.first, at, "\n".join(self.para))
            self.para = []

    def inline(self, start: int, end: int, text: str) -> None:
        self.found.append(PlainBlock("inline", [start, end], text.strip(_TRIM), level=1))

    def block(self, i: int) -> int | None:
        """Read the block starting at line i; the next line to read, or None (not plain)."""
        line = self.lines[i]
        if not line.strip(" \t"):
            self.end_paragraph(i)
            return i + 1
        if line[0] == "<":
            if not line.startswith("<!--") or "-->" not in line:
                return None
            self.end_paragraph(i)
            text = line + ("\n" if i < len(self.lines) - 1 else "")
            self.found.append(PlainBlock("html_block", [i, i + 1], text))
            return i + 1
        if line.startswith(("```", "~~~")):
            return self.fence(i)
        if _NOT_SIMPLE.match(line):
            return None
        heading = _atx_heading(line) if line[0] == "#" else None
        if heading is not None:
            self.end_paragraph(i)
            self.inline(i, i + 1, heading)
            return i + 1
        if not self.para:
            self.first = i
        self.para.append(line)
        return i + 1

    def fence(self, i: int) -> int | None:
        end = _fence_end(self.lines, i)
        if end is None:
            return None
        self.end_paragraph(i)
        line = self.lines[i]
        n = len(line) - len(line.lstrip(line[0]))
        content = "".join(f"{text}\n" for text in self.lines[i + 1 : end])
        self.found.append(
            PlainBlock("fence", [i, end + 1], content, info=line[n:], markup=line[:n])
        )
        return end + 1


def _fence_end(lines: list[str], start: int) -> int | None:
    """The line closing the fence opened at `start` (markdown-it's rule), or None: not closed,
    a backtick in a backtick fence's info, or a tab before a marker (for markdown-it)."""
    opening = lines[start]
    marker = opening[0]
    n = len(opening) - len(opening.lstrip(marker))
    if marker == "`" and "`" in opening[n:]:
        return None
    for j in range(start + 1, len(lines)):
        line = lines[j]
        stripped = line.lstrip(" \t")
        if not stripped.startswith(marker):
            continue
        lead = line[: len(line) - len(stripped)]
        if "\t" in lead:
            return None
        if len(lead) >= 4:  # indented code inside the fence: content
            continue
        k = len(stripped) - len(stripped.lstrip(marker))
        if k >= n and not stripped[k:].strip(" \t"):
            return j
    return None


def _atx_heading(line: str) -> str | None:
    """The text of an ATX heading line that starts with '#' (markdown-it's rule), or None."""
    end = len(line)
    pos = 1
    while pos < end and line[pos] == "#" and pos <= 6:
        pos += 1
    if pos > 6 or (pos < end and line[pos] not in " \t"):
        return None
    while end > pos and line[end - 1] in " \t":  # the spaces at the end
        end -= 1
    hashes = end
    while hashes > pos and line[hashes - 1] == "#":  # a closing sequence after a blank
        hashes -= 1
    if hashes > pos and line[hashes - 1] in " \t":
        end = hashes
    return line[pos:end]


@dataclass(frozen=True)
class Region:
    """A managed gantt block: the markers and the text between them."""

    name: str
    start_line: int  # 1-based line of the start marker
    end_line: int  # 1-based line of the end marker
    content_start: int  # offsets of the text between the marker lines
    content_end: int
    end_marker_end: int  # offset just after the end marker's text (its newline excluded)
    stored_sum: str | None
    newline: str

    @property
    def content_line(self) -> int:
        return self.start_line + 1


def _line_end(text: str, starts: list[int], index: int) -> tuple[int, str]:
    """Offset where line `index` (0-based) ends, without its newline, and that newline."""
    nxt = starts[index + 1] if index + 1 < len(starts) else len(text)
    seg = text[starts[index] : nxt]
    stripped = seg.rstrip("\r\n")
    return starts[index] + len(stripped), seg[len(stripped) :]


def _misplaced(level: int, lines: int, path: str, lineno: int) -> Finding | None:
    """A marker inside a list or quote, or written over several lines."""
    if level != 0:
        return error(
            path,
            lineno,
            1,
            "B103",
            "pages-roadmap marker inside a list or quote",
            "put the markers at the start of a line, outside lists and quotes",
        )
    if lines > 1:
        # The splice replaces whole lines between the markers: a marker over several lines
        # would lose its '-->' line (a start marker) or leave it visible (an end marker).
        return error(
            path,
            lineno,
            1,
            "B104",
            "pages-roadmap marker written over several lines",
            "write each marker on one line: '<!-- pages-roadmap:gantt ID -->' ... "
            "'<!-- /pages-roadmap:gantt -->'",
        )
    return None


def find_regions(page: PageText, path: str) -> tuple[list[Region], list[Finding]]:
    """Managed gantt regions of a page; markers inside code are text, not markers."""
    body = page.body
    if not MARKER_SEARCH.search(body):
        return [], []
    starts = line_starts(page.text)
    offset_line = page.body_line - 1
    regions: list[Region] = []
    findings: list[Finding] = []
    open_start: tuple[int, str] | None = None  # (0-based line, name)
    for token in blocks(body)[0]:
        if token.type != "html_block" or token.map is None:
            continue
        content = token.content.strip()
        if not ANY_MARKER_RE.match(content):
            continue
        line0 = token.map[0] + offset_line
        lineno = line0 + 1
        misplaced = _misplaced(token.level, token.map[1] - token.map[0], path, lineno)
        if misplaced is not None:
            findings.append(misplaced)
            continue
        start = START_RE.match(content)
        end = END_RE.match(content)
        if start:
            if open_start is not None:
                findings.append(
                    error(
                        path,
                        lineno,
                        1,
                        "B103",
                        f"start marker for {start['name']!r} inside the block of "
                        f"{open_start[1]!r} (opened at line {open_start[0] + 1})",
                        "close the first block with '<!-- /pages-roadmap:gantt -->' first",
                    )
                )
                # The structure is broken from here on; more findings would only be echoes.
                return [], findings
            open_start = (line0, start["name"])
        elif end:
            if open_start is None:
                findings.append(
                    error(
                        path,
                        lineno,
                        1,
                        "B102",
                        "end marker without a start marker",
                        "add '<!-- pages-roadmap:gantt ID -->' before the block, "
                        "or remove this line",
                    )
                )
                continue
            s_line, name = open_start
            open_start = None
            if end["name"] and end["name"] != name:
                findings.append(
                    error(
                        path,
                        lineno,
                        1,
                        "B103",
                        f"end marker names {end['name']!r} but the open block is {name!r} "
                        f"(line {s_line + 1})",
                        "markers must not cross: close blocks in the order they were opened",
                    )
                )
                continue
            content_start = starts[s_line + 1]
            marker_end, _ = _line_end(page.text, starts, line0)
            _, nl = _line_end(page.text, starts, s_line)
            regions.append(
                Region(
                    name,
                    s_line + 1,
                    lineno,
                    content_start,
                    starts[line0],
                    marker_end,
                    end["sum"],
                    nl or page.newline,
                )
            )
        else:
            findings.append(
                error(
                    path,
                    lineno,
                    1,
                    "B104",
                    f"malformed pages-roadmap marker: {content[:60]!r}",
                    "write '<!-- pages-roadmap:gantt ID -->' ... '<!-- /pages-roadmap:gantt -->'",
                )
            )
    if open_start is not None:
        findings.append(
            error(
                path,
                open_start[0] + 1,
                1,
                "B102",
                f"start marker for {open_start[1]!r} has no end marker",
                "add '<!-- /pages-roadmap:gantt -->' after the chart (check that its "
                "```mermaid fence is closed)",
            )
        )
    return regions, findings


def end_marker(name: str, content: str) -> str:
    return f"<!-- /pages-roadmap:gantt {name} sum:{checksum(content)} -->"


def is_hand_edited(page: PageText, region: Region) -> bool:
    """True when the text between the markers is not what the tool last wrote there."""
    content = page.text[region.content_start : region.content_end]
    if region.stored_sum is None:
        return content.strip() != ""
    return checksum(content) != region.stored_sum


def with_newline(text: str, newline: str) -> str:
    """`text` (written with \\n) in the page's newline style."""
    return text if newline == "\n" else text.replace("\n", newline)


def splice(text: str, edits: list[tuple[Region, str]]) -> str:
    """Replace each region's content (and refresh its end marker); all other text is kept."""
    out: list[str] = []
    pos = 0
    for region, content in sorted(edits, key=lambda e: e[0].content_start):
        out.append(text[pos : region.content_start])
        out.append(with_newline(content, region.newline))
        out.append(end_marker(region.name, content))
        pos = region.end_marker_end
    out.append(text[pos:])
    return "".join(out)
