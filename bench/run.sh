#!/usr/bin/env bash
# Throughput and peak memory of tfnotify, side by side with `cat` on the same input, from the
# bare pass-through to the whole message path (a Markdown file, a GitHub comment).
#
# Usage: [RUNS=5] [BENCH_DIR=dir] bench/run.sh [RESOURCES] [BIG_BYTES]
#   RESOURCES  size of the plan benchmark (default 50000)
#   BIG_BYTES  size of the large inputs (default 1073741824 = 1 GiB; 0 skips them): a
#              generated plan that keeps going (big.txt), and real Terraform 1.11 plans from
#              tests/fixtures one after another, in colour (real-color.txt) and without
#              (real.txt)
#   RUNS       runs of each command; the best wall time counts (default 5)
#   BENCH_DIR  where inputs and scratch files go (default: a temporary folder, removed after)
# Needs GNU time (/usr/bin/time), curl and jq.
#
# What one row measures: COMMAND reads the input file on stdin and writes its stdout into a
# pipe that a second `cat` drains into /dev/null, for every row alike, so `cat` and
# tfnotify pay for the same pipe (`cat > /dev/null` alone could splice and skip the copy).
# COMMAND runs under `env -i` with only PATH, a fresh empty HOME and the variables the row
# names, from the scratch folder, so the machine's CI variables, tokens and config files
# never reach it; it is pinned to one core when taskset exists (not the wrapper row, whose
# child needs the other core). Wall time is bash's microsecond clock around the whole
# pipeline (so it includes starting GNU time, taskset and env: the "harness floor" line
# shows that fixed cost); CPU time (user+sys) and peak RSS are GNU time's, for COMMAND and
# the children it waited for. Every run must exit 0 and do its job, or the bench stops.
#
# Rows, per input:
#   cat       `cat`, the baseline
#   stdin     `tfnotify plan --quiet`: pass-through plus parse, nothing rendered or sent
#   wrapper   `tfnotify plan --quiet -- cat FILE`: the same through a child process
#   parse     `tfnotify parse plan FILE`: the parsed result as text
#   output    `tfnotify plan --quiet --output message.md`: renders the Markdown message into
#             a file, removed before each run (--output appends)
#   html      `tfnotify plan --quiet --output report.html`: the self-contained HTML report,
#             which keeps every resource's diff (up to 64 MiB of them), so its memory grows
#             with the plan and is shown apart from the 32 MiB target of the other rows
#   github    `tfnotify plan --quiet` as a GitHub Actions job on a pull request, against the
#             fake GitHub of the integration tests (examples/fake_github.rs, which checks
#             every request as GitHub would). One unmeasured run creates the comment; before
#             each measured run the comment is edited to an older text, so every run really
#             updates it. A run that does not say "GitHub comment updated", a comment that
#             does not end up as the first run wrote it, or any request the fake reports as
#             one GitHub would refuse, stops the bench.
#
# Reading the table: "wall ms" is the best of RUNS runs, with the range over all of them;
# MB/s is the input size over that best time; CPU ms the least over the runs; peak RSS the
# most over the runs; "x stdin" the best wall time over the stdin row's. Below each table,
# one line per target says met or not met, with the numbers.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
RESOURCES=${1:-50000}
BIG_BYTES=${2:-1073741824}
RUNS=${RUNS:-5}

fail() {
  echo "bench/run.sh: $*" >&2
  exit 1
}

for value in "$RESOURCES" "$BIG_BYTES" "$RUNS"; do
  [[ $value =~ ^[0-9]+$ ]] || fail "\`$value\` is not a whole number; usage: [RUNS=5] bench/run.sh [RESOURCES] [BIG_BYTES]"
done
[ "$RUNS" -ge 1 ] || fail "RUNS must be at least 1"
for tool in /usr/bin/time curl jq; do
  command -v "$tool" > /dev/null || fail "needs \`$tool\` (apt-get install time curl jq)"
