"""One SQL query per policy kind, built from the pack's parameters.

The text is portable SQL that DuckDB and Spark SQL both accept: window functions with ROWS or
integer RANGE frames, CASE, joins, integer arithmetic. It reads the prepared ``events`` table
(see ``policy/loader.py``), whose derived columns ``ts_us``, ``local_day`` and ``local_us`` are
integers, so both engines compute the same thing. Every query returns ``HIT_COLUMNS``: one row per
event that should not have happened.

Each policy is written as a narrow query (``policy_keys_sql``) over the few columns it needs: the
windows and joins carry the row key ``rid`` and integers, never the text columns. ``hits_sql`` joins
the text columns of the violating rows back; an engine may do that once for all policies.

``SqlOptions`` lets an engine use what it can do beyond the portable text: the windows over a
(person, account) pair partition on the integer ``pair_key`` column (a hash of the two ids) when
the engine has checked that it tells every pair of the log apart, and DuckDB's per-row RANGE
offsets let 7-in-7 count its days with one sort. The default options give the portable text; both
forms return the same hits (``tests/policy/test_policy_windows.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dunguard.policy.packs import PolicySpec

__all__ = [
    "HIT_COLUMNS",
    "KEY_COLUMNS",
    "PORTABLE",
    "SqlOptions",
    "hits_sql",
    "lit",
    "policy_keys_sql",
    "policy_sql",
]

DAY_US = 86_400_000_000


@dataclass(frozen=True, slots=True)
class SqlOptions:
    """What the engine's SQL may use beyond the portable text.

    ``pair_key``: partition (person, account) windows on the ``pair_key`` column instead of the
    two id strings. Only correct when no two pairs of the log share a key, which the engine must
    have checked (``EventLog.pair_key_exact``). ``row_ranges``: the engine accepts a RANGE frame
    offset that is an expression of the current row (DuckDB does, Spark does not)."""

    pair_key: bool = False
    row_ranges: bool = False

    @staticmethod
    def pair_window(spec: PolicySpec) -> bool:
        """Whether ``spec``'s query has a window over (person, account) pairs: where the
        ``pair_key`` pays for its check. (A request matched on person and account joins on the
        key too when the engine has checked it.)"""
        return spec.kind in ("rolling_calls", "after_conversation", "third_party_once")

    @property
    def pair(self) -> str:
        return "pair_key" if self.pair_key else "person_id, account_id"


PORTABLE = SqlOptions()

# 7-in-7's one-key order: local day times 2**38 plus the microseconds from that date's UTC midnight
# (shifted by a day, so never negative: a UTC offset is less than a day either way, and 3 days of
# microseconds fit in 2**38). Within a date it orders by time; across dates, by date.
_DAY_SHIFT = 1 << 38

HIT_COLUMNS = (
    "rule",
    "event_id",
    "account_id",
    "person_id",
    "channel",
    "agency_id",
    "collector_id",
    "tz",
    "ts_us",
    "local_day",
    "measured",
    "lim",
    "win_start_day",
    "win_end_day",
    "trigger_ts_us",
)

KEY_COLUMNS = (
    "rule",
    "rid",
    "measured",
    "lim",
    "win_start_day",
    "win_end_day",
    "trigger_ts_us",
)

_OUT_CONTACT = "kind = 'contact' AND direction = 'outbound'"


def lit(value: str) -> str:
    """``value`` as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


_lit = lit


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(_lit(v) for v in values) + ")"


def _select(
    spec: PolicySpec,
    alias: str,
    measured: str,
    lim: int,
    win_start_day: str = "CAST(NULL AS INT)",
    win_end_day: str = "CAST(NULL AS INT)",
    trigger: str = "CAST(NULL AS BIGINT)",
) -> str:
    return (
        f"SELECT {_lit(spec.id)} AS rule, {alias}.rid, "
        f"CAST({measured} AS BIGINT) AS measured, CAST({lim} AS BIGINT) AS lim, "
        f"CAST({win_start_day} AS INT) AS win_start_day, "
        f"CAST({win_end_day} AS INT) AS win_end_day, "
        f"CAST({trigger} AS BIGINT) AS trigger_ts_us"
    )


