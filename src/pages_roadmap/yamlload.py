"""Safe YAML with positions: duplicate keys, aliases, size and depth guarded; dates stay strings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pages_roadmap.errors import FindingError
from pages_roadmap.findings import error

# The C parser is about 8x faster; the pure-Python one behaves the same.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_TAGS: dict[str, str] = {}  # a plain scalar's resolved tag, by its text


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader (C when available), remembering the tag of each short plain scalar it
    resolved: keys and small values repeat in every item, and PyYAML's resolver runs its
    regular expressions again for each (a fifth of composing a large file)."""

    def resolve(self, kind: Any, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is not ScalarNode or not implicit[0] or len(value) > 64:
            return str(super().resolve(kind, value, implicit))
        tag = _PLAIN_TAGS.get(value)
        if tag is None:
            tag = str(super().resolve(kind, value, implicit))
            if len(_PLAIN_TAGS) < 65_536:
                _PLAIN_TAGS[value] = tag
        return tag

MAX_BYTES = 1_000_000
MAX_DEPTH = 64

JsonPath = tuple[str | int, ...]


class Pos(NamedTuple):
    """Where a key or value starts (a tuple: a large file has one per node, made quickly)."""

    line: int  # 1-based, in the file (front matter offset included)
    col: int  # 1-based


@dataclass
class Document:
    """Plain data (dict/list/str/int/float/bool/None) and where each value and key starts."""

    data: Any
    values: dict[JsonPath, Pos] = field(default_factory=dict)
    keys: dict[JsonPath, Pos] = field(default_factory=dict)

    def pos(self, path: JsonPath) -> Pos:
        """Where the value at `path` (or its nearest located ancestor) starts."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found
        return Pos(1, 1)

    def key_pos(self, path: JsonPath) -> Pos:
        """Where the key of `path` starts (falls back to the value)."""
        return self.keys.get(path) or self.pos(path)


class LoadError(FindingError):
    """A document that cannot be loaded; carries the located finding."""


def decode(raw: bytes, path: str, *, limit: int = MAX_BYTES) -> str:
    """UTF-8 text of a file, or LoadError naming the size or the first undecodable byte."""
    if len(raw) > limit:
        raise LoadError(
            error(
                path,
                1,
                1,
                "Y104",
                f"file is {len(raw):,} bytes, over the limit of {limit:,}",
                "split the file, or check that it is really a page or roadmap",
            )
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        col = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
        raise LoadError(
            error(
                path,
                line,
                col,
                "Y105",
                f"invalid UTF-8 (byte 0x{raw[exc.start]:02x})",
                "save the file as UTF-8",
            )
        ) from None


_SCALARS = SafeConstructor()
_COLLECTION_TAGS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}
# Python cannot print an int of over 4,300 digits (about 14,284 bits); a hex literal gets past
# int()'s own limit, so the bound is on the value.
_MAX_INT_BITS = 13_000
_STRING_TAGS = {
    "tag:yaml.org,2002:str",
    # Timestamps stay text: JSON Schema's `format: date` and our checks work on strings,
    # and PyYAML would turn 2025-02-30 into an exception and 2025-08-19 into a date object.
    "tag:yaml.org,2002:timestamp",
}
_CONSTRUCTORS = {
    "tag:yaml.org,2002:null": _SCALARS.construct_yaml_null,
    "tag:yaml.org,2002:bool": _SCALARS.construct_yaml_bool,
    "tag:yaml.org,2002:int": _SCALARS.construct_yaml_int,
    "tag:yaml.org,2002:float": _SCALARS.construct_yaml_float,
}


class _Builder:
    def __init__(self, path: str, line_offset: int, text: str) -> None:
        self.path = path
        self.offset = line_offset
        self.text = text
        self.doc = Document(None)
        self.seen: set[int] = set()
        # An alias is written '*name': without a '*' in the text there is none to look for.
        self.aliases = "*" in text

    def pos(self, node: Node) -> Pos:
        mark = node.start_mark
        return Pos(mark.line + 1 + self.offset, mark.column + 1)

    def fail(self, node: Node, code: str, message: str, hint: str) -> LoadError:
        p = self.pos(node)
        return LoadError(error(self.path, p.line, p.col, code, message, hint))

    def alias_error(self) -> LoadError:
        # Composition already replaced aliases by shared nodes; find the first one's position.
        for event in yaml.parse(self.text, Loader=_Loader):
            mark = event.start_mark
            if isinstance(event, yaml.AliasEvent) and mark is not None:
                line = mark.line + 1 + self.offset
                col = mark.column + 1
                return LoadError(
                    error(
                        self.path,
                        line,
                        col,
                        "Y103",
                        f"YAML alias '*{event.anchor}' is not supported",
                        "write the value out in full; anchors and aliases are rejected so a "
                        "small file cannot expand into a huge one",
                    )
                )
        return LoadError(error(self.path, 1, 1, "Y103", "YAML alias is not supported"))

    def build(self, node: Node, path: JsonPath, depth: int) -> Any:
        if self.aliases:
            if id(node) in self.seen:
                raise self.alias_error()
            self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise self.fail(node, "Y106", f"nesting deeper than {MAX_DEPTH} levels", "flatten it")
        mark = node.start_mark
        self.doc.values[path] = Pos(mark.line + 1 + self.offset, mark.column + 1)
        if isinstance(node, ScalarNode):
            return node.value if node.tag in _STRING_TAGS else self.scalar(node)
        if node.tag not in _COLLECTION_TAGS:
            raise self.unsupported_tag(node)
        if isinstance(node, SequenceNode):
            return [self.build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self.mapping(node, path, depth)
        raise self.fail(node, "Y101", "unexpected YAML node", "")  # pragma: no cover

    def scalar(self, node: ScalarNode) -> Any:
        if node.tag in _STRING_TAGS:
            return node.value
        constructor = _CONSTRUCTORS.get(node.tag)
        if constructor is None:
            raise self.unsupported_tag(node)
        try:
            value = constructor(node)
        except (ValueError, IndexError):  # over 4,300 digits, or `!!int` on no number at all
            if len(node.value) > 4000:
                raise self.too_long(node) from None
            raise self.fail(
                node,
                "Y101",
                f"{node.value[:40]!r} is not a valid {node.tag.rsplit(':', 1)[-1]}",
                "remove the tag, or write a value of its kind",
            ) from None
        if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
            raise self.too_long(node)
        return value

    def too_long(self, node: ScalarNode) -> LoadError:
        return self.fail(
            node,
            "Y109",
            f"a number of {len(node.value):,} characters cannot be read",
            "write a number of at most 4,000 digits, or quote it to make it text",
        )

    def unsupported_tag(self, node: Node) -> LoadError:
        return self.fail(
            node,
            "Y107",
            f"unsupported YAML tag {node.tag[:80]!r}",
            "remove the tag; only plain strings, numbers, booleans, null, lists and mappings "
            "are used",
        )

    def mapping(self, node: MappingNode, path: JsonPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Pos] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise self.fail(
                    key_node, "Y108", "a mapping key must be plain text", "write the key as text"
                )
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(
                    key_node,
                    "Y103",
                    "YAML merge keys ('<<') are not supported",
                    "write the keys out in full",
                )
            if self.aliases:
                self.seen.add(id(key_node))
            key = key_node.value
            mark = key_node.start_mark
            key_pos = Pos(mark.line + 1 + self.offset, mark.column + 1)
            if key in first_seen:
                before = first_seen[key]
                raise LoadError(
                    error(
                        self.path,
                        key_pos.line,
                        key_pos.col,
                        "Y102",
                        f"duplicate key {key!r} (first at line {before.line})",
                        "keep one of them: YAML would silently drop the first value",
                    )
                )
            first_seen[key] = key_pos
            child = (*path, key)
            self.doc.keys[child] = key_pos
            result[key] = self.build(value_node, child, depth + 1)
        return result


def load(text: str, path: str, *, line_offset: int = 0) -> Document:
    """Parse one YAML document into plain data with positions, or raise LoadError."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        col = mark.column + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise LoadError(
            error(
                path,
                line,
                col,
                "Y101",
                f"YAML syntax error: {problem}",
                _syntax_hint(problem),
            )
        ) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise LoadError(error(path, 1 + line_offset, 1, "Y101", f"YAML error: {exc}")) from None
    builder = _Builder(path, line_offset, text)
    if node is not None:
        builder.doc.data = builder.build(node, (), 0)
    return builder.doc


def _syntax_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "a value that contains ': ' must be quoted"
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    if "expected a single document" in problem:
        return "remove the extra '---' separator"
    return "fix the YAML syntax at this position"


def describe_path(path: JsonPath) -> str:
    """A JSON path as `$.sections[0].items[2].start`."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
