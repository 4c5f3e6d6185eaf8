"""The Alembic migrations against the tables declared in code, on SQLite and PostgreSQL
(``case_db_url``): an empty database upgraded to head has exactly the declared schema (every
table on ``Base.metadata``, the web app's included, so a table or column without a revision
fails here), upgrading again changes nothing, and downgrading to base removes it all."""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, func, inspect, select
from sqlalchemy.engine import Engine

from dunguard.cases import open_engine
from dunguard.cases.tables import Base, CaseRow, EventRow
from dunguard.migrations import (
    SCRIPT_LOCATION,
    TABLE_MODULES,
    config,
    current_revision,
    downgrade,
    head_revision,
    metadata,
    upgrade,
)

CASE_TABLES = {"cases", "case_events", "case_evidence"}


def declared() -> MetaData:
    """Every table declared on the shared Base, the web app's too when that module exists."""
    for name in ("dunguard.cases.tables", "dunguard.web.tables"):
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    return Base.metadata


@pytest.fixture
def engine(case_db_url: str) -> Iterator[Engine]:
    engine = create_engine(case_db_url)
    yield engine
    engine.dispose()


def differences(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), declared())


def schema(engine: Engine) -> dict[str, Any]:
    """The reflected schema: per table its columns, indexes, unique and foreign keys."""
    found = inspect(engine)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)],
            sorted((i["name"] or "", tuple(i["column_names"])) for i in found.get_indexes(table)),
            sorted(
                (u["name"] or "", tuple(u["column_names"]))
                for u in found.get_unique_constraints(table)
            ),
            sorted(
                (f["name"] or "", tuple(f["constrained_columns"]), f["referred_table"])
                for f in found.get_foreign_keys(table)
            ),
        )
        for table in sorted(found.get_table_names())
        if table != "alembic_version"
    }


def insert_case(engine: Engine) -> str:
    """One case row with one event row, written straight into the tables."""
    case = dict(
        id="c" * 32, complainant_user="u-alice", complainant_json="{}", personal_salt="s",
        platform="quickloan", account_ref="LN", jurisdiction="CN", categories_json="[]",
        status="filed", filed_at="2026-03-02T09:00:00+00:00", acknowledge_by="",
        respond_by="", resolve_by="", summary="", reached_regulator=False, event_count=1,
        head_hash="h" * 64,
    )  # fmt: skip
    event = dict(
        case_id="c" * 32, seq=1, kind="filed", actor_json="{}", at="", payload_json="{}",
        prev_hash="0" * 64, hash="h" * 64,
    )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(CaseRow.__table__.insert().values(**case))
        conn.execute(EventRow.__table__.insert().values(**event))
    return str(case["id"])


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_gives_exactly_the_declared_schema(engine: Engine) -> None:
    assert tables(engine) == set()
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    diff = differences(engine)
    missing = sorted({d[1].name for d in diff if d[0] == "add_table"})
    assert diff == [], f"tables without a migration: {missing}; all differences: {diff}"
    assert tables(engine) == set(declared().tables)


def test_revision_0001_creates_exactly_the_case_tables(engine: Engine) -> None:
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    assert tables(engine) == CASE_TABLES
    cases_only = MetaData(naming_convention=dict(Base.metadata.naming_convention))
    for name in sorted(CASE_TABLES):
        Base.metadata.tables[name].to_metadata(cases_only)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), cases_only) == []
    indexes = schema(engine)["cases"][1]
    assert [name for name, _ in indexes] == [
        "ix_cases_complainant_user", "ix_cases_platform", "ix_cases_status"
    ]  # fmt: skip
    assert schema(engine)["case_events"][2] == [("uq_case_events_case_id_seq", ("case_id", "seq"))]


def test_the_metadata_migrations_compare_against_is_the_declared_one() -> None:
    assert metadata() is declared()
    assert "dunguard.cases.tables" in TABLE_MODULES
    assert set(metadata().tables) >= CASE_TABLES
    if importlib.util.find_spec("dunguard.web.tables") is not None:
        assert "users" in metadata().tables


def test_upgrade_is_idempotent_and_keeps_the_data(engine: Engine) -> None:
    upgrade(engine)
    migrated = schema(engine)
    case_id = insert_case(engine)
    upgrade(engine)
    upgrade(engine, "head")
    assert current_revision(engine) == head_revision()
    assert schema(engine) == migrated
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(CaseRow)) == 1
        assert conn.scalar(select(func.count()).select_from(EventRow)) == 1
        assert conn.scalar(select(CaseRow.id)) == case_id


def test_downgrade_to_base_removes_every_table_and_upgrade_restores_them(
    engine: Engine,
) -> None:
    upgrade(engine)
    migrated = schema(engine)
    assert set(migrated) >= CASE_TABLES
    downgrade(engine)
    assert current_revision(engine) is None
    assert tables(engine) == set()
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert schema(engine) == migrated


def test_a_database_made_before_migrations_is_adopted(engine: Engine) -> None:
    """The case tables as create_all made them (no version table) are stamped 0001 and
    upgraded, keeping their rows, instead of failing on existing tables."""
    case_tables = [Base.metadata.tables[name] for name in sorted(CASE_TABLES)]
    Base.metadata.create_all(engine, tables=case_tables)
    case_id = insert_case(engine)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.scalar(select(CaseRow.id)) == case_id


def test_services_starting_together_migrate_once(case_db_url: str) -> None:
    """Three processes opening one empty database at once: one migrates, the others wait (an
    advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite) and find it done."""
    failures: list[BaseException] = []
    engines: list[Engine] = []

    def start() -> None:
        try:
            engines.append(open_engine(case_db_url))
        except BaseException as exc:  # asserted below
            failures.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert [current_revision(e) for e in engines] == [head_revision()] * 3
    for e in engines:
        e.dispose()


def test_in_memory_sqlite_is_migrated_on_its_one_connection() -> None:
    engine = open_engine("sqlite://")
    assert current_revision(engine) == head_revision()
    assert tables(engine) >= CASE_TABLES
    engine.dispose()


def test_the_revisions_ship_in_the_package_as_one_linear_history() -> None:
    assert (SCRIPT_LOCATION / "env.py").is_file()
    assert (SCRIPT_LOCATION / "script.py.mako").is_file()
    assert (SCRIPT_LOCATION / "versions" / "0001_cases.py").is_file()
    script = ScriptDirectory.from_config(config())
    assert script.get_heads() == [head_revision()]
    history = list(script.walk_revisions())
    assert history[-1].revision == "0001"
    assert history[-1].down_revision is None
    for newer, older in itertools.pairwise(history):
        assert newer.down_revision == older.revision
