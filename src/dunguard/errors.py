"""The one exception tree of dunguard.

Library code raises these; only the edges (CLI, web) translate them into exit codes or HTTP
statuses. Messages name the file and the place at fault, and say what would work.
"""

from __future__ import annotations


class DunguardError(Exception):
    """Base of every error dunguard raises on purpose."""

    exit_code = 1


class ConfigError(DunguardError):
    """Invalid settings or options."""

    exit_code = 2


class RulePackError(DunguardError):
    """A rule or policy pack is missing or invalid."""

    exit_code = 3

    def __init__(self, source: str, problem: str, entry: str | None = None) -> None:
        self.source = source
        self.entry = entry
        self.problem = problem
        where = f"{source}: {entry}" if entry else source
        super().__init__(f"{where}: {problem}")


class InputError(DunguardError):
    """Input data that cannot be read: missing file, bad encoding, malformed record."""

    exit_code = 4

    def __init__(self, source: str, problem: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.problem = problem
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {problem}")
