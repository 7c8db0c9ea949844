"""page.blocks reads plain bodies itself (page._plain_blocks): exactly markdown-it's tokens.

The oracle is markdown-it itself: for every body the scan accepts, its tokens with content
(inline, html_block, fence: type, lines, level, content, info, markup) must be markdown-it's,
and markdown-it's parse must hold nothing else (no list, quote, code block, rule, table) and no
link reference definition.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pages_roadmap.page import _markdown, _plain_blocks, split
from pages_roadmap.stamps.find import find_stamps

STAMP = "Updated: {{ site.time | date: '%d %B %Y' }}"
CONTENT = ("inline", "html_block", "fence")
STRUCTURE = ("paragraph_open", "paragraph_close", "heading_open", "heading_close")


def shown(tokens: list) -> list[tuple[object, ...]]:
    return [
        (t.type, t.map, t.level, t.content, t.info, t.markup) for t in tokens if t.type in CONTENT
    ]


def markdown_its(body: str) -> list[tuple[object, ...]] | None:
    """What the scan must give: markdown-it's content tokens, when there is nothing else."""
    env: dict[str, object] = {}
    tokens = _markdown().parse(body, env)
    if env.get("references") or any(t.type not in (*CONTENT, *STRUCTURE) for t in tokens):
        return None
    return shown(tokens)


def agrees(body: str) -> bool:
    """The scan's answer is markdown-it's (or it declines); True when it did not decline."""
    got = _plain_blocks(body)
    if got is not None:
        assert shown(got) == markdown_its(body), body
    return got is not None


# (body, whether the scan takes it itself)
ROWS = [
    ("", True),
    ("\n\n", True),
    ("# Title\n\nSome text.\n" + STAMP + "\n", True),
    ("para\nstill para\n\nnext", True),
    ("# h #\n## h ##  \n### h###\n#### #\n#\n##   \n", True),
    ("#tag is text\n####### seven is text\n", True),
    ("text\n# heading ends it\nmore", True),
    ("trailing spaces  \nhard break\n", True),
    ("\u00a0nbsp starts a paragraph\n\u3000ideographic space\n", True),
    ("line\u2028separator and \x0bvertical tab stay in the line\n", True),
    ("\\# escaped\n\\- escaped\n", True),
    ("a | b\n--|--\n", True),  # CommonMark has no tables: text
    ("*emphasis* first\n_emphasis_ too\n-dash\n+plus\n=sign\n~~strike~~\n``two``\n", True),
    ("para\n===\n", False),
    ("para\n---\n", False),
    ("- item\n", False),
    ("* item\n", False),
    ("+ item\n", False),
    ("1. item\n", False),
    ("2) item\n", False),
    ("2025 was a year\n", True),
    ("> quote\n", False),
    ("```\ncode\n```\n", True),
    ("~~~\ncode\n~~~\n", True),
    ("```mermaid\ngantt\n  dateFormat YYYY-MM-DD\n```\ntext\n", True),
    ("text\n```\nfence interrupts\n````\n", True),
    ("````\n```\nstill inside\n````\n", True),
    ("``` info with spaces \n```  \n", True),
    ("```\n    ```\nindented: content\n```\n", True),
    ("```\n   ```\n", True),
    ("```a`b\n```\n", False),  # a backtick in a backtick fence's info: no fence
    ("~~~a`b\n~~~\n", True),
    ("```\nnever closed\n", False),
    ("```\n\t```\n", False),
    (
        "<!-- pages-roadmap:gantt plan -->\n```mermaid\ngantt\n```\n"
        "<!-- /pages-roadmap:gantt -->\n",
        True,
    ),
    ("text\n<!-- a comment ends it -->\nmore\n", True),
    ("<!-->\n", True),
    ("<!-- no newline at the end -->", True),
    ("    indented code\n", False),
    (" one space\n", False),
    ("\ttab\n", False),
    ("<div>html</div>\n", False),
    ("<!-- comment -->\n", True),
    ("<!-- a comment\nover lines -->\n", False),
    ("[ref]: https://example.org\n\n[x][ref]\n", False),
    ("***\n", False),
    ("___\n", False),
    ("* * *\n", False),
    ("_ _ _\n", False),
    ("para\n--\n", False),
    ("para\n=\n", False),
    ("crlf\r\nline\r\n", False),
    ("nul\0here\n", False),
    ("`code` and *emphasis* and [a link](https://example.org)\n", True),
    ("text {{ site.time | date: '%Y' }} `{{ site.time | date: '%Y' }}`\n", True),
]


@pytest.mark.parametrize(("body", "simple"), ROWS)
def test_the_scan_agrees_with_markdown_it(body: str, simple: bool) -> None:
    assert agrees(body) is simple


