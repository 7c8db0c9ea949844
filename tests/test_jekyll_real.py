"""What Jekyll really does with dates and front matter, pinned with Debian's Jekyll (4.3).

`check`'s severities follow these facts (jekyll.py), not our belief about them: one `jekyll
build` per site (a session fixture) on pages and posts, then the HTML is read. The table of
date forms is also checked against Ruby's own `Time.parse`, which Jekyll and Liquid call.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import write_tree

from pages_roadmap.jekyll import front_matter_findings, read_date
from pages_roadmap.page import split

LAYOUT = (
    '<p class="date">{{ page.date | date: "%Y-%m-%d" }}</p>'
    '<p class="title">{{ page.title }}</p>{{ content }}\n'
)
DATES = ["19-08-2025", "05-06-2025", "2025-02-30"]
# name -> file text: front matter Jekyll will not read, and one it reads, for comparison
FRONT_MATTER = {
    "plain.md": "---\nlayout: default\ntitle: Plain\n---\nplain body\n",
    "bom.md": "\ufeff---\nlayout: default\ntitle: Bom\n---\nbom body\n",
    "junk.md": "gelse---\nlayout: default\ntitle: Junk\n---\njunk body\n",
    "bare.md": "layout: default\ntitle: Bare\n\nbare body\n",
    "open.md": "---\nlayout: default\ntitle: Open\n\nopen body\n",
    "two.md": "---\nlayout: default\ntitle: Two\n---\n---\nparent: X\n---\ntwo body\n",
}


def _jekyll() -> str:
    found = shutil.which("jekyll")
    if found is None:
        if os.environ.get("PAGES_ROADMAP_REQUIRE_ALL"):
            pytest.fail("jekyll is not installed (scripts/setup.sh installs Debian's jekyll)")
        pytest.skip("jekyll is not installed")
    return found


def _build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_jekyll(), "build", "--source", str(root), "--destination", str(root / "_site")],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "JEKYLL_ENV": "production", "LANG": "C.UTF-8"},
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("jekyll-site")
    files: dict[str, str | bytes] = {"_config.yml": "title: t\n", "_layouts/default.html": LAYOUT}
    for d in DATES:
        head = f'---\nlayout: default\ntitle: p\ndate: "{d}"\n---\n'
        files[f"page-{d}.md"] = head + "body\n"
        files[f"_posts/2025-01-01-post-{d}.md"] = head + "body\n"
    files["page-2025-13-01.md"] = '---\nlayout: default\ntitle: p\ndate: "2025-13-01"\n---\nx\n'
    files.update(FRONT_MATTER)
    write_tree(root, files)
    done = _build(root)
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "_site"


@pytest.fixture(scope="session")
def month_13_post(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    # A separate site: this one post breaks the whole build.
    root = tmp_path_factory.mktemp("jekyll-month-13")
    write_tree(
        root,
        {
            "_config.yml": "title: t\n",
            "_layouts/default.html": LAYOUT,
            "index.md": "---\ntitle: Home\n---\nhome\n",
            "_posts/2025-01-01-post.md": '---\nlayout: default\ndate: "2025-13-01"\n---\nx\n',
        },
    )
    return _build(root)


def _shown_date(html: str) -> str:
    m = re.search(r'<p class="date">([^<]*)</p>', html)
    assert m, html
    return m[1]


# (front matter date, the day a page shows, where the post is published): the table
TABLE = [
    ("19-08-2025", "2025-08-19", "2025/08/19"),
    ("05-06-2025", "2025-06-05", "2025/06/05"),  # day-first, though a US reader means 6 May
    ("2025-02-30", "2025-03-02", "2025/03/02"),  # silently rolled over
]


@pytest.mark.parametrize(("value", "page_day", "post_dir"), TABLE)
def test_dates_as_jekyll_reads_them(built: Path, value: str, page_day: str, post_dir: str) -> None:
    page = (built / f"page-{value}.html").read_text(encoding="utf-8")
    assert _shown_date(page) == page_day
    post = built / post_dir / f"post-{value}.html"
    assert post.is_file(), sorted(p.relative_to(built).as_posix() for p in built.rglob("*.html"))
    assert _shown_date(post.read_text(encoding="utf-8")) == page_day
    # ... and pages-roadmap reads it the same way.
    assert read_date(value).read_as == date.fromisoformat(page_day)


def test_month_13_is_printed_raw_on_a_page(built: Path) -> None:
    page = (built / "page-2025-13-01.html").read_text(encoding="utf-8")
    assert _shown_date(page) == "2025-13-01"
    assert read_date("2025-13-01").kind == "invalid"


def test_month_13_in_a_post_breaks_the_whole_build(
    month_13_post: subprocess.CompletedProcess[str],
) -> None:
    assert month_13_post.returncode != 0
    assert "Invalid date '2025-13-01'" in month_13_post.stdout + month_13_post.stderr


# name -> (what Jekyll makes of the file, our code): "page" = rendered with its front matter,
# "raw" = copied as it is, "text" = rendered, the keys shown as text
FM_TABLE = [
    ("plain.md", "page", None),
    ("bom.md", "raw", "P104"),
    ("junk.md", "raw", "P102"),
    ("bare.md", "raw", "P105"),
    ("open.md", "text", "P103"),
    ("two.md", "text", "P106"),
]


@pytest.mark.parametrize(("name", "outcome", "code"), FM_TABLE)
def test_front_matter_jekyll_does_not_read(
    built: Path, name: str, outcome: str, code: str | None
) -> None:
    stem = name.removesuffix(".md")
    if outcome == "raw":
        assert (built / name).read_bytes() == FRONT_MATTER[name].encode("utf-8")
        assert not (built / f"{stem}.html").exists()
    else:
        html = (built / f"{stem}.html").read_text(encoding="utf-8")
        title = re.search(r'<p class="title">([^<]*)</p>', html)
        if outcome == "page":
            assert title and title[1] == stem.capitalize()
        else:
            assert "title: " in html or "parent: X" in html  # the keys are shown as text
    text = FRONT_MATTER[name]
    page = split(text)
    found = front_matter_findings(text, page.front_matter is not None, page.body_start, name)
    assert [f.code for f in found] == ([code] if code else [])
    assert all(f.is_error for f in found)


RUBY_FORMS = [
    "19-08-2025",
    "05-06-2025",
    "2025-02-30",
    "29-02-2025",
    "31-04-2026",
    "2025-13-01",
    "32-01-2025",
    "00-01-2025",
    "19/08/2025",
    "19.08.2025",
    "2025/08/19",
    "2025-8-9",
    "19-8-2025",
    "19-08-2025 10:00",
    "2025-08-19 10:00:00 +0200",
    "TBD",
    "",
]


def test_date_forms_against_ruby_time_parse() -> None:
    """Our reading of each form is Ruby's Time.parse (the parser Jekyll and Liquid use)."""
    _jekyll()  # ruby comes with Debian's jekyll
    script = (
        'require "time"; require "json"; '
        "puts JSON.generate(JSON.parse(STDIN.read).map { |s| "
        'begin; Time.parse(s).strftime("%Y-%m-%d"); rescue ArgumentError; nil; end })'
    )
    done = subprocess.run(
        ["ruby", "-e", script],
        input=json.dumps(RUBY_FORMS),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    ruby = json.loads(done.stdout)
    ours = [read_date(s).read_as for s in RUBY_FORMS]
    assert [None if d is None else d.isoformat() for d in ours] == ruby
