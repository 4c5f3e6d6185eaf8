"""Read contact logs (Parquet, CSV, JSON lines; gzip/bz2/xz compressed), validate every row and
prepare the canonical ``events`` table that the policies query.

Validation is vectorised in DuckDB, so it scales to millions of rows. A row with a problem is
rejected, never silently dropped: ``EventLog`` counts rows read and rejected and keeps the
problems, each naming the row (the line for CSV and JSON lines) and the column.

The prepared table has the log's columns plus three derived ones, all computed here once so that
every engine runs the same integer arithmetic:

- ``ts_us``: ``started_at`` as microseconds since the Unix epoch (UTC);
- ``local_day``: the person's local calendar date, as days since 1970-01-01;
- ``local_us``: the person's local time of day, in microseconds since local midnight;
- ``rid``: the row's number in the source (unique; the policy queries carry it instead of the
  row's text columns and join those back for the hits only).

The value-set columns (``person_role``, ``kind``, ``channel``, ``direction``, ``outcome``) are
DuckDB ENUMs (one byte a row, compared as integers); they read back as strings.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import re
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from dunguard.errors import ConfigError, InputError
from dunguard.policy.schema import (
    CHANNELS,
    COLUMNS,
    DIRECTIONS,
    KINDS,
    OUTCOMES,
    REQUIRED_COLUMNS,
    ROLES,
)

__all__ = ["EventLog", "RowError", "check_zone", "load_log", "log_from_records"]

_COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
_FORMATS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
_OFFSET_RE = "([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$"
_SAFE_VALUE = re.compile(r"^[A-Za-z_/ -]{1,32}$")
MAX_KEPT_ERRORS = 1000
_DAY_US = 86_400_000_000
_HOUR_US = 3_600_000_000


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem with one row. ``row`` is the line number for CSV and JSON lines (header is
    line 1 in CSV) and the 1-based row number for Parquet and in-memory records."""

    row: int
    column: str
    problem: str

    def render(self, source: str, unit: str = "row") -> str:
        return f"{source}: {unit} {self.row}: {self.column}: {self.problem}"


@dataclass(slots=True)
class EventLog:
    """A validated, prepared contact log held in a DuckDB table named ``events``."""

    con: duckdb.DuckDBPyConnection
    source: str
    rows_read: int
    rows_rejected: int
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    row_unit: str = "row"
    default_tz: str = "UTC"
    _pair_key_exact: bool | None = None

    def pair_key_exact(self) -> bool:
        """Whether the ``pair_key`` column (a 64-bit hash of person and account id) tells every
        (person, account) pair of the log apart, so that windows may partition on it instead
        of the two strings. Checked exactly, once per log: as many distinct keys as distinct
        (key, person, account) triples."""
        if self._pair_key_exact is None:
            row = self.con.execute(
                "SELECT count(*) = count(DISTINCT pair_key) FROM "
                "(SELECT DISTINCT pair_key, person_id, account_id FROM events)"
            ).fetchall()
            self._pair_key_exact = bool(row and row[0][0])
        return self._pair_key_exact

    @property
    def rows_kept(self) -> int:
        return self.rows_read - self.rows_rejected

    def summary(self) -> str:
        return (
            f"{self.source}: read {self.rows_read} rows, rejected {self.rows_rejected}, "
            f"kept {self.rows_kept}"
        )

    def error_lines(self, limit: int = 20) -> list[str]:
        lines = [e.render(self.source, self.row_unit) for e in self.errors[:limit]]
        if self.error_count > limit:
            lines.append(f"... and {self.error_count - limit} more problems")
        return lines

    def raise_if_rejected(self) -> None:
        if self.rows_rejected:
            first = self.errors[0]
            raise InputError(
                self.source,
                f"{self.rows_rejected} of {self.rows_read} rows rejected; first: "
                f"{self.row_unit} {first.row}: {first.column}: {first.problem}",
                first.row,
            )

    def to_arrow(self) -> pa.Table:
        as_text = ", ".join(
            f"CAST({c} AS VARCHAR) AS {c}"
            for c in ("person_role", "kind", "channel", "direction", "outcome")
        )
        return self.con.sql(
            f"SELECT * EXCLUDE (pair_key) REPLACE ({as_text}) FROM events ORDER BY ts_us, event_id"
        ).to_arrow_table()

    def close(self) -> None:
        self.con.close()