def _quiet_hours(s: PolicySpec, o: SqlOptions) -> str:
    start, end = s.time_us("start"), s.time_us("end")
    ge = ">=" if s.flag("start_inclusive") else ">"
    if start > end:  # the window crosses midnight
        inside = f"(local_us {ge} {start} OR local_us < {end})"
    else:
        inside = f"(local_us {ge} {start} AND local_us < {end})"
    exempt = s.strs("exempt_channels")
    not_exempt = f" AND channel NOT IN {_in(exempt)}" if exempt else ""
    return (
        _select(s, "e", "FLOOR(e.local_us / 1000000)", start // 1_000_000)
        + f" FROM events e WHERE {_OUT_CONTACT}{not_exempt} AND {inside}"
    )


def _daily_cap(s: PolicySpec, o: SqlOptions) -> str:
    outcomes = s.strs("outcomes")
    only = f" AND outcome IN {_in(outcomes)}" if outcomes else ""
    limit = s.num("limit")
    return (
        _select(s, "e", "e.n", limit, "e.local_day", "e.local_day + 1")
        + " FROM (SELECT rid, local_day, ROW_NUMBER() OVER (PARTITION BY person_id, local_day "
        "ORDER BY ts_us, event_id) AS n FROM events "
        f"WHERE {_OUT_CONTACT} AND channel = {_lit(s.params['channel'])} "
        f"AND person_role IN {_in(s.strs('roles'))}{only}) e "
        f"WHERE e.n > {limit}"
    )


def _rolling_calls(s: PolicySpec, o: SqlOptions) -> str:
    days, limit = s.num("window_days"), s.num("limit")
    excluded = s.strs("exclude_outcomes")
    keep = f" AND outcome NOT IN {_in(excluded)}" if excluded else ""
    back = days - 1
    part = f"PARTITION BY {o.pair}"
    calls = (
        f"SELECT rid, {o.pair}, event_id, ts_us, local_day "
        f"FROM events WHERE {_OUT_CONTACT} AND channel = 'call' "
        f"AND person_role IN {_in(s.strs('roles'))}{keep}"
    )
    # n: the calls on the dates [d - back, d] up to and including this one (ts_us, event_id;
    # event ids are unique), without a self-join. Portable: the rank in (local_day, ts_us,
    # event_id) order minus the calls dated d - days or earlier (two sorts). With row ranges:
    # one sort on the integer key k (date, then time), counting the k from date d - back's
    # first instant to this call's own. Either is exact unless a call ordered before this one
    # started at or after it (local dates out of time order: zones differ within the pair, or a
    # backward midnight jump; with k, also a call at the same instant); ``late`` flags those
    # rare calls, which take the band join (against ``cw``, the calls already read).
    if o.row_ranges:
        k = (
            f"CAST(local_day AS BIGINT) * {_DAY_SHIFT} + ts_us "
            f"- CAST(local_day AS BIGINT) * {DAY_US} + {DAY_US}"
        )
        order = f"{part} ORDER BY k"
        windowed = (
            f"SELECT *, COUNT(*) OVER ({order} RANGE BETWEEN k - (CAST(local_day AS BIGINT) "
            f"- {back}) * {_DAY_SHIFT} PRECEDING AND CURRENT ROW) AS n, "
            f"GREATEST(MAX(ts_us) OVER ({order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), "
            f"CASE WHEN COUNT(*) OVER ({order} RANGE BETWEEN CURRENT ROW AND CURRENT ROW) > 1 "
            f"THEN ts_us END) AS late "
            f"FROM (SELECT *, {k} AS k FROM ({calls}) c) x"
        )
        windowed = f"SELECT * EXCLUDE (k) FROM ({windowed}) y"
    else:
        order = f"{part} ORDER BY local_day, ts_us, event_id"
        windowed = (
            f"SELECT *, ROW_NUMBER() OVER ({order}) - COUNT(*) OVER ({part} ORDER BY local_day "
            f"RANGE BETWEEN UNBOUNDED PRECEDING AND {days} PRECEDING) AS n, "
            f"MAX(ts_us) OVER ({order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS late "
            f"FROM ({calls}) x"
        )
    exact = (
        "SELECT e.rid, e.local_day, COUNT(*) AS n "
        "FROM (SELECT * FROM cw WHERE late >= ts_us) e JOIN cw c "
        f"ON {' AND '.join(f'c.{p} = e.{p}' for p in o.pair.split(', '))} "
        f"AND c.local_day >= e.local_day - {back} "
        "AND c.local_day <= e.local_day "
        "AND (c.ts_us < e.ts_us OR (c.ts_us = e.ts_us AND c.event_id <= e.event_id)) "
        "GROUP BY e.rid, e.local_day"
    )
    window = (f"g.local_day - {back}", "g.local_day + 1")
    return (
        f"WITH cw AS ({windowed}) "
        + _select(s, "g", "g.n", limit, *window)
        + f" FROM cw g WHERE (g.late IS NULL OR g.late < g.ts_us) AND g.n > {limit} UNION ALL "
        + _select(s, "g", "g.n", limit, *window)
        + f" FROM ({exact}) g WHERE g.n > {limit}"
    )


def _after_conversation(s: PolicySpec, o: SqlOptions) -> str:
    days = s.num("days")
    frame = (
        f"OVER (PARTITION BY {o.pair} ORDER BY ts_us "
        "RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
    )
    # Only conversations (any direction) and outbound calls take part: the frame is by time
    # value, so dropping the other calls changes no row's window. Of those, only the pairs with
    # a conversation, and in them the calls from the first conversation's instant to the last
    # conversation's date + days - 1: an earlier call has no conversation before it, a later
    # one is past every conversation's days, and neither changes another row's maximum.
    conv = "kind = 'contact' AND channel = 'call' AND outcome = 'conversation'"
    if o.pair_key:
        v_key, on = "pair_key AS v_pair", "pair_key = v.v_pair"
    else:
        v_key = "person_id AS v_person, account_id AS v_account"
        on = "person_id = v.v_person AND account_id = v.v_account"
    pairs = (
        f"SELECT {v_key}, MIN(ts_us) AS v_first, "
        f"MAX(local_day) AS v_last FROM events WHERE {conv} GROUP BY {o.pair}"
    )
    calls = (
        f"SELECT rid, {o.pair}, ts_us, local_day, "
        "direction = 'outbound' AS outbound, "
        "CASE WHEN outcome = 'conversation' THEN local_day END AS conv_day, "
        "CASE WHEN outcome = 'conversation' THEN ts_us END AS conv_ts "
        f"FROM events JOIN ({pairs}) v ON {on} "
        "WHERE kind = 'contact' AND channel = 'call' "
        "AND (outcome = 'conversation' OR direction = 'outbound') "
        f"AND ts_us >= v.v_first AND local_day <= v.v_last + {days - 1}"
    )
    windowed = (
        f"SELECT rid, local_day, outbound, MAX(conv_day) {frame} AS last_day, "
        f"MAX(conv_ts) {frame} AS last_ts FROM ({calls}) k"
    )
    return (
        _select(
            s,
            "w",
            "w.local_day - w.last_day + 1",
            days,
            "w.last_day",
            f"w.last_day + {days}",
            "w.last_ts",
        )
        + f" FROM ({windowed}) w WHERE w.outbound AND w.last_day IS NOT NULL "
        f"AND w.local_day <= w.last_day + {days - 1}"
    )


def _after_request(s: PolicySpec, o: SqlOptions) -> str:
    match = s.strs("match")
    if o.pair_key and sorted(match) == ["account_id", "person_id"]:
        match = ("pair_key",)  # one integer to join on instead of two strings
    targets = s.strs("target_roles")
    exempt = s.strs("exempt_channels")
    requests = (
        "SELECT " + ", ".join(f"{m} AS r_{m}" for m in match) + ", MIN(ts_us) AS trig "
        f"FROM events WHERE kind = {_lit(s.params['request'])} GROUP BY " + ", ".join(match)
    )
    on = " AND ".join(f"e.{m} = r.r_{m}" for m in match)
    where = ["e.kind = 'contact'", "e.direction = 'outbound'", "e.ts_us > r.trig"]
    if targets:
        where.append(f"e.person_role IN {_in(targets)}")
    if exempt:
        where.append(f"e.channel NOT IN {_in(exempt)}")
    return (
        _select(s, "e", "1", 0, trigger="r.trig")
        + f" FROM events e JOIN ({requests}) r ON {on} WHERE "
        + " AND ".join(where)
    )


def _third_party_reachable(s: PolicySpec, o: SqlOptions) -> str:
    targets = _in(s.strs("target_roles"))
    outcomes = s.strs("outcomes")
    answered = (
        f"kind = 'contact' AND channel = 'call' AND person_role IN {_in(s.strs('debtor_roles'))}"
        + (f" AND outcome IN {_in(outcomes)}" if outcomes else "")
    )
    target = f"{_OUT_CONTACT} AND person_role IN {targets}"
    back_us = s.num("lookback_days") * DAY_US
    frame = (
        f"OVER (PARTITION BY account_id ORDER BY ts_us "
        f"RANGE BETWEEN {back_us} PRECEDING AND 1 PRECEDING)"
    )
    rel = (
        f"SELECT rid, account_id, ts_us, CASE WHEN {answered} THEN 1 ELSE 0 END AS is_ans, "
        f"CASE WHEN {target} THEN 1 ELSE 0 END AS is_target FROM events "
        f"WHERE account_id IN (SELECT account_id FROM events WHERE {target})"
    )
    windowed = (
        f"SELECT rid, is_target, SUM(is_ans) {frame} AS n_ans, "
        f"MAX(CASE WHEN is_ans = 1 THEN ts_us END) {frame} AS last_ans "
        f"FROM ({rel}) r WHERE is_ans = 1 OR is_target = 1"
    )
    return (
        _select(s, "w", "w.n_ans", 0, trigger="w.last_ans")
        + f" FROM ({windowed}) w WHERE w.is_target = 1 AND w.n_ans > 0"
    )


def _third_party_once(s: PolicySpec, o: SqlOptions) -> str:
    # first_ts: the running minimum in the same order as n (one sort), which on every row
    # after the first is the pair's first contact.
    order = f"PARTITION BY {o.pair} ORDER BY ts_us, event_id"
    return (
        _select(s, "e", "e.n", 1, trigger="e.first_ts")
        + f" FROM (SELECT rid, ROW_NUMBER() OVER ({order}) AS n, MIN(ts_us) OVER ({order} "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS first_ts "
        f"FROM events WHERE {_OUT_CONTACT} "
        f"AND person_role IN {_in(s.strs('target_roles'))}) e WHERE e.n > 1"
    )


_BUILDERS: dict[str, Callable[[PolicySpec, SqlOptions], str]] = {
    "quiet_hours": _quiet_hours,
    "daily_cap": _daily_cap,
    "rolling_calls": _rolling_calls,
    "after_conversation": _after_conversation,
    "after_request": _after_request,
    "third_party_reachable": _third_party_reachable,
    "third_party_once": _third_party_once,
}


def policy_keys_sql(spec: PolicySpec, options: SqlOptions = PORTABLE) -> str:
    """The narrow query of ``spec`` over ``events``: ``KEY_COLUMNS``, one row per hit."""
    return _BUILDERS[spec.kind](spec, options)


def hits_sql(keys: str, rule: str = "h.rule") -> str:
    """``HIT_COLUMNS`` for the key rows that the query ``keys`` (alias ``h``) returns: the text
    columns of each hit's event (alias ``e``) joined back on ``rid``. ``rule`` is the SQL of the
    rule column."""
    return (
        f"SELECT {rule} AS rule, e.event_id, e.account_id, e.person_id, "
        "CAST(e.channel AS STRING) AS channel, e.agency_id, e.collector_id, e.tz, e.ts_us, "
        "e.local_day, h.measured, h.lim, h.win_start_day, h.win_end_day, h.trigger_ts_us "
        f"FROM ({keys}) h JOIN events e ON e.rid = h.rid"
    )


def policy_sql(spec: PolicySpec, options: SqlOptions = PORTABLE) -> str:
    """The one query of ``spec`` over the ``events`` table, returning ``HIT_COLUMNS``."""
    return hits_sql(policy_keys_sql(spec, options))
