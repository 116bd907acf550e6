#!/usr/bin/env bash
# Throughput and peak memory of tfnotify's pass-through plus parse, side by side with `cat`
# on the same input. Usage: bench/run.sh [RESOURCES] [BIG_BYTES]
#   RESOURCES  size of the plan benchmark (default 50000)
#   BIG_BYTES  size of the large-input benchmark (default 1073741824 = 1 GiB; 0 skips it)
# Inputs are generated into $BENCH_DIR (default: a temporary folder, removed afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
RESOURCES=${1:-50000}
BIG_BYTES=${2:-1073741824}
DIR=${BENCH_DIR:-$(mktemp -d)}
[ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$DIR"' EXIT

cargo build --release --quiet --bin tfnotify --example generate_plan
BIN=target/release/tfnotify
GEN=target/release/examples/generate_plan

"$GEN" "$RESOURCES" > "$DIR/plan.txt"
inputs=("$DIR/plan.txt")
if [ "$BIG_BYTES" != 0 ]; then
  "$GEN" "$RESOURCES" "$BIG_BYTES" > "$DIR/big.txt"
  inputs+=("$DIR/big.txt")
fi

# measure LABEL INPUT COMMAND...: COMMAND reads INPUT on stdin, stdout to /dev/null, pinned
# to one core when taskset exists (PIN=0: not pinned, so a wrapped child gets its own core;
# its CPU time is then counted too). Best of 3 runs: wall time, CPU time (user+sys, steadier on
# a busy machine) and peak RSS, as GNU time reports them for the command itself.
measure() {
  local label=$1 input=$2; shift 2
  local pin=()
  [ "${PIN:-1}" = 1 ] && command -v taskset > /dev/null && pin=(taskset -c 0)
  local size best_line=""
  size=$(stat -c %s "$input")
  for _ in 1 2 3; do
    local stats
    /usr/bin/time -o "$DIR/time.out" -f "%e %U %S %M" "${pin[@]}" "$@" < "$input" > /dev/null 2> /dev/null || true
    stats=$(tail -n 1 "$DIR/time.out")
    if [ -z "$best_line" ] || awk -v a="$stats" -v b="$best_line" 'BEGIN { split(a, x, " "); split(b, y, " "); exit !(x[1] < y[1]) }'; then
      best_line=$stats
    fi
  done
  awk -v label="$label" -v size="$size" -v s="$best_line" 'BEGIN {
    split(s, f, " "); wall = f[1]; cpu = f[2] + f[3]; mb = size / 1e6
    if (wall < 0.001) wall = 0.001
    if (cpu < 0.001) cpu = 0.001
    printf "%-32s %9.1f MB %8.3f s %8.0f MB/s %8.3f s cpu %8.0f MB/s/cpu  peak RSS %6.1f MB\n", label, mb, wall, mb / wall, cpu, mb / cpu, f[4] / 1024
  }'
}

command -v /usr/bin/time > /dev/null || { echo "bench/run.sh needs GNU time (apt-get install time)" >&2; exit 1; }
for input in "${inputs[@]}"; do
  name=$(basename "$input")
  measure "cat < $name" "$input" cat
  measure "tfnotify plan < $name" "$input" "$BIN" plan --quiet
  PIN=0 measure "tfnotify plan -- cat $name" "$input" "$BIN" plan --quiet -- cat "$input"
  measure "tfnotify parse plan $name" "$input" "$BIN" parse plan "$input"
done
