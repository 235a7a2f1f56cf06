"""Character accuracy of recognised pages against their truth: 1 - edit distance / length,
whitespace normalised. Usage: cer.py TRUTH_DIR TSV_OF_NAME_AND_TEXT (from the pipeline) [PLAIN_DIR]"""
import json, pathlib, sys

def norm(s):
    return " ".join(s.split())

def lev(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]

truth_dir = pathlib.Path(sys.argv[1])
pipeline = json.loads(pathlib.Path(sys.argv[2]).read_text())
def accuracy(texts):
    errs = total = 0
    for name, text in texts.items():
        t = norm((truth_dir / f"{name}.truth").read_text(encoding="utf-8"))
        errs += lev(norm(text), t); total += len(t)
    return 1 - errs / total
out = {"pipeline_char_accuracy": accuracy(pipeline)}
if len(sys.argv) > 3:
    plain = {p.stem: p.read_text(encoding="utf-8") for p in pathlib.Path(sys.argv[3]).glob("*.txt")}
    out["tesseract_char_accuracy"] = accuracy(plain)
print(json.dumps(out))
