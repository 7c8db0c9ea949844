"""The fast validator (jsonschema-rs) says yes exactly when jsonschema finds nothing.

schema.validate trusts jsonschema-rs's "valid" and asks jsonschema only about the rest; so the
two must agree on every document: the roadmaps and pages of the test corpus and of the example
site, each row of the check table, and mutations of each (every scalar replaced by values of
the other types, every mapping given an unknown key, every list emptied).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from test_check_cases import CASES

from pages_roadmap.page import split
from pages_roadmap.schema import validator_for
from pages_roadmap.yamlload import LoadError, load

TESTS = Path(__file__).parent


def _documents() -> Iterator[tuple[str, str, Any]]:
    """(schema name, where, data) for every document we have."""
    roadmaps = [*TESTS.glob("roadmaps/*.yml"), *(REPO / "_roadmaps").glob("*.yml")]
    for file in sorted(roadmaps):
        yield "roadmap", file.name, load(file.read_text(encoding="utf-8"), file.name).data
    pages = [*TESTS.glob("pages/**/*.md"), *REPO.glob("*.md"), REPO / "os2borgerpc/roadmap.md"]
    for file in sorted(pages):
        fm = split(file.read_text(encoding="utf-8")).front_matter
        if fm is not None:
            yield "page", file.name, load(fm.text, file.name).data
    for case_id, files, *_ in CASES:
        for name, text in files.items():
            if isinstance(text, bytes):
                continue
            kind = "roadmap" if name.startswith("_roadmaps/") else "page"
            if kind == "page":
                fm = split(text).front_matter
                if fm is None:
                    continue
                text = fm.text
            try:
                yield kind, case_id, load(text, name).data
            except LoadError:
                continue


def _mutations(data: Any) -> Iterator[Any]:
    """Copies of `data`, each with one value changed."""
    others: list[Any] = ["x", "", "2025-01-01", 1, 1.5, True, None, [], {}]

    def walk(node: Any, setter: Any) -> Iterator[None]:
        if isinstance(node, dict):
            node["zz_unknown"] = 1
            yield
            del node["zz_unknown"]
            for key in list(node):
                value = node[key]
                yield from walk(value, lambda v, k=key: node.__setitem__(k, v))
        elif isinstance(node, list):
            saved = node[:]
            node.clear()
            yield
            node.extend(saved)
            for i, value in enumerate(saved):
                yield from walk(value, lambda v, i=i: node.__setitem__(i, v))
        else:
            for other in others:
                if type(other) is not type(node):
                    setter(other)
                    yield
            setter(node)

    root = copy.deepcopy(data)
    for _ in walk(root, lambda v: None):
        yield copy.deepcopy(root)


def _cases() -> list[tuple[str, str, Any, bool]]:
    """(schema, where, data, jsonschema finds nothing)."""
    out = []
    for kind, where, data in _documents():
        full = validator_for(kind).full
        for n, doc in enumerate([data, *_mutations(data)]):
            valid = next(iter(full.iter_errors(doc)), None) is None
            out.append((kind, f"{where} #{n}", doc, valid))
    return out


CORPUS = _cases()


def test_the_corpus_is_large_and_mixed() -> None:
    verdicts = [valid for *_, valid in CORPUS]
    assert len(CORPUS) > 1000
    assert 50 < sum(verdicts) < len(verdicts) - 50


@pytest.mark.parametrize("kind", ["roadmap", "page"])
def test_fast_and_full_validators_agree(kind: str) -> None:
    validator = validator_for(kind)
    disagree = []
    for k, where, data, full in CORPUS:
        if k != kind:
            continue
        fast = validator.is_valid(data)
        if fast is not None and fast != full:
            disagree.append((where, fast, full, data))
    assert disagree == []


def test_a_key_that_is_not_text_goes_to_jsonschema() -> None:
    validator = validator_for("page")
    assert validator.is_valid({1: "x"}) is None
