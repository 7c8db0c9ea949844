"""The error types. `Error` is the one base for "bad input or an unusable environment".

Every command may raise an `Error` subclass anywhere; `cli.main` catches `Error` once and exits 2
with its message and hint. Anything else that escapes is a bug (exit 3). Problems with one file
are not raised at all: they are `Finding`s, and `FindingError` only carries one out of a parser
to the caller that turns it back into a finding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pages_roadmap.findings import Finding

__all__ = ["Error", "FindingError", "UsageError"]


class Error(Exception):
    """Bad arguments, settings or environment: the command stops with exit 2."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def report(self) -> str:
        """The message, and the hint on its own line."""
        return f"{self.message}\nhint: {self.hint}" if self.hint else self.message


class UsageError(Error):
    """The command line asks for something that cannot be done."""


class FindingError(Exception):
    """A located problem raised out of a parser; its caller reports `finding`."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding
