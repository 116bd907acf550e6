#!/usr/bin/env bash
# Installs tfnotify for the machine it runs on: the release archive for this OS and
# architecture, checked against the release's SHA256SUMS, or, when the release has no
# binary for it, a build with `cargo install --locked`. Runs on Linux and macOS, and on
# Windows in Git Bash. action.yml runs it; it also works on its own.
#
#   scripts/install.sh           install, print the binary's path
#   scripts/install.sh --asset   print the archive this machine would get, install nothing
#
# Read from the environment (all optional):
#   TFNOTIFY_VERSION       `1.2.3`, `v1.2.3` or `latest`; default: the version of the
#                          Cargo.toml beside this script (the action's own release)
#   TFNOTIFY_REPOSITORY    OWNER/NAME releases come from (default in scripts/asset.sh)
#   TFNOTIFY_RELEASES_URL  the releases page (GitHub Enterprise, a mirror);
#                          default https://github.com/$TFNOTIFY_REPOSITORY/releases
#   TFNOTIFY_DOWNLOAD_URL  the folder holding one version's assets and SHA256SUMS;
#                          default $TFNOTIFY_RELEASES_URL/download/vVERSION
#   TFNOTIFY_INSTALL_ROOT  the binary goes in its bin/; default $RUNNER_TEMP/tfnotify
#   RUNNER_OS RUNNER_ARCH  the platform, as GitHub's runners say it; default `uname`
#   GITHUB_PATH            when set, bin/ is appended to it (later steps find tfnotify)
#   GITHUB_OUTPUT          when set, `path=` and `version=` are written to it
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source=scripts/asset.sh
. "$here/asset.sh"
source_dir=$(dirname "$here")

fail() {
  echo "tfnotify install: $*" >&2
  exit 1
}

note() {
  echo "tfnotify install: $*" >&2
}

# The version in the Cargo.toml beside this script, when there is one.
source_version() {
  [ -f "$source_dir/Cargo.toml" ] || return 0
  sed -n 's/^version = "\([^"]*\)"$/\1/p' "$source_dir/Cargo.toml" | head -n 1
}

# fetch URL FILE: download URL into FILE; prints the HTTP status (000 when unreachable).
fetch() {
  curl --silent --show-error --location --retry 3 --connect-timeout 20 \
    --output "$2" --write-out '%{http_code}' "$1" || true
}

# The version `latest` stands for: where the releases page's /latest redirects to.
latest_version() {
  local url
  url=$(curl --silent --show-error --location --retry 3 --connect-timeout 20 \
    --output /dev/null --write-out '%{url_effective}' "$releases_url/latest") ||
    fail "could not reach \`$releases_url/latest\` to find the latest release: set TFNOTIFY_VERSION to a version"
  case "$url" in
    */tag/v*) echo "${url##*/tag/v}" ;;
    *) fail "\`$releases_url/latest\` led to \`$url\`, not to a release tag: set TFNOTIFY_VERSION to a version" ;;
  esac
}

platform() {
  local os=${RUNNER_OS:-} arch=${RUNNER_ARCH:-}
  [ -n "$os" ] || os=$(uname -s)
  [ -n "$arch" ] || arch=$(uname -m)
  echo "$os/$arch"
}

# extract ARCHIVE DIR: unpack a tarball or a zip into DIR.
extract() {
  case "$1" in
    *.zip)
      if command -v unzip > /dev/null; then
        unzip -q "$1" -d "$2"
      elif command -v 7z > /dev/null; then
        7z x -bd -o"$2" "$1" > /dev/null
      else
        fail "cannot open \`$1\`: neither \`unzip\` nor \`7z\` is on PATH"
      fi
      ;;
    *) tar -xzf "$1" -C "$2" ;;
  esac
}

