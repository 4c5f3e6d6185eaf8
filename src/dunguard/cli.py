"""The command line: a thin shell over the library. Errors become one-line messages and exit
codes here, and nowhere else."""

from __future__ import annotations

import sys

import click

from dunguard import __version__
from dunguard.commands.case import case_group
from dunguard.commands.categorise import categorise_cmd
from dunguard.commands.detect import detect_cmd, rules_group
from dunguard.commands.ingest import ingest_cmd, scan_cmd, timeline_cmd
from dunguard.commands.loan import loan_group
from dunguard.commands.models import eval_cmd, train_cmd
from dunguard.commands.policy import audit_cmd, demo_log_cmd, gate_cmd
from dunguard.commands.serve import serve_cmd
from dunguard.errors import DunguardError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dunguard")
def cli() -> None:
    """dunguard (催收卫士): detect and document abusive debt collection."""


cli.add_command(detect_cmd)
cli.add_command(rules_group)
cli.add_command(categorise_cmd)
cli.add_command(ingest_cmd)
cli.add_command(scan_cmd)
cli.add_command(timeline_cmd)
cli.add_command(loan_group)
cli.add_command(audit_cmd)
cli.add_command(gate_cmd)
cli.add_command(demo_log_cmd)
cli.add_command(eval_cmd)
cli.add_command(train_cmd)
cli.add_command(case_group)
cli.add_command(serve_cmd)
# Further command groups register here, one line each.


def main(argv: list[str] | None = None) -> int:
    try:
        result = cli.main(args=argv, prog_name="dunguard", standalone_mode=False)
    except DunguardError as exc:
        click.echo(f"dunguard: error: {exc}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("dunguard: aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except BrokenPipeError:
        return 0
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
