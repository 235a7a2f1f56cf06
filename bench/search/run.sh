#!/usr/bin/env bash
# Search benchmark: the Kinbridge index (tantivy) against SQLite FTS5 on the same generated
# multilingual corpus, in one run: ingest rate, p50/p99 of term, phrase, fuzzy-name and faceted
# queries, and size on disk. Usage: bench/search/run.sh [ITEMS] (default 1,000,000).
# Writes bench/out/search/report.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
items="${1:-1000000}"
cargo run --release -q -p kinbridge-search --example bench -- "$items" bench/out/search
