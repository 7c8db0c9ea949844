"""JSON Schema validation; every error is mapped back to the line and column of its YAML node."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pages_roadmap.errors import Error
from pages_roadmap.findings import Finding, error
from pages_roadmap.yamlload import Document, JsonPath, describe_path

if TYPE_CHECKING:
    from collections.abc import Iterator

    from jsonschema import ValidationError
    from jsonschema.protocols import Validator


class SchemaError(Error):
    """A schema file that cannot be used (missing, not JSON, not a valid 2020-12 schema)."""


# The roadmap schema for editors, written into the roadmaps folder (`pages-roadmap schema`), where
# the modeline that `import` writes finds it: `# yaml-language-server: $schema=roadmap.schema.json`.
# Jekyll never publishes an `_underscore` folder, so the file stays out of the site.
EDITOR_SCHEMA = "roadmap.schema.json"
MODELINE = f"yaml-language-server: $schema={EDITOR_SCHEMA}"


def editor_schema_text(override: Path | None) -> str:
    """The roadmap schema an editor should check against: the site's own, or the built-in one."""
    if override is None:
        return builtin_schema_text("roadmap")
    try:
        return override.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemaError(f"cannot read {override}: {exc.strerror}") from None


def builtin_schema_text(name: str) -> str:
    """The text of a schema shipped with the package: `roadmap` or `page`."""
    return (resources.files("pages_roadmap") / "schemas" / f"{name}.schema.json").read_text(
        encoding="utf-8"
    )


class SchemaValidator:
    """One schema, checked in two steps: a fast yes/no, then jsonschema for the findings.

    Valid documents (nearly all of them) only pass through jsonschema-rs, a Rust validator about
    20x faster than jsonschema and 50 ms cheaper to import. A document it rejects, or cannot
    take (a key that is not text), goes through jsonschema, which locates each problem: the
    findings are jsonschema's, byte for byte. The fast step is used for the built-in schemas
    only, whose keywords both implement the same way (tests/test_check.py compares them on
    every roadmap and page of the test corpus); a site's own schema goes straight to jsonschema.
    """

    def __init__(self, name: str, override: Path | None) -> None:
        self.name = name
        self.override = override
        self._fast: Any = None
        if override is None:
            import jsonschema_rs

            raw = json.loads(builtin_schema_text(name))
            self._fast = jsonschema_rs.Draft202012Validator(raw)
            # The schema as data (for the rules that read it, e.g. which keys are dates).
            self.schema: dict[str, Any] = inline_refs(raw)
        else:
            full = _jsonschema_validator(name, override).schema
            self.schema = dict(full) if isinstance(full, Mapping) else {}

    def is_valid(self, data: Any) -> bool | None:
        """True/False from the fast validator; None when it cannot say."""
        if self._fast is None:
            return None
        try:
            return bool(self._fast.is_valid(data))
        except (ValueError, TypeError, OverflowError):  # e.g. a mapping key that is not text
            return None

    @property
    def full(self) -> Validator:
        """jsonschema's validator for this schema (imported and compiled on first use)."""
        return _jsonschema_validator(self.name, self.override)


@cache
def validator_for(name: str, override: Path | None = None) -> SchemaValidator:
    """The validator for the built-in schema `name`, or for a site's own schema file."""
    if override is not None:
        _jsonschema_validator(name, override)  # a broken schema is an error before any file
    return SchemaValidator(name, override)


