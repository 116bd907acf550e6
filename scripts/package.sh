#!/usr/bin/env bash
# Packs a built tfnotify into the release archive for one target, named as scripts/asset.sh
# says, and prints the archive's path. Used by .github/workflows/release.yml.
#   scripts/package.sh VERSION TARGET BINARY OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source=scripts/asset.sh
. "$here/asset.sh"

if [ $# -ne 4 ]; then
  echo "usage: scripts/package.sh VERSION TARGET BINARY OUTDIR" >&2
  exit 2
fi
version=${1#v} target=$2 binary=$3 outdir=$4
if [ ! -f "$binary" ]; then
  echo "no built binary at \`$binary\`: build with \`cargo build --release --target $target\` first" >&2
  exit 1
fi

asset=$(tfnotify_asset "$version" "$target")
name=${asset%.zip}
name=${name%.tar.gz}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$binary" "$stage/$name/$(tfnotify_binary "$target")"
cp "$here/../README.md" "$here/../CHANGELOG.md" "$stage/$name/"
rm -f "$outdir/$asset"
case "$asset" in
  *.zip)
    # Windows runners have 7-Zip; Git Bash may lack zip.
    if command -v zip > /dev/null; then
      (cd "$stage" && zip -qr "$outdir/$asset" "$name")
    else
      (cd "$stage" && 7z a -tzip -bd "$outdir/$asset" "$name" > /dev/null)
    fi
    ;;
  *) tar -C "$stage" -czf "$outdir/$asset" "$name" ;;
esac
echo "$outdir/$asset"
