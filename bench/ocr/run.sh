#!/usr/bin/env bash
# OCR benchmark: pages with known text (French, Spanish, English) recognised by plain
# `tesseract` (one single-threaded process per core, as its authors advise for throughput) and
# by the Kinbridge import pipeline (`kinbridge archive import`, same engine, same settings, plus
# hashing, storage, entity extraction and the database). Reports pages/s for both, the
# pipeline's overhead, and character accuracy. Usage: bench/ocr/run.sh [PAGES_PER_LANGUAGE]
set -euo pipefail
cd "$(dirname "$0")/../.."
per_lang="${1:-10}"
# The engine and the languages the pages are in (Debian packages; installed when run as root).
need=()
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
for lang in eng fra spa; do
  [ -e "/usr/share/tesseract-ocr/5/tessdata/$lang.traineddata" ] || need+=("tesseract-ocr-$lang")
done
command -v bc >/dev/null 2>&1 || need+=(bc)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "Missing: ${need[*]} (Debian: sudo apt-get install ${need[*]})" >&2; exit 1
  fi
fi
out=bench/out/ocr
rm -rf "$out"; mkdir -p "$out/pages" "$out/plain"
venv=bench/.venv-ocr
[ -x "$venv/bin/python" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install -q pillow; }
"$venv/bin/python" bench/ocr/render.py "$out/pages" "$per_lang"
pages=$(ls "$out/pages"/*.png | wc -l)
cargo build --release -q -p kinbridge
cores=$(nproc)

start=$(date +%s.%N)
ls "$out/pages"/*.png | OMP_THREAD_LIMIT=1 xargs -P "$cores" -I{} sh -c 'tesseract "$1" "'"$out"'/plain/$(basename "$1" .png)" -l eng+fra+spa --psm 3 >/dev/null 2>&1' _ {}
plain_s=$(echo "$(date +%s.%N) - $start" | bc)

export KINBRIDGE_DATA_DIR="$out/data" KINBRIDGE_LOG=error
./target/release/kinbridge member add --code CH --name Switzerland --country CH >/dev/null
start=$(date +%s.%N)
./target/release/kinbridge archive import "$out/pages" --fonds BENCH --member CH --languages eng,fra,spa >/dev/null
pipe_s=$(echo "$(date +%s.%N) - $start" | bc)

# The pipeline's text, per page, for the accuracy check.
python3 - "$out" <<'PY'
import json, sqlite3, sys, pathlib
out = pathlib.Path(sys.argv[1])
db = sqlite3.connect(out / "data" / "kinbridge.db")
rows = db.execute("SELECT u.filename, p.body FROM archive_pages p JOIN archive_units u ON u.id = p.item_id WHERE u.filename LIKE '%.png'").fetchall()
(out / "pipeline.json").write_text(json.dumps({pathlib.Path(f).stem: b for f, b in rows}))
PY
acc=$(python3 bench/ocr/cer.py "$out/pages" "$out/pipeline.json" "$out/plain")
python3 - "$pages" "$plain_s" "$pipe_s" "$acc" "$out/report.json" <<'PY'
import json, sys
pages, plain, pipe, acc, path = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), json.loads(sys.argv[4]), sys.argv[5]
r = {"pages": pages, "tesseract_pages_per_s": pages / plain, "pipeline_pages_per_s": pages / pipe,
     "pipeline_overhead": pipe / plain - 1, **acc}
open(path, "w").write(json.dumps(r, indent=2)); print(json.dumps(r, indent=2))
PY
