#!/usr/bin/env bash
# The case service tests (and every test taking the case_db_url fixture) also run on a real
# PostgreSQL server, which tests/pgserver.py starts for the session and stops afterwards. This
# hook makes sure the server binaries exist (initdb, pg_ctl, postgres: on PATH or under
# /usr/lib/postgresql/*/bin), installing Debian's postgresql package when they do not (root or
# passwordless sudo), without letting the package create or start a cluster of its own. As root,
# it creates the system user dunguard-pg to run the server (initdb refuses root).
# Without binaries the PostgreSQL tests are skipped, or fail when CI is set.
set -euo pipefail

have_pg() {
  { command -v initdb && command -v pg_ctl && command -v postgres; } >/dev/null 2>&1 && return 0
  local bin
  for bin in /usr/lib/postgresql/*/bin; do
    [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] && [ -x "$bin/postgres" ] && return 0
  done
  return 1
}

SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo -n"

if ! have_pg; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "==> installing postgresql (Debian package) for the PostgreSQL tests" >&2
    # The tests start their own throwaway server: the package creates no main cluster (a
    # drop-in read by postgresql-common's createcluster.conf), so none is left running.
    conf=/etc/postgresql-common/createcluster.d/dunguard-no-main-cluster.conf
    ($SUDO mkdir -p "$(dirname "$conf")" \
      && echo "create_main_cluster = false" | $SUDO tee "$conf" >/dev/null) || true
    ($SUDO apt-get update -qq \
      && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2 \
      || echo "warning: could not install postgresql" >&2
  fi
fi

if ! have_pg; then
  if [ -n "${CI:-}" ]; then
    echo "error: no PostgreSQL server binaries; the PostgreSQL tests will fail (CI is set)" >&2
  else
    echo "warning: no PostgreSQL server binaries; the PostgreSQL tests will be skipped" >&2
  fi
  exit 0
fi

if [ "$(id -u)" = "0" ] && ! id -u dunguard-pg >/dev/null 2>&1; then
  echo "==> creating system user dunguard-pg to run the test PostgreSQL server" >&2
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin dunguard-pg \
    || echo "warning: could not create user dunguard-pg (the tests fall back to postgres)" >&2
fi
exit 0
