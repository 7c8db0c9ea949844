"""just-the-docs' navigation across the whole site: parents, titles, children, order.

just-the-docs puts a page under the page whose `title` equals its `parent` exactly (and whose
own `parent` equals its `grand_parent`); a page whose parent matches no title is left out of
the navigation. The checks need the navigation keys of every page, so they are read with a
line scan of each page's front matter (no YAML parse, no body): `check` on one page (the
pre-commit hook) scans the others' first lines, a whole-site `check` scans the text it has
already read.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from pages_roadmap.findings import Finding, error, warning
from pages_roadmap.fix import Edit, value_edit
from pages_roadmap.jekyll import sees_front_matter

NAV_KEYS = ("title", "parent", "grand_parent", "nav_order", "has_children", "nav_exclude")
_LINE = re.compile(
    rf"^(?P<key>{'|'.join(NAV_KEYS)}):"
    r"[ \t]*(?P<rest>.*?)[ \t]*\r?$",
    re.MULTILINE,
)
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_TRUE = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"}
_FALSE = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"}
NAV_SUFFIXES = (".md", ".markdown", ".html")  # just-the-docs lists HTML pages too
HEAD_BYTES = 4096  # the scan of another page reads this much of it first


@dataclass(frozen=True)
class Key:
    value: str | int | float | bool | None
    line: int
    col: int  # of the value


@dataclass(frozen=True)
class NavPage:
    """A page's navigation keys as Jekyll reads them (none when Jekyll sees no front matter)."""

    path: str
    keys: dict[str, Key] = field(default_factory=dict)

    def text(self, key: str) -> str | None:
        k = self.keys.get(key)
        return None if k is None or k.value is None else str(k.value)

    @property
    def title(self) -> str | None:
        return self.text("title")

    @property
    def in_navigation(self) -> bool:
        excluded = self.keys.get("nav_exclude")
        return self.title is not None and not (excluded is not None and excluded.value is True)


_SIMPLE = re.compile(r'"([^"\\]*)"|([A-Za-z][^:#"\'\\]*?)')


def _scalar(rest: str) -> str | int | float | bool | None:
    simple = _SIMPLE.fullmatch(rest)  # most values: "Some title" or Some title
    if simple and simple[1] is not None:
        return simple[1]
    if simple and simple[2] not in _TRUE and simple[2] not in _FALSE and simple[2] != "null":
        return simple[2]
    if rest[:1] in ("'", '"'):
        return _quoted(rest)
    plain = re.split(r"[ \t]+#", rest, maxsplit=1)[0].strip()
    if plain in ("", "~", "null", "Null", "NULL") or plain[0] in "|>[{&*!%@`":
        return None
    if plain in _TRUE:
        return True
    if plain in _FALSE:
        return False
    if re.fullmatch(r"[-+]?\d{1,300}", plain):  # longer ones are YAML's problem (Y109)
        return int(plain)
    if re.fullmatch(r"[-+]?(\d+\.\d*|\.\d+)", plain):
        return float(plain)
    return plain


def _quoted(rest: str) -> str | None:
    if rest.startswith('"'):
        m = re.match(r'"((?:[^"\\]|\\.)*)"', rest)
        if not m:
            return None
        inner = m[1]
        if "\\" in inner:
            import json

            try:
                return str(json.loads(f'"{inner}"'))
            except ValueError:
                return None
        return inner
    m = re.match(r"'((?:[^']|'')*)'", rest)
    return m[1].replace("''", "'") if m else None


def scan(text: str, path: str) -> NavPage:
    """The navigation keys of a page's text, found line by line in its front matter."""
    if not sees_front_matter(text):
        return NavPage(path)
    first = text.find("\n") + 1
    close = _CLOSE.search(text, first)
    if close is None:
        return NavPage(path)
    line = 2
    keys: dict[str, Key] = {}
    pos = first
    for m in _LINE.finditer(text, first, close.start()):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        if m["key"] not in keys:
            keys[m["key"]] = Key(_scalar(m["rest"]), line, m.start("rest") - m.start() + 1)
    return NavPage(path, keys)


def scan_file(path: str, file_bytes: bytes) -> NavPage:
    return scan(file_bytes.decode("utf-8", "replace"), path)


def is_just_the_docs(config: dict[str, object]) -> bool:
    return any(
        isinstance(config.get(k), str) and "just-the-docs" in str(config.get(k))
        for k in ("theme", "remote_theme")
    )


def _loose(title: str) -> str:
    return " ".join(title.split()).casefold()


TextOf = Callable[[str], "str | None"]


