"""A throwaway PostgreSQL server for the tests, and the ``case_db_url`` fixture.

Loaded from ``tests/conftest.py`` (``pytest_plugins``). The server is started lazily, once per
session, by the first test that needs it (the ``postgresql`` case of ``case_db_url``, or any
test asking for ``postgres_server``): ``initdb`` into a fresh temporary directory, ``pg_ctl
start`` on a free 127.0.0.1 port with its Unix socket in that directory, durability switched off
(the data is thrown away). At the end of the session, also after failures or Ctrl-C, the server
is stopped and the directory removed.

The server binaries (``initdb``, ``pg_ctl``, ``postgres``) are taken from ``$DUNGUARD_PG_BIN``,
else from the ``PATH``, else from the newest ``/usr/lib/postgresql/*/bin`` (Debian's
``postgresql`` package, which ``scripts/test.d/postgres.sh`` installs when they are missing).
``initdb`` refuses to run as root: as root the server runs as the system user ``dunguard-pg``
(created by that hook) or Debian's ``postgres``. Without binaries the PostgreSQL tests are
skipped with the reason, except under CI (``$CI`` set), where they fail.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

#: System users that may run the server when the tests run as root, in order of preference.
SERVER_USERS = ("dunguard-pg", "postgres")
SUPERUSER = "dunguard"
#: The database holding one schema per test (see ``case_db_url``).
TEST_DATABASE = "dunguard_tests"
BINARIES = ("initdb", "pg_ctl", "postgres")
HOOK = "scripts/test.d/postgres.sh"


def find_binaries() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None."""
    given = os.environ.get("DUNGUARD_PG_BIN")
    if given:
        found = all((Path(given) / name).is_file() for name in BINARIES)
        return Path(given) if found else None
    on_path = [shutil.which(name) for name in BINARIES]
    if all(on_path):
        # pg_ctl starts the postgres next to itself: resolve links (/usr/local/bin -> ...).
        dirs = {Path(p).resolve().parent for p in on_path if p}
        if len(dirs) == 1:
            return dirs.pop()

    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.name
        return tuple(int(x) for x in name.split(".") if x.isdigit())

    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if all((Path(bindir) / name).is_file() for name in BINARIES):
            return Path(bindir)
    return None


