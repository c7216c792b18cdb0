#!/usr/bin/env bash
# make deb: kioskpos_<version>_arm64.deb from the self-contained linux-arm64 terminal (make publish-pi), the
# systemd units, the udev rules, Chromium's managed policy and the default configuration in firmware/os/.
# The package trusts one key for the province's repository (KIOSKPOS_REPO_KEYRING, default the public.gpg that
# scripts/repo-key.sh makes outside the repository) at KIOSKPOS_REPO_URL; a new package carrying another keyring
# rotates the key (docs/fleet-updates.md).
#   scripts/deb.sh [PUBLISHED_FOLDER] [OUTPUT_FOLDER]      (KIOSKPOS_VERSION overrides the version: x.y.z)
set -euo pipefail
cd "$(dirname "$0")/.."
published=${1:-artifacts/pi/terminal}
output=${2:-artifacts}
version=${KIOSKPOS_VERSION:-$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n1)}
compression=${KIOSKPOS_DEB_COMPRESSION:-xz}   # the tests build theirs with gzip, faster
keyring=${KIOSKPOS_REPO_KEYRING:-${KIOSKPOS_REPO_KEY_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/kioskpos/repo-key}/public.gpg}
repo_url=${KIOSKPOS_REPO_URL:-http://repository.invalid/kioskpos/}   # where the province serves make repo's folder

if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  # The terminal reports its assembly's three-part version to the province, which compares it with the target.
  echo "Version '$version' is not x.y.z (e.g. DEB_VERSION=0.2.0)." >&2
  exit 1
fi
if [ ! -s "$keyring" ]; then
  echo "No repository key at $keyring: run scripts/repo-key.sh (development) or set KIOSKPOS_REPO_KEYRING to the province's public key." >&2
  exit 1
fi

if [ ! -x "$published/kioskpos-terminal" ]; then
  echo "No published terminal in $published: run make publish-pi first." >&2
  exit 1
fi
if compgen -G "$published/KioskPos.Hardware.Simulators*" >/dev/null; then
  echo "$published holds the hardware simulators: publish with -p:WithSimulators=false (make publish-pi does)." >&2
  exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
install -d "$stage/DEBIAN" "$stage/opt/kioskpos" "$stage/lib/systemd/system" "$stage/lib/udev/rules.d" \
  "$stage/etc/kioskpos" "$stage/etc/chromium/policies/managed" "$stage/usr/share/kioskpos/profiles" "$stage/usr/share/doc/kioskpos" "$stage/usr/lib/kioskpos" \
  "$stage/usr/share/keyrings" "$stage/etc/apt/sources.list.d"
cp -a "$published/." "$stage/opt/kioskpos/"
install -m 0644 firmware/os/kioskpos-terminal.service firmware/os/kioskpos-kiosk.service firmware/os/kioskpos-screens.service "$stage/lib/systemd/system/"
install -m 0644 firmware/os/screen.env "$stage/etc/kioskpos/screen.env"   # one screen, or two HDMI screens at a counter
install -m 0644 firmware/os/sway-two-screens.conf "$stage/usr/share/kioskpos/sway-two-screens.conf"
install -m 0755 firmware/os/two-screens "$stage/usr/lib/kioskpos/two-screens"
install -m 0644 firmware/os/60-kioskpos.rules "$stage/lib/udev/rules.d/"
install -m 0644 firmware/os/terminal.json "$stage/etc/kioskpos/terminal.json"
install -m 0644 firmware/os/chromium-policy.json "$stage/etc/chromium/policies/managed/kioskpos.json"   # a kiosk's: /kiosk and /display
install -m 0644 firmware/os/chromium-policy-counter.json "$stage/usr/share/kioskpos/chromium-policy-counter.json"   # a counter's, copied over it there
install -m 0644 hardware/profiles/*.json "$stage/usr/share/kioskpos/profiles/"
install -m 0644 README.md "$stage/usr/share/doc/kioskpos/README.md"
install -m 0644 docs/fleet-updates.md "$stage/usr/share/doc/kioskpos/fleet-updates.md"
# Fleet updates: the province's key (the only one trusted for its source), the source, the helper and its units.
install -m 0644 "$keyring" "$stage/usr/share/keyrings/kioskpos-province.gpg"
sed -e "s|@REPO_URL@|$repo_url|" firmware/os/kioskpos.sources > "$stage/etc/apt/sources.list.d/kioskpos.sources"
install -m 0644 firmware/os/upgrade.env "$stage/etc/kioskpos/upgrade.env"
install -m 0755 firmware/os/kioskpos-upgrade "$stage/usr/lib/kioskpos/kioskpos-upgrade"
install -m 0644 firmware/os/kioskpos-upgrade.service firmware/os/kioskpos-upgrade.timer "$stage/lib/systemd/system/"
install -m 0644 firmware/os/debian/conffiles "$stage/DEBIAN/conffiles"
install -m 0755 firmware/os/debian/postinst firmware/os/debian/prerm firmware/os/debian/postrm "$stage/DEBIAN/"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" firmware/os/debian/control > "$stage/DEBIAN/control"

mkdir -p "$output"
deb="$output/kioskpos_${version}_arm64.deb"
dpkg-deb --root-owner-group "-Z$compression" --build "$stage" "$deb" >/dev/null
echo "$deb"
