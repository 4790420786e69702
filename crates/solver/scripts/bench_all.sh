#!/bin/bash
# Runs `senroute bench` over the full Solomon (56), Li & Lim 100-task (56)
# and Cordeau (2006) DARP (48) sets and writes one JSONL file per set.
# usage: crates/solver/scripts/bench_all.sh VRP_SECONDS DARP_SECONDS SEED OUTDIR
# (build first: cargo build --release -p senroute-cli)
# Tables: python3 crates/solver/scripts/tables.py OUTDIR data/instances/bks
set -e
VS=$1; DS=$2; SEED=$3; OUT=$4
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
D=$ROOT/data/instances
B=${SENROUTE_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/senroute}
mkdir -p "$OUT"
"$B" bench --format solomon --seconds "$VS" --seed "$SEED" --routes $D/solomon/txt/*.txt > "$OUT/solomon.jsonl"
"$B" bench --format lilim --seconds "$VS" --seed "$SEED" --routes $D/lilim/100/*.txt > "$OUT/lilim.jsonl"
"$B" bench --format cordeau --seconds "$DS" --seed "$SEED" --routes $D/darp/cordeau2006/*.txt > "$OUT/cordeau.jsonl"
