#!/bin/sh
# Rebuild tests/fixtures/template/expected/*.json by rendering every case with
# Go's text/template, html/template and sprig v3 (Debian packages, GOPATH mode,
# no network). TZ is pinned so sprig's local-time functions are deterministic.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(mktemp -d)/go-oracle
cd "$here"
GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= go build -o "$bin" main.go
TZ=UTC "$bin" "$root/tests/fixtures/template/cases" "$root/tests/fixtures/template/expected"
rm -f "$bin"
