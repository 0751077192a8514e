#!/usr/bin/env bash
# Runs every test project against real PostgreSQL, the local Kafka broker and the whole AppHost, then prints
# "N passed, N failed, N skipped" counted from the xUnit result files.
set -uo pipefail
cd "$(dirname "$0")"
scripts/install-prerequisites.sh --tests || exit 1
npm ci --prefix tests/KurrentDB.Conformance --no-audit --no-fund --loglevel=error || exit 1

results="$(pwd)/TestResults"
rm -rf "$results"
mkdir -p "$results"

status=0
dotnet build EventDriven.sln || status=$?
# One test project at a time, each with a result file of its own name.
if [ "$status" -eq 0 ]; then
  for project in $(find tests -name '*.Tests.csproj' | sort); do
    name=$(basename "$project" .csproj)
    timeout 30m dotnet test --project "$project" --no-build \
      --report-xunit-xml --report-xunit-xml-filename "$name.xml" --results-directory "$results" "$@" || status=$?
  done
fi

passed=0 failed=0 skipped=0 reports=0
while IFS= read -r report; do
  reports=$((reports + 1))
  line=$(grep -o '<assembly [^>]*>' "$report" | head -n 1)
  attr() { echo "$line" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(attr passed))) failed=$((failed + $(attr failed))) skipped=$((skipped + $(attr skipped)))
done < <(find "$results" -name '*.xml' -type f)

# A test project that crashed or never ran leaves no report: count it as a failure, not as nothing.
projects=$(find tests -name '*.Tests.csproj' | wc -l)
if [ "$reports" -lt "$projects" ]; then
  echo "$((projects - reports)) test project(s) left no results (crashed or did not run)." >&2
  failed=$((failed + projects - reports))
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $status." >&2
  failed=1
fi

# Which tests failed, and why, just above the summary (the start of a long log may not be kept).
find "$results" -name '*.xml' -type f -exec perl scripts/failed-tests.pl {} +
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
