"""The site: its root, its `_config.yml` settings (key `pages_roadmap:`), which files are pages."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pages_roadmap.errors import Error
from pages_roadmap.findings import Finding, error
from pages_roadmap.reading import inside, read_text
from pages_roadmap.stamps.settings import validate_settings
from pages_roadmap.yamlload import Document, LoadError, Pos, load

MARKDOWN_SUFFIXES = (".md", ".markdown")
# Never pages, whatever the config says: build output, VCS data, dependency trees.
ALWAYS_SKIPPED = {".git", "_site", "node_modules", "vendor", ".jekyll-cache", ".sass-cache"}
# Jekyll's own default `exclude` list (Jekyll 4).
JEKYLL_DEFAULT_EXCLUDES = (
    ".sass-cache",
    ".jekyll-cache",
    "gemfiles",
    "Gemfile",
    "Gemfile.lock",
    "node_modules",
    "vendor/bundle/",
    "vendor/cache/",
    "vendor/gems/",
    "vendor/ruby/",
)
SETTINGS_KEYS = {"roadmaps_dir", "schemas", "stamps", "severity", "date_order", "vocabulary"}


class SiteError(Error):
    """The site cannot be used at all (no such directory, unreadable config)."""


@dataclass(frozen=True)
class Settings:
    roadmaps_dir: str = "_roadmaps"
    roadmap_schema: str | None = None
    page_schema: str | None = None
    stamps: dict[str, Any] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)  # code -> error | warning | off
    date_order: str | None = None  # "day-first": `check --fix` may rewrite 05-06-2025
    vocabulary: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> spelling -> value


@dataclass
class Site:
    root: Path
    config: dict[str, Any]
    settings: Settings
    config_doc: Document | None = None
    findings: list[Finding] = field(default_factory=list)
    # Resolved folders, each looked up once per run: path handling per page is string work.
    _real: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    _roadmap_files: dict[str, Path] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def timezone(self) -> str:
        tz = self.config.get("timezone")
        return tz if isinstance(tz, str) and tz else "UTC"

    @property
    def lang(self) -> str | None:
        lang = self.config.get("lang")
        return lang if isinstance(lang, str) and lang else None

    @property
    def roadmaps_path(self) -> Path:
        return self.root / self.settings.roadmaps_dir

    def rel(self, path: Path) -> str:
        """The site-relative POSIX path used in findings."""
        text, root = str(path), str(self.root)
        if os.sep == "/" and text.startswith(root) and text[len(root) : len(root) + 1] == "/":
            return text[len(root) + 1 :]  # what relative_to gives, without parsing the path again
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            pass
        try:
            return Path(self.resolved(path)).relative_to(self.real_root).as_posix()
        except ValueError:
            return str(path)

    def real_dir(self, folder: str) -> str:
        """`os.path.realpath(folder)`, computed once per folder for the site's lifetime."""
        real = self._real.get(folder)
        if real is None:
            real = self._real[folder] = os.path.realpath(folder)
        return real

    @property
    def real_root(self) -> Path:
        """The site's folder with every symlink resolved (`root.resolve()`), computed once."""
        return Path(self.real_dir(str(self.root)))

    def resolved(self, path: Path) -> str:
        """`str(path.resolve())`, with the folder's real path looked up once per folder."""
        # String work on purpose (os.path, not pathlib): it runs for every page.
        if ".." in path.parts:  # realpath follows a symlink before '..', abspath would not
            return str(path.resolve())
        folder, name = os.path.split(os.path.abspath(path))  # noqa: PTH100
        full = f"{folder.rstrip('/')}/{name}"
        if not name or os.path.islink(full):  # noqa: PTH114
            return str(path.resolve())
        return f"{self.real_dir(folder).rstrip('/')}/{name}"

    def schema_override(self, name: str) -> Path | None:
        value = self.settings.roadmap_schema if name == "roadmap" else self.settings.page_schema
        if not value:
            return None
        return self.inside_or_refuse(self.root / value, f"pages_roadmap.schemas.{name}")

    def inside_or_refuse(self, path: Path, what: str) -> Path:
        """`path` when it resolves inside the site; else exit 2 (the path rule)."""
        if not inside(path, self.root):
            raise SiteError(
                f"{what}: {path} is outside the site {self.root}; not read or written",
                "name a file inside the site (symlinks may not lead out of it)",
            )
        return path

    def roadmap_file(self, roadmap_id: str) -> Path | None:
        """The data file of a plain roadmap id inside the roadmaps folder, or None."""
        from pages_roadmap.roadmap import ROADMAP_ID

        found = self._roadmap_files.get(roadmap_id)
        if found is not None:  # found once this run: every page embedding it asks again
            return found
        if not ROADMAP_ID.match(roadmap_id):
            return None
        for suffix in (".yml", ".yaml"):
            candidate = self.roadmaps_path / f"{roadmap_id}{suffix}"
            if candidate.is_file():
                # A symlink may not lead out of the site: the page would publish any file.
                if not candidate.resolve().is_relative_to(self.real_root):
                    return None
                self._roadmap_files[roadmap_id] = candidate
                return candidate
        return None

    def roadmap_files(self) -> list[Path]:
        folder = self.roadmaps_path
        if not folder.is_dir():
            return []
        # Anything but a folder: a FIFO or a link out of the site is reported by the reader.
        return sorted(
            p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and not p.is_dir()
        )

    def _rules(self) -> tuple[list[str], list[str], set[str]]:
        excludes = [*JEKYLL_DEFAULT_EXCLUDES, *_strings(self.config.get("exclude"))]
        includes = _strings(self.config.get("include"))
        collections = self.config.get("collections")
        keep_underscore = {"_posts", "_drafts"} | {
            f"_{name}" for name in (collections if isinstance(collections, (dict, list)) else [])
        }
        return excludes, includes, keep_underscore

    def pages(self, suffixes: tuple[str, ...] = MARKDOWN_SUFFIXES) -> list[Path]:
        """Every Markdown file (or file with `suffixes`) Jekyll would read, honouring `exclude:`
        and `include:`."""
        excludes, includes, keep_underscore = self._rules()
        found: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            rel_dir = Path(dirpath).relative_to(self.root).as_posix()
            rel_dir = "" if rel_dir == "." else rel_dir + "/"
            dirnames[:] = sorted(
                d
                for d in dirnames
                if d not in ALWAYS_SKIPPED
                and _wanted(rel_dir + d, d, excludes, includes, keep_underscore)
            )
            for name in sorted(filenames):
                if name.endswith(suffixes) and _wanted(
                    rel_dir + name, name, excludes, includes, keep_underscore
                ):
                    found.append(Path(dirpath) / name)
        return found

    def is_page(self, path: Path) -> bool:
        """True for a Markdown file that `pages()` lists: the same rules, for one path."""
        if not path.name.endswith(MARKDOWN_SUFFIXES):
            return False
        try:
            parts = path.resolve().relative_to(self.real_root).parts
        except ValueError:
            return False
        excludes, includes, keep_underscore = self._rules()
        for i, name in enumerate(parts):
            rel = "/".join(parts[: i + 1])
            is_dir = i < len(parts) - 1
            if is_dir and name in ALWAYS_SKIPPED:
                return False
            if not _wanted(rel, name, excludes, includes, keep_underscore):
                return False
        return True

    def is_roadmap_file(self, path: Path) -> bool:
        """True for a .yml/.yaml file directly in the roadmaps folder."""
        return path.suffix in (".yml", ".yaml") and (
            Path(self.resolved(path)).parent == Path(self.real_dir(str(self.roadmaps_path)))
        )


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _matches(rel: str, patterns: list[str]) -> bool:
    """True when a pattern matches the path, a folder above it, or its name (Jekyll's rules)."""
    if not patterns:
        return False
    glob, prefixes = _compiled(tuple(patterns))
    return bool(
        glob.match(rel) or rel.startswith(prefixes) or glob.match(rel.rsplit("/", 1)[-1])
    )


