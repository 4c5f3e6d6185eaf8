"""Invariants over random workflows: whatever sequence of steps is tried (legal or not), the
stored status is the one the event log replays to, the chain verifies, and a refused step
writes nothing."""

from __future__ import annotations

from pathlib import Path

from case_fixtures import ADMIN, ALICE, BORROWER, Clock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dunguard.cases import Action, CaseError, CaseService, LocalEvidenceStore, open_engine
from dunguard.cases.model import replay_status

STEPS = [
    Action.ACKNOWLEDGE,
    Action.RESPOND,
    Action.ACCEPT,
    Action.DISPUTE,
    Action.ESCALATE,
    Action.RESOLVE,
    Action.WITHDRAW,
    Action.FORWARD,
]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(st.tuples(st.sampled_from(STEPS), st.integers(0, 20)), max_size=12),
)
def test_random_workflows_keep_status_and_chain_consistent(
    case_db_url: str, tmp_path: Path, steps: list[tuple[Action, int]]
) -> None:
    # The examples share the test's database; each files its own case and checks only that.
    clock = Clock()
    engine = open_engine(case_db_url)
    service = CaseService(engine, LocalEvidenceStore(tmp_path / "ev"), clock=clock)
    case = service.file_case(
        BORROWER, complainant=ALICE, platform="quickloan", account_ref="LN", jurisdiction="US"
    )
    for action, days in steps:
        clock.advance(days)
        before = service.events(ADMIN, case.id)
        try:
            service.act(ADMIN, case.id, action)
        except CaseError:
            assert service.events(ADMIN, case.id) == before
        events = service.events(ADMIN, case.id)
        assert replay_status(events) is service.get(ADMIN, case.id).status
    assert service.verify(case.id) == []
    engine.dispose()
