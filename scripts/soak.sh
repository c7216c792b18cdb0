#!/usr/bin/env bash
# make soak: the two long crash proofs at once. They share nothing (the terminal's test kills terminal processes
# beside an in-process province; the province's kills province processes beside an in-process terminal), so they run
# side by side, each in its own `dotnet test`, their output kept apart in artifacts/soak/ and printed at the end.
# The terminal's test restarts the terminal 200 times: it runs the native AOT build (make publish-aot), which starts
# in a fraction of the JIT build's time (SOAK_AOT=0: the JIT build). That compile is the longest step and needs
# nothing from the tests' build, so it starts first and runs beside the build and the province's test; the
# terminal's test starts once both the native terminal and the tests are built.
# Counts: SOAK_KILLS (terminal kills, 200), SOAK_PAYMENTS (10,000), SOAK_SERVER_KILLS (100); KIOSKPOS_CRASH_SEED fixes
# both tests' random points.
set -uo pipefail
cd "$(dirname "$0")/.."
CONFIGURATION=${CONFIGURATION:-Release}
OUT=artifacts/soak
mkdir -p "$OUT"
rm -f "$OUT"/*.done # each step's end, written when it ends
started=$(date +%s)
load_start=$(uptime)
since() { echo $(($(date +%s) - started)); }
stop() { # a background step and what it started, by process id
  local child
  for child in $(pgrep -P "$1"); do stop "$child"; done
  kill "$1" 2>/dev/null
}

# The native terminal, from the start (its own restore and output under artifacts/aot-build, apart from the tests').
# Its log says when it ended, for the breakdown.
if [ "${SOAK_AOT:-1}" != 0 ]; then
  (
    bash scripts/prereqs.sh aot &&
      dotnet publish kiosk-app/KioskPos.Terminal -c Release -r linux-x64 -p:PublishAot=true -o artifacts/aot --artifacts-path artifacts/aot-build -nologo &&
      since >"$OUT/aot.done"
  ) >"$OUT/aot.log" 2>&1 &
  aot=$!
fi

# Only what the two tests run: the test projects build the terminal, the province server and the simulators.
dotnet build tests/KioskPos.Terminal.Tests -c "$CONFIGURATION" -nologo -clp:ErrorsOnly &&
  dotnet build tests/KioskPos.ProvinceServer.Tests -c "$CONFIGURATION" -nologo -clp:ErrorsOnly ||
  { [ -n "${aot:-}" ] && stop "$aot"; exit 1; }
built=$(since)

export KIOSKPOS_CRASH_KILLS=${SOAK_KILLS:-200} KIOSKPOS_CRASH_PAYMENTS=${SOAK_PAYMENTS:-10000} KIOSKPOS_SERVER_KILLS=${SOAK_SERVER_KILLS:-100}
run() { # project, log (and log.done: when it ended, seconds from the start)
  dotnet test "tests/$1" -c "$CONFIGURATION" --no-build --nologo --filter Category=Crash --logger "console;verbosity=detailed" >"$2" 2>&1
  local rc=$?
  since >"$2.done"
  return $rc
}
run KioskPos.ProvinceServer.Tests "$OUT/province.log" &
province=$!

native="the terminal's test on the JIT build (SOAK_AOT=0)"
if [ -n "${aot:-}" ]; then
  if ! wait "$aot"; then
    echo "make soak: the native AOT terminal did not build ($OUT/aot.log)"
    stop "$province"
    exit 1
  fi
  export KIOSKPOS_CRASH_TERMINAL=$PWD/artifacts/aot/kioskpos-terminal
  native="the native terminal built $(cat "$OUT/aot.done") s after the start (beside the build and the province's test)"
fi
terminal_from=$(since)

run KioskPos.Terminal.Tests "$OUT/terminal.log" &
terminal=$!
wait "$terminal"; terminal_exit=$?
wait "$province"; province_exit=$?
terminal_done=$(cat "$OUT/terminal.log.done")
province_done=$(cat "$OUT/province.log.done")
finished=$(date +%s)

for log in terminal province; do
  echo "== the $log crash test ($OUT/$log.log)"
  grep -E -A14 '^\s*(Passed|Failed) |Standard Output Messages|Error Message' "$OUT/$log.log" | grep -v '^\s*$'
done
echo "make soak: the tests built $built s after the start; $native;" \
  "the terminal's test from $terminal_from s to $terminal_done s ($((terminal_done - terminal_from)) s); the province's test from $built s to $province_done s;" \
  "$((finished - started)) s in all; terminal test exit $terminal_exit, province test exit $province_exit"
echo "make soak: load at the start: $load_start"
echo "make soak: load at the end:   $(uptime)"
[ "$terminal_exit" -eq 0 ] && [ "$province_exit" -eq 0 ]
