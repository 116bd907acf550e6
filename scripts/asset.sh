# shellcheck shell=bash
# The one place that names tfnotify's release assets. scripts/package.sh (run by
# .github/workflows/release.yml) builds archives under these names and scripts/install.sh
# (run by action.yml) asks for them, so the two cannot drift apart.

# The repository releases are published from when the caller names none (the action passes
# its own). Change it here, and only here, when the repository moves.
# shellcheck disable=SC2034 # read by the scripts that source this file
TFNOTIFY_DEFAULT_REPOSITORY=tfnotify/tfnotify

# tfnotify_target OS ARCH: the Rust target released for a machine, spelled the way GitHub's
# runners (RUNNER_OS RUNNER_ARCH) or `uname -s` `uname -m` spell it (Git Bash says
# MINGW64_NT-…). Fails, printing nothing, where no binary is released.
tfnotify_target() {
  case "$1/$2" in
    Linux/X64 | Linux/x86_64 | Linux/amd64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64 | Linux/arm64) echo aarch64-unknown-linux-musl ;;
    macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
    macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
    Windows/X64 | MINGW*/x86_64 | MSYS*/x86_64 | CYGWIN*/x86_64) echo x86_64-pc-windows-msvc ;;
    *) return 1 ;;
  esac
}

# tfnotify_asset VERSION TARGET: the archive's file name; VERSION without the tag's `v`.
# Windows gets a zip (what its tools open), every other target a gzipped tarball.
tfnotify_asset() {
  case "$2" in
    *-windows-*) echo "tfnotify-$1-$2.zip" ;;
    *) echo "tfnotify-$1-$2.tar.gz" ;;
  esac
}

# tfnotify_binary TARGET: the executable's name inside the archive.
tfnotify_binary() {
  case "$1" in
    *-windows-*) echo tfnotify.exe ;;
    *) echo tfnotify ;;
  esac
}

# tfnotify_sha256 FILE: the file's SHA-256 in hex, with whichever tool the machine has
# (sha256sum on Linux and Git Bash, shasum on macOS).
tfnotify_sha256() {
  local sum
  if command -v sha256sum > /dev/null; then
    sum=$(sha256sum "$1") || return 1
  elif command -v shasum > /dev/null; then
    sum=$(shasum -a 256 "$1") || return 1
  else
    echo "neither \`sha256sum\` nor \`shasum\` is on PATH: install coreutils or perl's shasum" >&2
    return 1
  fi
  echo "${sum%% *}"
}
