"""'Last updated' stamps in a page: found, migrated from Liquid, formatted with Babel (pure).

A managed stamp is an HTML comment pair around the date text, all on one line:

    <!-- pages-roadmap:stamp %d. %B %Y -->28. november 2026<!-- /pages-roadmap:stamp -->

The format (strftime, as Liquid's `date` filter takes it) is optional; without it the page's
default applies. The front matter key (default `last_modified_date`) holds the page's record:
the exact date-time and, in a YAML comment, a checksum of what that date belongs to (the page
without its stamps and generated charts, plus the data of the roadmaps it embeds):

    last_modified_date: 2026-11-28 14:03:00 +0100 # pages-roadmap sum:3f9a1c0b2e

While the checksum matches, the page has not really changed since it was dated, so the date
is kept whatever history says (a human commit of the tool's own output, a pre-commit run dated
'now', a shallow clone). This module reads no clock, runs no git and prints nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from pages_roadmap.findings import Finding, error, warning
from pages_roadmap.page import BOM, find_regions, split
from pages_roadmap.stamps.find import (
    KeyLine,
    PageStamps,
    Stamp,
    _front_matter,
    _key_line,
    find_stamps,
)
from pages_roadmap.stamps.settings import StampSettings, _format_problem
from pages_roadmap.stamps.strftime import format_date, resolve_locale, unknown_language
from pages_roadmap.yamlload import LoadError, load

if TYPE_CHECKING:
    pass

# --- analysis and rendering --------------------------------------------------------------------


def _page_setting(data: Any, name: str) -> Any:
    own = data.get("pages_roadmap") if isinstance(data, dict) else None
    return own.get(name) if isinstance(own, dict) else None


def analyze(
    text: str, path: str, settings: StampSettings, site_lang: str | None, tz: tzinfo
) -> PageStamps:
    """Find everything stamping touches in a page, and its checksum; reads nothing else."""
    page = split(text)
    findings: list[Finding] = []
    doc, problem = _front_matter(page, path)
    findings += [problem] if problem else []
    data = doc.data if doc is not None else None
    own = data.get("lang") if isinstance(data, dict) else None
    # An unknown site language is reported once by the caller, not on every page.
    locale = (resolve_locale(site_lang) if site_lang else None) or "en"
    if isinstance(own, str) and own.strip():
        page_locale = resolve_locale(own)
        if page_locale is None:
            line = doc.pos(("lang",)).line if doc is not None else 1
            findings.append(unknown_language(path, line, own))
        locale = page_locale or "en"
    page_format = _page_setting(data, "stamp_format")
    default_format = page_format if isinstance(page_format, str) else settings.format
    stamps, problems = find_stamps(page, path)
    findings += problems
    kept: list[Stamp] = []
    for stamp in stamps:
        fmt = stamp.fmt or default_format
        if stamp.liquid and not _migrating(stamp, settings, path, findings):
            continue
        if fmt is not None and (message := _format_problem(fmt)):
            # A Liquid stamp we cannot take over still works as before: only a warning.
            report = warning if stamp.liquid else error
            verb = "Liquid stamp not migrated: " if stamp.liquid else ""
            findings.append(
                report(
                    path,
                    stamp.line,
                    1,
                    "T101",
                    f"{verb}stamp format: {message}",
                    "use strftime directives such as %d %e %B %b %A %a %m %Y %H %M",
                )
            )
            continue
        kept.append(stamp)
    key: KeyLine | None = None
    add_key = False
    if settings.front_matter_key and page.front_matter is not None and problem is None:
        key, add_key, trouble = _key_line(
            page, doc, settings.front_matter_key, settings.front_matter_format, tz, path
        )
        findings += [trouble] if trouble else []
    regions = find_regions(page, path)[0] if "pages-roadmap:" in page.body else []
    result = PageStamps(
        text,
        path,
        page,
        kept,
        key,
        add_key,
        settings.front_matter_key,
        settings.front_matter_format,
        locale,
        default_format,
        _page_setting(data, "skip") is True,
        sorted({r.name for r in regions}),
        "",
        findings,
    )
    cuts = [(s.start, s.end, "\0stamp\0") for s in kept]
    cuts += [(r.content_start, r.end_marker_end, "") for r in regions]
    if key is not None:
        cuts.append((key.start, key.end, ""))
    result.digest = _digest(text, cuts)
    return result


def _migrating(stamp: Stamp, settings: StampSettings, path: str, findings: list[Finding]) -> bool:
    if not settings.migrate_liquid:
        return False
    if stamp.line_start:
        # A line starting with '<!--' is a raw HTML block in CommonMark: the rest of the line
        # would lose its Markdown (and the block could cut a paragraph in two).
        findings.append(
            warning(
                path,
                stamp.line,
                1,
                "T105",
                "Liquid stamp at the start of a line is not migrated",
                "put some text before it (e.g. 'Updated: '), or write a managed stamp yourself",
            )
        )
        return False
    return True


def _digest(text: str, cuts: list[tuple[int, int, str]]) -> str:
    parts: list[str] = []
    pos = 0
    for start, end, replacement in sorted(cuts):
        parts.append(text[pos:start])
        parts.append(replacement)
        pos = max(pos, end)
    parts.append(text[pos:])
    return data_digest("".join(parts).removeprefix(BOM))


def data_digest(text: str) -> str:
    """Checksum of a text whatever its newline style (for pages and roadmap files)."""
    normal = text.replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(normal.encode("utf-8", "surrogateescape")).hexdigest()


def roadmap_digest(text: str) -> str:
    """Checksum of a roadmap's data: its comments, quoting and layout do not count.

    A new modeline or a reworded YAML comment changes no chart, so it must not make the pages
    that embed the roadmap "last updated" today. A file that does not load counts as its text.
    """
    try:
        data = load(text, "roadmap").data
    except LoadError:
        return data_digest(text)
    return data_sum(data)


def data_sum(data: Any) -> str:
    """Checksum of loaded roadmap data (what `roadmap_digest` computes from the file's text)."""
    import json

    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(b"data:" + canonical.encode("utf-8", "surrogateescape")).hexdigest()


def content_sum(page_digest: str, roadmaps: Mapping[str, str | None]) -> str:
    """The record checksum: the page's digest and the digests of the roadmaps it embeds."""
    h = hashlib.sha256(page_digest.encode("ascii"))
    for name in sorted(roadmaps):
        h.update(f"\n{name}:{roadmaps[name] or '-'}".encode())
    return h.hexdigest()[:10]


def render(ps: PageStamps, when: datetime, sum_: str | None, tz: tzinfo) -> str:
    """The page with every stamp and the key written for `when` (in `tz`); nothing else changes.

    `sum_` is written into the key's line: None writes the date without a record checksum (a
    provisional date that the next run computes again).
    """
    when = when.astimezone(tz).replace(microsecond=0)
    edits: list[tuple[int, int, str]] = []
    for stamp in ps.stamps:
        date_text = format_date(stamp.fmt or ps.default_format, when, ps.locale)
        if stamp.liquid:
            marker = f" {stamp.fmt}" if stamp.fmt else ""
            edits.append(
                (
                    stamp.start,
                    stamp.end,
                    f"<!-- pages-roadmap:stamp{marker} -->{date_text}<!-- /pages-roadmap:stamp -->",
                )
            )
        else:
            edits.append((stamp.text_start, stamp.text_end, date_text))
    if ps.key is not None or ps.add_key:
        value = format_date(ps.key_format, when, "en")
        comment = f" # pages-roadmap sum:{sum_}" if sum_ else ""
        if ps.key is not None:
            q = ps.key.quote
            prefix = ps.key.prefix if ps.key.prefix[-1:] in (" ", "\t") else ps.key.prefix + " "
            line = f"{prefix}{q}{value}{q}{comment}{ps.key.newline}"
            edits.append((ps.key.start, ps.key.end, line))
        else:
            fm = ps.page.front_matter
            assert fm is not None
            nl = _newline_before(ps.text, fm.end) or ps.page.newline
            edits.append((fm.end, fm.end, f"{ps.key_name}: {value}{comment}{nl}"))
    out: list[str] = []
    pos = 0
    for start, end, replacement in sorted(edits):
        out.append(ps.text[pos:start])
        out.append(replacement)
        pos = end
    out.append(ps.text[pos:])
    return "".join(out)


def _newline_before(text: str, offset: int) -> str:
    if text.endswith("\r\n", 0, offset):
        return "\r\n"
    if text.endswith("\n", 0, offset):
        return "\n"
    return "\r" if text.endswith("\r", 0, offset) else ""


def render_recorded(ps: PageStamps, sum_: str, tz: tzinfo) -> str | None:
    """The page rendered with its recorded date while the record still holds, else None."""
    recorded = ps.record(sum_)
    return None if recorded is None else render(ps, recorded, sum_, tz)
