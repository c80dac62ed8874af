#!/usr/bin/env bash
# The README's main job: scripts/demo (the session script on the Python file monitor) and
# scripts/demo --native print each of the five files the demo drops into its inbox, and stop
# cleanly on Ctrl-C.
set -euo pipefail
set -m  # job control: the demo runs in its own process group and does not ignore SIGINT
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for mode in session --native; do
  args=()
  [ "$mode" = session ] || args=("$mode")
  RIVULET_DEMO_DIR="$work/$mode" "$root/scripts/demo" "${args[@]}" \
    >"$work/$mode.out" 2>"$work/$mode.err" &
  pid=$!
  deadline=$((SECONDS + 600))  # the first run builds and installs the package
  until [ "$(grep -c "hello from file" "$work/$mode.out" || true)" -ge 5 ] ||
    [ $SECONDS -ge $deadline ] || ! kill -0 "$pid" 2>/dev/null; do
    sleep 1
  done
  sleep 1  # a sixth file, had one been read twice, would show by now
  kill -INT "$pid" 2>/dev/null || true
  status=0
  wait "$pid" || status=$?
  files=$(grep -c "hello from file" "$work/$mode.out" || true)
  [ "$files" -eq 5 ] || {
    echo "demo ($mode): printed $files of the 5 files"; cat "$work/$mode.out" "$work/$mode.err"; exit 1; }
  [ "$status" -eq 0 ] || { echo "demo ($mode): exit status $status after Ctrl-C"; cat "$work/$mode.err"; exit 1; }
  grep -q "^Batch: 0$" "$work/$mode.out" || { echo "demo ($mode): no console batch"; exit 1; }
done
echo "demo: the session script and the native source print every file once, and stop on Ctrl-C"
