"""stamps.py, the pure core: formatting with Babel, finding and migrating stamps, the front matter
key edited byte for byte, the record checksum, and a property: nothing else changes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pages_roadmap.findings import Finding
from pages_roadmap.site import load_site
from pages_roadmap.stamps.render import analyze, content_sum, render, render_recorded
from pages_roadmap.stamps.settings import StampSettings
from pages_roadmap.stamps.strftime import FormatError, check_format, format_date

CPH = ZoneInfo("Europe/Copenhagen")
UTC = ZoneInfo("UTC")
# Saturday 28 November 2026, 14:03:09 in Copenhagen (UTC+1).
WHEN = datetime.fromisoformat("2026-11-28T14:03:09+01:00")
LATER = datetime.fromisoformat("2027-01-04T09:00:00+01:00")
DEFAULT = StampSettings()


def stamp_page(
    text: str,
    path: str,
    when: datetime | None,
    settings: StampSettings,
    site_lang: str | None,
    tz: tzinfo,
    *,
    roadmaps: Mapping[str, str | None] | None = None,
) -> tuple[str, list[Finding]]:
    """One page stamped for `when` by the steps `build`'s stamper takes (record first).

    `roadmaps` maps each embedded roadmap id to the digest of its data (ids left out count as
    missing); `when=None` (no date known) only re-renders a valid record.
    """
    ps = analyze(text, path, settings, site_lang, tz)
    if ps.skip or not ps.has_work or any(f.is_error for f in ps.findings):
        return text, ps.findings
    known = roadmaps or {}
    sum_ = content_sum(ps.digest, {name: known.get(name) for name in ps.roadmap_ids})
    kept = render_recorded(ps, sum_, tz)
    if kept is not None:
        return kept, ps.findings
    if when is None:
        return text, ps.findings
    return render(ps, when, sum_, tz), ps.findings


# --- formatting ----------------------------------------------------------------------------------

FORMATS = [
    # (format, language, expected)
    ("%d. %B %Y", "da", "28. november 2026"),
    ("%d. %B %Y", "en", "28. November 2026"),
    ("%d. %B %Y", "de", "28. November 2026"),
    ("%B %d, %Y", "da", "november 28, 2026"),
    ("%B %d, %Y", "en", "November 28, 2026"),
    ("%B %d, %Y", "de", "November 28, 2026"),
    ("%d. %b %Y", "da", "28. nov. 2026"),
    ("%b %d %Y", "en", "Nov 28 2026"),
    ("%d. %b %Y", "de", "28. Nov. 2026"),
    ("%A %d.%m.%Y", "da", "lørdag 28.11.2026"),
    ("%A, %B %d", "en", "Saturday, November 28"),
    ("%A, %d. %B", "de", "Samstag, 28. November"),
    ("%a %e", "da", "lør. 28"),
    ("%a %e", "en", "Sat 28"),
    ("%a %e", "de", "Sa. 28"),
    ("%Y-%m-%d %H:%M:%S %z", "en", "2026-11-28 14:03:09 +0100"),
    ("%j %y %:z %Z", "en", "332 26 +01:00 UTC+01:00"),
    ("%^B %-m/%_m %%", "en", "NOVEMBER 11/11 %"),
    ("%I:%M %p", "en", "02:03 PM"),
    ("%F %T", "da", "2026-11-28 14:03:09"),
    # No format: the language's long date.
    (None, "da", "28. november 2026"),
    (None, "en", "November 28, 2026"),
    (None, "de", "28. November 2026"),
]


@pytest.mark.parametrize(("fmt", "lang", "expected"), FORMATS)
def test_format_date(fmt: str | None, lang: str, expected: str) -> None:
    assert format_date(fmt, WHEN, lang) == expected


@pytest.mark.parametrize(
    ("day", "fmt", "expected"),
    [
        ("2026-11-02", "%e. %B", " 2. november"),
        ("2026-11-02", "%-d. %B", "2. november"),
        ("2026-11-02", "%d. %B", "02. november"),
        ("2026-11-02", "%A", "mandag"),
    ],
)
def test_padding_flags(day: str, fmt: str, expected: str) -> None:
    assert format_date(fmt, datetime.fromisoformat(day + "T12:00:00+01:00"), "da") == expected


def test_stand_alone_month_names_without_a_day() -> None:
    # Russian inflects the month after a day number ("28 ноября") but not alone ("ноябрь").
    assert format_date("%d %B", WHEN, "ru") == "28 ноября"
    assert format_date("%B %Y", WHEN, "ru") == "ноябрь 2026"


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        ("%L", "%L is not a strftime directive"),
        ("%Y %", "a lone '%' at the end"),
        ("%Y --> x", "may not contain"),
        ("<b>%Y</b>", "may not contain"),
    ],
)
def test_formats_we_cannot_render(fmt: str, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        check_format(fmt)


# --- finding and migrating stamps -----------------------------------------------------------------


def stamped(page: str, when: datetime = WHEN, lang: str = "en", **options: object) -> str:
    text, findings = stamp_page(page, "p.md", when, StampSettings(**options), lang, CPH)  # type: ignore[arg-type]
    assert [f for f in findings if f.is_error] == []
    return text


MANAGED = "<!-- pages-roadmap:stamp %d %b %Y -->{}<!-- /pages-roadmap:stamp -->"

MIGRATIONS = [
    # (page line, expected line)
    (
        "Updated {{ site.time | date: '%B %d, %Y' }}",
        "Updated <!-- pages-roadmap:stamp %B %d, %Y -->November 28, 2026"
        "<!-- /pages-roadmap:stamp -->",
    ),
    (
        'Updated {{site.time|date:"%d.%m.%Y"}}.',
        "Updated <!-- pages-roadmap:stamp %d.%m.%Y -->28.11.2026<!-- /pages-roadmap:stamp -->.",
    ),
    (
        "Updated {{- \"now\" | date: '%Y' -}} x",
        "Updated <!-- pages-roadmap:stamp %Y -->2026<!-- /pages-roadmap:stamp --> x",
    ),
    (
        "Updated {{ 'now'  |  date :  \"%b %e\" }}",
        "Updated <!-- pages-roadmap:stamp %b %e -->Nov 28<!-- /pages-roadmap:stamp -->",
    ),
    (
        "> Quoted {{ site.time | date: '%Y' }}",
        "> Quoted " + MANAGED.replace("%d %b %Y", "%Y").format("2026"),
    ),
    (
        "# Heading {{ site.time | date: '%Y' }} #",
        "# Heading " + MANAGED.replace("%d %b %Y", "%Y").format("2026") + " #",
    ),
    # Managed stamps: only the date text changes.
    ("Updated " + MANAGED.format("1 Jan 2020"), "Updated " + MANAGED.format("28 Nov 2026")),
    (MANAGED.format("old") + " at the start", MANAGED.format("28 Nov 2026") + " at the start"),
    (
        "x <!-- pages-roadmap:stamp -->old<!-- /pages-roadmap:stamp -->",
        "x <!-- pages-roadmap:stamp -->November 28, 2026<!-- /pages-roadmap:stamp -->",
    ),
    # Text, not stamps: code spans, Liquid that prints something else, a stamp in raw <pre>.
    ("`{{ site.time | date: '%Y' }}` and `" + MANAGED.format("x") + "`", None),
    ("{{ site.time }} and {{ site.time | date: '%Y' | upcase }}", None),
    ("<pre>\n" + MANAGED.format("x") + "\n</pre>", None),
    ("<div title=\"{{ site.time | date: '%Y' }}\">", None),
    (
        "[{{ site.time | date: '%Y' }}]( {{ site.time }} )",
        "[" + MANAGED.replace("%d %b %Y", "%Y").format("2026") + "]( {{ site.time }} )",
    ),
]


@pytest.mark.parametrize(("line", "expected"), MIGRATIONS)
def test_stamps_in_a_paragraph(line: str, expected: str | None) -> None:
    page = f"Intro.\n\n{line}\n\nEnd.\n"
    assert stamped(page) == f"Intro.\n\n{expected if expected is not None else line}\n\nEnd.\n"


@pytest.mark.parametrize(
    "page",
    [
        "```\n{{ site.time | date: '%Y' }}\n```\n",
        "~~~\n" + MANAGED.format("x") + "\n~~~\n",
        "para\n\n    {{ site.time | date: '%Y' }}\n",
    ],
)
def test_stamps_in_code_blocks_are_text(page: str) -> None:
    assert stamped(page) == page


def test_migration_can_be_turned_off() -> None:
    page = "Updated {{ site.time | date: '%Y' }}\n"
    assert stamped(page, migrate_liquid=False) == page


@pytest.mark.parametrize(
    ("page", "code", "severity"),
    [
        # A line starting with '<!--' would become a raw HTML block: not migrated.
        ("{{ site.time | date: '%Y' }} updated\n", "T105", "warning"),
        ("- {{ site.time | date: '%Y' }} updated\n", "T105", "warning"),
        # A Liquid format we cannot render keeps working as Liquid.
        ("Updated {{ site.time | date: '%L' }}\n", "T101", "warning"),
        # Our own syntax written wrong: an error, the page is left as it is.
        (
            "Updated <!-- pages-roadmap:stamp %Q -->x<!-- /pages-roadmap:stamp -->\n",
            "T101",
            "error",
        ),
        ("Updated <!-- pages-roadmap:stamp -->\n", "T102", "error"),
        ("<!-- /pages-roadmap:stamp -->\n", "T102", "error"),
    ],
)
def test_stamps_left_alone_with_a_finding(page: str, code: str, severity: str) -> None:
    text, findings = stamp_page(page, "p.md", WHEN, DEFAULT, "en", CPH)
    assert text == page
    assert [(f.code, f.line, f.severity.value) for f in findings] == [(code, 1, severity)]


# --- the front matter key -------------------------------------------------------------------------

KEY = "last_modified_date: 2026-11-28 14:03:09 +0100 # pages-roadmap sum:{}"


def sum_of(page: str) -> str:
    return content_sum(analyze(page, "p.md", DEFAULT, "en", CPH).digest, {})


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # Appended as the last line of the front matter, everything else byte for byte.
        ("---\ntitle: T\n---\nBody\n", "---\ntitle: T\n{key}\n---\nBody\n"),
        (
            "\ufeff---\r\n# comment\r\ntitle:   'Q'   # keep\r\n---\r\nBody",
            "\ufeff---\r\n# comment\r\ntitle:   'Q'   # keep\r\n{key}\r\n---\r\nBody",
        ),
        ("---\n---\nBody\n", "---\n{key}\n---\nBody\n"),
        ("---\ntitle: T\n...\nBody\n", "---\ntitle: T\n{key}\n...\nBody\n"),
        # Replaced in place, keeping the key's spelling and the value's quotes.
        (
            "---\nlast_modified_date: 2020-01-01\ntitle: T\n---\n",
            "---\n{key}\ntitle: T\n---\n",
        ),
        (
            '---\r\nlast_modified_date:   "2020-01-01"  # by hand\r\nz: 1\r\n---\r\n',
            '---\r\nlast_modified_date:   "2026-11-28 14:03:09 +0100" # pages-roadmap sum:{sum}'
            "\r\nz: 1\r\n---\r\n",
        ),
        ("---\nlast_modified_date:\n---\n", "---\n{key}\n---\n"),
        # No front matter: none is added.
        ("Body only\n", "Body only\n"),
    ],
)
def test_front_matter_key(before: str, after: str) -> None:
    s = sum_of(before)
    expected = after.replace("{key}", KEY.format(s)).replace("{sum}", s)
    assert stamped(before) == expected


def test_front_matter_key_can_be_renamed_or_turned_off() -> None:
    page = "---\ntitle: T\n---\n"
    assert "\nlast_modified_at: 2026-11-28" in stamped(page, front_matter_key="last_modified_at")
    assert stamped(page, front_matter_key=None) == page
    custom = stamped(page, front_matter_format="%Y-%m-%dT%H:%M:%S%:z")
    assert "last_modified_date: 2026-11-28T14:03:09+01:00 # pages-roadmap sum:" in custom


@pytest.mark.parametrize(
    "page",
    [
        "---\nlast_modified_date: |\n  2020-01-01\n---\n",
        "---\nlast_modified_date:\n  - 2020\n---\n",
        "---\n- a list\n---\n",
        "---\ntitle: [unclosed\n---\n",
    ],
)
def test_front_matter_we_cannot_edit_is_left_alone(page: str) -> None:
    text, findings = stamp_page(page, "p.md", WHEN, DEFAULT, "en", CPH)
    assert text == page
    assert [(f.code, f.is_error) for f in findings] == [("T103", False)]


# --- the record -----------------------------------------------------------------------------------


def test_a_valid_record_keeps_its_date() -> None:
    page = "---\ntitle: T\n---\nUpdated " + MANAGED.format("") + "\n"
    once = stamped(page)
    # Another date offered (history moved on, a pre-commit run says "now"): the record wins.
    assert stamped(once, LATER) == once
    assert stamped(once, None) == once
    # A changed format is re-rendered from the recorded date.
    reformatted = once.replace("%d %b %Y", "%Y")
    assert stamped(reformatted, LATER) == reformatted.replace("28 Nov 2026", "2026")
    # Site time zone and language are applied to the recorded date.
    text, _ = stamp_page(once, "p.md", LATER, DEFAULT, "da", UTC)
    assert "2026-11-28 13:03:09 +0000" in text and ">28 nov. 2026<" in text


def test_a_real_change_or_a_changed_roadmap_takes_the_new_date() -> None:
    page = "---\ntitle: T\n---\nUpdated " + MANAGED.format("") + "\n"
    once = stamped(page)
    edited = once.replace("Updated", "Changed")
    assert "04 Jan 2027" in stamped(edited, LATER)
    with_roadmap = (
        "---\ntitle: T\n---\n<!-- pages-roadmap:gantt r -->\n<!-- /pages-roadmap:gantt -->\n"
    )
    a, _ = stamp_page(with_roadmap, "p.md", WHEN, DEFAULT, "en", CPH, roadmaps={"r": "1"})
    b, _ = stamp_page(a, "p.md", LATER, DEFAULT, "en", CPH, roadmaps={"r": "1"})
    c, _ = stamp_page(a, "p.md", LATER, DEFAULT, "en", CPH, roadmaps={"r": "2"})
    assert a == b and "2027-01-04" in c


def test_language_comes_from_the_page_then_the_site() -> None:
    page = "---\nlang: de\n---\nUpdated " + MANAGED.format("") + "\n"
    assert ">28 Nov. 2026<" in stamped(page, lang="da")
    assert ">28 nov. 2026<" in stamped(page.replace("lang: de", "title: x"), lang="da")
    assert ">28 Nov 2026<" in stamped(page.replace("lang: de", "title: x"), lang=None)  # type: ignore[arg-type]
    text, findings = stamp_page(page.replace("de", "xx"), "p.md", WHEN, DEFAULT, "da", CPH)
    assert ">28 Nov 2026<" in text and [(f.code, f.line) for f in findings] == [("T104", 2)]


def test_page_default_format_and_skip() -> None:
    page = "---\npages_roadmap:\n  stamp_format: '%Y'\n---\nx <!-- pages-roadmap:stamp -->" + (
        "<!-- /pages-roadmap:stamp -->\n"
    )
    assert "-->2026<" in stamped(page)
    skipped = page.replace("stamp_format: '%Y'", "skip: true")
    assert stamped(skipped) == skipped


# --- settings -------------------------------------------------------------------------------------


def test_settings_are_validated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "_config.yml").write_text(
        "pages_roadmap:\n"
        "  stamps:\n"
        "    formt: '%Y'\n"
        "    date: authored\n"
        "    format: '%Q'\n"
        "    front_matter_format: '%d.%m.%Y'\n"
        "    front_matter_key: 'bad key'\n"
        "    migrate_liquid: 'no'\n"
    )
    site = load_site(tmp_path)
    assert [(f.code, f.line) for f in site.findings] == [
        ("C101", 3),
        ("C101", 4),
        ("C101", 5),
        ("C101", 6),
        ("C101", 7),
        ("C101", 8),
    ]
    assert "unknown setting stamps.formt" in site.findings[0].message
    # Bad values fall back to the defaults.
    assert StampSettings.from_raw(site.settings.stamps) == StampSettings()
    (tmp_path / "_config.yml").write_text("pages_roadmap:\n  stamps: false\n")
    assert StampSettings.from_raw(load_site(tmp_path).settings.stamps).enabled is False


# --- property: nothing outside the stamps and the key line changes --------------------------------

words = st.text(alphabet=st.sampled_from(list("abcxyzæøå 漢😀.,:;!?'\"()=%$_*")), max_size=15)
pieces = st.one_of(
    words,
    st.sampled_from(
        [
            "{{ site.time | date: '%d. %B %Y' }}",
            '{{- "now" | date: "%Y" -}}',
            "`{{ site.time | date: '%Y' }}`",
            MANAGED.format("old"),
            "<!-- pages-roadmap:stamp -->x<!-- /pages-roadmap:stamp -->",
            "`" + MANAGED.format("code") + "`",
        ]
    ),
)

lines = st.lists(pieces, min_size=1, max_size=4).map(lambda p: "x " + " ".join(p))


@st.composite
def pages(draw: st.DrawFn) -> str:
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    parts = []
    if draw(st.booleans()):
        key = draw(st.sampled_from(["", "last_modified_date: 2001-01-01  # old\n"]))
        parts.append(f"---{nl}# c{nl}title: {draw(words)!r}{nl}{key.replace(chr(10), nl)}---{nl}")
    for _ in range(draw(st.integers(1, 3))):
        block = draw(st.sampled_from(["", "> ", "- ", "# ", "```" + nl]))
        parts.append(block + draw(lines) + nl + ("```" + nl if block.startswith("`") else "") + nl)
    return ("\ufeff" if draw(st.booleans()) else "") + "".join(parts)


def outside(text: str) -> str:
    """The text outside the stamps and the key line."""
    ps = analyze(text, "p.md", DEFAULT, "en", CPH)
    cuts = [(s.start, s.end) for s in ps.stamps]
    if ps.key is not None:
        cuts.append((ps.key.start, ps.key.end))
    out, pos = [], 0
    for start, end in sorted(cuts):
        out.append(text[pos:start])
        pos = end
    out.append(text[pos:])
    return "".join(out)


@settings(max_examples=200, deadline=None)
@given(page=pages(), when=st.sampled_from([WHEN, LATER]))
def test_stamping_changes_nothing_else_and_is_idempotent(page: str, when: datetime) -> None:
    once, findings = stamp_page(page, "p.md", when, DEFAULT, "en", CPH)
    assert not any(f.is_error for f in findings)
    assert outside(once) == outside(page)
    assert stamp_page(once, "p.md", when, DEFAULT, "en", CPH)[0] == once
    # The record holds: another date offered later changes nothing.
    if "pages-roadmap sum:" in once:
        assert stamp_page(once, "p.md", LATER, DEFAULT, "en", CPH)[0] == once
