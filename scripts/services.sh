#!/usr/bin/env bash
# Make sure PostgreSQL, Redis, Chromium, CJK fonts and docker-compose (to validate
# docker-compose.yml; no engine needed) are here and running.
# On a fresh Debian machine this installs them (we are root there); on a machine
# where they already run it only checks.
set -euo pipefail
port_open() { timeout 2 bash -c "</dev/tcp/127.0.0.1/$1" 2>/dev/null; }
apt_ready=""
apt_install() {
  if [ -z "$apt_ready" ]; then apt-get update -q; apt_ready=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}
wait_port() { for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done; echo "端口 $1 未就绪 / port $1 not ready" >&2; return 1; }

if ! port_open 5432; then
  ls /etc/postgresql/*/main >/dev/null 2>&1 || apt_install postgresql
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  wait_port 5432
fi
# Debian's own install asks for a password over TCP: give postgres a known one.
if ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -qAtc 'select 1' >/dev/null 2>&1; then
  su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\""
fi

if ! port_open 6379; then
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  wait_port 6379
fi

if [ "${SKIP_BROWSER:-}" != "1" ]; then
  [ -x /usr/bin/chromium ] || apt_install chromium
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || apt_install fonts-noto-cjk fontconfig
fi
command -v docker-compose >/dev/null 2>&1 || apt_install docker-compose || echo "docker-compose 未安装：跳过 compose 校验 / not installed" >&2
