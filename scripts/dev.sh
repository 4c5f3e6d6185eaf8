#!/usr/bin/env bash
# dunguard developer entry point.
#   bash scripts/dev.sh demo   set up .venv and run a first detection on the examples
#   bash scripts/dev.sh test   set up .venv (and test services) and run lint, types and tests
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
VENV="${DUNGUARD_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"

setup() {
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating $VENV" >&2
    "$PY" -m venv "$VENV"
  fi
  # Reinstall only when the project metadata changed since the last install.
  local stamp="$VENV/.dunguard-installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "==> installing dunguard and its development tools into $VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[dev]" >&2
    touch "$stamp"
  fi
}

cmd="${1:-}"
shift || true
case "$cmd" in
  demo)
    setup
    echo "==> dunguard detect --input examples/messages.txt" >&2
    "$VENV/bin/dunguard" detect --input examples/messages.txt --format table "$@"
    ;;
  test)
    setup
    for hook in scripts/test.d/*.sh; do
      [ -e "$hook" ] || continue
      echo "==> $hook" >&2
      bash "$hook"
    done
    echo "==> ruff" >&2
    "$VENV/bin/ruff" check src tests benchmarks
    echo "==> mypy (strict, src/)" >&2
    "$VENV/bin/mypy"
    echo "==> pytest" >&2
    # pytest exits 5 when it collects nothing: that is a failure here, not hidden.
    "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    echo "usage: bash scripts/dev.sh demo|test [args...]" >&2
    exit 2
    ;;
esac
