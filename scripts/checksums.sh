#!/usr/bin/env bash
# Writes DIR/SHA256SUMS for every release archive in DIR, in the `sha256sum` format
# (`HASH  NAME`) that `sha256sum -c` and scripts/install.sh read.
#   scripts/checksums.sh DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source=scripts/asset.sh
. "$here/asset.sh"

dir=${1:?usage: scripts/checksums.sh DIR}
cd "$dir"
shopt -s nullglob
archives=(tfnotify-*.tar.gz tfnotify-*.zip)
if [ ${#archives[@]} -eq 0 ]; then
  echo "no release archives (\`tfnotify-*.tar.gz\`, \`tfnotify-*.zip\`) in \`$dir\`" >&2
  exit 1
fi
: > SHA256SUMS.tmp
for archive in "${archives[@]}"; do
  echo "$(tfnotify_sha256 "$archive")  $archive" >> SHA256SUMS.tmp
done
mv SHA256SUMS.tmp SHA256SUMS
