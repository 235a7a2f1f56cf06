"""Makes frequent_<lang>.txt: the words each language uses most, with how often.

The frequencies are wordfreq's (PyPI wordfreq 3.1.1, data CC BY-SA 4.0, Robyn Speer et al.,
from Wikipedia, subtitles, books, news, web text and more), so nothing is fetched from
anywhere but the package registry:
  pip download --no-deps wordfreq==3.1.1 -d /tmp/wf && unzip -q /tmp/wf/wordfreq-*.whl -d /tmp/wf
  python3 make_frequent.py /tmp/wf/wordfreq/data   # needs msgpack (or spaCy's srsly)
Each line is a Zipf value (log10 of uses per billion words) and the words that have it;
only words of at least ZIPF_MIN are kept, of letters only, two or more of them.
"""
import gzip
import sys
from pathlib import Path

try:
    import msgpack
except ImportError:
    import srsly.msgpack as msgpack

ZIPF_MIN = 4.0
data = Path(sys.argv[1])
here = Path(__file__).resolve().parent
for lang in ("en", "fr", "es", "de", "it"):
    # wordfreq's "cB" format: list index i holds the words used 10^(-i/100) of the time.
    buckets = msgpack.loads(gzip.open(data / f"large_{lang}.msgpack.gz").read(), raw=False)
    lines = []
    for i, words in enumerate(buckets[1:], 1):
        zipf = 9 - i / 100
        if zipf < ZIPF_MIN:
            break
        kept = [w for w in words if len(w) >= 2 and w.isalpha()]
        if kept:
            lines.append(f"{zipf:.2f} {' '.join(kept)}")
    header = (
        f"# The most used words of {lang} (Zipf >= {ZIPF_MIN}): Zipf value, then its words. From wordfreq 3.1.1\n"
        "# (PyPI; data CC BY-SA 4.0, Robyn Speer et al.); made by make_frequent.py (see there).\n"
    )
    (here / f"frequent_{lang}.txt").write_text(header + "\n".join(lines) + "\n")
    print(lang, sum(len(l.split()) - 1 for l in lines), file=sys.stderr)
