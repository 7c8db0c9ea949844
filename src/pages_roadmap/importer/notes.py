"""What a pass of the importer says: located warnings, and where each one's note goes in the YAML.

Every pass (reader, fields, builder) collects its own `Notes` with a private `Collector` and
returns them with its value; `read_chart` adds them up in pass order. A chart the importer
cannot read raises `ChartError`, which carries the warnings its pass had said before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pages_roadmap.errors import FindingError
from pages_roadmap.findings import Finding, error, warning


class ChartError(FindingError):
    """A chart the importer cannot read; carries the located error and the pass's warnings."""

    def __init__(self, finding: Finding, before: tuple[Finding, ...] = ()) -> None:
        super().__init__(finding)
        self.before = before


@dataclass(frozen=True)
class Notes:
    """Warnings in the order said, and the note of each: above a task, a setting or the file."""

    findings: tuple[Finding, ...] = ()
    header: tuple[str, ...] = ()
    settings: tuple[tuple[str, str], ...] = ()  # (setting, note)
    tasks: tuple[tuple[int, str], ...] = ()  # (task index, note)

    def __add__(self, other: Notes) -> Notes:
        return Notes(
            self.findings + other.findings,
            self.header + other.header,
            self.settings + other.settings,
            self.tasks + other.tasks,
        )

    def by_setting(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key, note in self.settings:
            out.setdefault(key, []).append(note)
        return out

    def by_task(self) -> dict[int, list[str]]:
        """Each task's notes: one per problem class (the first said of each code)."""
        out: dict[int, list[str]] = {}
        for index, note in self.tasks:
            notes = out.setdefault(index, [])
            if not any(n.split(":", 1)[0] == note.split(":", 1)[0] for n in notes):
                notes.append(note)
        return out


class Collector:
    """One pass's notes while it runs; `notes()` is what it hands on."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._findings: list[Finding] = []
        self._header: list[str] = []
        self._settings: list[tuple[str, str]] = []
        self._tasks: list[tuple[int, str]] = []

    def fail(self, where: tuple[int, int], code: str, message: str, hint: str) -> ChartError:
        return ChartError(error(self.path, *where, code, message, hint), tuple(self._findings))

    def warn(
        self,
        where: tuple[int, int],
        code: str,
        message: str,
        hint: str,
        *,
        task: int | None = None,
        setting: str | None = None,
        short: str | None = None,
        same: bool = False,
    ) -> None:
        """A warning; its text (or `short`) also goes into the YAML above what it is about.

        `same`: the data draws what the chart drew (a trailing comma read as Mermaid reads it, a
        setting Mermaid ignored left out), so the YAML needs no comment; the finding says it.
        """
        self._findings.append(warning(self.path, *where, code, message, hint))
        if same:
            return
        note = f"{code}: {short or message}"
        if task is not None:
            self._tasks.append((task, note))
        elif setting is not None:
            self._settings.append((setting, note))
        else:
            self._header.append(note)

    def notes(self) -> Notes:
        return Notes(
            tuple(self._findings), tuple(self._header), tuple(self._settings), tuple(self._tasks)
        )
