#!/usr/bin/env bash
# Re-records the independent referee's verdicts (testdata/referee/verdicts.json). Run by hand
# when a recorded plan or instance changes; `make test` only reads the verdicts.
#
#   testdata/referee/record.sh /path/to/referee.py      (or REFEREE=/path/to/referee.py record.sh)
#
# 1. the referee tests run with TABANE_REFEREE_JOBS set: they check what they check without the
#    referee and append their plans to that file instead of comparing with verdicts.json;
# 2. judge.py (needs python3) runs the referee on every plan and rewrites verdicts.json;
# 3. the same tests run again, now against the new verdicts.
set -euo pipefail
referee=${1:-${REFEREE:-}}
if [ -z "$referee" ]; then
  echo "usage: $0 /path/to/referee.py   (or REFEREE=/path/to/referee.py $0)" >&2
  exit 2
fi
if [ ! -f "$referee" ]; then
  echo "$0: referee $referee: no such file" >&2
  exit 2
fi
referee=$(cd "$(dirname "$referee")" && pwd)/$(basename "$referee")
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# The tests whose plans the referee judges (refereetest.Check).
tests='^(TestEvaluateHandChecked|TestEvaluateViolations|TestEvaluateAgreesWithReferee|TestEvaluatePinsReferee|TestProgrammePinsReferee|TestSolveProgrammePins|TestModelDocExample|TestSolveReferee|TestSolveCLIPlanForReferee)$'
jobs=$(mktemp)
trap 'rm -f "$jobs"' EXIT
TABANE_REFEREE_JOBS=$jobs go test -count=1 -run "$tests" ./solver ./cmd/tabane
python3 testdata/referee/judge.py "$referee" "$jobs" testdata/referee/verdicts.json "$root"
go test -count=1 -run "$tests" ./solver ./cmd/tabane
