#!/usr/bin/env bash
# The web app's browser tests (tests/web_e2e, marker 'browser') drive Debian's Chromium with
# Playwright; no browser is ever downloaded by Playwright. Install the distribution's package
# when /usr/bin/chromium is missing (Debian/Ubuntu, root or passwordless sudo). Without it the
# browser tests skip locally and fail under CI=true.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo -n"
if command -v apt-get >/dev/null 2>&1; then
  echo "==> installing chromium for the browser tests" >&2
  ($SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium) >&2 \
    || echo "warning: could not install chromium; the browser tests will be skipped" >&2
fi
exit 0
