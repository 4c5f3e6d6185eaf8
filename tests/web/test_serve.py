"""``dunguard serve``'s first run, without starting the server: the data folder, the database,
the administrator account whose password is shown once, and the demo data."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from dunguard.cases.model import Role
from dunguard.cli import cli
from dunguard.commands.serve import ADMIN_EMAIL, bootstrap, seed_demo, startup_lines

CHEAP = {"argon2_memory_kib": 1024, "argon2_time_cost": 1}


def test_first_run_creates_the_database_and_an_admin_shown_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "dunguard-data"
    with caplog.at_level(logging.DEBUG):
        first = bootstrap(data, **CHEAP)
    assert (data / "dunguard.db").is_file() and (data / "evidence").is_dir()
    password = first.admin_password
    assert password is not None and len(password) >= 20
    session = first.ctx.accounts.authenticate(ADMIN_EMAIL, password)
    assert session.user.role is Role.ADMIN
    printed = "\n".join(startup_lines(first, "127.0.0.1", 8000))
    assert password in printed and "http://127.0.0.1:8000/" in printed
    assert password not in caplog.text
    assert password.encode() not in (data / "dunguard.db").read_bytes()
    first.ctx.engine.dispose()

    again = bootstrap(data, **CHEAP)
    assert again.admin_password is None and again.admin_email == ADMIN_EMAIL
    assert password not in "\n".join(startup_lines(again, "127.0.0.1", 8000))
    admins = [u for u in again.ctx.accounts.list_users() if u.role is Role.ADMIN]
    assert len(admins) == 1
    again.ctx.engine.dispose()


def test_db_option_puts_the_database_elsewhere(tmp_path: Path) -> None:
    boot = bootstrap(tmp_path / "data", str(tmp_path / "elsewhere.db"), **CHEAP)
    assert (tmp_path / "elsewhere.db").is_file()
    assert not (tmp_path / "data" / "dunguard.db").exists()
    assert boot.settings.evidence_dir == tmp_path / "data" / "evidence"
    lines = startup_lines(boot, "::1", 8080)
    assert lines[-2] == "dunguard is serving on http://[::1]:8080/"
    boot.ctx.engine.dispose()


def test_demo_accounts_are_printed(tmp_path: Path) -> None:
    boot = bootstrap(tmp_path / "data", **CHEAP)
    logins = seed_demo(boot.ctx)
    roles = {role for _, _, role in logins}
    assert {"borrower", "platform", "regulator"} <= roles
    printed = "\n".join(startup_lines(boot, "127.0.0.1", 8000, logins))
    assert all(email in printed for email, _, _ in logins)
    assert seed_demo(boot.ctx) == logins  # seeded once
    boot.ctx.engine.dispose()


def test_serve_is_a_command_with_loopback_defaults() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "127.0.0.1" in result.output and "8000" in result.output and "--demo" in result.output
    bad = CliRunner().invoke(cli, ["serve", "--port", "70000"])
    assert bad.exit_code == 2 and "70000" in bad.output
