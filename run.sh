#!/usr/bin/env bash
# Runs EventDriven: the Aspire AppHost, its dashboard and every resource. Containers when a container runtime
# answers, local processes otherwise (see README). Extra arguments go to the AppHost, e.g. --Infrastructure:Mode=local.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-prerequisites.sh
exec dotnet run --project AppHost -- "$@"
