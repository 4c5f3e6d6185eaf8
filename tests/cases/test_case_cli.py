"""``dunguard case check | export | overdue`` on a SQLite file and an evidence directory."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from case_fixtures import ALICE, BORROWER, STAFF, Clock, upload

from dunguard.cases import Action, Case, CaseService, LocalEvidenceStore, open_engine
from dunguard.cli import main


@pytest.fixture
def on_disk(tmp_path: Path) -> tuple[Path, Path, list[Case]]:
    db, store = tmp_path / "cases.db", tmp_path / "evidence"
    service = CaseService(open_engine(f"sqlite:///{db}"), LocalEvidenceStore(store), clock=Clock())
    cases = [
        service.file_case(
            BORROWER,
            complainant=ALICE,
            platform=p,
            account_ref="LN",
            jurisdiction="CN",
            evidence=[upload(p.encode())],
        )
        for p in ("quickloan", "fastcash")
    ]
    service.act(STAFF, cases[0].id, Action.ACKNOWLEDGE)
    service.engine.dispose()
    return db, store, cases


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_check_export_verify_round_trip(
    on_disk: tuple[Path, Path, list[Case]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, store, cases = on_disk
    code, out, _ = run(capsys, "case", "check", "--db", str(db), "--store", str(store))
    assert code == 0 and out.endswith("2 cases checked, 0 failed\n")
    zip_path = tmp_path / "one.zip"
    code, out, _ = run(
        capsys, "case", "export", "--db", str(db), "--store", str(store), cases[0].id,
        "-o", str(zip_path),
    )  # fmt: skip
    assert code == 0
    head = out.strip().rsplit(" ", 1)[1]
    code, out, _ = run(capsys, "case", "verify", str(zip_path), "--expect-head", head)
    assert code == 0 and "3 events, 1 evidence files" in out


def test_check_reports_a_tampered_database(
    on_disk: tuple[Path, Path, list[Case]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, store, cases = on_disk
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE case_events SET actor_json = ? WHERE seq = 3",
            ('{"role":"admin","tenant":"","user_id":"x"}',),
        )
    code, out, _ = run(capsys, "case", "check", "--db", f"sqlite:///{db}", "--store", str(store))
    assert code == 8
    assert f"TAMPERED: case {cases[0].id}\n  - event 3: content does not match its hash" in out
    assert f"OK: case {cases[1].id}" in out
    assert out.endswith("2 cases checked, 1 failed\n")


def test_overdue_lists_cases_past_a_deadline(
    on_disk: tuple[Path, Path, list[Case]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, store, cases = on_disk
    base = ["case", "overdue", "--db", str(db), "--store", str(store)]
    code, out, _ = run(capsys, *base, "--at", "2026-03-06T09:00:00+00:00")
    assert (code, out) == (0, f"{cases[1].id}\tfastcash\tfiled\tacknowledge\n")
    code, out, _ = run(capsys, *base, "--at", "2026-03-18T09:00:00+00:00")
    assert sorted(out.splitlines()) == sorted(
        [
            f"{cases[0].id}\tquickloan\tacknowledged\trespond",
            f"{cases[1].id}\tfastcash\tfiled\tacknowledge,respond",
        ]
    )
    code, _, err = run(capsys, *base, "--at", "2026-03-18")
    assert code == 2 and "give a time zone offset" in err


def test_missing_database_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "case", "check", "--db", str(tmp_path / "none.db"), "--store", str(tmp_path)
    )
    assert code == 2 and "none.db: no such database file" in err
