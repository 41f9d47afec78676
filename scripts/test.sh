#!/usr/bin/env bash
# The README's test command (`npm test`): services up, apps built, then the parallel suites, then the
# fault-injection suites in band (they restart services, which must not break unrelated tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh ensure
[ -n "${SKIP_BUILD:-}" ] || npm run --silent build >/dev/null
# --forceExit: on 2 cores Jest runs the files in its own process, and a suite still leaves a timer
# behind (not yet tracked down); without it the run would hang after its last test instead of failing
# or passing.
npx jest --selectProjects unit integration --forceExit "$@"
npx jest --selectProjects faults --runInBand --forceExit "$@"
