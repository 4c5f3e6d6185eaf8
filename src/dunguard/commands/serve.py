"""``dunguard serve``: the case service and web app on one machine.

The first run creates the data folder (a SQLite database ``dunguard.db`` and the evidence
store ``evidence/``), migrates the database, and creates an administrator account whose random
password is printed once, on the terminal, and never again (it is stored only as its Argon2id
hash). ``bootstrap`` does all of that without starting the server.
"""

from __future__ import annotations

import importlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dunguard.errors import ConfigError

if TYPE_CHECKING:  # the web stack is imported when serving, not for every command
    from dunguard.web.app import AppContext
    from dunguard.web.settings import WebSettings

__all__ = ["ADMIN_EMAIL", "Bootstrap", "bootstrap", "seed_demo", "serve_cmd", "startup_lines"]

ADMIN_EMAIL = "admin@dunguard.local"
DEMO_MODULE = "dunguard.web.demo"


@dataclass(frozen=True, slots=True)
class Bootstrap:
    app: Any
    """The FastAPI app, ready to serve."""
    settings: WebSettings
    admin_email: str
    admin_password: str | None
    """Set only on the run that created the administrator account."""

    @property
    def ctx(self) -> AppContext:
        ctx: AppContext = self.app.state.ctx
        return ctx


def bootstrap(data_dir: Path, db: str | None = None, **settings: Any) -> Bootstrap:
    """Create what the service needs under ``data_dir`` (or use ``db``, a URL or SQLite path,
    for the database) and the administrator account if there is none. ``settings`` are further
    ``WebSettings`` fields (tests lower the Argon2 cost)."""
    from dunguard.cases.model import Role
    from dunguard.cases.service import database_url
    from dunguard.web.app import create_app
    from dunguard.web.settings import WebSettings

    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{data_dir}: cannot create the data folder: {exc.strerror}") from exc
    url = database_url(db) if db else f"sqlite:///{(data_dir / 'dunguard.db').resolve()}"
    web = WebSettings(db_url=url, evidence_dir=data_dir / "evidence", **settings)
    app = create_app(web)
    ctx: AppContext = app.state.ctx
    admins = [u for u in ctx.accounts.list_users() if u.role is Role.ADMIN]
    if admins:
        return Bootstrap(app, web, admins[0].email, None)
    password = secrets.token_urlsafe(18)
    ctx.accounts.register(ADMIN_EMAIL, password, "Administrator", role=Role.ADMIN)
    return Bootstrap(app, web, ADMIN_EMAIL, password)


def seed_demo(ctx: AppContext) -> list[tuple[str, str, str]]:
    """The demo data (``dunguard.web.demo.seed_demo``): (email, password, role) to sign in."""
    try:
        module = importlib.import_module(DEMO_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != DEMO_MODULE:
            raise
        raise ConfigError(
            f"--demo needs {DEMO_MODULE}, which this installation lacks; start without --demo"
        ) from None
    lines: list[tuple[str, str, str]] = module.seed_demo(ctx)
    return lines


def startup_lines(
    boot: Bootstrap, host: str, port: int, demo: list[tuple[str, str, str]] | None = None
) -> list[str]:
    """What ``serve`` prints before the server starts."""
    shown = f"[{host}]" if ":" in host else host
    lines = [f"database: {_safe_url(boot.settings.db_url)}"]
    lines.append(f"evidence: {boot.settings.evidence_dir}")
    if boot.admin_password is not None:
        lines += [
            f"created the administrator account {boot.admin_email}",
            f"  password: {boot.admin_password}",
            "  (shown this once; it is stored only as a hash)",
        ]
    if demo:
        lines.append("demo accounts:")
        lines += [f"  {role:<10} {email}  {password}" for email, password, role in demo]
    lines.append(f"dunguard is serving on http://{shown}:{port}/")
    lines.append(f"  API: http://{shown}:{port}/api/v1  (OpenAPI: /api/v1/openapi.json)")
    return lines


def _safe_url(url: str) -> str:
    """The database URL without a password."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}" if ":" in creds else url


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--data",
    "data_dir",
    default="dunguard-data",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Data folder: the SQLite database dunguard.db and the evidence store evidence/.",
)
@click.option(
    "--db",
    default=None,
    metavar="URL|PATH",
    help="Database instead of DATA/dunguard.db: a SQLAlchemy URL "
    "(postgresql+psycopg://...) or a SQLite file path.",
)
@click.option("--demo", is_flag=True, help="Add demo users and complaints (once).")
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="Log every request line. Off by default: query strings can hold personal data "
    "(a case search by phone number).",
)
def serve_cmd(
    host: str, port: int, data_dir: str, db: str | None, demo: bool, access_log: bool
) -> None:
    """Start the case service and web app. The first run creates the database and an
    administrator account, and prints its password once.

    \b
    dunguard serve                      # http://127.0.0.1:8000/, data in ./dunguard-data
    dunguard serve --demo               # with demo users and complaints
    """
    import uvicorn

    boot = bootstrap(Path(data_dir), db)
    logins = seed_demo(boot.ctx) if demo else None
    for line in startup_lines(boot, host, port, logins):
        click.echo(line)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: listening on {host}, beyond this machine; put it behind HTTPS",
            err=True,
        )
    uvicorn.run(boot.app, host=host, port=port, log_level="info", access_log=access_log)
