"""The text input shared by ``dunguard detect`` and ``dunguard categorise``: one TEXT argument
or a file of texts (``--input``), in the formats ``dunguard.detect.batch`` reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from dunguard.detect.batch import MessageRecord, read_messages
from dunguard.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])


def text_input(noun: str) -> Callable[[F], F]:
    """The TEXT argument and the options that read ``noun`` (messages, narratives) from a
    file, plus ``--format`` and ``--out``; the command receives them by these names: ``text,
    input_path, input_format, fmt, text_column, id_column, encoding, out``."""

    def apply(f: F) -> F:
        for deco in reversed(
            [
                click.argument("text", required=False),
                click.option(
                    "--input",
                    "-i",
                    "input_path",
                    help=f"Read {noun} from FILE (.jsonl, .txt, .csv) or - for stdin.",
                ),
                click.option(
                    "--input-format",
                    type=click.Choice(["jsonl", "txt", "csv"]),
                    help="Override the input format.",
                ),
                click.option(
                    "--format",
                    "-f",
                    "fmt",
                    type=click.Choice(["table", "json", "jsonl"]),
                    default=None,
                    help="Output format (default: table for one text, jsonl for a file).",
                ),
                click.option(
                    "--text-column",
                    default="text",
                    show_default=True,
                    help="CSV column with the text.",
                ),
                click.option(
                    "--id-column",
                    default=None,
                    help="CSV column with the id (default: id, else the line).",
                ),
                click.option(
                    "--encoding",
                    default="utf-8",
                    show_default=True,
                    help="Input encoding, e.g. gb18030.",
                ),
                click.option(
                    "--out",
                    "-o",
                    type=click.Path(dir_okay=False),
                    help="Write the output to FILE (atomically).",
                ),
            ]
        ):
            f = deco(f)
        return f

    return apply


def read_texts(
    text: str | None,
    input_path: str | None,
    input_format: str | None,
    fmt: str | None,
    text_column: str,
    id_column: str | None,
    encoding: str,
) -> tuple[list[MessageRecord], str]:
    """The records to read and the output format (table for one TEXT, jsonl for a file,
    unless ``fmt`` says)."""
    if (text is None) == (input_path is None):
        raise ConfigError("give either a TEXT argument or --input FILE (use - for stdin)")
    if text is not None:
        return [MessageRecord("1", text)], fmt or "table"
    assert input_path is not None
    records = read_messages(
        input_path,
        fmt=input_format,
        text_column=text_column,
        id_column=id_column,
        encoding=encoding,
    )
    return records, fmt or "jsonl"
