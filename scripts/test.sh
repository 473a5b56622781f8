#!/usr/bin/env bash
# The whole test suite: typecheck, lint, import layers and circles (dependency-cruiser), vitest (unit + end-to-end against the real server),
# and the Python client's unittest suite. Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts

fail() { echo "tests: 0 passed, 1 failed"; echo "$1" >&2; exit 1; }

echo "== test dependencies"; bash scripts/setup-test-deps.sh || fail "installing test dependencies failed"

echo "== typecheck"; npx tsc -p tsconfig.json --noEmit || fail "typecheck failed"
# The dashboard has its own compiler settings (DOM, Preact JSX); it reads the server through packages/api.
echo "== typecheck dashboard"; { npx tsc -p packages/web/tsconfig.json --noEmit && npx tsc -p packages/web/tsconfig.node.json --noEmit; } || fail "dashboard typecheck failed"
echo "== lint"; npx eslint . || fail "lint failed"
echo "== import layers"; npm run --silent lint:imports || fail "an import runs against the layers or closes a circle (.dependency-cruiser.json)"

echo "== vitest"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json "$@"
vitest_code=$?

py_passed=0; py_failed=0
if [ -d sdk/python/tests ] && [ $# -eq 0 ]; then
  echo "== python unittest"
  py_out=$(python3 -m unittest discover -s sdk/python/tests -v 2>&1); py_code=$?
  echo "$py_out" | tail -n 40
  py_ran=$(echo "$py_out" | sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' | tail -1)
  py_bad=$(echo "$py_out" | sed -n 's/.*FAILED (\(.*\))/\1/p' | grep -o '[0-9]\+' | awk '{s+=$1} END {print s+0}')
  py_failed=${py_bad:-0}
  py_passed=$(( ${py_ran:-0} - py_failed ))
  if [ $py_code -ne 0 ] && [ "$py_failed" -eq 0 ]; then py_failed=1; fi
fi

read -r vt_passed vt_failed < <(node -e '
  const r = JSON.parse(require("fs").readFileSync("test-artifacts/vitest.json", "utf8"));
  console.log(r.numPassedTests, r.numFailedTests + (r.success || r.numFailedTests ? 0 : 1));
' 2>/dev/null || echo "0 1")

passed=$(( vt_passed + py_passed )); failed=$(( vt_failed + py_failed ))
echo "tests: ${passed} passed, ${failed} failed"
[ $vitest_code -eq 0 ] && [ $failed -eq 0 ]