done

if [ -n "${BENCH_DIR:-}" ]; then
  mkdir -p "$BENCH_DIR"
  DIR=$(cd "$BENCH_DIR" && pwd)
else
  DIR=$(mktemp -d)
fi
FAKE_PID=""
cleanup() {
  if [ -n "$FAKE_PID" ]; then
    kill "$FAKE_PID" 2> /dev/null || true
    wait "$FAKE_PID" 2> /dev/null || true
  fi
  [ -n "${BENCH_DIR:-}" ] || rm -rf "$DIR"
}
trap cleanup EXIT

cargo build --release --quiet --bin tfnotify --example generate_plan --example fake_github
FIXTURES=$PWD/tests/fixtures/terraform/1.11
BIN=$PWD/target/release/tfnotify
GEN=$PWD/target/release/examples/generate_plan
FAKE=$PWD/target/release/examples/fake_github
cd "$DIR"
rm -rf home && mkdir home

# Real plans that succeed (no errors, no imitations of Terraform's lines), so a stream of
# them is one clean run however long it is.
REAL_PLANS=(create_only deposed destroy destroy_removed_from_config forget import_and_create
  import_and_update import_only mixed move_and_update move_only no_changes outputs_only
  read_during_apply replace_create_before_destroy replace_requested replace_tainted
  replace_triggered_by replace_triggers_replace update_in_place with_warning)

# real_stream SUFFIX OUT: the real plans `plan_NAME.SUFFIX`, over and over, whole plans
# only, until OUT holds at least BIG_BYTES bytes.
real_stream() {
  local suffix=$1 out=$2 size count
  : > chunk
  for name in "${REAL_PLANS[@]}"; do
    cat "$FIXTURES/plan_$name.$suffix" >> chunk
  done
  size=$(stat -c %s chunk)
  count=$(((BIG_BYTES + size - 1) / size))
  for ((i = 0; i < count; i++)); do echo chunk; done | xargs cat > "$out"
  rm chunk
}

"$GEN" "$RESOURCES" > plan.txt
inputs=(plan.txt)
if [ "$BIG_BYTES" != 0 ]; then
  "$GEN" "$RESOURCES" "$BIG_BYTES" > big.txt
  real_stream color.txt real-color.txt
  real_stream txt real.txt
  inputs+=(big.txt real-color.txt real.txt)
fi

# The pull request the github row comments on, as the job's event payload tells it.
OWNER=acme REPO=infra PR=7 HEAD=1111111111111111111111111111111111111111
printf '{"pull_request":{"number":%s,"head":{"sha":"%s","ref":"feature"}}}\n' "$PR" "$HEAD" > event.json

# measure KEY LABEL INPUT COMMAND...: time RUNS runs of COMMAND (see the header) and append
# "KEY<TAB>LABEL<TAB>bytes best_us min_us max_us cpu_ms rss_kib" to rows.tsv. COMMAND may
# start with NAME=VALUE words, which env sets. The functions named in $BEFORE and $AFTER, if
# any, run around each run, outside the timing; AFTER checks the run did its job.
measure() {
  local key=$1 label=$2 input=$3; shift 3
  local pin=() walls=() cpus=() rsss=() run t0 t1 user sys rss
  [ "${PIN:-1}" = 1 ] && command -v taskset > /dev/null && pin=(taskset -c 0)
  echo "  $label" >&2
  for ((run = 1; run <= RUNS; run++)); do
    [ -z "${BEFORE:-}" ] || "$BEFORE"
    t0=$EPOCHREALTIME
    if ! /usr/bin/time -o time.out -f "%U %S %M" "${pin[@]}" env -i PATH="$PATH" HOME="$DIR/home" "$@" \
      < "$input" 2> stderr.txt | cat > /dev/null; then
      fail "$label failed (run $run): $(tail -n 5 stderr.txt; tail -n 2 time.out)"
    fi
    t1=$EPOCHREALTIME
    [ -z "${AFTER:-}" ] || "$AFTER"
    walls+=($((${t1/./} - ${t0/./})))
    read -r user sys rss < <(tail -n 1 time.out)
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", (u + s) * 1000 }')")
    rsss+=("$rss")
  done
  printf '%s\t%s\t%s %s %s %s\n' "$key" "$label" "$(stat -c %s "$input")" \
    "$(printf '%s\n' "${walls[@]}" | awk 'NR == 1 || $1 < lo { lo = $1 } $1 > hi { hi = $1 } END { print lo, lo, hi }')" \
    "$(printf '%s\n' "${cpus[@]}" | sort -n | head -n 1)" \
    "$(printf '%s\n' "${rsss[@]}" | sort -n | tail -n 1)" >> rows.tsv
}

