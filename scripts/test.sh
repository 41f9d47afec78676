#!/usr/bin/env bash
# The README's test command (`npm test`): services up, apps built, then the parallel suites, then the
# fault-injection suites in band (they restart services, which must not break unrelated tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh ensure
[ -n "${SKIP_BUILD:-}" ] || npm run --silent build >/dev/null
# No --forceExit: a handle a suite leaves open (a timer, a socket) is a bug to find, not to hide. On
# 2 cores Jest runs the test files inside its own process, so such a handle keeps Jest alive after the
# last test; the time limit turns that hang into a failure that says so instead of a silent stall.
jest() {
  local limit=$1
  shift
  local rc=0
  timeout --kill-after=30 "$limit" node_modules/.bin/jest "$@" || rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "jest $* did not finish within ${limit}: a suite left a handle open (see --detectOpenHandles)" >&2
  fi
  return "$rc"
}
jest 40m --selectProjects unit integration "$@"
jest 30m --selectProjects faults --runInBand "$@"
