#!/usr/bin/env bash
# make soak: the two long crash proofs at once. They share nothing (the terminal's test kills terminal processes
# beside an in-process province; the province's kills province processes beside an in-process terminal), so they run
# side by side, each in its own `dotnet test`, their output kept apart in artifacts/soak/ and printed at the end.
# The terminal's test restarts the terminal 200 times: it runs the native AOT build (make publish-aot), published here
# while the province's test runs, which starts in a fraction of the JIT build's time (SOAK_AOT=0: the JIT build).
# Counts: SOAK_KILLS (terminal kills, 200), SOAK_PAYMENTS (10,000), SOAK_SERVER_KILLS (100); KIOSKPOS_CRASH_SEED fixes
# both tests' random points.
set -uo pipefail
cd "$(dirname "$0")/.."
CONFIGURATION=${CONFIGURATION:-Release}
OUT=artifacts/soak
mkdir -p "$OUT"
started=$(date +%s)

# Only what the two tests run: the test projects build the terminal, the province server and the simulators.
dotnet build tests/KioskPos.Terminal.Tests -c "$CONFIGURATION" -nologo -clp:ErrorsOnly || exit 1
dotnet build tests/KioskPos.ProvinceServer.Tests -c "$CONFIGURATION" -nologo -clp:ErrorsOnly || exit 1
built=$(date +%s)

export KIOSKPOS_CRASH_KILLS=${SOAK_KILLS:-200} KIOSKPOS_CRASH_PAYMENTS=${SOAK_PAYMENTS:-10000} KIOSKPOS_SERVER_KILLS=${SOAK_SERVER_KILLS:-100}
run() { # project, log
  dotnet test "tests/$1" -c "$CONFIGURATION" --no-build --nologo --filter Category=Crash --logger "console;verbosity=detailed" >"$2" 2>&1
}
run KioskPos.ProvinceServer.Tests "$OUT/province.log" &
province=$!

if [ "${SOAK_AOT:-1}" != 0 ]; then
  bash scripts/prereqs.sh aot >"$OUT/aot.log" 2>&1 &&
    dotnet publish kiosk-app/KioskPos.Terminal -c Release -r linux-x64 -p:PublishAot=true -o artifacts/aot --artifacts-path artifacts/aot-build -nologo >>"$OUT/aot.log" 2>&1 ||
    { echo "make soak: the native AOT terminal did not build ($OUT/aot.log)"; kill "$province"; exit 1; }
  export KIOSKPOS_CRASH_TERMINAL=$PWD/artifacts/aot/kioskpos-terminal
fi
published=$(date +%s)

run KioskPos.Terminal.Tests "$OUT/terminal.log" &
terminal=$!
wait "$terminal"; terminal_exit=$?
terminal_done=$(date +%s)
wait "$province"; province_exit=$?
finished=$(date +%s)

for log in terminal province; do
  echo "== the $log crash test ($OUT/$log.log)"
  grep -E -A14 '^\s*(Passed|Failed) |Standard Output Messages|Error Message' "$OUT/$log.log" | grep -v '^\s*$'
done
echo "make soak: build $((built - started)) s, native terminal $((published - built)) s (beside the province's test)," \
  "the terminal's test $((terminal_done - published)) s, the province's test done $((finished - built)) s after the build; $((finished - started)) s in all;" \
  "terminal test exit $terminal_exit, province test exit $province_exit"
[ "$terminal_exit" -eq 0 ] && [ "$province_exit" -eq 0 ]
