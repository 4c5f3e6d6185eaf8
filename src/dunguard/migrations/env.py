"""Alembic environment for programmatic use: ``dunguard.migrations.upgrade`` passes the
connection to migrate in ``config.attributes["connection"]`` (already in a transaction, which
the caller commits). Without one, the database is ``sqlalchemy.url`` of the configuration
(see ``dunguard.migrations.config``) and autogenerate compares it with
``dunguard.migrations.metadata()``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import Connection

from dunguard.migrations import metadata


def _run(connection: Connection, target: MetaData | None) -> None:
    context.configure(
        connection=connection,
        target_metadata=target,
        # SQLite alters tables by copying them; batch mode does that for later revisions.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    cfg = context.config
    url = cfg.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        if not url:
            raise RuntimeError("offline (SQL script) mode needs sqlalchemy.url in the config")
        context.configure(url=url, target_metadata=metadata(), literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    given = cfg.attributes.get("connection")
    if given is not None:
        # upgrade/downgrade/stamp from code: the declared tables are not needed (and a module
        # declaring tables is not imported on every open_engine).
        _run(given, cfg.attributes.get("target_metadata"))
        return
    if not url:
        raise RuntimeError(
            "no database to migrate: pass a connection (dunguard.migrations.upgrade) "
            "or set sqlalchemy.url (dunguard.migrations.config(url))"
        )
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            _run(connection, metadata())
    finally:
        engine.dispose()


_main()
