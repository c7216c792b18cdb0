#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for building, running and testing KioskPos. Idempotent: it installs
# only packages that are missing, and runs apt-get update at most once.
set -euo pipefail

# Debian packages the project needs:
#   curl         make run waits for /health and the README's demo uses it
#   sqlite3      inspecting the databases by hand and in scripts
#   tzdata       receipts print in Asia/Ho_Chi_Minh time
#   procps       pkill/pgrep in the scripts
#   zbar-tools   zbarimg: tests decode the QR the terminal shows and prints
#   chromium     the screens, tested in a real browser (Playwright drives Debian's build; no browser download)
#   fonts-noto-core  a font with every Vietnamese letter, for the screens and raster receipts
#   socat        a pty pair stands in for a serial or USB printer in the printer tests
#   systemd      systemd-analyze verifies the .deb's unit files in the package test
#   postgresql   the province server's tests on PostgreSQL and make loadtest start throwaway clusters of their own
#                (scripts/pg-cluster.sh); the package's own main cluster is not created
#   espeak-ng    the screens and the payment announcement spoken in Vietnamese, offline (Speech/)
#   apt-utils    apt-ftparchive: make repo and the fleet-update tests build the province's apt repository
#   gpg gpgv     the repository's signing key and signatures (make repo), checked as apt checks them
APT_PACKAGES=(curl sqlite3 tzdata procps zbar-tools chromium fonts-noto-core socat systemd postgresql espeak-ng apt-utils gpg gpgv)
#   npm          the browser tests' accessibility checker (tests/browser-tools), unless a Node.js with npm is there
if ! command -v npm >/dev/null 2>&1; then
  APT_PACKAGES+=(npm)
fi
#   clang, zlib1g-dev   the native AOT build's linker and libz (only for `make publish-aot`, which passes "aot")
if [ "${1:-}" = "aot" ]; then
  APT_PACKAGES+=(clang zlib1g-dev)
fi
#   afl++   the fuzzer under which SharpFuzz runs the fuzz targets (only for `make fuzz`, which passes "fuzz")
if [ "${1:-}" = "fuzz" ]; then
  APT_PACKAGES+=(afl++)
fi

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "prereqs: installing ${missing[*]}"
  if [[ " ${missing[*]} " == *" postgresql "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    # No cluster of the package's own on port 5432: the tests start theirs on free ports and stop them.
    $sudo mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "prereqs: the .NET 10 SDK is missing (dotnet not on PATH). Install it, then run this again." >&2
  exit 1
fi

if ! dotnet --list-sdks | grep -q '^10\.'; then
  echo "prereqs: a .NET 10 SDK is needed; found: $(dotnet --list-sdks | tr '\n' ' ')" >&2
  exit 1
fi

# The accessibility checker the browser tests inject into every screen (axe-core) and the screenshot comparison
# (pngjs, pixelmatch: make screenshots-compare), pinned in tests/browser-tools.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -f "$root/tests/browser-tools/node_modules/axe-core/axe.min.js" ] || [ ! -f "$root/tests/browser-tools/node_modules/pixelmatch/package.json" ] \
  || [ ! -f "$root/tests/browser-tools/node_modules/pngjs/package.json" ]; then
  echo "prereqs: installing the browser tests' tools (tests/browser-tools)"
  npm ci --prefix "$root/tests/browser-tools" --no-audit --no-fund --loglevel=error >/dev/null
fi

# An RFC 9421 implementation nobody here wrote, which the sync tests hold the terminal's signatures to.
if [ ! -f "$root/tests/KioskPos.Sync.Tests/ThirdParty/node_modules/http-message-signatures/package.json" ]; then
  echo "prereqs: installing the sync tests' third-party signature library (tests/KioskPos.Sync.Tests/ThirdParty)"
  npm ci --prefix "$root/tests/KioskPos.Sync.Tests/ThirdParty" --no-audit --no-fund --loglevel=error >/dev/null
fi
