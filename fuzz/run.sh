#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, starting from the
# committed seed corpora; new inputs go to a scratch directory so the
# committed corpora stay small. A crash, panic, timeout (10 s) or memory use
# over 2 GB fails the run and leaves the input in fuzz/artifacts/TARGET/.
#
#   bash fuzz/run.sh 30                     # CI: 30 s per target
#   bash fuzz/run.sh 1800 csv_input         # a longer local run
#
# cargo-fuzz needs nightly compiler flags; RUSTC_BOOTSTRAP=1 lets the
# stable toolchain accept them. No sanitizer: the code is safe Rust, and
# what is hunted is panics (with debug assertions: overflow too), aborts,
# huge allocations and hangs, which need none and run several times faster.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(csv_input json_problem proto_problem roads_file)
fi
export RUSTC_BOOTSTRAP=1
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  t0=$SECONDS
  cargo install --locked cargo-fuzz@0.13.2
  echo "installed cargo-fuzz in $((SECONDS - t0)) s"
fi
t0=$SECONDS
cargo fuzz build --sanitizer none --debug-assertions
echo "built the fuzz targets in $((SECONDS - t0)) s"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in "${targets[@]}"; do
  mkdir -p "$work/$t"
  log="$work/$t.log"
  if ! cargo fuzz run --sanitizer none --debug-assertions "$t" "$work/$t" "corpus/$t" -- \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
      -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz target $t FAILED; the input is in fuzz/artifacts/$t/"
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
  echo "fuzz $t: $runs executions in ${secs} s, no crash ($cov, corpus $(ls "$work/$t" | wc -l) new inputs)"
done
