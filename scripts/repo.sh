#!/usr/bin/env bash
# make repo: a flat apt repository of the terminal's packages, signed with the province's key, made with Debian's
# own tools: apt-ftparchive writes Packages and Release (the SHA256 of every index), gpg signs Release as
# InRelease (inline) and Release.gpg (detached). apt on the terminal checks the signature against the one key its
# package installed, then each .deb against the SHA256 in Packages.
#   scripts/repo.sh [DEB_FOLDER] [REPO_FOLDER]    (KIOSKPOS_REPO_KEY_DIR: the key's folder, see scripts/repo-key.sh)
# Every kioskpos_*.deb of DEB_FOLDER is added and the versions already there are kept: a terminal rolls back to the
# version it had, so that version must stay in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
input=${1:-artifacts}
output=${2:-artifacts/repo}
keydir=${KIOSKPOS_REPO_KEY_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/kioskpos/repo-key}

if ! command -v apt-ftparchive >/dev/null 2>&1; then
  echo "apt-ftparchive is missing: run scripts/prereqs.sh (it installs apt-utils)." >&2
  exit 1
fi
if [ ! -d "$keydir/gnupg" ]; then
  echo "No signing key in $keydir: run scripts/repo-key.sh (development) or point KIOSKPOS_REPO_KEY_DIR at the province's." >&2
  exit 1
fi
shopt -s nullglob
debs=("$input"/kioskpos_*.deb)
if ((${#debs[@]} == 0)) && ! compgen -G "$output/kioskpos_*.deb" >/dev/null; then
  echo "No kioskpos_*.deb in $input: run make deb first." >&2
  exit 1
fi

mkdir -p "$output"
for deb in "${debs[@]}"; do
  cp -f "$deb" "$output/"
done

cd "$output"
rm -f InRelease Release Release.gpg
apt-ftparchive packages . > Packages
gzip -9nkf Packages
apt-ftparchive -o APT::FTPArchive::Release::Origin=KioskPos -o APT::FTPArchive::Release::Label=KioskPos \
  -o APT::FTPArchive::Release::Suite=stable -o APT::FTPArchive::Release::Codename=kioskpos \
  -o APT::FTPArchive::Release::Architectures=arm64 release . > Release.new
mv Release.new Release
sign=(gpg --homedir "$keydir/gnupg" --batch --yes --quiet --pinentry-mode loopback --passphrase "${KIOSKPOS_REPO_KEY_PASSPHRASE:-}")
if [ -n "${KIOSKPOS_REPO_KEY_ID:-}" ]; then sign+=(--local-user "$KIOSKPOS_REPO_KEY_ID"); fi
"${sign[@]}" --clearsign --digest-algo SHA512 -o InRelease Release
"${sign[@]}" --detach-sign --armor --digest-algo SHA512 -o Release.gpg Release
echo "$(pwd)"
