#!/usr/bin/env bash
# make pi-smoke: the published linux-arm64 terminal (make publish-pi) run under qemu-user on this machine, against
# an arm64 Debian sysroot made by debootstrap (first stage only: nothing arm64 runs but the terminal), with the
# province server on this machine: enrol, /health, one card payment, synced. Slow (everything JIT-compiled under
# emulation); not part of make test.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

need=()
command -v qemu-aarch64 >/dev/null || need+=(qemu-user)
command -v debootstrap >/dev/null || need+=(debootstrap)
if ((${#need[@]} > 0)); then
  sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

sysroot=artifacts/pi-sysroot
if [ ! -e "$sysroot/lib/ld-linux-aarch64.so.1" ]; then
  # The machine's own Debian mirror and release, from its apt sources.
  mirror=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | grep -oE '^(URIs:|deb) +[^ ]+' | grep -v security | head -n1 | awk '{print $2}' || true)
  release=$(. /etc/os-release && echo "$VERSION_CODENAME")
  echo "pi-smoke: arm64 sysroot from $release (first stage only)…"
  rm -rf "$sysroot"
  debootstrap --foreign --arch=arm64 --variant=minbase --include=libicu72,libssl3 "$release" "$sysroot" "$mirror" >/dev/null
fi
# The first stage unpacks the base system only; the libraries .NET opens at run time (ICU, OpenSSL) are unpacked here.
for deb in "$sysroot"/var/cache/apt/archives/libicu72_*.deb "$sysroot"/var/cache/apt/archives/libssl3_*.deb; do
  [ -e "$deb" ] && dpkg-deb -x "$deb" "$sysroot"
done

export QEMU_LD_PREFIX="$root/$sysroot"
terminal="$root/artifacts/pi/terminal/kioskpos-terminal"
file "$terminal" | grep -q aarch64 || { echo "pi-smoke: $terminal is not an arm64 build (make publish-pi)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
Province__AdminToken="$token" dotnet province-server/KioskPos.ProvinceServer/bin/Release/net10.0/kioskpos-province.dll \
  --urls=http://127.0.0.1:5190 --Province:DataDirectory="$work/province" --Province:SeedDemoData=true > "$work/province.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf -o /dev/null http://127.0.0.1:5190/health && break; sleep 0.2; done

code=$(curl -sf -X POST http://127.0.0.1:5190/api/v1/admin/enrolment-codes -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"institutionId":"TG-THCS-NGUYENDU","terminalId":"KP-THCS-ND-01","validMinutes":10}' | sed -n 's/.*"code":"\([^"]*\)".*/\1/p')
start=$(date +%s)
qemu-aarch64 "$terminal" enroll --server http://127.0.0.1:5190 --code "$code" --data "$work/terminal"
qemu-aarch64 "$terminal" --urls=http://127.0.0.1:8190 --Terminal:DataDirectory="$work/terminal" --ProvinceServer:Interval=00:00:02 \
  --ProvinceServer:AuthoriseTimeout=00:00:30 > "$work/terminal.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do curl -sf -o /dev/null http://127.0.0.1:8190/health && break; sleep 0.5; done
health=$(curl -s http://127.0.0.1:8190/health || true)
echo "pi-smoke: /health says '$health' after $(( $(date +%s) - start )) s under qemu-aarch64"
[ "$health" = Healthy ] || { tail -n 30 "$work/terminal.log"; exit 1; }

for _ in $(seq 1 60); do
  curl -sf http://127.0.0.1:8190/api/v1/payers/HS240001 >/dev/null && break; sleep 1
done
curl -sf -X POST http://127.0.0.1:8190/dev/card-taps -H 'Content-Type: application/json' -d '{"uid":"04A1B2C3"}' >/dev/null
paid=$(curl -s -X POST http://127.0.0.1:8190/api/v1/payments -H 'Content-Type: application/json' \
  -d '{"cardUid":"04A1B2C3","method":"card_balance","bills":[{"billId":"HP-2611-HS240001"}]}')
echo "pi-smoke: payment $(echo "$paid" | grep -o '"id":"[^"]*"' | head -n1), state $(echo "$paid" | grep -o '"state":"[^"]*"' | head -n1)"
echo "$paid" | grep -q '"state":"completed"' || { echo "$paid"; tail -n 30 "$work/terminal.log"; exit 1; }
for _ in $(seq 1 60); do
  balance=$(curl -sf -H "Authorization: Bearer $token" http://127.0.0.1:5190/api/v1/admin/accounts/HS240001 | sed -n 's/.*"balance":\([0-9]*\).*/\1/p')
  [ "$balance" = 1850000 ] && break; sleep 1
done
echo "pi-smoke: the province server holds HS240001 at $balance đồng (2.000.000 - 150.000)"
[ "$balance" = 1850000 ]
echo "pi-smoke: OK in $(( $(date +%s) - start )) s"