PIECES = [
    "",
    " ",
    "\t",
    "  ",
    "text",
    "more text  ",
    "# heading",
    "## heading ##",
    "###heading",
    "####### x",
    "#",
    "# #",
    "# a #b",
    "#\ttab",
    STAMP,
    "x " + STAMP + " y",
    "`" + STAMP + "`",
    "``",
    "<!-- pages-roadmap:stamp -->1 May<!-- /pages-roadmap:stamp -->",
    "<!-- pages-roadmap:gantt plan -->",
    "<!-- /pages-roadmap:gantt plan sum:0123456789 -->",
    "<!--",
    "-->",
    "<!-->",
    "<b>inline</b>",
    "<div>",
    "```mermaid",
    "````",
    "~~~~",
    "   ```",
    "    ```",
    "```  ",
    "```a`b",
    "gantt",
    "- item",
    "-",
    "1. one",
    "10) ten",
    "2025",
    "> quote",
    "```",
    "~~~",
    "    code",
    "[a]: /b",
    "[a]",
    "===",
    "---",
    "***",
    "_",
    "=",
    "+",
    "-x",
    "*x",
    "_x_",
    "_ _ _",
    "* * *",
    "--",
    "==  ",
    "~~x~~",
    "``x``",
    "99.",
    "1)",
    "\u00a0nbsp",
    "\u2028",
    "x\u3000",
    "\\#",
    "*emph*",
    "|a|b|",
    "{% raw %}",
    "{% endraw %}",
]


@settings(
    max_examples=3000,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.lists(st.sampled_from(PIECES), max_size=12),
    st.lists(st.sampled_from(PIECES), max_size=12),
    st.booleans(),
)
def test_generated_bodies_agree_with_markdown_it(
    lines: list[str], joins: list[str], final_newline: bool
) -> None:
    # Pieces are lines; some lines are two pieces joined (text with a heading marker inside...).
    body_lines = [a + b for a, b in zip(lines, [*joins, *[""] * len(lines)], strict=False)]
    body = "\n".join(body_lines) + ("\n" if final_newline else "")
    agrees(body)


@pytest.mark.parametrize(
    "body",
    [
        "# T\n\n" + STAMP + "\n",
        "# " + STAMP + " #\n\ntext\n",
        "text `" + STAMP + "` and " + STAMP + "\n",
        "a\n" + STAMP + "\nb\n\n## " + STAMP + "\n",
        "<!-- pages-roadmap:stamp -->x<!-- /pages-roadmap:stamp -->\n\n```\n" + STAMP + "\n```\n",
    ],
)
def test_stamps_found_on_the_fast_path_are_markdown_its(body: str) -> None:
    """The same stamps, with the scan and with the body made non-plain (a trailing HTML block
    forces markdown-it's parse without moving anything before it)."""
    text = "---\ntitle: T\n---\n" + body
    forced = text + ("\n" if not text.endswith("\n") else "") + "\n<div></div>\n"
    assert _plain_blocks(split(text).body) is not None
    assert _plain_blocks(split(forced).body) is None
    fast, fast_findings = find_stamps(split(text), "p.md")
    slow, slow_findings = find_stamps(split(forced), "p.md")
    assert fast and fast == slow and fast_findings == slow_findings


FENCE_LINES = ["", "gantt", "  dateFormat YYYY-MM-DD", "``", "`", "~~", "``` x", "    ```", "  ~~~"]


@settings(max_examples=1500, derandomize=True, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=4),
    st.sampled_from(["`", "~"]),
    st.integers(3, 5),
    st.sampled_from(["", "mermaid", " mermaid ", "a b", "x~y"]),
    st.lists(st.sampled_from([*FENCE_LINES, "```", "~~~", "````", "~~~~~"]), max_size=6),
    st.integers(0, 4),
    st.integers(0, 3),
    st.sampled_from(["", " ", "\t", " x"]),
    st.lists(st.sampled_from(PIECES), max_size=4),
)
def test_generated_fences_agree_with_markdown_it(
    before: list[str],
    marker: str,
    length: int,
    info: str,
    inside: list[str],
    extra: int,
    indent: int,
    tail: str,
    after: list[str],
) -> None:
    closing = " " * indent + marker * (length - 2 + extra) + tail  # may be too short to close
    body = "\n".join([*before, marker * length + info, *inside, closing, *after]) + "\n"
    agrees(body)


# --- stamps/find._stamp_offsets: markdown-it's inline pass, or the same offsets without it ----

INLINE_PIECES = [
    "Updated: ",
    "{{ site.time | date: '%d %B %Y' }}",
    "{{- site.time|date:\"%Y\" -}}",
    '{{ "now" | date: "%e" }}',
    "{{ site.time }}",
    "{{",
    "}}",
    "{",
    "}",
    "{{ site.time | date: '%Y'",
    " ",
    "\n",
    "  \n",
    "*",
    "_",
    ":",
    "%",
    "'",
    '"',
    "|",
    "#",
    "text",
    "æø",
    "-",
    "=",
    "~",
    "$",
    "^",
    "@",
]


@settings(max_examples=2000, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(INLINE_PIECES), max_size=10))
def test_stamp_offsets_without_the_inline_pass_are_its_offsets(pieces: list[str]) -> None:
    from pages_roadmap.stamps import find

    content = "".join(pieces).strip()
    assert not find._INLINE_SPECIAL.search(content)
    passed = [c.meta["pos"] for c in find._inline(content, {}) if c.type == find._STAMP_TOKEN]
    assert list(find._stamp_offsets(content, {})) == passed


def test_the_trim_is_markdown_its() -> None:
    from markdown_it.common.utils import MD_TRIM_CHARS

    from pages_roadmap.page import _TRIM

    assert _TRIM == MD_TRIM_CHARS
