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

# measure LABEL INPUT COMMAND...: best wall time of 3 runs, and the peak RSS, of COMMAND
# reading INPUT on stdin with stdout to /dev/null (one core: taskset when available).
measure() {
  local label=$1 input=$2; shift 2
  python3 - "$label" "$input" "$@" <<'PY'
import os, resource, subprocess, sys, time
label, path, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
size = os.path.getsize(path)
pin = ["taskset", "-c", "0"] if subprocess.run(["which", "taskset"], capture_output=True).returncode == 0 else []
best = None
for _ in range(3):
    with open(path, "rb") as inp, open(os.devnull, "wb") as out:
        t = time.perf_counter()
        subprocess.run(pin + cmd, stdin=inp, stdout=out, stderr=subprocess.DEVNULL)
        dt = time.perf_counter() - t
    best = dt if best is None else min(best, dt)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{label:<34} {size/1e6:>9.1f} MB {best*1000:>9.1f} ms {size/1e6/best:>9.0f} MB/s  peak RSS {rss:>6.1f} MB")
PY
}

echo "input                                   size        time    throughput"
for input in "${inputs[@]}"; do
  name=$(basename "$input")
  measure "cat < $name" "$input" cat
  measure "tfnotify plan < $name" "$input" "$BIN" plan --quiet
  measure "tfnotify plan -- cat $name" "$input" "$BIN" plan --quiet -- cat "$input"
  measure "tfnotify parse plan $name" "$input" "$BIN" parse plan "$input"
done
