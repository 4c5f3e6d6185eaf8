"""The API's request models spell out the contact-log value sets as literals (for the OpenAPI
document); they must stay the same as the policy schema's."""

from __future__ import annotations

from typing import get_args

from dunguard.policy.schema import CHANNELS, ROLES
from dunguard.web.api_models import GateIn


def _literal_values(annotation: object) -> set[str]:
    """The strings of a Literal, also inside an Optional (``Literal[...] | None``)."""
    values: set[str] = set()
    for arg in get_args(annotation):
        if isinstance(arg, str):
            values.add(arg)
        else:
            values |= _literal_values(arg)
    return values


def test_gate_channels_and_roles_match_the_policy_schema() -> None:
    fields = GateIn.model_fields
    assert _literal_values(fields["channel"].annotation) == set(CHANNELS)
    assert _literal_values(fields["role"].annotation) == set(ROLES)