# The github row: a fake GitHub per input, its comment, and the checks around each run.
start_fake() {
  "$FAKE" "$OWNER" "$REPO" "$PR" "$HEAD" > fake.env 2> fake.err &
  FAKE_PID=$!
  for _ in $(seq 100); do
    [ "$(grep -c '' fake.env)" -lt 3 ] || break
    kill -0 "$FAKE_PID" 2> /dev/null || fail "the fake GitHub did not start: $(cat fake.err)"
    sleep 0.1
  done
  [ "$(grep -c '' fake.env)" -ge 3 ] || fail "the fake GitHub printed no URL within 10 s"
  API_URL=$(sed -n 's/^GITHUB_API_URL=//p' fake.env)
  GRAPHQL_URL=$(sed -n 's/^GITHUB_GRAPHQL_URL=//p' fake.env)
  TOKEN=$(sed -n 's/^GITHUB_TOKEN=//p' fake.env)
  GITHUB_ENV=(GITHUB_ACTIONS=true GITHUB_REPOSITORY="$OWNER/$REPO" GITHUB_EVENT_NAME=pull_request
    GITHUB_EVENT_PATH="$DIR/event.json" GITHUB_REF="refs/pull/$PR/merge" GITHUB_SHA="$HEAD"
    GITHUB_RUN_ID=1 GITHUB_API_URL="$API_URL" GITHUB_GRAPHQL_URL="$GRAPHQL_URL" GITHUB_TOKEN="$TOKEN")
}

# Stop the fake; it exits 1 and lists them if GitHub would have refused any request.
stop_fake() {
  kill "$FAKE_PID"
  local status=0
  wait "$FAKE_PID" || status=$?
  FAKE_PID=""
  [ "$status" = 0 ] || fail "the fake GitHub saw requests GitHub would refuse: $(cat fake.err)"
}

# github ARGS...: call the fake's REST API as a client GitHub accepts.
github() {
  curl -fsS -H "Authorization: Bearer $TOKEN" -H "Accept: application/vnd.github+json" \
    -H "X-GitHub-Api-Version: 2022-11-28" "$@"
}

# The one tfnotify comment on the pull request, as JSON; fails unless there is exactly one.
tfnotify_comment() {
  github "$API_URL/repos/$OWNER/$REPO/issues/$PR/comments?per_page=100" |
    jq -e '[.[] | select(.user.login == "tfnotify-bot" and (.body | contains("<!-- github-comment:")))]
      | if length == 1 then .[0] else error("\(length) tfnotify comments") end'
}

make_comment_stale() {
  github -X PATCH -H "Content-Type: application/json" --data-binary @stale.json \
    "$API_URL/repos/$OWNER/$REPO/issues/comments/$COMMENT_ID" > /dev/null ||
    fail "cannot edit the tfnotify comment back to an older text"
}

expect_updated() {
  grep -q "tfnotify: GitHub comment updated" stderr.txt ||
    fail "the GitHub run did not update the comment: $(cat stderr.txt)"
}

