#!/usr/bin/env bash
# Makes sure PostgreSQL's server programs (initdb, pg_ctl) are installed, for the
# cluster tests' temporary servers (test/support/postgres.ts). Idempotent and quiet:
# does nothing when initdb is on PATH or in /usr/lib/postgresql/*/bin; otherwise
# installs Debian's postgresql package with apt-get (needs root, or sudo).
set -euo pipefail

have_initdb() {
  command -v initdb >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

have_initdb && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "scripts/postgres.sh: initdb not found and no apt-get; install PostgreSQL's server programs" >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
    echo "scripts/postgres.sh: initdb not found; run as root (or with sudo) to install postgresql" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
# Debian's package starts a cluster of its own on port 5432; the tests do not use it.
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters -h 2>/dev/null | while read -r ver name _; do
    $sudo pg_ctlcluster "$ver" "$name" stop >/dev/null 2>&1 || true
  done
fi
have_initdb || { echo "scripts/postgres.sh: postgresql installed but initdb still not found" >&2; exit 1; }
