#!/usr/bin/env bash
# Installs what local mode (no container runtime) needs beyond the .NET SDK: PostgreSQL's server binaries.
# Debian/Ubuntu only; elsewhere it says what is missing. Safe to run again: it installs only what is absent.
set -euo pipefail

has_postgres_server() {
  compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || command -v postgres >/dev/null 2>&1
}

if has_postgres_server; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "PostgreSQL's server binaries (postgres, initdb) are missing: install them, or set LocalInfrastructure:PostgresBinDirectory." >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "Installing postgresql needs root (or sudo)." >&2; exit 1; }
  sudo="sudo"
fi

echo "Installing PostgreSQL's server binaries (Debian package postgresql)..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
has_postgres_server
