#!/usr/bin/env bash
# make run: builds, starts the province server and two terminals on embedded defaults (simulated hardware, demo
# data under var/): a self-service kiosk at a school and a counter at a hospital, and beside them SePay's, Casso's and
# payOS's APIs as a local simulator on 127.0.0.1 (never a real provider). Prints where to look; Ctrl+C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/prereqs.sh
echo "Building…"
dotnet build KioskPos.sln -c Release -nologo -v quiet -clp:ErrorsOnly

mkdir -p var
# The demo administrator's token is made once per checkout and kept in var/ (not in git, never printed).
if [ ! -f var/demo.env ] || ! grep -q '^ADMIN_TOKEN=' var/demo.env; then
  umask 077
  echo "ADMIN_TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" > var/demo.env
fi
# The demo bank-notification connection's HMAC secret, made the same way (the bank simulator signs with it).
if ! grep -q '^BANK_SECRET=' var/demo.env; then
  umask 077
  echo "BANK_SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >> var/demo.env
fi
# The demo's SePay, payOS and Casso connections' secrets (the bank simulator signs as each provider with them), and
# the API key the providers' simulated APIs ask of the province (payOS's requests, SePay's and Casso's lists).
for name in SEPAY_SECRET PAYOS_CHECKSUM CASSO_SECRET PROVIDER_API_KEY; do
  if ! grep -q "^$name=" var/demo.env; then
    umask 077
    echo "$name=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >> var/demo.env
  fi
done
# shellcheck disable=SC1091
source var/demo.env

