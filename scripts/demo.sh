#!/usr/bin/env bash
# One command for a fresh machine: CJK fonts, virtual environment, install, migrate, demo data, serve on
# 127.0.0.1:8000. SQLite and in-process tasks unless DATABASE_URL / REDIS_URL are set in the environment.
#   bash scripts/demo.sh                the whole demo
#   bash scripts/demo.sh --check-fonts  only the font precondition (installs the fonts as root with apt-get)
# Official notices are PDFs in Chinese: rendered without a CJK font every glyph is a box, so the fonts are
# a precondition, checked (and installed where possible) before anything is migrated, seeded or served.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
CJK_FONT_PATTERN="Noto (Serif|Sans) CJK SC"
DEMO_UID=${YUNFU_DEMO_UID:-$(id -u)}  # overridable only so that the tests can play a non-root user

missing_packages() {
  local need=()
  if ! command -v fc-list >/dev/null 2>&1; then
    need+=(fontconfig fonts-noto-cjk)
  elif ! fc-list :lang=zh family 2>/dev/null | grep -qE "$CJK_FONT_PATTERN"; then
    need+=(fonts-noto-cjk)
  fi
  ldconfig -p 2>/dev/null | grep -q libpango-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
  ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || need+=(libharfbuzz-subset0)  # the notices' font cut
  echo "${need[*]:-}"
}

check_fonts() {
  local need
  need=$(missing_packages)
  [ -z "$need" ] && return 0
  if [ "$DEMO_UID" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "正在安装文书所需的系统软件包：$need" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086  # one word per package
    apt-get install -y -qq --no-install-recommends $need >/dev/null
    need=$(missing_packages)
    [ -z "$need" ] && return 0
  fi
  {
    echo "无法启动演示：缺少中文（CJK）字体或排版库（缺少：$need）。"
    echo "没有中文字体时，文书 PDF 中的汉字将显示为方框，且生成的文书会被拒绝保存。"
    echo "请先以 root 身份安装后再运行本命令："
    echo "  apt-get update && apt-get install -y --no-install-recommends $need"
  } >&2
  return 1
}

check_fonts || exit 1
if [ "${1:-}" = --check-fonts ]; then
  echo "中文字体已就绪。"
  exit 0
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
export DEBUG=${DEBUG:-true}
# Demo only (refused in production): the code page shows the current second-factor code of the demo staff
# accounts under a red 演示环境 banner, so that a newcomer can log in without an authenticator app.
export DEMO_SHOW_TOTP=${DEMO_SHOW_TOTP:-true}
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py make_demo_ca
.venv/bin/python manage.py seed_demo
echo "门户已启动：http://127.0.0.1:8000/ （Ctrl+C 停止）"
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