def check_zone(name: str, what: str = "time zone") -> str:
    """Return ``name`` if it is an IANA zone known to Python, else raise ``ConfigError``."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown {what} {name!r}; use an IANA name such as Asia/Shanghai or America/New_York"
        ) from None
    return name


def load_log(
    path: str | Path,
    *,
    default_tz: str = "UTC",
    assume_tz: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> EventLog:
    """Read, validate and prepare the log at ``path``.

    ``default_tz`` is the zone of persons whose rows have no ``tz``; ``assume_tz`` is the zone of
    timestamps written without an offset (without it such a timestamp is an error).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(str(p), "no such file")
    fmt, opener = _detect_format(p)
    check_zone(default_tz, "default zone")
    if assume_tz is not None:
        check_zone(assume_tz, "assumed zone")
    con = con or _connect()
    if fmt == "parquet":
        scan = f"read_parquet({_q(str(p))}, file_row_number = true)"
        try:
            described = con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
        except duckdb.Error as exc:
            raise InputError(str(p), f"cannot read as Parquet: {exc}") from None
        types = {str(r[0]): str(r[1]) for r in described if r[0] != "file_row_number"}
        _check_columns(str(p), types)
        wanted = [c for c in COLUMNS if c in types]
        con.execute(
            "CREATE OR REPLACE TEMP VIEW raw AS SELECT "
            + ", ".join(f'"{c}"' for c in wanted)
            + f", file_row_number + 1 AS __row FROM {scan}"
        )
        return _prepare(con, str(p), "row", types, default_tz, assume_tz, [], _count(con))
    with _open_text(p, opener) as fh:
        records, parse_errors, total = _read_csv(fh, str(p)) if fmt == "csv" else _read_jsonl(fh)
    table = _to_arrow(records)
    con.register("raw_arrow", table)
    con.execute("CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM raw_arrow")
    types = {c: "VARCHAR" for c in table.column_names}
    return _prepare(con, str(p), "line", types, default_tz, assume_tz, parse_errors, total)