@lru_cache(maxsize=16)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """Every pattern in one expression (what fnmatchcase matches, one pattern at a time), and
    the folder prefixes: the walk tests each file of the site against them."""
    stripped = [p.rstrip("/") for p in patterns]
    glob = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in stripped))
    return glob, tuple(f"{p}/" for p in stripped)


def _wanted(rel: str, name: str, excludes: list[str], includes: list[str], keep: set[str]) -> bool:
    if _matches(rel, includes):
        return True
    if name.startswith((".", "#")) or name.endswith("~"):
        return False
    if name.startswith("_") and name not in keep:
        return False
    return not _matches(rel, excludes)


def refuse_unbounded_root(root: Path) -> None:
    """A walk of `/` or of a home folder that is no site would read the whole machine: exit 2."""
    real = Path(os.path.realpath(root))
    if (real == Path(real.anchor) or real == Path.home().resolve()) and not (
        real / "_config.yml"
    ).is_file():
        raise SiteError(
            f"{root} is not a site: a file system root or home folder without _config.yml",
            "run in the site's folder, or give --root the folder that holds _config.yml",
        )


def find_root(start: Path) -> Path:
    """The site root, found the way Jekyll users lay out a repository.

    The nearest folder holding `_config.yml`, from `start` up to the git top level (a site in
    `docs/` is found from `docs/` and from any folder inside it); else the git top level itself
    (GitHub Pages builds a repository without `_config.yml` too). Outside git, the nearest folder
    with `_config.yml`, or an error: never a walk of an arbitrary folder.
    """
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file():
            return folder
        if (folder / ".git").exists():
            return folder
    raise SiteError(
        f"{here} is not inside a Jekyll site: no _config.yml here or above, and no git repository",
        "run it in your site's folder, or name the site with --root",
    )