PROVINCE_URL=${PROVINCE_URL:-http://127.0.0.1:5080}
TERMINAL_URL=${TERMINAL_URL:-http://127.0.0.1:8080}
HOSPITAL_URL=${HOSPITAL_URL:-http://127.0.0.1:8081}
PROVIDER_SIM_PORT=${PROVIDER_SIM_PORT:-5079}
PROVIDER_SIM_URL=http://127.0.0.1:$PROVIDER_SIM_PORT
for url in "$PROVINCE_URL" "$TERMINAL_URL" "$HOSPITAL_URL" "$PROVIDER_SIM_URL"; do
  if curl -s -o /dev/null --max-time 1 "$url/health"; then
    echo "Something already answers on $url: stop it first (another make run?)." >&2
    exit 1
  fi
done

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "Stopped. Data is kept under var/ (delete var/ to start from the demo data again)."
  exit 0
}
trap stop INT TERM EXIT

fresh_province=no
[ -f var/province/province.db ] || fresh_province=yes

# Secrets go through the environment (readable by this user only), not the command line (visible to all in ps).
Province__AdminToken="$ADMIN_TOKEN" \
Province__BankConnections__0__Id=demo-bank \
Province__BankConnections__0__Secret="$BANK_SECRET" \
Province__BankSimulator=true \
dotnet province-server/KioskPos.ProvinceServer/bin/Release/net10.0/kioskpos-province.dll \
  --urls="$PROVINCE_URL" \
  --Province:DataDirectory="$root/var/province" \
  --Province:SeedDemoData=true \
  --Province:DemoInstitutions="${DEMO_INSTITUTIONS:-1000}" \
  > var/province.log 2>&1 &
pids+=($!)

wait_healthy() {
  local url=$1 name=$2 log=$3
  for _ in $(seq 1 100); do
    if curl -sf -o /dev/null --max-time 1 "$url/health"; then return 0; fi
    sleep 0.2
  done
  echo "$name did not become healthy; its log ($log):" >&2
  tail -n 30 "$log" >&2
  exit 1
}
wait_healthy "$PROVINCE_URL" "The province server" var/province.log

# SePay's and Casso's transaction lists and payOS's payment requests, simulated in their own process on 127.0.0.1
# (kioskpos-province provider-sim; the province server itself never starts it). Its payOS channel pays into the demo
# school's account and checks request signatures with the demo-payos checksum key; the keys go by the environment.
KIOSKPOS_PROVIDER_API_KEY="$PROVIDER_API_KEY" \
KIOSKPOS_PAYOS_CHECKSUM_KEY="$PAYOS_CHECKSUM" \
dotnet province-server/KioskPos.ProvinceServer/bin/Release/net10.0/kioskpos-province.dll provider-sim \
  --port "$PROVIDER_SIM_PORT" --payos-client-id demo-payos-client \
  --payos-bin 970436 --payos-account 1023456789 --payos-account-name "TRUONG THCS NGUYEN DU" \
  > var/provider-sim.log 2>&1 &
pids+=($!)
wait_healthy "$PROVIDER_SIM_URL" "The providers' simulated APIs" var/provider-sim.log

# The demo school's bank connections, one per provider, as an administrator sets them (PUT …/bank/connections/{id});
# the bank simulator's "format" list posts to them, signed as each provider signs. Their APIs are the simulated ones
# above: demo-payos creates a payOS request for each VietQR payment at the school (the display shows payOS's QR),
# and the pull asks SePay's and Casso's lists and payOS's request status there. The body (with the secrets) goes
# on standard input, not the command line.
for connection in "demo-sepay|sepay|$SEPAY_SECRET|sepay|" "demo-payos|payos|$PAYOS_CHECKSUM|payos|demo-payos-client" "demo-casso|casso|$CASSO_SECRET|casso|"; do
  IFS='|' read -r connection_id provider secret api_path client_id <<<"$connection"
  printf '{"provider":"%s","institutionId":"TG-THCS-NGUYENDU","accountNumber":"1023456789","secret":"%s","apiKey":"%s","apiBaseUrl":"%s","clientId":%s}' \
    "$provider" "$secret" "$PROVIDER_API_KEY" "$PROVIDER_SIM_URL/$api_path" "$([ -n "$client_id" ] && echo "\"$client_id\"" || echo null)" \
    | curl -sf -o /dev/null -X PUT "$PROVINCE_URL/api/v1/admin/bank/connections/$connection_id" \
        -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' --data-binary @- \
    || { echo "Could not set the demo connection $connection_id; see var/province.log." >&2; exit 1; }
done

# Each demo terminal is enrolled as a technician would do it: a one-time code from the province server, typed into
# the terminal's `enroll`, which makes the terminal's own key (again whenever the province database is new). Then
# its staff are added (the PIN on standard input: a cashier, a supervisor, a technician) and it is started.
terminal_cli=(dotnet kiosk-app/KioskPos.Terminal/bin/Release/net10.0/kioskpos-terminal.dll)
start_terminal() {
  local id=$1 institution=$2 name=$3 url=$4 dir=$5 log=$6 receipts=$7
  if [ ! -f "$dir/device-key.pem" ] || [ ! -f "$dir/province-key.pem" ] || [ "$fresh_province" = yes ]; then
    local code
    code=$(curl -sf -X POST "$PROVINCE_URL/api/v1/admin/enrolment-codes" \
      -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
      -d "{\"institutionId\":\"$institution\",\"terminalId\":\"$id\",\"name\":\"$name\",\"validMinutes\":10}" \
      | sed -n 's/.*"code":"\([^"]*\)".*/\1/p')
    if [ -z "$code" ]; then
      echo "Could not get an enrolment code for $id from the province server; see var/province.log." >&2
      exit 1
    fi
    "${terminal_cli[@]}" enroll --server "$PROVINCE_URL" --code "$code" --data "$dir"
  fi

  for person in "tn01|Lê Thu Ngân|cashier|246813" "gs01|Trần Giám Sát|supervisor|975319" "kt01|Võ Kỹ Thuật|technician|864271"; do
    IFS='|' read -r staff_id staff_name staff_role staff_pin <<<"$person"
    echo "$staff_pin" | "${terminal_cli[@]}" staff add --id "$staff_id" --name "$staff_name" --role "$staff_role" --data "$dir" >/dev/null
  done

  "${terminal_cli[@]}" \
    --urls="$url" \
    --Terminal:DataDirectory="$dir" \
    --ProvinceServer:Interval=00:00:02 \
    --Hardware:Printer=emulator --Hardware:PaperWidthMm=80 --Hardware:ReceiptImages="$receipts" \
    --Terminal:DevEndpoints=true --Hardware:AllowSimulated=true "${@:8}" \
    > "$log" 2>&1 &
  pids+=($!)
  wait_healthy "$url" "The terminal $id" "$log"
}

start_terminal KP-THCS-ND-01 TG-THCS-NGUYENDU "Ki-ốt văn phòng trường" "$TERMINAL_URL" "$root/var/terminal" var/terminal.log "$root/var/receipts"
# The counter's customer display is also an emulated ST7789 panel beside the till (/dev/panel.png), and it has an
# emulated 2D scanner for citizen-ID cards: a FIFO the /dev page's buttons type QRs into, read as a real scanner is.
start_terminal KP-TTYT-CT-01 TG-TTYT-CHAUTHANH "Quầy thu viện phí" "$HOSPITAL_URL" "$root/var/hospital" var/hospital.log "$root/var/hospital-receipts" \
  --Hardware:Display=spi:st7789:simulated:dc=24:rst=25:bl=18:size=240x320 --Hardware:CardReader=simulated,scanner:simulated

cat <<TXT

KioskPos is running (simulated hardware, demo data).

  School kiosk (parents):                 $TERMINAL_URL/kiosk
  Hospital counter (sign in tn01 / 246813):  $HOSPITAL_URL/counter   (its customer display: $HOSPITAL_URL/display)
  Terminal state (school KP-THCS-ND-01):  $TERMINAL_URL/           (hospital KP-TTYT-CT-01: $HOSPITAL_URL/)
  Customer display (VietQR):              $TERMINAL_URL/display
  Counter's emulated 2D scanner and SPI panel: $HOSPITAL_URL/dev   (the panel alone: /dev/panel.png)
  Province server (sign in, below):       $PROVINCE_URL/
  Bank simulator ("simulate transfer"):   $PROVINCE_URL/bank-sim   (signed in as the administrator; generic, SePay, payOS or Casso format)
  Providers' simulated APIs (payOS, SePay, Casso): $PROVIDER_SIM_URL   (a VietQR payment at the school shows payOS's QR)
  Logs:                                   var/terminal.log, var/hospital.log, var/province.log, var/provider-sim.log
  Receipts (ESC/POS emulator, PNG + text): var/receipts/, var/hospital-receipts/ (linked from each terminal's page)
  Printer state and queue:                $TERMINAL_URL/api/v1/printer

Simulate a card tap (demo pupil HS240001, balance 2.000.000 ₫):
  make tap CARD=04A1B2C3
Other demo cards: 04D4E5F6 (balance too low), 04112233 (blocked), 0000AAAA (unknown).
At the hospital counter, patient BN260001 (Phạm Thị Thu Hà): bill lines with the insurance (BHYT) part, a deposit
(tạm ứng) to take on the bank-card terminal (F6), then the bill paid from the card balance that holds it:
  make tap CARD=0472A9C1B2D380 URL=$HOSPITAL_URL

Pay one bill from the card balance:
  curl -s -X POST $TERMINAL_URL/api/v1/payments -H 'Content-Type: application/json' \\
    -d '{"cardUid":"04A1B2C3","method":"card_balance","bills":[{"billId":"HP-2611-HS240001"}]}'

Demo staff (id / PIN): cashier tn01 / 246813, supervisor gs01 / 975319, technician kt01 / 864271. A cashier signs in,
voids that payment (the id its answer gave; on a fresh var/ the first one) with the supervisor's PIN — the void slip
prints — and closes the shift (the Z report prints):
  curl -s -c var/cookies -X POST $TERMINAL_URL/api/v1/sessions -H 'Content-Type: application/json' -d '{"staffId":"tn01","pin":"246813"}'
  curl -s -b var/cookies -X POST $TERMINAL_URL/api/v1/payments/KP-THCS-ND-01-00000001/void -H 'Content-Type: application/json' \\
    -d '{"reason":"Thu nhầm","supervisorId":"gs01","supervisorPin":"975319"}'
  curl -s -b var/cookies -X POST $TERMINAL_URL/api/v1/shifts/current/close

Top up a card (nạp tiền vào thẻ): tap 04D4E5F6 on the kiosk and press "Nạp tiền vào thẻ", or offer one here, then
"simulate transfer" on the bank simulator; a transfer from home carries the account's standing code (NT…, printed on
the top-up receipt) as its text:
  curl -s -X POST $TERMINAL_URL/api/v1/top-ups -H 'Content-Type: application/json' -d '{"payerCode":"HS240002","amount":200000}'

