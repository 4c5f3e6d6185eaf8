"""The loader's local dates and times (an offset per zone and UTC hour, hours with a transition
converted row by row) agree with a per-row zone conversion, around transitions, in zones with
half- and quarter-hour offsets, half-hour daylight saving, negative daylight saving, a skipped
date, and before 1970."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from policy_helpers import ev

from dunguard.policy import log_from_records

ZONES = (
    "America/New_York",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Europe/Dublin",
    "Pacific/Apia",
    "Asia/Kolkata",
    "Europe/Amsterdam",
)


def test_local_day_and_time_match_a_per_row_conversion() -> None:
    rng = random.Random(3)
    rows = []
    # known transitions (UTC) in these zones, hit to the microsecond on both sides
    edges = [
        datetime(2024, 3, 10, 7, 0, tzinfo=UTC),
        datetime(2024, 11, 3, 6, 0, tzinfo=UTC),
        datetime(2024, 4, 6, 15, 0, tzinfo=UTC),
        datetime(2024, 10, 5, 15, 30, tzinfo=UTC),
        datetime(2011, 12, 30, 10, 0, tzinfo=UTC),
        datetime(1986, 1, 1, 0, 0, tzinfo=UTC),
    ]
    instants = []
    for e in edges:
        for d_us in (-3_600_000_001, -1, 0, 1, 1_799_999_999, 3_600_000_000):
            instants.append(e + timedelta(microseconds=d_us))
    for _ in range(400):
        instants.append(
            datetime(1900, 1, 1, tzinfo=UTC)
            + timedelta(microseconds=rng.randrange(0, 130 * 365 * 86_400_000_000))
        )
    for i, at in enumerate(instants):
        for tz in ZONES:
            rows.append(ev(f"e{i}-{tz}", at.isoformat(), tz=tz))
    log = log_from_records(rows)
    assert log.rows_rejected == 0, log.error_lines()
    wrong = log.con.execute(
        "SELECT count(*), count(*) FILTER (WHERE local_day <> CAST(datediff('day', "
        "DATE '1970-01-01', CAST(lt AS DATE)) AS INTEGER) OR local_us <> epoch_us(lt) - "
        "CAST(local_day AS BIGINT) * 86400000000) FROM (SELECT *, "
        "timezone(tz, make_timestamptz(ts_us)) AS lt FROM events)"
    ).fetchone()
    assert wrong == (len(rows), 0)
