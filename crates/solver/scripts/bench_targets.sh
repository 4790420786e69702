#!/bin/bash
# Runs the eleven quality-bar instances and prints the gap table.
# usage: crates/solver/scripts/bench_targets.sh SECONDS SEED OUT.jsonl
# (build first: cargo build --release -p senroute-solver --example bench)
set -e
S=$1; SEED=$2; OUT=$3
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
D=$ROOT/data/instances
B=${BENCH_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/bench}
{
"$B" --format solomon --seconds "$S" --seed "$SEED" $D/solomon/txt/{C101,R101,RC101,C201,R201,RC201}.txt $D/homberger/txt/200/{c1_2_1,r1_2_1}.txt
"$B" --format lilim --seconds "$S" --seed "$SEED" $D/lilim/100/{lc101,lr101,lrc101}.txt
} > "$OUT" 2>/dev/null
python3 "$(dirname "$0")/gap.py" "$OUT" "$D/bks"
