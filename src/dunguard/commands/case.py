"""``dunguard case ...``: scripted use of the case service. For now ``case verify`` checks a
case export offline."""

from __future__ import annotations

import json

import click

from dunguard.cases.export import verify_export

#: Exit status of ``case verify`` when the export does not verify (0 when it does).
VERIFY_FAILED = 8


@click.group("case")
def case_group() -> None:
    """Complaint cases: verify exports (filing and the service come with the API)."""


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
