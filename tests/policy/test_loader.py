"""Loading and validating contact logs: formats, compression, row/column errors, counts."""

from __future__ import annotations

import bz2
import csv
import gzip
import json
import lzma
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from policy_helpers import ev

from dunguard.errors import ConfigError, InputError
from dunguard.policy import load_log, log_from_records
from dunguard.policy.schema import COLUMNS

GOOD = [
    ev("e1", "2024-01-02T09:00:00+08:00", tz="Asia/Shanghai", outcome="answered"),
    ev("e2", "2024-01-02T23:30:00Z", channel="sms"),
    ev("e3", "2024-01-03T01:00:00.250+08:00", kind="cease", channel="letter", direction="inbound"),
]


def write_csv(path: Path, rows: list[dict[str, Any]], opener: Any = open) -> None:
    with opener(path, "wt", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(COLUMNS))
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else r[k]) for k in COLUMNS})


def write_jsonl(path: Path, rows: list[dict[str, Any]], opener: Any = open) -> None:
    with opener(path, "wt", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> None:
    pq.write_table(pa.Table.from_pylist(rows), path)


WRITERS = {
    "log.csv": lambda p, r: write_csv(p, r),
    "log.csv.gz": lambda p, r: write_csv(p, r, gzip.open),
    "log.csv.bz2": lambda p, r: write_csv(p, r, bz2.open),
    "log.jsonl": lambda p, r: write_jsonl(p, r),
    "log.jsonl.xz": lambda p, r: write_jsonl(p, r, lzma.open),
    "log.parquet": lambda p, r: write_parquet(p, r),
}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_every_format_loads_the_same_events(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    WRITERS[name](path, GOOD)
    log = load_log(path, default_tz="Asia/Shanghai")
    assert (log.rows_read, log.rows_rejected) == (3, 0)
    got = log.con.execute(
        "SELECT event_id, kind, tz, ts_us, local_day, local_us FROM events ORDER BY event_id"
    ).fetchall()
    assert got == [
        ("e1", "contact", "Asia/Shanghai", 1704157200000000, 19724, 9 * 3600 * 10**6),
        ("e2", "contact", "Asia/Shanghai", 1704238200000000, 19725, int(7.5 * 3600 * 10**6)),
        ("e3", "cease", "Asia/Shanghai", 1704214800250000, 19725, 3600 * 10**6 + 250000),
    ]


def test_parquet_with_typed_timestamps(tmp_path: Path) -> None:
    table = pa.Table.from_pylist(GOOD).set_column(
        7,
        "started_at",
        pa.array(
            [1704157200000000, 1704238200000000, 1704214800250000],
            type=pa.timestamp("us", tz="UTC"),
        ),
    )
    pq.write_table(table, tmp_path / "t.parquet")
    log = load_log(tmp_path / "t.parquet", default_tz="Asia/Shanghai")
    assert log.rows_rejected == 0
    naive = table.set_column(7, "started_at", table.column(7).cast(pa.timestamp("us")))
    pq.write_table(naive, tmp_path / "n.parquet")
    log = load_log(tmp_path / "n.parquet")
    assert log.rows_rejected == 3
    assert "--assume-tz" in log.errors[0].problem
    assert load_log(tmp_path / "n.parquet", assume_tz="UTC").rows_rejected == 0


def test_row_errors_name_row_column_and_problem(tmp_path: Path) -> None:
    bad = [
        *GOOD,
        ev("e4", "2024-01-02T09:00:00", tz="Asia/Shanghai"),  # no offset
        ev("e5", "yesterday"),
        ev("e6", "2024-01-02T09:00:00Z", person_role="boss", tz="Mars/Olympus"),
        ev("e1", "2024-01-02T09:00:00Z"),  # duplicate id
        {**ev("e7", "2024-01-02T09:00:00Z"), "outcome": None},  # call without outcome
        ev("e8", "2024-01-02T09:00:00Z", person_id=""),
    ]
    path = tmp_path / "bad.csv"
    write_csv(path, bad)
    log = load_log(path)
    assert (log.rows_read, log.rows_rejected, log.rows_kept) == (9, 6, 3)
    found = {(e.row, e.column) for e in log.errors}
    assert found == {
        (5, "started_at"),
        (6, "started_at"),
        (7, "person_role"),
        (7, "tz"),
        (8, "event_id"),
        (9, "outcome"),
        (10, "person_id"),
    }
    text = "\n".join(log.error_lines())
    assert "bad.csv: line 5: started_at: timestamp without offset" in text
    assert "line 7: person_role: unknown value 'boss'; expected one of debtor" in text
    assert "line 8: event_id: duplicate event_id (first at line 2)" in text
    with pytest.raises(InputError, match="6 of 9 rows rejected"):
        log.raise_if_rejected()
    # --assume-tz accepts the offset-less timestamp.
    assert load_log(path, assume_tz="Asia/Shanghai").rows_rejected == 5


def test_personal_data_is_not_echoed_in_errors() -> None:
    log = log_from_records([ev("e1", "2024-01-02T09:00:00Z", person_role="13800138000")])
    assert log.rows_rejected == 1
    assert "13800138000" not in "\n".join(log.error_lines())


def test_malformed_records_are_counted_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    lines = [json.dumps(GOOD[0]), "{not json", "", "[1, 2]", json.dumps(GOOD[1])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log = load_log(path)
    assert (log.rows_read, log.rows_rejected) == (4, 2)
    assert [(e.row, e.column) for e in log.errors] == [(2, "*"), (4, "*")]
    csv_path = tmp_path / "log.csv"
    write_csv(csv_path, GOOD)
    with csv_path.open("a", encoding="utf-8") as fh:
        fh.write("e9,a1,p1\n")
    log = load_log(csv_path)
    assert (log.rows_read, log.rows_rejected) == (4, 1)
    assert log.errors[0].row == 5 and "expected 12 fields, found 3" in log.errors[0].problem


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("log.txt", "x", "unknown log format"),
        ("log.csv", "event_id,account_id\ne1,a1\n", "missing required column(s): person_id"),
        ("log.csv", "", "empty file"),
        ("log.csv.zst", "x", "zstd"),
    ],
)
def test_file_level_errors(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_log(path)


def test_missing_file_and_bad_zone_options(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_log(tmp_path / "nope.parquet")
    write_csv(tmp_path / "ok.csv", GOOD)
    with pytest.raises(ConfigError, match="unknown default zone"):
        load_log(tmp_path / "ok.csv", default_tz="Asia/Atlantis")


@pytest.mark.parametrize("numpy_rows", [0, 1_000_000])
def test_duplicate_hash_check_both_paths(numpy_rows: int) -> None:
    """The duplicate-id check gives the same answer in numpy (small logs) and in DuckDB (large
    ones), with hashes in both halves of the split, NULLs (missing ids) and a repeat in each."""
    import duckdb

    from dunguard.policy.loader import _hashes_repeat

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE events AS SELECT hash('id' || i) AS __eh FROM range(5000) t(i) "
        "UNION ALL SELECT NULL UNION ALL SELECT NULL"
    )
    high = con.execute("SELECT count(*) FROM events WHERE __eh >= 1::UBIGINT << 63").fetchall()
    assert 0 < high[0][0] < 5000
    assert not _hashes_repeat(con, numpy_rows)
    for half in ("<", ">="):
        con.execute(
            f"INSERT INTO events SELECT __eh FROM events WHERE __eh {half} 1::UBIGINT << 63 LIMIT 1"
        )
        assert _hashes_repeat(con, numpy_rows)
        con.execute("DELETE FROM events WHERE rowid = (SELECT max(rowid) FROM events)")
        assert not _hashes_repeat(con, numpy_rows)
    con.close()