def _server_user() -> pwd.struct_passwd | None:
    """The unprivileged user to run the server as, when we are root; None when not root."""
    if os.geteuid() != 0:
        return None
    for name in SERVER_USERS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise RuntimeError(
        f"running as root, but none of the users {', '.join(SERVER_USERS)} exists to run "
        f"PostgreSQL (initdb refuses root); run 'bash {HOOK}' as root to create one"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PostgresServer:
    """One PostgreSQL cluster in a temporary directory; ``start`` then ``stop``."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.user = _server_user()
        self.root: Path | None = None
        self.port = 0
        self._admin: Any = None
        self._tests: Any = None
        self._names = itertools.count(1)

    # -- lifecycle ----------------------------------------------------------------------

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        extra: dict[str, Any] = {}
        if self.user is not None:
            extra = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
            env["HOME"] = str(self.root)
        proc = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            cwd=self.root, env=env, capture_output=True, text=True, timeout=120, **extra,
        )  # fmt: skip
        if check and proc.returncode != 0:
            log = self.log_tail()
            raise RuntimeError(
                f"{args[0]} failed (exit {proc.returncode}): {proc.stderr.strip()}"
                + (f"\nserver log:\n{log}" if log else "")
            )
        return proc

    def log_tail(self, lines: int = 20) -> str:
        if self.root is None or not (self.root / "server.log").exists():
            return ""
        text = (self.root / "server.log").read_text("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])

    def start(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="dunguard-pg-"))
        atexit.register(self.stop)
        if self.user is not None:
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        data = self.root / "data"
        self._run(
            "initdb", "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
            "--no-locale", "--no-sync", "--no-instructions",
        )  # fmt: skip
        settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.root),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
            "shared_buffers": "32MB",
        }
        for attempt in range(3):
            self.port = _free_port()
            opts = " ".join([f"-p {self.port}", *(f"-c {k}={v}" for k, v in settings.items())])
            proc = self._run(
                "pg_ctl", "start", "-D", str(data), "-l", str(self.root / "server.log"),
                "-w", "-t", "60", "-o", opts, check=attempt == 2,
            )  # fmt: skip
            if proc.returncode == 0:
                break
        import psycopg

        self._admin = psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        )

    def stop(self) -> None:
        """Stop the server and remove its directory (idempotent)."""
        for conn in (self._tests, self._admin):
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()
        self._admin = self._tests = None
        if self.root is None:
            return
        if (self.root / "data" / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-D", str(self.root / "data"), "-m", "immediate",
                      "-w", "-t", "60", check=False)  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    # -- databases ----------------------------------------------------------------------

    def url(self, database: str = TEST_DATABASE, schema: str | None = None) -> str:
        """A SQLAlchemy URL of ``database``; with ``schema``, a connection's search path is that
        schema only, so the URL behaves as an empty database of its own."""
        url = f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"
        return url + (f"?options=-csearch_path%3D{schema}" if schema else "")

    def _tests_db(self) -> Any:
        import psycopg

        if self._tests is None:
            self._admin.execute(f'CREATE DATABASE "{TEST_DATABASE}" TEMPLATE template0')
            self._tests = psycopg.connect(
                host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=TEST_DATABASE,
                autocommit=True,
            )  # fmt: skip
        return self._tests

    def fresh_schema(self) -> str:
        """A new, empty schema in the tests' database; its name. Milliseconds, where CREATE
        DATABASE takes a few hundred (it copies a template and checkpoints)."""
        name = f"test_{next(self._names)}"
        self._tests_db().execute(f'CREATE SCHEMA "{name}"')
        return name

    def drop_schema(self, name: str) -> None:
        """Drop ``name`` and everything in it, first ending the connections a test left open
        (an idle transaction would otherwise hold its locks)."""
        self._admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> %s",
            (TEST_DATABASE, self._tests_db().info.backend_pid),
        )
        self._tests_db().execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server (started on first use). ``case_db_url`` is the usual
    way in; a test needing more takes this directly: ``url(schema=fresh_schema())`` for an
    empty database of its own (dropped with ``drop_schema``), ``url("postgres")`` for the
    server's maintenance database, ``port``, ``log_tail()``."""
    bindir = find_binaries()
    if bindir is None:
        where = os.environ.get("DUNGUARD_PG_BIN") or "PATH or /usr/lib/postgresql/*/bin"
        reason = (
            f"no PostgreSQL server binaries (initdb, pg_ctl, postgres) in {where}; "
            f"'bash {HOOK}' installs Debian's postgresql package"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and PostgreSQL tests cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    server = PostgresServer(bindir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


# ``case_db_url``: the URL of a fresh, empty database, once on each backend.
#
#   - ``sqlite``: ``sqlite:///<tmp_path>/case_db_url.sqlite3``, a file of the test's own
#     (every engine opened on the URL sees the same database, as on PostgreSQL);
#   - ``postgresql`` (marked ``postgres``): ``postgresql+psycopg://dunguard@127.0.0.1:<port>/
#     dunguard_tests?options=-csearch_path%3Dtest_<n>`` on the session's server: a schema
#     created for the test, the only one on the connection's search path, so the URL behaves as
#     an empty database of its own (tables, indexes and Alembic's version table all land there);
#     dropped after the test, ending any connection the test left open.
#
# Nothing is created in it: ``dunguard.cases.open_engine(url)`` migrates it to the newest
# revision. Any test that takes this fixture runs on both backends (ids ``[sqlite]`` and
# ``[postgresql]``); pick one with ``-m postgres`` / ``-m "not postgres"``.
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def case_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'case_db_url.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    schema = server.fresh_schema()
    try:
        yield server.url(schema=schema)
    finally:
        server.drop_schema(schema)
