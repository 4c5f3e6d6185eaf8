"""``dunguard case letter`` on a SQLite file: HTML to standard output or a file, PDF to a file,
and clear refusals."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from letter_fixtures import Clock, Filed, file_case
from pypdf import PdfReader

from dunguard.cases import CaseService, LocalEvidenceStore, open_engine
from dunguard.cli import cli, main
from dunguard.reports.letter_text import TEXT


@pytest.fixture
def on_disk(tmp_path: Path) -> tuple[Path, Filed]:
    db = tmp_path / "cases.db"
    clock = Clock()
    service = CaseService(
        open_engine(f"sqlite:///{db}"), LocalEvidenceStore(tmp_path / "evidence"), clock=clock
    )
    filed = file_case(service, clock)
    service.engine.dispose()
    return db, filed


def test_html_letter_to_standard_output(on_disk: tuple[Path, Filed]) -> None:
    db, filed = on_disk
    result = CliRunner().invoke(
        cli, ["case", "letter", "--db", str(db), filed.case.id, "--lang", "en", "--to",
              "regulator", "--date", "2026-03-20", "--sender", "Legal Aid Clinic"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("<!DOCTYPE html>")
    assert TEXT["en"]["title_regulator"].format(platform="quickloan") in result.output
    assert filed.sms_sha256 in result.output and "Legal Aid Clinic" in result.output


def test_pdf_letter_written_atomically_to_a_file(
    on_disk: tuple[Path, Filed], tmp_path: Path
) -> None:
    db, filed = on_disk
    out = tmp_path / "letter.pdf"
    result = CliRunner().invoke(
        cli, ["case", "letter", "--db", str(db), filed.case.id, "--format", "pdf",
              "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == f"{out}: pdf letter to the platform (zh), case {filed.case.id}\n"
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    assert filed.sms_sha256 in text and "坐.牢" in text and "关于违规催收行为的投诉函" in text
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".letter.pdf")] == []


def test_html_letter_to_a_file(on_disk: tuple[Path, Filed], tmp_path: Path) -> None:
    db, filed = on_disk
    out = tmp_path / "letter.html"
    result = CliRunner().invoke(
        cli, ["case", "letter", "--db", str(db), filed.case.id, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert '<html lang="zh-CN">' in out.read_text("utf-8")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--format", "pdf"], 2, "--format pdf: give --out FILE"),
        (["--date", "20.3.2026"], 2, "--date '20.3.2026': not a date"),
        (["--out", "/no/such/dir/l.html"], 2, "no such directory"),
    ],
)
def test_bad_options_are_refused_with_one_line(
    on_disk: tuple[Path, Filed],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    db, filed = on_disk
    assert main(["case", "letter", "--db", str(db), filed.case.id, *args]) == code
    err = capsys.readouterr().err
    assert err.startswith("dunguard: error: ") and message in err and err.count("\n") == 1


def test_unknown_case_and_missing_database(
    on_disk: tuple[Path, Filed], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = on_disk
    assert main(["case", "letter", "--db", str(db), "nope"]) == 6
    assert "no case 'nope'" in capsys.readouterr().err
    missing = tmp_path / "missing.db"
    assert main(["case", "letter", "--db", str(missing), "x"]) == 2
    assert "no such database file" in capsys.readouterr().err
