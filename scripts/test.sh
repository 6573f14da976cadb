#!/usr/bin/env bash
# One command for the whole test suite: installs what the tests need, then runs them.
# With DATABASE_URL (PostgreSQL) and REDIS_URL set, the PostgreSQL-only and Redis tests run too;
# without them the suite runs on SQLite and names what it skipped. On PostgreSQL, DATABASE_URL's role creates
# the test database and the suite then runs as the runtime role `<test database>_app` (tests/conftest.py;
# docs/operations.md "Database roles"); TEST_AS_DB_OWNER=1 keeps the owner.
#   bash scripts/test.sh [pytest args]   install, then run the suite
#   bash scripts/test.sh --install-only  install only (.ci/run: once, before the guardrails)
#   bash scripts/test.sh --no-install    run the suite with what is installed (.ci/run, after them)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
step=all
case "${1:-}" in
  --install-only) step=install; shift ;;
  --no-install) step=test; shift ;;
esac
if [ "$step" = test ]; then
  exec .venv/bin/python -m pytest "$@"
fi

# Debian packages the tests use: CJK fonts for PDFs, poppler (pdffonts/pdftotext/pdftoppm), zbar, Chromium, Pango.
need=()
fc-list 2>/dev/null | grep -q "Noto Serif CJK SC" || need+=(fonts-noto-cjk)
command -v pdffonts >/dev/null 2>&1 || need+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)  # decodes the notices' QR codes
command -v certutil >/dev/null 2>&1 || need+=(libnss3-tools)  # trusts the demo CA for pdfsig
[ -x /usr/bin/chromium ] || need+=(chromium)
# issue 14 item 6 (a11y): the browser's own controls in Chinese; npm for axe-core (tests/e2e/package.json)
dpkg -s chromium-l10n >/dev/null 2>&1 || need+=(chromium-l10n)
command -v npm >/dev/null 2>&1 || need+=(npm)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || need+=(libharfbuzz-subset0)  # the notices' font cut
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "缺少系统软件包：${need[*]}（请以 root 运行或手动安装）；相关测试将被跳过。" >&2
  fi
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
# axe-core for tests/e2e/test_accessibility.py (into tests/e2e/node_modules, ignored by git)
if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/e2e --no-audit --no-fund --silent; fi
if [ "$step" = install ]; then exit 0; fi
exec .venv/bin/python -m pytest "$@"
