"""``dunguard audit``, ``dunguard gate`` and ``dunguard demo-log``: thin shells over
``dunguard.policy``."""

from __future__ import annotations

import json
from datetime import datetime

import click

from dunguard.commands._output import write_output
from dunguard.errors import ConfigError
from dunguard.policy.demo import write_demo_log
from dunguard.policy.engine import ENGINES, audit, get_engine
from dunguard.policy.gate import Gate
from dunguard.policy.loader import EventLog, load_log
from dunguard.policy.packs import Pack, PolicySpec, load_pack
from dunguard.policy.report import audit_records, audit_table, gate_text, log_record
from dunguard.policy.schema import CHANNELS, ROLES

#: Exit status of ``gate`` when the contact is not allowed (0 when it is).
GATE_BLOCKED = 5

_policy = click.option(
    "--policy",
    "policy",
    required=True,
    metavar="cn|us|PACK.yaml",
    help="Policy pack: cn, us, or the path of a pack file (a changed copy of one).",
)
_default_tz = click.option(
    "--default-tz",
    default=None,
    metavar="ZONE",
    help="Zone of persons whose rows have no tz (default: the pack's).",
)
_assume_tz = click.option(
    "--assume-tz",
    default=None,
    metavar="ZONE",
    help="Zone of timestamps written without an offset (otherwise they are errors).",
)


def _load(
    log_path: str,
    pack: Pack,
    default_tz: str | None,
    assume_tz: str | None,
    strict: bool,
    quiet: bool,
) -> EventLog:
    log = load_log(log_path, default_tz=default_tz or pack.default_tz, assume_tz=assume_tz)
    if not quiet or log.rows_rejected:
        click.echo(log.summary(), err=True)
        for line in log.error_lines():
            click.echo(f"  {line}", err=True)
    if strict:
        log.raise_if_rejected()
    return log


@click.command("audit")
@click.argument("log_path", metavar="LOG", type=click.Path(dir_okay=False))
@_policy
@click.option("--engine", type=click.Choice(ENGINES), default="duckdb", show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "jsonl", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the explanation sentences.",
)
@_default_tz
@_assume_tz
@click.option("--strict", is_flag=True, help="Fail if any row of the log is rejected.")
@click.option("--max-rows", default=50, show_default=True, help="Rows shown by --format table.")
@click.option("--out", "-o", type=click.Path(dir_okay=False), help="Write to FILE (atomically).")
@click.option("--quiet", "-q", is_flag=True, help="No progress or load summary on stderr.")
def audit_cmd(
    log_path: str,
    policy: str,
    engine: str,
    fmt: str,
    lang: str,
    default_tz: str | None,
    assume_tz: str | None,
    strict: bool,
    max_rows: int,
    out: str | None,
    quiet: bool,
) -> None:
    """Audit the contact LOG (Parquet, CSV or JSON lines, optionally .gz/.bz2/.xz) against a
    policy pack.

    \b
    dunguard audit calls.parquet --policy cn
    dunguard audit calls.csv.gz --policy us --format jsonl > findings.jsonl
    """
    pack = load_pack(policy)
    log = _load(log_path, pack, default_tz, assume_tz, strict, quiet)

    def progress(i: int, n: int, spec: PolicySpec, hits: int) -> None:
        if not quiet:
            click.echo(f"audit [{i}/{n}] {spec.id}: {hits} violating events", err=True)

    eng = get_engine(engine)
    try:
        result = audit(log, pack, eng, progress=progress)
    finally:
        close = getattr(eng, "close", None)
        if close is not None:
            close()
    if fmt == "jsonl":
        body = "".join(
            json.dumps(r, ensure_ascii=False) + "\n" for r in audit_records(result, lang)
        )
    elif fmt == "json":
        doc = {
            "pack": {"name": pack.name, "version": pack.version, "source": pack.source},
            "engine": result.engine,
            "log": log_record(log),
            "summary": {k: dict(v) for k, v in result.summary().items()},
            "findings": list(audit_records(result, lang)),
        }
        body = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    else:
        body = audit_table(result, lang, max_rows)
    write_output(out, body)


def _parse_at(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--at {text!r} is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise ConfigError("--at needs an offset, for example 2024-05-01T21:30:00+08:00")
    return at


@click.command("gate")
@click.option(
    "--log",
    "log_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The contact log so far.",
)
@_policy
@click.option("--person", required=True, help="Person to contact (person_id).")
@click.option("--account", required=True, help="Account (debt) the contact is about.")
@click.option("--channel", required=True, type=click.Choice(CHANNELS))
@click.option(
    "--at",
    "at_text",
    default=None,
    metavar="TIME",
    help="ISO 8601 time with offset (default: now).",
)
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default=None,
    help="The person's role (default: from the log).",
)
@click.option(
    "--tz",
    default=None,
    metavar="ZONE",
    help="The person's zone (default: from the log, else the default zone).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@_default_tz
@_assume_tz
def gate_cmd(
    log_path: str,
    policy: str,
    person: str,
    account: str,
    channel: str,
    at_text: str | None,
    role: str | None,
    tz: str | None,
    fmt: str,
    default_tz: str | None,
    assume_tz: str | None,
) -> int:
    """May PERSON be contacted on CHANNEL about ACCOUNT now (or --at TIME)? Exit status 0 when
    allowed, 5 when not.

    \b
    dunguard gate --log calls.parquet --policy cn --person P1 --account A1 --channel call
    """
    pack = load_pack(policy)
    log = _load(log_path, pack, default_tz, assume_tz, strict=False, quiet=True)
    gate = Gate.from_log(log, pack, person_id=person, account_id=account)
    decision = gate.check(person, account, channel, _parse_at(at_text), role=role, tz=tz)
    if fmt == "json":
        click.echo(json.dumps(decision.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(gate_text(decision), nl=False)
    return 0 if decision.allowed else GATE_BLOCKED


@click.command("demo-log")
@click.option("--events", required=True, type=click.IntRange(min=1), help="Number of events.")
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(dir_okay=False),
    help="FILE.parquet, FILE.csv or FILE.jsonl",
)
@click.option("--seed", default=0, show_default=True, help="Same seed, same log.")
def demo_log_cmd(events: int, out: str, seed: int) -> None:
    """Write a realistic synthetic contact log (deterministic for a seed)."""
    n = write_demo_log(out, events, seed)
    click.echo(f"wrote {n} events to {out}", err=True)