def check(
    pages: Sequence[NavPage], text_of: TextOf, report: Iterable[str] | None = None
) -> tuple[list[Finding], list[Edit]]:
    """Navigation findings (and case-only parent fixes) for the pages in `report` (all: None).

    `text_of` gives the text of a page a fix is proposed for.
    """
    wanted = set(report) if report is not None else None
    # just-the-docs lists pages, not posts, drafts or collection documents (folders with '_').
    pages = [p for p in pages if not p.path.startswith("_")]
    shown = [p for p in pages if p.in_navigation]
    by_title: dict[str, list[NavPage]] = defaultdict(list)
    by_loose: dict[str, list[NavPage]] = defaultdict(list)
    for p in shown:
        assert p.title is not None
        by_title[p.title].append(p)
        by_loose[_loose(p.title)].append(p)
    children: dict[str, int] = defaultdict(int)
    for p in pages:
        parent = p.text("parent")
        if parent is not None:
            children[parent] += 1
    findings: list[Finding] = []
    edits: list[Edit] = []
    siblings: dict[tuple[str | None, str | None], list[NavPage]] = defaultdict(list)
    for p in shown:
        siblings[(p.text("parent"), p.text("grand_parent"))].append(p)
    for p in pages:
        if wanted is not None and p.path not in wanted:
            continue
        findings += _parent(p, by_title, by_loose, text_of, edits)
        has = p.keys.get("has_children")
        if has is not None and has.value is True and p.title and not children.get(p.title):
            findings.append(
                warning(
                    p.path,
                    has.line,
                    has.col,
                    "N104",
                    f"has_children: true, but no page names {p.title!r} as its parent",
                    "set has_children: false, or give the child pages this title as parent",
                )
            )
    for group in siblings.values():
        findings += _siblings(group, wanted)
    return findings, edits


def _parent(
    p: NavPage,
    by_title: dict[str, list[NavPage]],
    by_loose: dict[str, list[NavPage]],
    text_of: TextOf,
    edits: list[Edit],
) -> list[Finding]:
    parent_key = p.keys.get("parent")
    parent = p.text("parent")
    if parent_key is None or parent is None:
        return []
    missing = "just-the-docs leaves this page out of the navigation"
    if parent not in by_title:
        near = [c for c in by_loose.get(_loose(parent), []) if c.path != p.path]
        hint = "give the exact title of an existing page (just-the-docs compares titles exactly)"
        if len(near) == 1:
            title = near[0].title
            assert title is not None
            case_only = title.casefold() == parent.casefold() and title != parent
            hint = f"did you mean {title!r} (the title of {near[0].path})?"
            text = text_of(p.path) if case_only else None
            if text is not None:
                edit = value_edit(
                    text, p.path, parent_key.line, parent_key.col, parent, title, "N101"
                )
                if edit is not None:
                    edits.append(edit)
                    hint += " 'pages-roadmap check --fix' rewrites it"
        return [
            error(
                p.path,
                parent_key.line,
                parent_key.col,
                "N101",
                f"parent {parent!r} is the title of no page: {missing}",
                hint,
            )
        ]
    grand = p.keys.get("grand_parent")
    wanted_grand = p.text("grand_parent")
    if grand is not None and wanted_grand is not None:
        parents = by_title[parent]
        if not any(q.text("parent") == wanted_grand for q in parents):
            theirs = sorted({str(q.text("parent")) for q in parents})
            return [
                error(
                    p.path,
                    grand.line,
                    grand.col,
                    "N102",
                    f"grand_parent {wanted_grand!r}: the page {parent!r} has parent "
                    f"{', '.join(repr(t) for t in theirs)}: {missing}",
                    "give the parent page's own parent as grand_parent",
                )
            ]
    return []


def _siblings(group: list[NavPage], wanted: set[str] | None) -> list[Finding]:
    titles: dict[object, list[NavPage]] = defaultdict(list)
    orders: dict[object, list[NavPage]] = defaultdict(list)
    for p in group:
        assert p.title is not None
        titles[p.title].append(p)
        order = p.keys.get("nav_order")
        if order is not None and order.value is not None:
            orders[order.value].append(p)
    return _clashes(
        titles,
        wanted,
        "title",
        "N103",
        "{value!r} is also the title of {others} under the same parent: the navigation shows "
        "two entries, and a child naming it appears under both",
        "give each page its own title",
    ) + _clashes(
        orders,
        wanted,
        "nav_order",
        "N105",
        "{value!r} is also the nav_order of {others}: the order of these pages in the "
        "navigation is not stable",
        "give each sibling its own nav_order",
    )


def _clashes(
    groups: dict[object, list[NavPage]],
    wanted: set[str] | None,
    key_name: str,
    code: str,
    message: str,
    hint: str,
) -> list[Finding]:
    """A warning at `key_name` of each page sharing its value with a sibling."""
    findings: list[Finding] = []
    for value, same in groups.items():
        if len(same) < 2:
            continue
        for p in same:
            if wanted is not None and p.path not in wanted:
                continue
            key = p.keys[key_name]
            others = ", ".join(q.path for q in same if q is not p)
            text = f"{key_name} " + message.format(value=value, others=others)
            findings.append(warning(p.path, key.line, key.col, code, text, hint))
    return findings