measure_github() {
  local input=$1
  start_fake
  env -i PATH="$PATH" HOME="$DIR/home" "${GITHUB_ENV[@]}" "$BIN" plan --quiet < "$input" 2> stderr.txt > /dev/null ||
    fail "the first GitHub run failed: $(cat stderr.txt)"
  grep -q "tfnotify: GitHub comment created" stderr.txt ||
    fail "the first GitHub run created no comment: $(cat stderr.txt)"
  tfnotify_comment > comment.json || fail "the first GitHub run left no single tfnotify comment"
  COMMENT_ID=$(jq -r .id comment.json)
  jq '{body: ("An older plan.\n\n" + .body)}' comment.json > stale.json
  BEFORE=make_comment_stale AFTER=expect_updated \
    measure github "\`tfnotify plan --quiet < $input\`, updating a GitHub comment" "$input" "${GITHUB_ENV[@]}" "$BIN" plan --quiet
  tfnotify_comment > updated.json || fail "the GitHub runs left no single tfnotify comment"
  [ "$(jq -r .body updated.json)" = "$(jq -r .body comment.json)" ] ||
    fail "the GitHub runs left another text in the comment than the first run wrote"
  stop_fake
}

fresh_output() { rm -f message.md; }
fresh_report() { rm -f report.html; }
expect_report() {
  grep -q '</html>' report.html || fail "--output report.html wrote no whole HTML page"
}
expect_message() {
  head -n 1 message.md | grep -q '^## ' || fail "--output wrote no Markdown message into message.md"
}

# table INPUT BIG: the Markdown table of rows.tsv and the targets' lines.
table() {
  awk -F '\t' -v input="$1" -v big="$2" -v runs="$RUNS" '
    { key[NR] = $1; label[NR] = $2; split($3, f, " ")
      bytes[NR] = f[1]; best[NR] = f[2] / 1000; lo[NR] = f[3] / 1000; hi[NR] = f[4] / 1000
      cpu[NR] = f[5]; rss[NR] = f[6] / 1024; row[$1] = NR }
    function verdict(ok) { return ok ? "met" : "NOT met" }
    END {
      base = best[row["stdin"]]
      printf "\n### %s (%.1f MB)\n\n", input, bytes[1] / 1e6
      printf "| run | input MB | wall ms, best of %d (range) | MB/s | CPU ms (10 ms steps) | peak RSS MiB | x stdin |\n", runs
      print "|---|---:|---:|---:|---:|---:|---:|"
      for (i = 1; i <= NR; i++) {
        if (key[i] == "floor") continue
        printf "| %s | %.1f | %.1f (%.1f-%.1f) | %.0f | %d | %.1f | %.2f |\n", label[i], bytes[i] / 1e6,
          best[i], lo[i], hi[i], bytes[i] / 1e6 / (best[i] / 1000), cpu[i], rss[i], best[i] / base
      }
      if ("floor" in row) printf "\nHarness floor (`true` under the same wrapper): %.1f ms.\n", best[row["floor"]]
      print ""
      for (k in row) if (k != "cat" && k != "parse" && k != "floor" && k != "html" && rss[row[k]] > worst) { worst = rss[row[k]]; at = label[row[k]] }
      split("output github", message, " ")
      for (m = 1; m <= 2; m++) {
        i = row[message[m]]
        printf "- %s within 3x the stdin run: %s (%.1f ms = %.2fx of %.1f ms)\n", m == 1 ? "`--output`" : "GitHub post",
          verdict(best[i] <= 3 * base), best[i], best[i] / base, base
      }
      printf "- peak RSS of every `tfnotify plan` run at most 32 MiB: %s (largest %.1f MiB, %s; the HTML report apart)\n", verdict(worst <= 32), worst, at
      if ("html" in row) printf "- HTML report: %.1f ms (%.2fx of stdin), %.1f MiB peak RSS (it holds every diff)\n", best[row["html"]], best[row["html"]] / base, rss[row["html"]]
      if (big) {
        c = best[row["cat"]]
        printf "- pass-through plus parse within 3x of `cat` through the same pipe: %s (%.1f ms = %.2fx of %.1f ms)\n",
          verdict(base <= 3 * c), base, base / c, c
      }
    }' rows.tsv
}

