#!/usr/bin/env bash
# Installs what `make test-scale` needs when missing: PostgreSQL, Redis and nginx (Debian packages).
# Only the programs are used: the tests start throwaway instances on free ports under /tmp and
# never touch the system services, their default ports or their configuration.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing ${need[*]} for the scale-out tests (apt-get)..."
  if [ "$(id -u)" != 0 ]; then
    echo "error: installing ${need[*]} needs root (apt-get)." >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian starts the services it installs when it can; the tests use their own instances instead.
