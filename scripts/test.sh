#!/usr/bin/env bash
# The README's test command (`npm test`): services up, apps built, then the parallel suites, then the
# fault-injection suites in band (they restart services, which must not break unrelated tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh ensure
[ -n "${SKIP_BUILD:-}" ] || npm run --silent build >/dev/null
npx jest --selectProjects unit integration "$@"
npx jest --selectProjects faults --runInBand "$@"
