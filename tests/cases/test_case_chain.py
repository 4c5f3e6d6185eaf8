"""The hash chain: an intact log verifies; an edit, a deletion, a reorder or a foreign event is
reported at the event where the chain breaks."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta
from typing import Any

from case_fixtures import BORROWER, STAFF, T0
from hypothesis import given
from hypothesis import strategies as st

from dunguard.cases.model import (
    GENESIS,
    Event,
    EventKind,
    canonical_json,
    chain_event,
    verify_chain,
)


def build(payloads: list[dict[str, Any]], case_id: str = "c1") -> list[Event]:
    events: list[Event] = []
    prev = GENESIS
    for i, payload in enumerate(payloads, 1):
        actor = BORROWER if i % 2 else STAFF
        ev = chain_event(
            case_id, i, EventKind.FORWARDED, actor, T0 + timedelta(hours=i), payload, prev
        )
        events.append(ev)
        prev = ev.hash
    return events


def test_intact_chain_verifies_and_links() -> None:
    events = build([{"n": i, "note": "转交平台"} for i in range(5)])
    assert verify_chain(events, "c1") == []
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert len({e.hash for e in events}) == 5


def test_hash_covers_every_field() -> None:
    ev = build([{"note": "x"}])[0]
    variants = [
        replace(ev, payload={"note": "y"}),
        replace(ev, actor=STAFF),
        replace(ev, at=ev.at + timedelta(seconds=1)),
        replace(ev, kind=EventKind.RESOLVED),
        replace(ev, case_id="c2"),
    ]
    for changed in variants:
        problems = verify_chain([changed])
        assert any("edited" in str(p) for p in problems), changed


def test_edit_is_reported_at_the_edited_event() -> None:
    events = build([{"n": i} for i in range(4)])
    events[2] = replace(events[2], payload={"n": 99})
    problems = verify_chain(events, "c1")
    assert [p.seq for p in problems] == [3]
    assert "edited" in problems[0].problem


def test_deleting_a_middle_event_breaks_sequence_and_link() -> None:
    events = build([{"n": i} for i in range(4)])
    del events[1]
    problems = verify_chain(events, "c1")
    assert {p.seq for p in problems} == {3}
    text = " ".join(p.problem for p in problems)
    assert "expected 2" in text and "previous event" in text


def test_reorder_is_detected() -> None:
    events = build([{"n": i} for i in range(4)])
    events[1], events[2] = events[2], events[1]
    assert verify_chain(events, "c1")


def test_event_of_another_case_is_detected() -> None:
    events = build([{"n": 1}], case_id="other")
    problems = verify_chain(events, "c1")
    assert "belongs to case 'other'" in str(problems[0])


def test_canonical_json_is_key_order_independent() -> None:
    assert canonical_json({"b": 1, "a": "坐牢"}) == canonical_json({"a": "坐牢", "b": 1})
    assert canonical_json({"a": "坐牢"}) == '{"a":"坐牢"}'


def test_round_trip_through_dict_keeps_the_hash() -> None:
    events = build([{"n": 1, "nested": {"z": [1, 2], "a": None}}])
    again = [Event.from_dict(e.to_dict()) for e in events]
    assert again == events
    assert verify_chain(again) == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(
    st.lists(st.dictionaries(st.text(max_size=5), json_values, max_size=3), min_size=1, max_size=6),
    st.data(),
)
def test_any_payload_change_is_detected(
    payloads: list[dict[str, Any]], data: st.DataObject
) -> None:
    events = build(payloads)
    assert verify_chain(events, "c1") == []
    i = data.draw(st.integers(0, len(events) - 1))
    new = data.draw(st.dictionaries(st.text(max_size=5), json_values, max_size=3))
    if canonical_json(new) == canonical_json(dict(events[i].payload)):
        return
    events[i] = replace(events[i], payload=new)
    assert [p.seq for p in verify_chain(events, "c1")] == [i + 1]
