"""``dunguard case ...``: scripted use of the case service. ``case verify`` checks an export
offline; ``case check``, ``case export`` and ``case overdue`` work on a database and evidence
directory as the local administrator; ``case letter`` writes a complaint letter from the
database alone."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import click

from dunguard.cases.evidence_store import DEFAULT_LIMIT, LocalEvidenceStore, Stored
from dunguard.cases.export import export_case, verify_export
from dunguard.cases.media import Readable
from dunguard.cases.model import Actor, Role
from dunguard.cases.service import CaseService, database_url, open_engine
from dunguard.commands._output import write_output, write_output_bytes
from dunguard.errors import ConfigError
from dunguard.reports import letter_input, render_letter_html, render_letter_pdf

#: Exit status of ``case verify`` / ``case check`` when something does not verify.
VERIFY_FAILED = 8
#: The identity of commands run on the database directly.
LOCAL_ADMIN = Actor("local-cli", Role.ADMIN)


@click.group("case")
def case_group() -> None:
    """Complaint cases: verify exports, check and export stored cases."""


_db = click.option(
    "--db",
    required=True,
    metavar="URL|PATH",
    help="Database: a SQLAlchemy URL, or the path of a SQLite file.",
)
_store = click.option(
    "--store",
    "store_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Evidence directory (files named by SHA-256).",
)


def _service(db: str, store_dir: str | None) -> CaseService:
    url = database_url(db)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise ConfigError(f"{db}: no such database file")
    store = LocalEvidenceStore(store_dir) if store_dir is not None else _NoEvidenceFiles()
    return CaseService(open_engine(url), store)


class _NoEvidenceFiles:
    """The evidence store of commands that read only the database (the hashes and sizes of
    evidence files are recorded there); touching a file is refused."""

    def _refuse(self) -> ConfigError:
        return ConfigError("this command reads no evidence files; give --store DIR")

    def put(self, stream: Readable, name: str, limit: int = DEFAULT_LIMIT) -> Stored:
        raise self._refuse()

    def get(self, sha256: str) -> bytes:
        raise self._refuse()

    def verify(self, sha256: str) -> str | None:
        raise self._refuse()

    def hashes(self) -> Iterable[str]:
        raise self._refuse()


@case_group.command("verify")
@click.argument("export", type=click.Path(dir_okay=False))
@click.option(
    "--expect-head",
    metavar="SHA256",
    default=None,
    help="Head hash of the case's events obtained elsewhere (the service, or printed at "
    "export); without it a consistent rewrite of the whole export cannot be detected.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def verify_cmd(export: str, expect_head: str | None, fmt: str) -> int:
    """Check a case export: every file against its hash, the event chain, the manifest.
    Exit status 0 when it verifies, 8 when something was tampered with."""
    report = verify_export(export, expect_head=expect_head)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "path": report.path,
                    "case_id": report.case_id,
                    "ok": report.ok,
                    "events": report.event_count,
                    "evidence": report.evidence_count,
                    "head_hash": report.head_hash,
                    "problems": report.problems,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        status = "OK" if report.ok else "TAMPERED"
        click.echo(
            f"{status}: case {report.case_id}, {report.event_count} events, "
            f"{report.evidence_count} evidence files, head {report.head_hash}"
        )
        for problem in report.problems:
            click.echo(f"  - {problem}")
    return 0 if report.ok else VERIFY_FAILED


@case_group.command("check")
@_db
@_store
@click.argument("case_ids", nargs=-1)
def check_cmd(db: str, store_dir: str, case_ids: tuple[str, ...]) -> int:
    """Verify stored cases (all, or the CASE_IDS given): event chains, case rows against their
    events, evidence files. Exit status 8 when any case does not verify."""
    service = _service(db, store_dir)
    ids = list(case_ids) or [c.id for c in service.list_cases(LOCAL_ADMIN)]
    failed = 0
    for case_id in ids:
        problems = service.verify(case_id)
        click.echo(f"{'OK' if not problems else 'TAMPERED'}: case {case_id}")
        for problem in problems:
            click.echo(f"  - {problem}")
        failed += bool(problems)
    click.echo(f"{len(ids)} cases checked, {failed} failed")
    return VERIFY_FAILED if failed else 0


@case_group.command("export")
@_db
@_store
@click.argument("case_id")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="Zip to write.")
def export_cmd(db: str, store_dir: str, case_id: str, out: str) -> None:
    """Export one case to a zip verifiable with 'dunguard case verify'; prints its head hash."""
    head = export_case(_service(db, store_dir), LOCAL_ADMIN, case_id, out)
    click.echo(f"{out}: head {head}")


@case_group.command("overdue")
@_db
@_store
@click.option(
    "--at", "at", default=None, metavar="ISO-8601", help="Time to judge at (default: now)."
)
def overdue_cmd(db: str, store_dir: str, at: str | None) -> None:
    """List open cases past a deadline: case id, platform, status, missed deadlines."""
    service = _service(db, store_dir)
    if at is not None:
        try:
            when = datetime.fromisoformat(at)
        except ValueError as exc:
            raise ConfigError(f"--at {at!r}: not an ISO-8601 time") from exc
        if when.tzinfo is None:
            raise ConfigError(f"--at {at!r}: give a time zone offset, e.g. {at}+08:00")
        service.clock = lambda: when
    for case, late in service.overdue_cases(LOCAL_ADMIN):
        click.echo(f"{case.id}\t{case.platform}\t{case.status.value}\t{','.join(late)}")


@case_group.command("letter")
@_db
@click.argument("case_id")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option(
    "--to",
    "to",
    type=click.Choice(["platform", "regulator"]),
    default="platform",
    show_default=True,
    help="Address the letter to the platform complained about, or to the regulator.",
)
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default="html")
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="File to write (atomically); HTML goes to standard output without it.",
)
@click.option("--sender", default=None, help="Who signs (default: the complainant).")
@click.option("--date", "day", default=None, metavar="YYYY-MM-DD", help="Date of the letter.")
def letter_cmd(
    db: str,
    case_id: str,
    lang: str,
    to: str,
    fmt: str,
    out: str | None,
    sender: str | None,
    day: str | None,
) -> None:
    """Write a complaint letter for CASE_ID: the violations with dates, quotes, rules and
    evidence hashes, the evidence files and the event-chain head, as HTML or PDF."""
    if fmt == "pdf" and out is None:
        raise ConfigError("--format pdf: give --out FILE (a PDF is not written to a terminal)")
    if out is not None and not Path(out).resolve().parent.is_dir():
        raise ConfigError(f"--out {out}: no such directory {Path(out).parent}")
    when = None
    if day is not None:
        try:
            when = date.fromisoformat(day)
        except ValueError as exc:
            raise ConfigError(f"--date {day!r}: not a date like 2026-03-20") from exc
    parts = letter_input(_service(db, None), LOCAL_ADMIN, case_id)
    if fmt == "pdf" and out is not None:
        pdf = render_letter_pdf(*parts, lang=lang, to=to, sender=sender, today=when)
        write_output_bytes(out, pdf)
    else:
        html = render_letter_html(*parts, lang=lang, to=to, sender=sender, today=when)
        write_output(out, html)
    if out is not None:
        click.echo(f"{out}: {fmt} letter to the {to} ({lang}), case {case_id}")
