"""SQLAlchemy tables of the case service. Times are stored as ISO-8601 text with their offset,
so the bytes that were hashed are the bytes read back, on SQLite and PostgreSQL alike.

The schema is created and changed only by the Alembic migrations in ``dunguard/migrations``
(``open_engine`` runs ``dunguard.migrations.upgrade``). Every schema change here (a table, a
column, an index, a constraint; on this ``Base``, whichever module declares the table) needs a
new revision in ``dunguard/migrations/versions``; ``tests/migrations`` fails for any table or
column the migrations do not create exactly as declared.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Constraint names are given, not left to each database, so a later migration can name the
#: constraint it drops or alters (SQLite's batch mode needs the name).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CaseRow(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    complainant_user: Mapped[str] = mapped_column(String(128), index=True)
    complainant_json: Mapped[str] = mapped_column(Text)
    personal_salt: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(128), index=True)
    account_ref: Mapped[str] = mapped_column(String(256))
    jurisdiction: Mapped[str] = mapped_column(String(16))
    categories_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    filed_at: Mapped[str] = mapped_column(String(40))
    acknowledge_by: Mapped[str] = mapped_column(String(40))
    respond_by: Mapped[str] = mapped_column(String(40))
    resolve_by: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text, default="")
    reached_regulator: Mapped[bool] = mapped_column(default=False)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    head_hash: Mapped[str] = mapped_column(String(64))


class EventRow(Base):
    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    actor_json: Mapped[str] = mapped_column(Text)
    at: Mapped[str] = mapped_column(String(40))
    payload_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class EvidenceRow(Base):
    __tablename__ = "case_evidence"
    __table_args__ = (UniqueConstraint("case_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    messages_json: Mapped[str] = mapped_column(Text)
    findings_json: Mapped[str] = mapped_column(Text)