@cache
def _jsonschema_validator(name: str, override: Path | None = None) -> Validator:
    """A compiled jsonschema validator for the built-in schema `name`, or a site's own file."""
    # jsonschema is imported here, not at module level: it costs ~100 ms of start-up
    # that `check one-page.md` without front matter never needs.
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError as JsonSchemaError

    where = str(override) if override else f"built-in {name} schema"
    try:
        text = read_schema(override) if override else builtin_schema_text(name)
        schema = json.loads(text)
        if override:
            # The built-in schemas are checked against the metaschema by the test suite; checking
            # them again on every run would cost a pre-commit hook ~90 ms.
            Draft202012Validator.check_schema(schema)
            refuse_unsafe(schema, where)
    except ValueError as exc:  # JSONDecodeError, or a number of over 4,300 digits
        raise SchemaError(f"{where} is not JSON: {str(exc)[:200]}") from None
    except RecursionError:
        raise SchemaError(f"{where} is nested too deeply to be a schema") from None
    except JsonSchemaError as exc:
        raise SchemaError(
            f"{where} is not a valid JSON Schema 2020-12: {exc.message[:200]}"
        ) from None
    if override:
        bounded: Validator = bounded_validator()(
            inline_refs(schema), format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        return bounded
    return Draft202012Validator(
        inline_refs(schema), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def read_schema(path: Path) -> str:
    """A site schema's text, through the safe reader (the site's settings checked the path)."""
    from pages_roadmap.reading import read_text
    from pages_roadmap.yamlload import LoadError

    try:
        return read_text(path, str(path), None)
    except LoadError as exc:
        raise SchemaError(f"cannot read the site schema {path}: {exc.finding.message}") from None


# --- Site schemas: data from the site, so nothing in them may reach the network or hang -----------

PATTERN_SECONDS = 0.5  # the most one site-schema regular expression may take on one value
_MAX_SCHEMA_DEPTH = 64


def refuse_unsafe(schema: Any, where: str) -> None:
    """A site schema may only refer inside itself, and must not nest deeper than 64 levels."""
    stack: list[tuple[Any, int]] = [(schema, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_SCHEMA_DEPTH:
            raise SchemaError(f"{where} nests deeper than {_MAX_SCHEMA_DEPTH} levels")
        if isinstance(node, list):
            stack += [(x, depth + 1) for x in node]
        elif isinstance(node, dict):
            for key in ("$ref", "$dynamicRef"):
                ref = node.get(key)
                if isinstance(ref, str) and not ref.startswith("#"):
                    raise SchemaError(
                        f"{where}: {key} {ref[:80]!r} points outside the schema; "
                        "pages-roadmap never fetches schemas",
                        "copy the referenced definitions into $defs and refer to '#/$defs/...'",
                    )
            if "unevaluatedProperties" in node and "patternProperties" in node:
                raise SchemaError(
                    f"{where}: unevaluatedProperties with patternProperties is not supported "
                    "in site schemas (its regular expressions could not be bounded in time)",
                    "use additionalProperties instead",
                )
            stack += [(v, depth + 1) for v in node.values()]


def _search(pattern: str, text: str) -> bool:
    """`re.search`, with a time limit: a pattern that backtracks forever stops the run (exit 2)."""
    import regex

    try:
        return regex.search(pattern, text, timeout=PATTERN_SECONDS) is not None
    except TimeoutError:
        raise SchemaError(
            f"the site schema's pattern {pattern[:80]!r} took over {PATTERN_SECONDS} s on a "
            f"value of {len(text):,} characters (catastrophic backtracking)",
            "rewrite the pattern without nested or overlapping repeats, such as (a+)+",
        ) from None


def _pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not _search(patrn, instance):
        yield ValidationError(f"{instance[:80]!r} does not match {patrn[:80]!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for patrn, subschema in patterns.items():
        for key, value in instance.items():
            if _search(patrn, key):
                yield from validator.descend(value, subschema, path=key, schema_path=patrn)


def _additional_properties(validator: Any, ap: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [k for k in instance if k not in known and not any(_search(p, k) for p in patterns)]
    if validator.is_type(ap, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], ap, path=extra)
    elif not ap and extras:
        listed = ", ".join(repr(e[:80]) for e in sorted(extras))
        yield ValidationError(f"Additional properties are not allowed ({listed} unexpected)")


@cache
def bounded_validator() -> Any:
    """Draft 2020-12 with `pattern`, `patternProperties` and `additionalProperties` time-bounded."""
    from jsonschema import Draft202012Validator, validators

    keywords = {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
    }
    return validators.extend(Draft202012Validator, keywords)  # type: ignore[no-untyped-call]


_ANNOTATIONS = {"description", "title", "default", "examples", "$comment"}


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its local `#/$defs/...` references replaced by their targets.

    jsonschema resolves every `$ref` anew on each use; on 200 roadmaps that lookup is a third
    of the validation time. Schemas with other or recursive references are returned as they are.
    """
    defs = schema.get("$defs", {})

    def walk(node: Any, depth: int) -> Any:
        if depth > 32:
            raise RecursionError
        if isinstance(node, list):
            return [walk(x, depth + 1) for x in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        out = {k: walk(v, depth + 1) for k, v in node.items() if k != "$ref"}
        if ref is None:
            return out
        if not (isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in defs):
            raise LookupError(ref)
        target = walk(defs[ref[8:]], depth + 1)
        if set(out) - _ANNOTATIONS and set(out) & set(target) - _ANNOTATIONS:
            return {**out, "allOf": [target, *out.get("allOf", [])]}
        return {**target, **out}

    try:
        body = walk({k: v for k, v in schema.items() if k != "$defs"}, 0)
    except (RecursionError, LookupError):
        return schema
    return {**body, "$defs": defs}


_DMY = re.compile(r"^\s*(\d{1,2})[-./](\d{1,2})[-./](\d{4})\s*$")
_DATE_PATTERN_PREFIX = "^[0-9]{4}-[0-9]{2}-[0-9]{2}"


def iso_hint(value: object) -> str:
    """How to write a date that is not ISO; day-first dates get their ISO form."""
    if isinstance(value, str):
        m = _DMY.match(value)
        if m:
            day, month, year = (int(g) for g in m.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"write it as ISO {year:04d}-{month:02d}-{day:02d} (YYYY-MM-DD)"
    return "write dates as ISO YYYY-MM-DD, for example 2025-08-19"


def validate(doc: Document, validator: SchemaValidator, path: str) -> list[Finding]:
    """Schema findings for a loaded document, one per problem, located in the source."""
    if validator.is_valid(doc.data):
        return []
    findings = [_to_finding(err, doc, path) for err in validator.full.iter_errors(doc.data)]
    return sorted(set(findings), key=lambda f: (f.line, f.col, f.code))


def _to_finding(err: ValidationError, doc: Document, path: str) -> Finding:
    err = _best(err)
    # jsonschema types these as "maybe unset"; on a reported error they are always set.
    schema: Any = err.schema
    value: Any = err.validator_value
    where: JsonPath = tuple(err.absolute_path)
    jpath = describe_path(where)
    kind = err.validator
    pos = doc.pos(where)
    instance = err.instance
    if kind == "required":
        missing = _missing(err)
        return _f(
            path, pos, "S101", f"{jpath}: missing required key {missing!r}", _add_key_hint(missing)
        )
    if kind in ("additionalProperties", "unevaluatedProperties"):
        allowed = sorted(schema.get("properties", {}))
        extra = [k for k in instance if k not in allowed] if isinstance(instance, dict) else []
        key = extra[0] if extra else "?"
        kpos = doc.key_pos((*where, key))
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
        return _f(path, kpos, "S102", f"{jpath}: unknown key {key!r}", hint)
    if kind == "type":
        want = value
        want_text = " or ".join(want) if isinstance(want, list) else str(want)
        return _f(
            path,
            pos,
            "S103",
            f"{jpath}: expected {want_text}, got {_show(instance)}",
            _type_hint(want),
        )
    if kind in ("enum", "const"):
        options = value if kind == "enum" else [value]
        close = difflib.get_close_matches(str(instance), [str(o) for o in options], n=1)
        hint = f"did you mean {close[0]!r}?" if close else ""
        listed = ", ".join(json.dumps(o, ensure_ascii=False) for o in options)
        return _f(path, pos, "S104", f"{jpath}: {_show(instance)} is not one of {listed}", hint)
    if kind == "pattern" and str(err.validator_value).startswith(_DATE_PATTERN_PREFIX):
        return _f(
            path, pos, "S105", f"{jpath}: {_show(instance)} is not an ISO date", iso_hint(instance)
        )
    if kind in ("oneOf", "anyOf", "not"):
        return _f(path, pos, "S106", f"{jpath}: {_choice_message(err)}", _choice_hint(err))
    if kind in ("minLength", "minItems", "minProperties"):
        return _f(
            path, pos, "S107", f"{jpath}: must not be empty", "give a value or remove the key"
        )
    return _f(
        path, pos, "S199", f"{jpath}: {err.message}", "see the schema's description of this key"
    )


def _f(path: str, pos: Any, code: str, message: str, hint: str) -> Finding:
    return error(path, pos.line, pos.col, code, message, hint)


def _show(value: object) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return json.dumps(value, ensure_ascii=False)


def _missing(err: ValidationError) -> str:
    instance = err.instance if isinstance(err.instance, dict) else {}
    wanted: Any = err.validator_value
    for key in wanted:
        if key not in instance:
            return str(key)
    return "?"  # pragma: no cover


def _add_key_hint(key: str) -> str:
    return f"add '{key}:'"


def _type_hint(want: object) -> str:
    if want == "string":
        return "quote the value"
    if want == "boolean":
        return "use true or false"
    if want == "array":
        return "write a list, one '- item' per line"
    if want == "object":
        return "write 'key: value' lines"
    return ""


def _required_sets(err: ValidationError) -> list[list[str]] | None:
    """For oneOf/anyOf whose branches only say `required`, the key sets; else None."""
    branches = err.validator_value
    if not isinstance(branches, list):
        return None
    keysets = []
    for branch in branches:
        if not (isinstance(branch, dict) and set(branch) == {"required"}):
            return None
        keysets.append(list(branch["required"]))
    return keysets


def _choice_message(err: ValidationError) -> str:
    if err.validator == "not":
        keys = (
            err.validator_value.get("required", []) if isinstance(err.validator_value, dict) else []
        )
        return f"give only one of {' or '.join(map(repr, keys))}" if keys else str(err.message)
    keysets = _required_sets(err)
    if keysets is None:
        return str(err.message)
    names = " / ".join(" + ".join(ks) for ks in keysets)
    instance = err.instance if isinstance(err.instance, dict) else {}
    present = [ks for ks in keysets if all(k in instance for k in ks)]
    if not present:
        return f"needs one of: {names}"
    return f"has {' and '.join(' + '.join(ks) for ks in present)}; give only one of: {names}"


def _choice_hint(err: ValidationError) -> str:
    keysets = _required_sets(err)
    if keysets and {"task"} in [set(k) for k in keysets]:
        return "start the item with 'task: <name>', 'milestone: <name>' or 'marker: <name>'"
    if keysets:
        return "keep exactly one of these keys"
    return ""


def _best(err: ValidationError) -> ValidationError:
    """For oneOf/anyOf over real alternatives, the error of the branch that came closest."""
    if err.validator not in ("oneOf", "anyOf") or not err.context or _required_sets(err):
        return err
    from jsonschema.exceptions import best_match

    best = best_match(err.context)
    return best if best is not None else err