Pay by VietQR: open the customer display, make a QR payment, then press "simulate transfer" on the bank
simulator (edit the amount to see underpaid / overpaid); the display confirms and the receipt appears:
  curl -s -X POST $TERMINAL_URL/api/v1/payments -H 'Content-Type: application/json' \\
    -d '{"payerCode":"HS240004","method":"vietqr","bills":[{"billId":"HP-2611-HS240004"}]}'

The printer is the ESC/POS emulator behind the real driver. Take its paper away and give it back; the held
receipt prints by itself, once. Reprint the last receipt (marked BẢN SAO - IN LẠI), print the X report or a test page
(signed in as above):
  curl -s -X POST $TERMINAL_URL/dev/printer -H 'Content-Type: application/json' -d '{"paperOut":true}'
  curl -s -X POST $TERMINAL_URL/dev/printer -H 'Content-Type: application/json' -d '{"paperOut":false}'
  curl -s -b var/cookies -X POST $TERMINAL_URL/api/v1/receipts/last/reprint
  curl -s -b var/cookies -X POST $TERMINAL_URL/api/v1/reports/x
  curl -s -b var/cookies -X POST $TERMINAL_URL/api/v1/printer/test-page
See what a real printer was sent (a captured byte file, from any encoder):
  dotnet kiosk-app/KioskPos.Terminal/bin/Release/net10.0/kioskpos-terminal.dll printer render capture.bin -o capture.png

The province's pages need a sign-in (demo): the administrator tinh.admin / QuanTri@2026 sees everything and
resolves the reconciliation worklist; the school's accountant ketoan.nguyendu / KeToan@2026 (the hospital's:
ketoan.ttytchauthanh / KeToan@2026) sees their own institution, read-only:
  $PROVINCE_URL/report  (plan progress)   $PROVINCE_URL/reconciliation  (per day, and the worklist)

The province server's ledger (admin token in var/demo.env):
  curl -s -H "Authorization: Bearer \$(grep ADMIN var/demo.env | cut -d= -f2)" '$PROVINCE_URL/api/v1/admin/payments'

Press Ctrl+C to stop them all.
TXT

wait -n "${pids[@]}" || true
echo "A process exited on its own; see var/terminal.log, var/hospital.log, var/province.log and var/provider-sim.log." >&2
exit 1