def load_site(root: Path) -> Site:
    """Read `_config.yml` (a missing one is fine: all defaults)."""
    if not root.is_dir():
        raise SiteError(f"{root} is not a directory")
    refuse_unbounded_root(root)
    config_path = root / "_config.yml"
    if not config_path.exists() and not config_path.is_symlink():
        site = Site(root, {}, Settings())
    else:
        try:
            doc = load(read_text(config_path, "_config.yml", root), "_config.yml")
        except LoadError as exc:
            return Site(root, {}, Settings(), None, [exc.finding])
        config = doc.data if isinstance(doc.data, dict) else {}
        settings, findings = _settings(config.get("pages_roadmap"), doc)
        site = Site(root, config, settings, doc, findings)
    if site.roadmaps_path.exists():
        site.inside_or_refuse(
            site.roadmaps_path, f"the roadmaps folder {site.settings.roadmaps_dir}"
        )
    return site


def _settings(raw: Any, doc: Document) -> tuple[Settings, list[Finding]]:
    findings: list[Finding] = []
    if raw is None:
        return Settings(), findings
    base = ("pages_roadmap",)
    if not isinstance(raw, dict):
        pos = doc.pos(base)
        return Settings(), [
            _cfg_error(
                pos,
                "'pages_roadmap' must be a mapping of settings",
                "write the settings as 'key: value' lines under it",
            )
        ]
    for key in raw:
        if key not in SETTINGS_KEYS:
            findings.append(
                _cfg_error(
                    doc.key_pos((*base, key)),
                    f"unknown setting pages_roadmap.{key}",
                    f"known settings: {', '.join(sorted(SETTINGS_KEYS))}",
                )
            )
    schemas = _schema_settings(raw.get("schemas"), doc, findings)
    roadmaps_dir = raw.get("roadmaps_dir", "_roadmaps")
    if (
        not isinstance(roadmaps_dir, str)
        or ".." in Path(roadmaps_dir).parts
        or Path(roadmaps_dir).is_absolute()
    ):
        findings.append(
            _cfg_error(
                doc.pos((*base, "roadmaps_dir")),
                "roadmaps_dir must be a folder inside the site",
                "give a relative path without '..', such as _roadmaps",
            )
        )
        roadmaps_dir = "_roadmaps"
    stamps = raw.get("stamps")
    if stamps is None or stamps is False:  # `stamps: false` turns stamping off
        stamps = {} if stamps is None else {"enabled": False}
    for sub, message, hint in validate_settings(stamps):
        findings.append(_cfg_error(doc.key_pos((*base, "stamps", *sub)), message, hint))
    from pages_roadmap.tuning import validate_rules

    severity, date_order, vocabulary, problems = validate_rules(raw)
    findings += [_cfg_error(doc.key_pos((*base, *sub)), m, h) for sub, m, h in problems]
    return Settings(
        severity=severity,
        date_order=date_order,
        vocabulary=vocabulary,
        roadmaps_dir=roadmaps_dir,
        roadmap_schema=schemas.get("roadmap"),
        page_schema=schemas.get("page"),
        stamps=stamps if isinstance(stamps, dict) else {},
    ), findings


def _schema_settings(raw: Any, doc: Document, findings: list[Finding]) -> dict[str, str]:
    """`pages_roadmap.schemas`: file paths (strings) for `roadmap` and `page`; others reported."""
    where = ("pages_roadmap", "schemas")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        findings.append(
            _cfg_error(
                doc.pos(where),
                "pages_roadmap.schemas must be a mapping",
                "write 'roadmap: <file>' and/or 'page: <file>' under it",
            )
        )
        return {}
    out: dict[str, str] = {}
    for key, value in raw.items():
        if key not in ("roadmap", "page"):
            findings.append(
                _cfg_error(
                    doc.key_pos((*where, key)),
                    f"unknown setting pages_roadmap.schemas.{key}",
                    "known settings: page, roadmap",
                )
            )
        elif not isinstance(value, str) or not value.strip():
            findings.append(
                _cfg_error(
                    doc.pos((*where, key)),
                    f"pages_roadmap.schemas.{key} must be a file path (text)",
                    "write the path of a JSON Schema file in the site, e.g. "
                    f"schemas/{key}.schema.json",
                )
            )
        else:
            out[key] = value
    return out


def _cfg_error(pos: Pos, message: str, hint: str = "") -> Finding:
    return error("_config.yml", pos.line, pos.col, "C101", message, hint)
