#!/usr/bin/env bash
# make fuzz: every fuzz target of tests/KioskPos.Fuzz under AFL++ (Debian's afl++) through SharpFuzz, FUZZ_SECONDS
# each (default 600), one after the other; FUZZ_TARGETS picks some ("vietqr evdev"), FUZZ_SKIP_BUILD=1 reuses the
# last instrumented copy. Prints executions, speed and coverage per target; a crash or hang found is replayed for
# its stack trace and fails the run. Work and findings under artifacts/fuzz/ (findings/<target>/default/).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-600}
out=artifacts/fuzz
bash scripts/prereqs.sh fuzz
dotnet tool restore >/dev/null   # SharpFuzz.CommandLine, pinned in .config/dotnet-tools.json

# A copy of the harness of its own, whose KioskPos assemblies SharpFuzz instruments in place (the build output of
# make test stays as it is). The harness itself is left out: its code is not what is measured.
# FUZZ_SKIP_BUILD=1 reuses the instrumented copy of an earlier run (e.g. a second run beside the first).
if [ "${FUZZ_SKIP_BUILD:-}" != 1 ]; then
  rm -rf "$out/bin"
  dotnet build tests/KioskPos.Fuzz -c Release -nologo -v quiet -clp:ErrorsOnly
  dotnet publish tests/KioskPos.Fuzz -c Release -o "$out/bin" -nologo -v quiet -clp:ErrorsOnly
  for dll in "$out"/bin/KioskPos.*.dll "$out"/bin/kioskpos-*.dll; do   # the province server is kioskpos-province.dll
    [ "$(basename "$dll")" = KioskPos.Fuzz.dll ] && continue
    dotnet tool run sharpfuzz "$dll" >/dev/null
  done
fi

targets=${FUZZ_TARGETS:-$(dotnet "$out/bin/KioskPos.Fuzz.dll" list | awk '{print $1}')}
# dotnet is no AFL-instrumented binary (SharpFuzz reports the coverage from inside); no UI, no CPU pinning or
# governor checks on a shared machine; the core pattern is the system's business.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1

stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$2"; }
printf '%-18s %10s %8s %10s %8s %8s %8s %6s\n' target executions exec/s coverage edges corpus crashes hangs
failed=0
for target in $targets; do
  findings="$out/findings/$target"
  rm -rf "$findings"
  mkdir -p "$findings"
  afl-fuzz -V "$seconds" -t 10000 -m none -i "tests/KioskPos.Fuzz/Corpus/$target" -o "$findings" \
    -- dotnet "$out/bin/KioskPos.Fuzz.dll" afl "$target" >"$out/$target.log" 2>&1 || true
  stats="$findings/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "$target: afl-fuzz did not start; see $out/$target.log" >&2
    tail -5 "$out/$target.log" >&2
    failed=1
    continue
  fi
  crashes=$(stat saved_crashes "$stats"); hangs=$(stat saved_hangs "$stats")
  printf '%-18s %10s %8s %10s %8s %8s %8s %6s\n' "$target" "$(stat execs_done "$stats")" "$(stat execs_per_sec "$stats")" \
    "$(stat bitmap_cvg "$stats")" "$(stat edges_found "$stats")" "$(stat corpus_count "$stats")" "$crashes" "$hangs"
  if [ "${crashes:-0}" != 0 ] || [ "${hangs:-0}" != 0 ]; then
    failed=1
    # Replayed on the ordinary build: the instrumented copy writes to AFL's shared memory, which is not there now.
    dotnet "tests/KioskPos.Fuzz/bin/Release/net10.0/KioskPos.Fuzz.dll" replay "$target" "$findings/default/crashes" "$findings/default/hangs" | tail -40 || true
  fi
done
exit $failed
