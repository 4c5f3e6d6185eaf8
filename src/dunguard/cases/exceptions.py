"""Errors of the case service, all under the one ``DunguardError`` tree."""

from __future__ import annotations

from dunguard.errors import DunguardError


class CaseError(DunguardError):
    """A case operation that cannot be done as asked."""

    exit_code = 6


class IllegalTransition(CaseError):
    """A workflow step that the transition table does not allow from the case's status."""

    def __init__(self, status: str, action: str, allowed: list[str]) -> None:
        self.status = status
        self.action = action
        hint = ", ".join(allowed) if allowed else "none (the case is closed)"
        super().__init__(f"cannot {action} a case that is {status}; allowed now: {hint}")


class AccessDenied(CaseError):
    """The principal may not do this action on this case."""

    exit_code = 7


class CaseNotFound(CaseError):
    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__(f"no case {case_id!r}")


class EvidenceTooLarge(CaseError):
    def __init__(self, name: str, limit: int) -> None:
        super().__init__(f"{name}: evidence larger than the limit of {limit} bytes; nothing stored")


class EvidenceCorrupt(CaseError):
    """A stored evidence file whose content no longer matches its SHA-256 name."""

    exit_code = 8

    def __init__(self, sha256: str, problem: str) -> None:
        self.sha256 = sha256
        super().__init__(f"evidence {sha256}: {problem}")
