#!/usr/bin/env bash
# Installs what local mode (no container runtime) needs beyond the .NET SDK: PostgreSQL's server binaries; with
# --tests also Node.js, which runs the official KurrentDB client's conformance suite, and Chromium, which the browser
# tests (tests/Web.Tests) drive headless through Playwright at /usr/bin/chromium (no browser download).
# Debian/Ubuntu only; elsewhere it says what is missing. Safe to run again: it installs only what is absent.
set -euo pipefail

packages=()

has_postgres_server() {
  compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || command -v postgres >/dev/null 2>&1
}

has_postgres_server || packages+=(postgresql)
if [ "${1:-}" = "--tests" ]; then
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
  [ -x /usr/bin/chromium ] || packages+=(chromium)
fi
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing: ${packages[*]} (PostgreSQL's server binaries can also be named by LocalInfrastructure:PostgresBinDirectory)." >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "Installing ${packages[*]} needs root (or sudo)." >&2; exit 1; }
  sudo="sudo"
fi

echo "Installing ${packages[*]} (Debian packages)..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
has_postgres_server
