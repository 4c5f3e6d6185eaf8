"""Alembic migrations of dunguard's database (the case service's tables and the web app's,
all on ``dunguard.cases.tables.Base``), run from code: no ``alembic.ini`` is needed.

- ``upgrade(engine)`` brings a database to the newest revision (``alembic upgrade head``) on
  one connection of ``engine``, in one transaction; ``cases.service.open_engine`` calls it, so an
  in-memory SQLite engine (one shared connection, ``StaticPool``) is migrated in place. It is
  idempotent, serialised between processes on PostgreSQL (an advisory lock; SQLite writers
  queue on ``BEGIN IMMEDIATE``), and adopts a database whose case tables were created before
  migrations existed (it stamps revision 0001 instead of failing on existing tables).
- ``downgrade(engine, revision="base")``, ``current_revision(engine)``, ``head_revision()``.
- ``config(url=None)``: the ``alembic.config.Config`` with ``script_location`` pointing at this
  package, for any other Alembic command. A new revision, with the schema of an up-to-date
  database compared against the tables declared in code::

      from alembic import command
      from dunguard.migrations import config
      command.revision(config("sqlite:///up-to-date.db"), "what changed",
                       autogenerate=True, rev_id="0002")

Every schema change needs a new revision in ``versions/`` (``tests/migrations`` compares the
migrated schema with ``metadata()`` and fails on any difference).
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection, Engine

__all__ = [
    "SCRIPT_LOCATION",
    "config",
    "current_revision",
    "downgrade",
    "head_revision",
    "metadata",
    "upgrade",
]

#: The Alembic script directory: this package (``env.py``, ``script.py.mako``, ``versions/``).
SCRIPT_LOCATION = Path(__file__).resolve().parent

#: Modules that declare tables on ``dunguard.cases.tables.Base``; optional ones are imported
#: when present.
TABLE_MODULES = ("dunguard.cases.tables", "dunguard.web.tables")

#: Revision of the case tables as ``create_all`` made them before migrations existed.
FIRST_REVISION = "0001"

# Any constant: the key of the PostgreSQL advisory lock held while migrating.
_PG_LOCK_KEY = 0x64756E67


def metadata() -> MetaData:
    """The metadata of every table the migrations must create (all modules in
    ``TABLE_MODULES`` that exist are imported first)."""
    for name in TABLE_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    from dunguard.cases.tables import Base

    return Base.metadata


def config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic configuration built in code: ``script_location`` is this package; ``url``
    (``sqlalchemy.url``) or ``connection`` says which database ``env.py`` works on."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION).replace("%", "%%"))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


def head_revision() -> str:
    """The newest revision shipped with this version of dunguard."""
    head = _script().get_current_head()
    assert head is not None, "no migration revisions found"
    return head


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; ``None`` for a database never migrated."""
    with engine.connect() as conn:
        return _revision(conn)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """``alembic upgrade <revision>`` on one connection of ``engine``, in one transaction."""
    with engine.begin() as conn:
        _lock(conn)
        current = _revision(conn)
        if current is None and inspect(conn).has_table("cases"):
            # Made by create_all before migrations existed: its tables are revision 0001's.
            command.stamp(config(connection=conn), FIRST_REVISION)
            current = FIRST_REVISION
        if revision == "head" and current == head_revision():
            return
        command.upgrade(config(connection=conn), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """``alembic downgrade <revision>`` (all tables dropped for ``base``)."""
    with engine.begin() as conn:
        _lock(conn)
        command.downgrade(config(connection=conn), revision)
