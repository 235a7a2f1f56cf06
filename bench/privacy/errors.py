"""Kinbridge's token errors on the benchmark's sentences, for tuning (not a benchmark).

Usage: bench/.venv-pii/bin/python bench/privacy/errors.py target/release/kinbridge [SEED] [N]
Prints, per class, the most frequent false positives and misses (token, gold or predicted
class, an excerpt). Tune on seed 42; bench/privacy/run.sh's default seed 2026 is held out.
"""
import json
import re
import subprocess
import sys
from collections import Counter

sys.path.insert(0, __import__("os").path.dirname(__file__))
from compare import GOLD, KINBRIDGE, samples, score, token_labels  # noqa: E402

binary = sys.argv[1]
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 42
n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
data = samples("en", n, seed) + samples("fr", n * 3 // 10, seed) + samples("es", n * 3 // 10, seed)
fps, fns = Counter(), Counter()
examples = {}
for lang in ("en", "fr", "es"):
    part = [d for d in data if d["lang"] == lang]
    payload = "".join(json.dumps({"text": d["text"]}, ensure_ascii=False) + "\n" for d in part)
    r = subprocess.run([binary, "deid", "--lang", lang, "--format", "jsonl"], input=payload.encode(),
                       capture_output=True, check=True)
    for d, line in zip(part, r.stdout.decode().splitlines()):
        spans = [(s["start"], s["end"], s["type"]) for s in json.loads(line)["spans"]]
        pred = token_labels(d["text"], spans, KINBRIDGE)
        d["kinbridge"] = pred
        gold = token_labels(d["text"], d["gold"], GOLD, gold=True)
        for tok, g, p in zip(re.findall(r"\S+", d["text"]), gold, pred):
            if g == "IGNORED" or g == p:
                continue
            if p != "O":
                fps[(lang, p, g, tok)] += 1
                examples.setdefault((lang, p, g, tok), d["text"][:160])
            if g != "O":
                fns[(lang, g, p, tok)] += 1
                examples.setdefault((lang, g, p, tok), d["text"][:160])
scores = score(data, "kinbridge")
print("overall", scores["overall"], "names and identifiers", scores["names_and_identifiers"])
for c, v in scores["per_class"].items():
    print(f"  {c:12} {v}")
for title, errs in (("FALSE POSITIVES (lang, predicted, gold, token)", fps), ("MISSES (lang, gold, predicted, token)", fns)):
    print(f"== {title}: {sum(errs.values())}")
    by_class = Counter()
    for (lang, c, _, _), k in errs.items():
        by_class[(lang, c)] += k
    print("   by class:", ", ".join(f"{l}/{c} {k}" for (l, c), k in by_class.most_common()))
    for key, k in errs.most_common(int(__import__("os").environ.get("TOP", "60"))):
        print(f"{k:4} {key}  | {examples[key]!r}")
