#!/usr/bin/env bash
# The run step of action.yml: turns the action's inputs, passed as environment variables
# (never spliced into the script, so no input can inject shell), into one tfnotify
# invocation, records its exit code as the `exit-code` output and exits with it.
#
#   TFNOTIFY_BIN             the installed binary (default: tfnotify on PATH)
#   INPUT_COMMAND            plan, apply, destroy, fmt, validate, summary, …
#   INPUT_TERRAFORM_COMMAND  run by bash and read by tfnotify (after `--`); may be empty
#   INPUT_TARGET             `--var target:NAME`
#   INPUT_CONFIG             `--config PATH`
#   INPUT_ARGS               more tfnotify arguments, one a line
set -uo pipefail

if [ -z "${INPUT_COMMAND:-}" ]; then
  echo "tfnotify action: the \`command\` input is empty: set it to plan, apply, destroy, fmt, validate or summary, or set \`install-only: true\`" >&2
  exit 2
fi

argv=("$INPUT_COMMAND")
[ -z "${INPUT_CONFIG:-}" ] || argv+=(--config "$INPUT_CONFIG")
[ -z "${INPUT_TARGET:-}" ] || argv+=(--var "target:$INPUT_TARGET")
while IFS= read -r arg; do
  arg=${arg%$'\r'}
  [ -z "$arg" ] || argv+=("$arg")
done <<< "${INPUT_ARGS:-}"
if [ -n "${INPUT_TERRAFORM_COMMAND:-}" ]; then
  argv+=(-- bash -c "$INPUT_TERRAFORM_COMMAND")
fi

"${TFNOTIFY_BIN:-tfnotify}" "${argv[@]}"
code=$?
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "exit-code=$code" >> "$GITHUB_OUTPUT"
fi
exit "$code"