def log_from_records(
    records: Iterable[Mapping[str, Any]],
    *,
    source: str = "<records>",
    default_tz: str = "UTC",
    assume_tz: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> EventLog:
    """Validate and prepare in-memory rows (dicts with the log's columns) like a file."""
    check_zone(default_tz, "default zone")
    rows: list[dict[str, Any]] = []
    for i, rec in enumerate(records, start=1):
        row: dict[str, Any] = {c: _as_text(rec.get(c)) for c in COLUMNS}
        row["__row"] = i
        rows.append(row)
    con = con or _connect()
    table = _to_arrow(rows)
    con.register("raw_arrow", table)
    con.execute("CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM raw_arrow")
    types = {c: "VARCHAR" for c in COLUMNS}
    return _prepare(con, source, "row", types, default_tz, assume_tz, [], len(rows))


# -- reading -------------------------------------------------------------------------------


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def _count(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT count(*) FROM raw").fetchone()
    return int(row[0]) if row else 0


def _detect_format(p: Path) -> tuple[str, Any]:
    suffixes = [s.lower() for s in p.suffixes]
    opener = None
    if suffixes and suffixes[-1] in _COMPRESSED:
        opener = _COMPRESSED[suffixes[-1]]
        suffixes = suffixes[:-1]
    elif suffixes and suffixes[-1] == ".zst":
        raise InputError(str(p), "zstd-compressed text is not supported; use .gz, .bz2 or .xz")
    fmt = _FORMATS.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        raise InputError(
            str(p),
            "unknown log format; name the file *.parquet, *.csv or *.jsonl "
            "(optionally with .gz, .bz2 or .xz)",
        )
    if fmt == "parquet" and opener is not None:
        raise InputError(str(p), "Parquet is compressed inside; do not wrap it in .gz/.bz2/.xz")
    return fmt, opener


def _open_text(p: Path, opener: Any) -> IO[str]:
    try:
        if opener is None:
            return open(p, encoding="utf-8-sig", newline="")
        raw = opener(p, "rb")
        return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(str(p), f"cannot open: {exc}") from None


def _check_columns(source: str, columns: Iterable[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in set(columns)]
    if missing:
        raise InputError(
            source,
            f"missing required column(s): {', '.join(missing)}; a log needs "
            f"{', '.join(REQUIRED_COLUMNS)} (optional: kind, tz, outcome, agency_id, collector_id)",
        )


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _read_csv(fh: IO[str], source: str) -> tuple[list[dict[str, Any]], list[RowError], int]:
    reader = csv.reader(fh)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(source, "empty file; expected a header row") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise InputError(source, f"cannot read the header: {exc}", 1) from None
    header = [h.strip() for h in header]
    _check_columns(source, header)
    index = {c: header.index(c) for c in COLUMNS if c in header}
    records: list[dict[str, Any]] = []
    errors: list[RowError] = []
    total = 0
    line = reader.line_num
    while True:
        start = line + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except (csv.Error, UnicodeDecodeError) as exc:
            total += 1
            errors.append(RowError(start, "*", f"unreadable record: {exc}"))
            line = reader.line_num
            continue
        line = reader.line_num
        if not fields:
            continue
        total += 1
        if len(fields) != len(header):
            errors.append(
                RowError(start, "*", f"expected {len(header)} fields, found {len(fields)}")
            )
            continue
        rec: dict[str, Any] = {c: _as_text(fields[i]) for c, i in index.items()}
        rec["__row"] = start
        records.append(rec)
    return records, errors, total


def _read_jsonl(fh: IO[str]) -> tuple[list[dict[str, Any]], list[RowError], int]:
    records: list[dict[str, Any]] = []
    errors: list[RowError] = []
    total = 0
    try:
        for number, text in enumerate(_lines(fh), start=1):
            if not text.strip():
                continue
            total += 1
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                errors.append(RowError(number, "*", f"invalid JSON: {exc.msg}"))
                continue
            if not isinstance(obj, dict):
                errors.append(RowError(number, "*", "expected a JSON object"))
                continue
            nested = [c for c in COLUMNS if isinstance(obj.get(c), dict | list)]
            if nested:
                errors.append(RowError(number, nested[0], "expected a string, found a structure"))
                continue
            rec: dict[str, Any] = {c: _as_text(obj.get(c)) for c in COLUMNS}
            rec["__row"] = number
            records.append(rec)
    except (UnicodeDecodeError, OSError, EOFError) as exc:
        raise InputError(getattr(fh, "name", "<log>"), f"cannot read: {exc}") from None
    if records:
        present = {c for r in records for c, v in r.items() if v is not None}
        missing = [c for c in REQUIRED_COLUMNS if c not in present]
        if missing:
            raise InputError(
                getattr(fh, "name", "<log>"),
                f"no row has the required column(s) {', '.join(missing)}",
            )
    return records, errors, total


def _lines(fh: IO[str]) -> Iterator[str]:
    yield from fh


def _to_arrow(records: list[dict[str, Any]]) -> pa.Table:
    columns: dict[str, pa.Array] = {}
    for c in COLUMNS:
        columns[c] = pa.array([r.get(c) for r in records], type=pa.string())
    columns["__row"] = pa.array([r["__row"] for r in records], type=pa.int64())
    return pa.table(columns)


# -- validating and preparing ------------------------------------------------------------


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in_list(values: Iterable[str]) -> str:
    return "(" + ", ".join(_q(v) for v in values) + ")"


def _value_text(col: str) -> str:
    """SQL showing a bad value only when it cannot be personal data (short, letters only)."""
    return (
        f"CASE WHEN regexp_matches(CAST({col} AS VARCHAR), {_q(_SAFE_VALUE.pattern)}) "
        f"THEN ' ' || {_q(chr(39))} || CAST({col} AS VARCHAR) || {_q(chr(39))} ELSE '' END"
    )


def _ts_expr(types: Mapping[str, str], assume_tz: str | None) -> tuple[str, str]:
    """SQL for the UTC instant of ``started_at``, and SQL for the problem (NULL when fine)."""
    t = types.get("started_at", "VARCHAR").upper()
    if t.startswith("TIMESTAMP WITH TIME ZONE") or t == "TIMESTAMPTZ":
        return "started_at", "CASE WHEN started_at IS NULL THEN 'missing value' END"
    if t.startswith("TIMESTAMP"):
        if assume_tz is None:
            return (
                "CAST(NULL AS TIMESTAMPTZ)",
                "'timestamp column has no time zone; pass --assume-tz ZONE'",
            )
        return (
            f"timezone({_q(assume_tz)}, CAST(started_at AS TIMESTAMP))",
            "CASE WHEN started_at IS NULL THEN 'missing value' END",
        )
    s = "CAST(started_at AS VARCHAR)"
    has_offset = f"regexp_matches(trim({s}), {_q(_OFFSET_RE)})"
    if assume_tz is None:
        parsed = f"CASE WHEN {has_offset} THEN try_cast(trim({s}) AS TIMESTAMPTZ) END"
        no_offset = "'timestamp without offset; add Z or +hh:mm, or pass --assume-tz ZONE'"
    else:
        naive = f"timezone({_q(assume_tz)}, try_cast(trim({s}) AS TIMESTAMP))"
        parsed = f"CASE WHEN {has_offset} THEN try_cast(trim({s}) AS TIMESTAMPTZ) ELSE {naive} END"
        no_offset = "'not an ISO 8601 timestamp'"
    problem = (
        f"CASE WHEN started_at IS NULL OR trim({s}) = '' THEN 'missing value' "
        f"WHEN NOT {has_offset} AND {parsed} IS NULL THEN {no_offset} "
        f"WHEN {parsed} IS NULL THEN 'not an ISO 8601 timestamp: ' || left({s}, 40) END"
    )
    return parsed, problem


def _prepare(
    con: duckdb.DuckDBPyConnection,
    source: str,
    unit: str,
    types: Mapping[str, str],
    default_tz: str,
    assume_tz: str | None,
    parse_errors: list[RowError],
    total: int,
) -> EventLog:
    present = set(types)

    def col(name: str) -> str:
        return f"CAST({name} AS VARCHAR)" if name in present else "CAST(NULL AS VARCHAR)"

    # Time zones are few: check the distinct names in Python (the gate uses zoneinfo) and in
    # DuckDB's ICU; the good ones go into the SQL as a list.
    zones = [r[0] for r in con.execute(f"SELECT DISTINCT {col('tz')} FROM raw").fetchall()]
    icu = {r[0] for r in con.execute("SELECT name FROM pg_timezone_names()").fetchall()}
    good = sorted(z for z in zones if z is not None and z in icu and _zone_ok(z))
    tz_known = f"{col('tz')} IN {_in_list(good)}" if good else "FALSE"

    ts, ts_problem = _ts_expr(types, assume_tz)
    kind = f"COALESCE({col('kind')}, 'contact')"
    checks: list[tuple[str, str]] = []
    for name in ("event_id", "account_id", "person_id"):
        checks.append(
            (
                name,
                f"CASE WHEN {col(name)} IS NULL OR trim({col(name)}) = '' THEN 'missing value' END",
            )
        )
    for name, values in (
        ("person_role", ROLES),
        ("channel", CHANNELS),
        ("direction", DIRECTIONS),
    ):
        checks.append((name, _enum_check(col(name), values, required=True)))
    checks.append(("kind", _enum_check(col("kind"), KINDS, required=False)))
    outcome_missing = (
        f"CASE WHEN {col('outcome')} IS NULL AND {kind} = 'contact' AND {col('channel')} = 'call' "
        f"THEN 'missing value (required for calls; one of {', '.join(OUTCOMES)})' END"
    )
    checks.append(
        ("outcome", f"COALESCE({outcome_missing}, {_enum_check(col('outcome'), OUTCOMES, False)})")
    )
    checks.append(("started_at", ts_problem))
    checks.append(
        (
            "tz",
            f"CASE WHEN {col('tz')} IS NOT NULL AND NOT ({tz_known}) "
            f"THEN 'unknown IANA time zone' || {_value_text(col('tz'))} END",
        )
    )
    # One pass over the log builds the table, with a flag for rows that fail any check. The
    # flag is the conjunction of the checks above written on the typed columns (a value of a
    # value set is valid exactly when it casts to the ENUM); only when some row fails are the
    # problems themselves listed, for those rows alone (and a flagged row that the listing
    # missed would still be rejected, under column '*').
    tz = f"COALESCE({col('tz')}, {_q(default_tz)})"
    # Local times without a zone conversion per row: the UTC offset of each (zone, UTC hour)
    # that occurs, taken at the hour's first and last microsecond. Where the two agree (every
    # hour without a transition in it) the offset holds for the whole hour; the rows in an hour
    # with a transition are converted one by one.
    hour = f"({_floor_div('epoch_us(ts)', _HOUR_US)})"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE tz_hours AS SELECT tz, b, "
        f"epoch_us(timezone(tz, make_timestamptz(b * {_HOUR_US}))) - b * {_HOUR_US} AS o1, "
        f"epoch_us(timezone(tz, make_timestamptz(b * {_HOUR_US} + {_HOUR_US - 1}))) "
        f"- (b * {_HOUR_US} + {_HOUR_US - 1}) AS o2 "
        f"FROM (SELECT DISTINCT {tz} AS tz, {hour} AS b FROM (SELECT *, {ts} AS ts FROM raw) "
        f"WHERE ts IS NOT NULL AND ({col('tz')} IS NULL OR {tz_known}))"
    )

    def enum(expr: str, values: Iterable[str]) -> str:
        return f"TRY_CAST({expr} AS ENUM {_in_list(values)})"

    def filled(name: str) -> str:  # not NULL and not only spaces: trim(x) <> ''
        return (
            f"CASE WHEN {name} IS NULL OR {name} = '' THEN FALSE "
            f"WHEN unicode({name}) BETWEEN 33 AND 126 THEN TRUE ELSE trim({name}) <> '' END"
        )

    typed = (
        f"SELECT {col('event_id')} AS event_id, {col('account_id')} AS account_id, "
        f"{col('person_id')} AS person_id, {enum(col('person_role'), ROLES)} AS person_role, "
        f"{enum(kind, KINDS)} AS kind, {enum(col('channel'), CHANNELS)} AS channel, "
        f"{enum(col('direction'), DIRECTIONS)} AS direction, "
        f"{enum(col('outcome'), OUTCOMES)} AS outcome, {col('outcome')} IS NULL AS no_outcome, "
        f"{col('agency_id')} AS agency_id, {col('collector_id')} AS collector_id, "
        f"{col('tz')} AS tz_given, {tz} AS tz, {ts} AS ts, __row AS rid, "
        f"hash({col('event_id')}) AS __eh FROM raw"
    )
    ok = " AND ".join(
        [
            filled("event_id"),
            filled("account_id"),
            filled("person_id"),
            "person_role IS NOT NULL",
            "kind IS NOT NULL",
            "channel IS NOT NULL",
            "direction IS NOT NULL",
            "(outcome IS NOT NULL OR (no_outcome AND NOT "
            "coalesce(kind = 'contact' AND channel = 'call', FALSE)))",
            "ts IS NOT NULL",
            f"(tz_given IS NULL OR {tz_known.replace(col('tz'), 'tz_given')})",
        ]
    )
    lt_us = (
        "CASE WHEN o.o1 = o.o2 THEN r.ts_us + o.o1 "
        "ELSE epoch_us(timezone(CASE WHEN r.__ok THEN r.tz END, r.ts)) END"
    )
    con.execute(
        "CREATE OR REPLACE TABLE events AS "
        "SELECT event_id, account_id, person_id, person_role, kind, channel, direction, outcome, "
        "agency_id, collector_id, tz, ts_us, CAST(local_day AS INTEGER) AS local_day, "
        f"lt_us - local_day * {_DAY_US} AS local_us, rid, "
        "hash(person_id, account_id) AS pair_key, __ok, "
        "CASE WHEN event_id IS NOT NULL THEN __eh END AS __eh "
        f"FROM (SELECT *, {_floor_div('lt_us', _DAY_US)} AS local_day FROM ("
        "SELECT r.event_id, r.account_id, r.person_id, r.person_role, r.kind, r.channel, "
        "r.direction, r.outcome, r.agency_id, r.collector_id, r.tz, r.ts_us, "
        f"{lt_us} AS lt_us, r.rid, r.__ok, r.__eh FROM ("
        f"SELECT *, epoch_us(ts) AS ts_us, {hour} AS b, {ok} AS __ok FROM ({typed})) r "
        "LEFT JOIN tz_hours o ON o.tz = r.tz AND o.b = r.b))"
    )
    problems = ", ".join(
        f"CASE WHEN ({expr}) IS NOT NULL THEN {_q(name)} || '\x1f' || ({expr}) END"
        for name, expr in checks
    )
    con.execute("CREATE OR REPLACE TEMP TABLE rejects (__row BIGINT, col VARCHAR, problem VARCHAR)")
    bad_row = con.execute("SELECT count(*) FROM events WHERE NOT __ok").fetchone()
    if bad_row and bad_row[0]:
        con.execute(
            "INSERT INTO rejects "
            "SELECT __row, split_part(p, '\x1f', 1) AS col, split_part(p, '\x1f', 2) AS problem "
            f"FROM (SELECT __row, unnest(list_filter([{problems}], lambda x: x IS NOT NULL)) AS p "
            "FROM raw WHERE __row IN (SELECT rid FROM events WHERE NOT __ok))"
        )
        con.execute(
            "INSERT INTO rejects SELECT rid, '*', 'row failed validation' FROM events "
            "WHERE NOT __ok AND rid NOT IN (SELECT __row FROM rejects)"
        )
    # Duplicate event ids: equal ids have equal hashes, so as many distinct id hashes as ids
    # proves there are none (a count over integers, cheap); the exact search only otherwise.
    if _hashes_repeat(con):
        con.execute(
            "INSERT INTO rejects "
            "SELECT rid, 'event_id', 'duplicate event_id (first at ' || "
            f"{_q(unit)} || ' ' || CAST(first_row AS VARCHAR) || ')' FROM ("
            "SELECT rid, min(rid) OVER (PARTITION BY event_id) AS first_row FROM events "
            "WHERE event_id IN (SELECT event_id FROM events GROUP BY 1 HAVING count(*) > 1)) "
            "WHERE rid > first_row"
        )
    for e in parse_errors:
        con.execute("INSERT INTO rejects VALUES (?, ?, ?)", [e.row, e.column, e.problem])
    con.execute("DELETE FROM events WHERE NOT __ok OR rid IN (SELECT __row FROM rejects)")
    con.execute("ALTER TABLE events DROP COLUMN __ok")
    con.execute("ALTER TABLE events DROP COLUMN __eh")
    count_row = con.execute("SELECT count(*), count(DISTINCT __row) FROM rejects").fetchone()
    error_count, rejected = (int(count_row[0]), int(count_row[1])) if count_row else (0, 0)
    kept = con.execute(
        f"SELECT __row, col, problem FROM rejects ORDER BY __row, col LIMIT {MAX_KEPT_ERRORS}"
    ).fetchall()
    errors = [RowError(int(r), str(c), str(p)) for r, c, p in kept]
    return EventLog(
        con=con,
        source=source,
        rows_read=total,
        rows_rejected=rejected,
        errors=errors,
        error_count=error_count,
        row_unit=unit,
        default_tz=default_tz,
    )


_NUMPY_HASH_ROWS = 50_000_000


def _hashes_repeat(con: duckdb.DuckDBPyConnection, numpy_rows: int = _NUMPY_HASH_ROWS) -> bool:
    """Whether two rows of ``events`` share an event id hash (``__eh``). Up to
    ``numpy_rows`` rows, the hashes are sorted in numpy, in two halves split by the top
    bit on two threads (equal hashes fall in the same half; numpy releases the GIL while it
    sorts): about half the CPU time of DuckDB's distinct count. Larger logs take the distinct
    count, which can spill to disk."""
    rows = con.execute("SELECT count(__eh) FROM events").fetchall()[0][0]
    if rows > numpy_rows:
        got = con.execute("SELECT count(__eh) - count(DISTINCT __eh) FROM events").fetchall()
        return bool(got[0][0])
    hashes = con.execute("SELECT __eh FROM events WHERE __eh IS NOT NULL").fetchnumpy()["__eh"]
    hashes = np.asarray(hashes, dtype=np.uint64)
    high = hashes >= np.uint64(1 << 63)
    halves = [hashes[high], hashes[~high]]
    del hashes, high

    def repeats(part: npt.NDArray[np.uint64]) -> bool:
        part.sort()
        return bool(np.any(part[1:] == part[:-1]))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return any(pool.map(repeats, halves))


def _floor_div(expr: str, d: int) -> str:
    """SQL for ``expr`` divided by the positive integer ``d``, rounded down (also below 0)."""
    return f"(({expr}) - ((({expr}) % {d}) + {d}) % {d}) // {d}"


def _zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _enum_check(expr: str, values: Iterable[str], required: bool) -> str:
    vals = tuple(values)
    listed = ", ".join(vals)
    missing = f"WHEN {expr} IS NULL THEN 'missing value (one of {listed})' " if required else ""
    return (
        f"CASE {missing}WHEN {expr} IS NOT NULL AND {expr} NOT IN {_in_list(vals)} "
        f"THEN 'unknown value' || {_value_text(expr)} || '; expected one of {listed}' END"
    )
