#!/usr/bin/env bash
# End-to-end text ingest: plain-text archive items (the search benchmark's generated
# multilingual corpus) through `kinbridge archive import` (a durable job per file: read,
# language, entity extraction, original kept in the document store, text and entities stored,
# audited) and `kinbridge reindex` (into the search index), against the same files loaded into
# SQLite FTS5 by a plain script (read, insert, optimise). Reports items/s for both.
# Usage: bench/ingest/run.sh [ITEMS] (default 20,000). Writes bench/out/ingest/report.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
items="${1:-20000}"
out=bench/out/ingest
rm -rf "$out"; mkdir -p "$out"
cargo build --release -q -p kinbridge
cargo run --release -q -p kinbridge-search --example corpus_files -- "$items" "$out/files"

export KINBRIDGE_DATA_DIR="$out/data" KINBRIDGE_LOG=error
./target/release/kinbridge member add --code CH --name Switzerland --country CH >/dev/null
start=$(date +%s.%N)
./target/release/kinbridge archive import "$out/files" --fonds BENCH --member CH --restriction open >/dev/null
import_s=$(echo "$(date +%s.%N) - $start" | bc)
start=$(date +%s.%N)
./target/release/kinbridge reindex >/dev/null
index_s=$(echo "$(date +%s.%N) - $start" | bc)

fts_s=$(python3 - "$out" <<'PY'
import pathlib, sqlite3, sys, time
out = pathlib.Path(sys.argv[1])
t = time.perf_counter()
db = sqlite3.connect(out / "fts5.db")
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=NORMAL")
db.execute("CREATE VIRTUAL TABLE items USING fts5(path UNINDEXED, title, text, tokenize = 'unicode61 remove_diacritics 2')")
with db:
    for p in sorted((out / "files").rglob("*.txt")):
        title, _, text = p.read_text(encoding="utf-8").partition("\n")
        db.execute("INSERT INTO items (path, title, text) VALUES (?, ?, ?)", (str(p), title, text))
db.execute("INSERT INTO items(items) VALUES ('optimize')"); db.commit()
print(time.perf_counter() - t)
PY
)
imported=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT COUNT(*) FROM archive_units WHERE level = 'item'\").fetchone()[0])" "$out/data/kinbridge.db")
python3 - "$items" "$imported" "$import_s" "$index_s" "$fts_s" "$out/report.json" <<'PY'
import json, sys
n, imported, imp, idx, fts, path = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:6]), sys.argv[6]
r = {"items": n, "imported": imported, "import_s": imp, "reindex_s": idx,
     "kinbridge_items_per_s": n / (imp + idx), "fts5_script_items_per_s": n / fts,
     "fts5_over_kinbridge": (n / fts) / (n / (imp + idx))}
open(path, "w").write(json.dumps(r, indent=2)); print(json.dumps(r, indent=2))
PY
