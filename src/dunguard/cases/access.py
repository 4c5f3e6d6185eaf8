"""Roles and visibility: who may do what to which case, and what of it they see. All of it in
``decide``; everything else (service, export, future API) asks this one function.

- borrower: their own cases only; full view.
- platform staff: cases against their own platform; the complainant's contact data minimised
  (name kept so they can find the account, phone reduced to its last four digits, no e-mail).
- regulator: every case; personal data minimised unless the case was escalated to them.
- admin: everything.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from dunguard.cases.model import Actor, Case, Complainant, Role
from dunguard.cases.workflow import Action

__all__ = ["Decision", "View", "decide", "minimise"]


class View(StrEnum):
    FULL = "full"
    CONTACT_MINIMISED = "contact_minimised"
    PERSONAL_MINIMISED = "personal_minimised"


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    view: View = View.FULL
    reason: str = ""


_BORROWER = frozenset(
    {
        Action.FILE,
        Action.VIEW,
        Action.DOWNLOAD_EVIDENCE,
        Action.ADD_EVIDENCE,
        Action.ATTACH_FINDING,
        Action.ACCEPT,
        Action.DISPUTE,
        Action.ESCALATE,
        Action.WITHDRAW,
        Action.EXPORT,
    }
)
_PLATFORM = frozenset(
    {
        Action.VIEW,
        Action.DOWNLOAD_EVIDENCE,
        Action.ADD_EVIDENCE,
        Action.ACKNOWLEDGE,
        Action.RESPOND,
        Action.FORWARD,
    }
)
_REGULATOR_ALWAYS = frozenset({Action.VIEW, Action.FORWARD})
_REGULATOR_ESCALATED = frozenset({Action.DOWNLOAD_EVIDENCE, Action.RESOLVE, Action.EXPORT})


def decide(actor: Actor, action: Action, case: Case) -> Decision:
    """May ``actor`` do ``action`` on ``case``, and with which view of its personal data.

    For ``Action.FILE`` pass the case about to be filed."""
    role = actor.role
    if role is Role.ADMIN:
        return Decision(True, View.FULL)
    if role is Role.BORROWER:
        if case.complainant.user_id != actor.user_id:
            return Decision(False, reason="a borrower sees only their own cases")
        if action not in _BORROWER:
            return Decision(False, reason=f"a borrower cannot {action.value}")
        return Decision(True, View.FULL)
    if role is Role.PLATFORM:
        if not actor.tenant or case.platform != actor.tenant:
            return Decision(False, reason="platform staff see only cases against their platform")
        if action not in _PLATFORM:
            return Decision(False, reason=f"platform staff cannot {action.value}")
        return Decision(True, View.CONTACT_MINIMISED)
    if role is Role.REGULATOR:
        view = View.FULL if case.reached_regulator else View.PERSONAL_MINIMISED
        if action in _REGULATOR_ALWAYS:
            return Decision(True, view)
        if action in _REGULATOR_ESCALATED and case.reached_regulator:
            return Decision(True, view)
        return Decision(False, reason=f"a regulator cannot {action.value} this case")
    return Decision(False, reason=f"unknown role {role!r}")  # pragma: no cover


def minimise(case: Case, view: View) -> Case:
    """The case as a viewer with ``view`` may see it."""
    c = case.complainant
    if view is View.FULL:
        return case
    if view is View.CONTACT_MINIMISED:
        return replace(case, complainant=Complainant(c.user_id, c.name, _tail(c.phone), ""))
    return replace(
        case,
        complainant=Complainant("", _initial(c.name), "", ""),
        account_ref=_tail(case.account_ref),
    )


def _tail(value: str, keep: int = 4) -> str:
    if not value:
        return ""
    if len(value) <= keep:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]


def _initial(name: str) -> str:
    return f"{name[0]}*" if name else ""
