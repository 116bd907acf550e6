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
#   INPUT_SUCCESS_EXIT_CODES exit codes that do not fail the step (default 0), e.g.
#                            `0 2` for `terraform plan -detailed-exitcode`
set -uo pipefail

if [ -z "${INPUT_COMMAND:-}" ]; then
  echo "tfnotify action: the \`command\` input is empty: set it to plan, apply, destroy, fmt, validate or summary, or set \`install-only: true\`" >&2
  exit 2
fi

codes=${INPUT_SUCCESS_EXIT_CODES:-}
read -ra success_codes <<< "${codes//,/ }"
# An empty list is the default; bash 3.2 (macOS) cannot expand an empty array under -u.
[ ${#success_codes[@]} -gt 0 ] || success_codes=(0)
for code in "${success_codes[@]}"; do
  if [[ ! "$code" =~ ^[0-9]+$ ]]; then
    echo "tfnotify action: \`$code\` in the \`success-exit-codes\` input is not an exit code: list numbers, e.g. \`0 2\`" >&2
    exit 2
  fi
done

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
for success in "${success_codes[@]}"; do
  if [ "$((10#$success))" -eq "$code" ]; then
    exit 0
  fi
done
exit "$code"
