#!/usr/bin/env bash
# The province's repository signing key, for development and tests: a GnuPG home OUTSIDE the repository
# (KIOSKPOS_REPO_KEY_DIR, default ~/.local/share/kioskpos/repo-key) holding one ed25519 signing key without a
# passphrase, and its public key exported as public.gpg (what make deb puts in the package as the only key the
# terminal trusts for the province's repository). Prints the folder. Idempotent: an existing key is kept.
# A real province makes its key once on a machine of its own (docs/fleet-updates.md) and never commits it.
set -euo pipefail
dir=${KIOSKPOS_REPO_KEY_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/kioskpos/repo-key}
name=${KIOSKPOS_REPO_KEY_NAME:-KioskPos province repository (development) <repository@province.invalid>}

if [ ! -s "$dir/public.gpg" ]; then
  install -d -m 0700 "$dir" "$dir/gnupg"
  gpg --homedir "$dir/gnupg" --batch --quiet --pinentry-mode loopback --passphrase '' \
    --quick-generate-key "$name" ed25519 sign never 2>/dev/null
  gpg --homedir "$dir/gnupg" --batch --export > "$dir/public.gpg.new"
  mv "$dir/public.gpg.new" "$dir/public.gpg"
fi
echo "$dir"