for input in "${inputs[@]}"; do
  echo "measuring $input ($RUNS runs each)" >&2
  rm -f rows.tsv
  measure floor "true" "$input" true
  measure cat "\`cat < $input\`" "$input" cat
  measure stdin "\`tfnotify plan --quiet < $input\`" "$input" "$BIN" plan --quiet
  PIN=0 measure wrapper "\`tfnotify plan --quiet -- cat $input\`" "$input" "$BIN" plan --quiet -- cat "$DIR/$input"
  measure parse "\`tfnotify parse plan $input\`" "$input" "$BIN" parse plan "$DIR/$input"
  BEFORE=fresh_output AFTER=expect_message measure output \
    "\`tfnotify plan --quiet --output message.md < $input\`" "$input" "$BIN" plan --quiet --output "$DIR/message.md"
  BEFORE=fresh_report AFTER=expect_report measure html \
    "\`tfnotify plan --quiet --output report.html < $input\`" "$input" "$BIN" plan --quiet --output "$DIR/report.html"
  measure_github "$input"
  big=0
  [ "$input" = plan.txt ] || big=1
  table "$input" "$big"
done

# Startup: a small real plan, with a config that names a destination of every notation (so
# every default template is parsed), each posting only on failure, so nothing is sent; next
# to the bare process (`--version`). Startup is the difference: config discovery, CI
# detection, templates, masks, and reading the small plan.
cat > every.yaml << 'YAML'
notifiers:
  - {type: slack, webhook_url: "http://127.0.0.1:9/slack", when: [failure]}
  - {type: mattermost, webhook_url: "http://127.0.0.1:9/mattermost", when: [failure]}
  - {type: teams, webhook_url: "http://127.0.0.1:9/teams", when: [failure]}
  - {type: chatwork, token: "chatwork-token", room_id: "1", when: [failure]}
  - {type: discord, webhook_url: "http://127.0.0.1:9/discord", when: [failure]}
  - {type: webhook, webhook_url: "http://127.0.0.1:9/hook", when: [failure]}
YAML
cp "$FIXTURES/plan_mixed.txt" small.txt
expect_all_skipped() {
  [ "$(grep -c 'skipped' stderr.txt)" = 6 ] || fail "the startup run did not skip its six destinations: $(cat stderr.txt)"
}
echo "measuring startup ($((RUNS * 4)) runs each)" >&2
rm -f rows.tsv
RUNS=$((RUNS * 4)) measure version "\`tfnotify --version\`" small.txt "$BIN" --version
RUNS=$((RUNS * 4)) AFTER=expect_all_skipped measure startup \
  "\`tfnotify plan --quiet --config every.yaml < small.txt\`" small.txt "$BIN" plan --quiet --config "$DIR/every.yaml"
awk -F '\t' '
  { split($3, f, " "); best[$1] = f[2] / 1000; lo[$1] = f[3] / 1000; hi[$1] = f[4] / 1000; label[$1] = $2 }
  END {
    print "\n### startup\n"
    print "| run | wall ms, best (range) |"
    print "|---|---:|"
    printf "| %s | %.2f (%.2f-%.2f) |\n", label["version"], best["version"], lo["version"], hi["version"]
    printf "| %s | %.2f (%.2f-%.2f) |\n", label["startup"], best["startup"], lo["startup"], hi["startup"]
    d = best["startup"] - best["version"]
    printf "\n- startup with every default template under 5 ms: %s (%.2f ms over the bare process)\n", d < 5 ? "met" : "NOT met", d
  }' rows.tsv
