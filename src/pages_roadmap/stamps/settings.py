"""Stamp settings: the `pages_roadmap.stamps` key of _config.yml, validated (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pages_roadmap.stamps.strftime import FormatError, check_format, format_date

if TYPE_CHECKING:
    pass

# --- settings ----------------------------------------------------------------------------------

DEFAULT_KEY = "last_modified_date"
# Jekyll's own date form ("2026-11-28 14:03:00 +0100"): Psych reads it as a Time, so Liquid's
# `date` filter, just-the-docs' footer and jekyll-sitemap's <lastmod> all understand it.
DEFAULT_KEY_FORMAT = "%Y-%m-%d %H:%M:%S %z"
STAMP_SETTINGS_KEYS = (
    "enabled",
    "format",
    "front_matter_key",
    "front_matter_format",
    "migrate_liquid",
    "date",
    "ignore_revs",
)
_KEY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# What page.schema.json accepts for last_modified_date / last_modified_at.
_ISO_LIKE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?( ?(Z|[+-][0-9]{2}:?[0-9]{2}))?"
)


@dataclass(frozen=True)
class StampSettings:
    """The `pages_roadmap: stamps:` settings of a site (validated by validate_settings)."""

    enabled: bool = True
    format: str | None = None  # None: the language's long date ("28. november 2026")
    front_matter_key: str | None = DEFAULT_KEY  # None: no front matter key
    front_matter_format: str = DEFAULT_KEY_FORMAT
    migrate_liquid: bool = True
    use_author_date: bool = False
    # None: `.git-blame-ignore-revs` if it exists; "": none; else a path in the site.
    ignore_revs: str | None = None

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> StampSettings:
        """Settings from the raw mapping; values validate_settings rejects fall back to defaults."""
        bad = {path[0] for path, _msg, _hint in validate_settings(raw)}
        ok = {k: v for k, v in raw.items() if k not in bad}
        key = ok.get("front_matter_key", DEFAULT_KEY)
        revs = ok.get("ignore_revs")
        return cls(
            enabled=ok.get("enabled", True),
            format=ok.get("format"),
            front_matter_key=key or None,
            front_matter_format=ok.get("front_matter_format", DEFAULT_KEY_FORMAT),
            migrate_liquid=ok.get("migrate_liquid", True),
            use_author_date=ok.get("date", "committer") == "author",
            ignore_revs="" if revs is False else revs,
        )


def validate_settings(raw: Any) -> list[tuple[tuple[str, ...], str, str]]:
    """Problems of a `stamps:` mapping as (key path, message, hint); empty when all is well."""
    if not isinstance(raw, Mapping):
        return [((), "'stamps' must be a mapping of settings (or false)", "")]
    problems: list[tuple[tuple[str, ...], str, str]] = []
    known = ", ".join(STAMP_SETTINGS_KEYS)
    for key, value in raw.items():
        where = (str(key),)
        if key not in STAMP_SETTINGS_KEYS:
            problems.append((where, f"unknown setting stamps.{key}", f"known: {known}"))
        elif key in ("enabled", "migrate_liquid") and not isinstance(value, bool):
            problems.append((where, f"stamps.{key} must be true or false", ""))
        elif key == "date" and value not in ("committer", "author"):
            problems.append((where, "stamps.date must be 'committer' or 'author'", ""))
        elif key == "format" and (message := _format_problem(value)):
            problems.append((where, f"stamps.format: {message}", 'e.g. "%d. %B %Y"'))
        elif key == "front_matter_key" and not (
            value is False or (isinstance(value, str) and _KEY_NAME.fullmatch(value))
        ):
            problems.append(
                (where, "stamps.front_matter_key must be a key name or false", DEFAULT_KEY)
            )
        elif key == "front_matter_format" and (message := _key_format_problem(value)):
            problems.append((where, f"stamps.front_matter_format: {message}", DEFAULT_KEY_FORMAT))
        elif key == "ignore_revs" and not (value is False or (isinstance(value, str) and value)):
            problems.append((where, "stamps.ignore_revs must be a file path or false", ""))
    return problems


def _format_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return "must be a non-empty strftime format"
    try:
        check_format(value)
    except FormatError as exc:
        return str(exc)
    return None


def _key_format_problem(value: Any) -> str | None:
    problem = _format_problem(value)
    if problem:
        return problem
    sample = format_date(value, datetime.fromisoformat("2026-11-28T14:03:09+01:00"), "en")
    if not _ISO_LIKE.fullmatch(sample):
        return f"gives {sample!r}, which Jekyll does not read as a date (use %Y-%m-%d ...)"
    return None