# install_release TARGET: download, verify and unpack the release archive; returns 3 when
# the release has no archive for TARGET (the caller builds from source instead).
install_release() {
  local target=$1 asset expected actual status binary
  asset=$(tfnotify_asset "$version" "$target")
  status=$(fetch "$download_url/$asset" "$work/$asset")
  case "$status" in
    200) ;;
    404)
      return 3
      ;;
    *) fail "downloading \`$download_url/$asset\` failed (HTTP $status): check the network, or TFNOTIFY_DOWNLOAD_URL" ;;
  esac
  status=$(fetch "$download_url/SHA256SUMS" "$work/SHA256SUMS")
  [ "$status" = 200 ] ||
    fail "release v$version has \`$asset\` but its \`SHA256SUMS\` could not be downloaded (HTTP $status): refusing to install an unverified binary"
  expected=$(awk -v name="$asset" '$2 == name || $2 == "*" name { print $1; exit }' "$work/SHA256SUMS")
  [ -n "$expected" ] ||
    fail "\`SHA256SUMS\` of release v$version does not list \`$asset\`: refusing to install an unverified binary"
  actual=$(tfnotify_sha256 "$work/$asset") || exit 1
  [ "$actual" = "$expected" ] ||
    fail "checksum mismatch for \`$asset\` from \`$download_url\`: SHA256SUMS says $expected, the download is $actual; refusing to install it (a corrupt or tampered download)"
  # Called as a condition, where `set -e` is off: every step checks its own failure.
  mkdir "$work/unpacked" || exit 1
  extract "$work/$asset" "$work/unpacked" || fail "\`$asset\` could not be unpacked"
  binary=$(find "$work/unpacked" -type f -name "$(tfnotify_binary "$target")" | head -n 1)
  [ -n "$binary" ] || fail "\`$asset\` holds no \`$(tfnotify_binary "$target")\`"
  if ! { mkdir -p "$root/bin" && cp "$binary" "$root/bin/" &&
    chmod +x "$root/bin/$(tfnotify_binary "$target")"; }; then
    fail "could not put tfnotify in \`$root/bin\`: set TFNOTIFY_INSTALL_ROOT to a writable folder"
  fi
}

# install_from_source WHY: build with cargo, from the source beside this script when it is
# the wanted version, else from the release's tag in the repository. WHY says why no
# prebuilt binary would do, for the error when cargo is missing too.
install_from_source() {
  command -v cargo > /dev/null ||
    fail "$1 and \`cargo\` is not on PATH: install a Rust toolchain before this step, or use a released version on a Linux, macOS or Windows x64 runner"
  if [ "$(source_version)" = "$version" ]; then
    note "building tfnotify $version from \`$source_dir\` with cargo"
    cargo install --locked --root "$root" --path "$source_dir"
  else
    note "building tfnotify $version from the repository's tag v$version with cargo"
    cargo install --locked --root "$root" --git "https://github.com/$repository" --tag "v$version" tfnotify
  fi
}

repository=${TFNOTIFY_REPOSITORY:-$TFNOTIFY_DEFAULT_REPOSITORY}
releases_url=${TFNOTIFY_RELEASES_URL:-https://github.com/$repository/releases}
releases_url=${releases_url%/}
command -v curl > /dev/null || fail "\`curl\` is not on PATH: install it to download tfnotify"
version=${TFNOTIFY_VERSION:-}
[ -n "$version" ] || version=$(source_version)
[ -n "$version" ] ||
  fail "no version to install: set TFNOTIFY_VERSION (the action's \`version\` input), e.g. 1.2.3 or latest"
version=${version#v}
if [ "$version" = latest ]; then
  version=$(latest_version)
fi
# The version ends up in URLs, file names and cargo's arguments: only a plain semantic
# version (a pre-release suffix allowed) gets that far, whoever wrote it.
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] ||
  fail "\`$version\` is not a version: TFNOTIFY_VERSION takes 1.2.3, v1.2.3 or latest"
download_url=${TFNOTIFY_DOWNLOAD_URL:-$releases_url/download/v$version}
download_url=${download_url%/}

machine=$(platform)
target=$(tfnotify_target "${machine%%/*}" "${machine#*/}") || target=
if [ "${1:-}" = --asset ]; then
  [ -n "$target" ] || fail "no prebuilt tfnotify for $machine"
  tfnotify_asset "$version" "$target"
  exit 0
fi

root=${TFNOTIFY_INSTALL_ROOT:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tfnotify}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "$target" ]; then
  why="no prebuilt tfnotify for $machine"
  note "$why"
  install_from_source "$why"
elif install_release "$target"; then
  :
else
  status=$?
  [ "$status" -eq 3 ] || exit "$status"
  why="release v$version has no \`$(tfnotify_asset "$version" "$target")\` at \`$download_url\`"
  note "$why"
  install_from_source "$why"
fi

binary_path=$root/bin/tfnotify
[ -f "$binary_path.exe" ] && binary_path=$binary_path.exe
installed=$("$binary_path" --version) ||
  fail "the installed \`$binary_path\` does not run: $machine may need another build"
note "installed $installed at \`$binary_path\`"
if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$root/bin" >> "$GITHUB_PATH"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "path=$binary_path"
    echo "version=$version"
  } >> "$GITHUB_OUTPUT"
fi
echo "$binary_path"
