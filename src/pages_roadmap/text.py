"""The one rule for text that reaches a page: it must stay inert there.

Every roadmap text that is written into a page (names, section names, title, description,
chart settings) goes through `inert_text_problems`. Such text sits in a Mermaid fence inside a
Markdown page that Jekyll renders, so it must not:

- break a line, of any kind: Mermaid, Markdown and JavaScript each end lines at different
  characters (`\\r`, `\\n`, `\\v`, `\\f`, U+0085, U+2028, U+2029, and the separators U+001C-U+001E);
- carry a byte order mark (U+FEFF) or other invisible format controls Mermaid's lexer reads as text;
- contain `%%` (a Mermaid comment, and `%%{` a directive that swallows the rest of the chart);
- contain Liquid (`{{`, `{%`), which Jekyll executes;
- contain a run of three backticks or tildes, which can close the Markdown fence.
"""

from __future__ import annotations

import re

LINE_BREAKS = "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_BREAK = re.compile(f"[{re.escape(LINE_BREAKS)}]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f\ufeff\u200b-\u200f\u202a-\u202e\u2060-\u2064]")
_LIQUID = re.compile(r"\{\{|\{%")
_FENCE = re.compile(r"```|~~~")

_ESCAPES = {
    ord("#"): "#35;",
    ord(":"): "#58;",
    ord(";"): "#59;",
    # HTML-significant: Mermaid sanitises titles and labels as HTML (`a<b and c>d` would become
    # `a<b>d</b>`); as entities they reach the SVG as text, and the reader sees the data.
    ord("<"): "#lt;",
    ord(">"): "#gt;",
    ord("&"): "#amp;",
}


def escape(text: str) -> str:
    """Mermaid entity escapes for ':' '#' ';' (they end a name or its data) and '<' '>' '&'."""
    # One pass, so the '#' and ';' of an escape are never escaped again.
    return text.translate(_ESCAPES)


def as_mermaid_lexes(text: str) -> str:
    """The text as the generator writes it, after Mermaid's own entity encoding (`#58;` becomes
    `\ufb02\xb0\xb058\xb6\xdf` before the lexer runs): what the lexer rules are matched against."""

    def encode(m: re.Match[str]) -> str:
        inner = m[0][1:-1]
        return (
            "\ufb02\xb0" + ("\xb0" if re.fullmatch(r"\+?\d+", inner) else "") + inner + "\xb6\xdf"
        )

    return re.sub(r"#\w+;", encode, escape(text))


def inert_text_problems(text: str, *, multiline: bool = False) -> list[tuple[str, str, str]]:
    """(code, message, hint) for each way `text` would not stay inert in a page; [] when it does.

    `multiline` allows plain `\\n` line breaks (a description is written as Mermaid's block form).
    """
    problems: list[tuple[str, str, str]] = []
    if _LIQUID.search(text):
        problems.append(
            (
                "R110",
                "contains Liquid syntax ('{{' or '{%'), which Jekyll would execute",
                "remove the braces, or write them as '{ {' / '{ %'",
            )
        )
    breaks = _BREAK.findall(text.replace("\n", "") if multiline else text)
    if breaks:
        names = ", ".join(sorted({f"U+{ord(ch):04X}" for ch in breaks}))
        problems.append(
            ("R111", f"a line break ({names}) here would break the chart", "write it on one line")
        )
    control = _CONTROL.findall(text)
    if control:
        names = ", ".join(sorted({f"U+{ord(ch):04X}" for ch in control}))
        problems.append(
            (
                "R111",
                f"an invisible control character ({names}) would change how Mermaid reads it",
                "delete the character",
            )
        )
    if "%%" in text:
        problems.append(
            (
                "R111",
                "'%%' starts a Mermaid comment or directive, which would hide or drop text",
                "write '% %', or 'percent'",
            )
        )
    if _FENCE.search(text):
        problems.append(
            (
                "R111",
                "three backticks or tildes would end the chart's Markdown fence",
                "use fewer in a row",
            )
        )
    return problems
